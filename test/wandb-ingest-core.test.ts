/**
 * ClientRuns (core/client-runs.ts) on every dialect: a run a client names itself is created with
 * its experiment in one write, later writes change only what they carry, a refused write
 * stores nothing, and the run's id stays in its experiment.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { createDatabase, FAST, openTracking, selectedDialects, type OpenTracking, type TestDatabase } from './support/databases';
import { CLIENT_RUN_MAX_PARAMS } from '../src/core/client-runs';
import { TrackbridgeError } from '../src/core/errors';

const rejects = (p: Promise<unknown>, code: string, re?: RegExp) =>
  assert.rejects(p, (e: unknown) => e instanceof TrackbridgeError && e.code === code && (!re || re.test(e.message)));

for (const dialect of selectedDialects()) {
  describe(`client runs (${dialect})`, () => {
    let db: TestDatabase;
    let t: OpenTracking;

    before(async () => {
      db = await createDatabase(dialect);
      t = await openTracking(db.url, FAST);
    });
    after(async () => {
      await t.store.close();
      await db.drop();
    });

    it('creates the run and its experiment in one write, then updates only what a write carries', async () => {
      const first = await t.tracking.clientRuns.write({
        runId: 'abc12345', experimentName: 'proj-a', userId: 'alice', writer: { entity: 'alice' }, name: 'first-name',
        tags: [{ key: 'wandb.group', value: 'g1' }], creationTags: [{ key: 'mlflow.user', value: 'alice' }],
        params: [{ key: 'lr', value: '0.1' }, { key: 'opt.beta', value: '0.9' }],
        config: { lr: { value: 0.1 }, opt: { value: { beta: 0.9 } } },
        origin: { system: 'wandb', id: 'alice/proj-a/abc12345' },
      });
      assert.equal(first.created, true);
      assert.equal(first.experiment.name, 'proj-a');
      assert.equal(first.run.info.runName, 'first-name');
      assert.equal(first.run.info.status, 'RUNNING');
      assert.equal(first.run.info.userId, 'alice');
      const tags = Object.fromEntries(first.run.tags.map((x) => [x.key, x.value]));
      assert.equal(tags['mlflow.runName'], 'first-name');
      assert.equal(tags['wandb.group'], 'g1');
      assert.equal(tags['mlflow.user'], 'alice');
      assert.deepEqual(await t.tracking.runData.config('abc12345'), { lr: { value: 0.1 }, opt: { value: { beta: 0.9 } } });
      assert.equal(await t.tracking.ingest.localId('run', { system: 'wandb', id: 'alice/proj-a/abc12345' }), 'abc12345');

      const second = await t.tracking.clientRuns.write({
        runId: 'abc12345', experimentName: 'proj-a', userId: 'bob', writer: { entity: 'bob' },
        creationTags: [{ key: 'mlflow.user', value: 'bob' }],
        params: [{ key: 'lr', value: '0.2' }],
      });
      assert.equal(second.created, false);
      assert.equal(second.run.info.runName, 'first-name');
      assert.equal(second.run.info.userId, 'alice');
      const after2 = Object.fromEntries(second.run.tags.map((x) => [x.key, x.value]));
      assert.equal(after2['wandb.group'], 'g1');
      assert.equal(after2['mlflow.user'], 'alice');
      const params = Object.fromEntries(second.run.params.map((x) => [x.key, x.value]));
      assert.deepEqual(params, { lr: '0.2', 'opt.beta': '0.9' });
      // The config document is untouched by a write without one.
      assert.deepEqual(await t.tracking.runData.config('abc12345'), { lr: { value: 0.1 }, opt: { value: { beta: 0.9 } } });

      const finished = await t.tracking.clientRuns.write({ runId: 'abc12345', experimentName: 'proj-a', userId: 'alice', writer: { entity: 'alice' }, status: 'FINISHED', name: 'renamed' });
      assert.equal(finished.run.info.status, 'FINISHED');
      assert.ok(finished.run.info.endTime !== null);
      assert.equal(finished.run.info.runName, 'renamed');
      assert.equal(finished.run.tags.find((x) => x.key === 'mlflow.runName')?.value, 'renamed');
    });

    it('gives a run created without a name a random one', async () => {
      const r = await t.tracking.clientRuns.write({ runId: 'noname01', experimentName: 'proj-a', userId: 'alice', writer: { entity: 'alice' } });
      assert.match(r.run.info.runName, /^[a-z]+-[a-z]+-\d+$/);
    });

    it('refuses a run id of another experiment, and stores nothing of the refused write', async () => {
      await rejects(t.tracking.clientRuns.write({
        runId: 'abc12345', experimentName: 'proj-b', userId: 'alice', writer: { entity: 'alice' }, tags: [{ key: 'wandb.group', value: 'other' }],
      }), 'ALREADY_EXISTS', /already exists in experiment 'proj-a'/);
      const run = await t.tracking.runs.get('abc12345');
      assert.equal(run.tags.find((x) => x.key === 'wandb.group')?.value, 'g1');
      // Not even the experiment the refused write would have created.
      assert.equal(await t.store.getExperimentByName('proj-b'), undefined);
    });

    it('refuses bad ids, bad statuses and oversized documents before writing', async () => {
      for (const runId of ['a/b', '.', '..', '...', 'a\\b', 'a:b', 'a#b', 'a?b', 'a%2e']) {
        await rejects(t.tracking.clientRuns.write({ runId, experimentName: 'p', userId: 'u', writer: { entity: 'u' } }), 'INVALID_ARGUMENT', /run id/);
      }
      // W&B's ids may hold dots; the run's artifact folder is then one ordinary path segment.
      const dotted = await t.tracking.clientRuns.write({ runId: 'exp.1', experimentName: 'pdots', userId: 'u', writer: { entity: 'u' } });
      assert.ok(dotted.run.info.artifactUri.endsWith('/exp.1/artifacts'), dotted.run.info.artifactUri);
      const root = await t.tracking.artifacts.ofRun('exp.1');
      await t.tracking.artifacts.write(root, 'a.txt', [Buffer.from('x')] as never);
      assert.deepEqual((await t.tracking.artifacts.list(root, '')).entries.map((f) => f.name), ['a.txt']);
      await rejects(t.tracking.clientRuns.write({ runId: 'x'.repeat(65), experimentName: 'p', userId: 'u', writer: { entity: 'u' } }), 'INVALID_ARGUMENT');
      await rejects(t.tracking.clientRuns.write({ runId: 'okid', experimentName: 'p', userId: 'u', writer: { entity: 'u' }, status: 'DONE' as never }), 'INVALID_ARGUMENT');
      await rejects(t.tracking.clientRuns.write({
        runId: 'okid', experimentName: 'p', userId: 'u', writer: { entity: 'u' }, config: { big: { value: 'x'.repeat(8 * 1024 * 1024) } },
      }), 'INVALID_ARGUMENT', /maximum size/);
      assert.equal(await t.store.getRun('okid'), undefined);
      assert.equal(await t.store.getExperimentByName('p'), undefined);
    });

    it('clips long values and leaves out keys MLflow cannot hold, with warnings', async () => {
      const r = await t.tracking.clientRuns.write({
        runId: 'clip0001', experimentName: 'proj-a', userId: 'alice', writer: { entity: 'alice' },
        tags: [{ key: 'mlflow.note.content', value: 'n'.repeat(9000) }],
        params: [{ key: 'long', value: 'v'.repeat(7000) }, { key: 'bad,key', value: '1' }, { key: 'long', value: 'again' }],
      });
      assert.equal(r.run.params.find((p) => p.key === 'long')?.value.length, 6000);
      assert.equal(r.run.params.some((p) => p.key === 'bad,key'), false);
      assert.equal(r.run.tags.find((x) => x.key === 'mlflow.note.content')?.value.length, 8000);
      assert.ok(r.warnings.some((w) => /clipped/.test(w)));
      assert.ok(r.warnings.some((w) => /bad,key/.test(w)));
      assert.ok(r.warnings.some((w) => /given twice/.test(w)));
    });

    it('stores at most CLIENT_RUN_MAX_PARAMS params of one write', async () => {
      const params = Array.from({ length: CLIENT_RUN_MAX_PARAMS + 5 }, (_, i) => ({ key: `k${i}`, value: String(i) }));
      const r = await t.tracking.clientRuns.write({ runId: 'many0001', experimentName: 'proj-a', userId: 'alice', writer: { entity: 'alice' }, params });
      assert.equal(r.run.params.length, CLIENT_RUN_MAX_PARAMS);
      assert.ok(r.warnings.some((w) => /only the first/.test(w)));
    });

    it('refuses writes to a deleted run', async () => {
      await t.tracking.clientRuns.write({ runId: 'gone0001', experimentName: 'proj-a', userId: 'alice', writer: { entity: 'alice' } });
      await t.tracking.runs.delete('gone0001');
      await rejects(t.tracking.clientRuns.write({ runId: 'gone0001', experimentName: 'proj-a', userId: 'alice', writer: { entity: 'alice' } }), 'INVALID_STATE');
    });

    it('lets concurrent first writes of one run create it once', async () => {
      const writes = await Promise.all(Array.from({ length: 4 }, () =>
        t.tracking.clientRuns.write({ runId: 'race0001', experimentName: 'proj-race', userId: 'alice', writer: { entity: 'alice' } })));
      assert.equal(writes.filter((w) => w.created).length, 1);
      assert.equal(new Set(writes.map((w) => w.experiment.experimentId)).size, 1);
    });
  });
}
