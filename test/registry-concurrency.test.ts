/**
 * Registrations racing through the core on every database: concurrent creates of versions of
 * one model get distinct consecutive numbers, a number freed by a delete is never given again,
 * a write racing a rename answers what it committed, and registrations from one logged model
 * into several models all reach its `mlflow.modelVersions` tag.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { createDatabase, FAST, openTracking, selectedDialects, type TestDatabase } from './support/databases';
import type { Tracking } from '../src/core/tracking';
import type { SqlStore } from '../src/store/sql-store';
import { TrackbridgeError } from '../src/core/errors';

/**
 * Runs `calls` concurrently and `late` among them: after `when.ms` milliseconds, or once
 * `when.settled` of the calls have settled, so it lands while others are still in flight.
 */
type When = { ms: number } | { settled: number };

async function raceWith<T>(calls: Array<() => Promise<T>>, when: When, late: () => Promise<unknown>) {
  let settled = 0;
  let fired: Promise<unknown> | undefined;
  if ('ms' in when) setTimeout(() => { fired = late(); }, when.ms);
  const results = await Promise.allSettled(calls.map((call) => call().finally(() => {
    if ('settled' in when && ++settled === when.settled) fired = late();
  })));
  while (!fired) await new Promise((r) => setTimeout(r, 1));
  await fired;
  return results;
}

/** A rename's timings that catch creates before, under and after their model's lock on every database. */
const RENAME_TIMINGS: When[] = [{ ms: 0 }, { ms: 2 }, { ms: 5 }, { ms: 10 }, { ms: 50 }, { settled: 2 }, { settled: 25 }];

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

    it('answers every committed create that raced a rename with the version it wrote', async () => {
      for (const [round, when] of RENAME_TIMINGS.entries()) {
        const name = `pd${round}`;
        const renamed = `${name}-renamed`;
        await tracking.registry.createModel({ name, tags: [] });
        const results = await raceWith(
          Array.from({ length: 30 }, (_, i) => () => tracking.registry.createVersion({ name, source, description: `d${i}`, tags: [] })),
          when, () => tracking.registry.renameModel(name, renamed));
        const stored = (await tracking.registry.searchVersions({ filter: `name = '${renamed}'`, maxResults: 100 })).items;
        const answered = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<any>).value);
        for (const r of results) {
          if (r.status === 'fulfilled') continue;
          // Only a create that found the model already renamed may fail, and then it stored nothing.
          assert.ok(r.reason instanceof TrackbridgeError && r.reason.code === 'NOT_FOUND', String(r.reason));
          assert.match(r.reason.message, new RegExp(`^Registered Model with name=${name} not found$`));
        }
        if ('settled' in when) assert.ok(answered.length >= when.settled, `round ${round}: ${answered.length} answered`);
        assert.equal(stored.length, answered.length, `round ${round}: ${stored.length} stored, ${answered.length} answered`);
        for (const v of answered) {
          const found = stored.find((s) => s.version === v.version);
          assert.ok(found, `round ${round}: answered version ${v.version} is not stored`);
          assert.equal(found.description, v.description);
          assert.ok(v.name === name || v.name === renamed, v.name);
        }
      }
    });

    it('answers updates and transitions that raced a rename with what they wrote', async () => {
      for (const [round, when] of RENAME_TIMINGS.entries()) {
        const name = `upd${round}`;
        await tracking.registry.createModel({ name, tags: [] });
        for (let i = 0; i < 10; i++) await tracking.registry.createVersion({ name, source, tags: [] });
        const calls: Array<() => Promise<{ kind: string; value: any }>> = [];
        for (let i = 1; i <= 10; i++) {
          calls.push(async () => ({ kind: 'update', value: await tracking.registry.updateVersion(name, String(i), `new ${i}`) }));
          calls.push(async () => ({ kind: 'stage', value: await tracking.registry.transitionStage(name, String(i), 'Staging', false) }));
          calls.push(async () => ({ kind: 'model', value: await tracking.registry.updateModel(name, { description: `model ${i}` }) }));
        }
        const results = await raceWith(calls, when, () => tracking.registry.renameModel(name, `${name}-renamed`));
        for (const r of results) {
          if (r.status === 'rejected') {
            assert.ok(r.reason instanceof TrackbridgeError && r.reason.code === 'NOT_FOUND', String(r.reason));
            assert.match(r.reason.message, new RegExp(`^Registered Model with name=${name} not found$`));
            continue;
          }
          const { kind, value } = r.value;
          if (kind === 'update') assert.match(value.description, /^new \d+$/);
          if (kind === 'stage') assert.equal(value.currentStage, 'Staging');
          if (kind === 'model') assert.match(value.description, /^model \d+$/);
        }
      }
    });

    it('lists every concurrent registration from one logged model in its mlflow.modelVersions tag', async () => {
      const exp = await tracking.experiments.create('mirrored', undefined, []);
      const logged = await tracking.loggedModels.create({ experimentId: exp, name: 'shared', tags: [], params: [] });
      const names = ['into-a', 'into-b', 'into-c'];
      for (const n of names) await tracking.registry.createModel({ name: n, tags: [] });
      const made = await Promise.all(names.flatMap((n) => Array.from({ length: 10 }, () =>
        tracking.registry.createVersion({ name: n, source: `models:/${logged.modelId}`, modelId: logged.modelId, tags: [] }))));
      assert.equal(made.length, 30);
      const tag = (await tracking.loggedModels.get(logged.modelId)).tags.find((t) => t.key === 'mlflow.modelVersions');
      assert.ok(tag, 'the logged model should carry the tag');
      const listed = (JSON.parse(tag.value) as Array<{ name: string; version: number }>).map((e) => `${e.name}/${e.version}`).sort();
      const expected = names.flatMap((n) => Array.from({ length: 10 }, (_, i) => `${n}/${i + 1}`)).sort();
      assert.deepEqual(listed, expected);
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
