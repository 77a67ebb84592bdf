/**
 * Registrations racing through the core on every database: concurrent creates of versions of
 * one model get distinct consecutive numbers, and a number freed by a delete is never given again.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { createDatabase, FAST, openTracking, selectedDialects, type TestDatabase } from './support/databases';
import type { Tracking } from '../src/core/tracking';
import type { SqlStore } from '../src/store/sql-store';

for (const dialect of selectedDialects()) {
  describe(`registry concurrency (${dialect})`, () => {
    let db: TestDatabase;
    let store: SqlStore;
    let tracking: Tracking;
    let source = '';

    before(async () => {
      db = await createDatabase(dialect);
      ({ store, tracking } = await openTracking(db.url, FAST));
      const exp = await tracking.experiments.create('race', undefined, []);
      const run = await tracking.runs.create({ experimentId: exp, startTime: 1, tags: [] });
      source = `runs:/${run.info.runId}/model`;
    });

    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('gives 20 concurrent registrations the numbers 1 to 20', async () => {
      await tracking.registry.createModel({ name: 'raced', tags: [] });
      const made = await Promise.all(Array.from({ length: 20 }, () => tracking.registry.createVersion({ name: 'raced', source, tags: [] })));
      assert.deepEqual(made.map((v) => Number(v.version)).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
      const page = await tracking.registry.searchVersions({ filter: "name = 'raced'", maxResults: 100 });
      assert.equal(page.items.length, 20);
    });

    it('never gives a deleted number again, even to concurrent creates', async () => {
      await tracking.registry.deleteVersion('raced', '20');
      await tracking.registry.deleteVersion('raced', '19');
      const made = await Promise.all(Array.from({ length: 5 }, () => tracking.registry.createVersion({ name: 'raced', source, tags: [] })));
      assert.deepEqual(made.map((v) => Number(v.version)).sort((a, b) => a - b), [21, 22, 23, 24, 25]);
    });

    it('lets one of two concurrent creates of a name win, the other told it exists', async () => {
      const results = await Promise.allSettled([1, 2].map(() => tracking.registry.createModel({ name: 'twice', tags: [] })));
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.equal(refused.reason.code, 'ALREADY_EXISTS');
      assert.match(refused.reason.message, /^Registered Model \(name=twice\) already exists\.$/);
    });
  });
}
