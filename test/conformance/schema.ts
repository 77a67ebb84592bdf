/** The schema on open: migrations run once, unknown migrations and missing indexes are refused. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { TrackbridgeError } from '../../src/core/errors';
import { SqlStore } from '../../src/store/sql-store';
import { MIGRATIONS } from '../../src/store/schema/migrations';
import { createDatabase, FAST, openTracking, type TestDatabase } from '../support/databases';
import type { Ctx } from './context';

/** Runs `fn` against a database of its own, dropped afterwards. */
async function withFreshDatabase(ctx: Ctx, fn: (db: TestDatabase) => Promise<void>): Promise<void> {
  const db = await createDatabase(ctx.dialect);
  try {
    await fn(db);
  } finally {
    await db.drop();
  }
}

async function expectRefusedAtOpen(url: string, message: RegExp): Promise<void> {
  let store: SqlStore | undefined;
  try {
    store = await SqlStore.open(url, FAST);
  } catch (e) {
    assert.ok(e instanceof TrackbridgeError, `expected a TrackbridgeError, got ${String(e)}`);
    assert.equal(e.code, 'INVALID_STATE');
    assert.match(e.message, message);
    return;
  }
  await store.close();
  assert.fail('the store opened a database it should have refused');
}

export function schemaTests(ctx: Ctx): void {
  describe('schema on open', () => {
    it('reopening a database runs no migration twice and keeps the data', async () => {
      await withFreshDatabase(ctx, async (db) => {
        const first = await openTracking(db.url, FAST);
        const exp = await first.tracking.experiments.create('survives', undefined, []);
        const before = await first.store.db('trackbridge_migrations').select('name').orderBy('id');
        await first.store.close();

        for (let i = 0; i < 2; i++) {
          const again = await openTracking(db.url, FAST);
          const rows: Array<{ name: string }> = await again.store.db('trackbridge_migrations').select('name').orderBy('id');
          assert.deepEqual(rows.map((r) => r.name), MIGRATIONS.map((m) => m.name));
          assert.deepEqual(rows, before);
          assert.equal((await again.tracking.experiments.getByName('survives')).experimentId, exp);
          const defaults = await again.tracking.experiments.search({ filter: "name = 'Default'", maxResults: 10, viewType: 'ALL' });
          assert.equal(defaults.items.length, 1);
          // The id counter carries on rather than restarting.
          assert.ok(Number(await again.tracking.experiments.create(`next-${i}`, undefined, [])) > Number(exp));
          await again.store.close();
        }
      });
    });

    it('refuses a database carrying a migration this version does not know', async () => {
      await withFreshDatabase(ctx, async (db) => {
        const store = await SqlStore.open(db.url, FAST);
        await store.db('trackbridge_migrations').insert({ name: '9999_from_the_future', batch: 99, migration_time: new Date() });
        await store.close();
        await expectRefusedAtOpen(db.url, /9999_from_the_future/);
      });
    });

    it('refuses a database with a dropped index', async () => {
      await withFreshDatabase(ctx, async (db) => {
        const store = await SqlStore.open(db.url, FAST);
        if (ctx.dialect === 'mysql') await store.db.raw('DROP INDEX runs_experiment_start_idx ON runs');
        else await store.db.raw('DROP INDEX runs_experiment_start_idx');
        await store.close();
        await expectRefusedAtOpen(db.url, /runs\.runs_experiment_start_idx/);
      });
    });
  });
}
