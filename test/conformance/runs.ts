/** Runs: creation, reading, updates and lifecycle. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { type Ctx, expectError, newExperiment, newRun, point, tagsOf } from './context';

export function runTests(ctx: Ctx): void {
  describe('runs', () => {
    it('creates a run with MLflow defaults', async () => {
      const exp = await newExperiment(ctx, 'runs');
      const run = await ctx.tracking.runs.create({ experimentId: exp, runName: 'first', startTime: 1_700_000_000_123, userId: 'alice', tags: [{ key: 'k', value: 'v' }] });
      const i = run.info;
      assert.match(i.runId, /^[0-9a-f]{32}$/);
      assert.equal(i.experimentId, exp);
      assert.equal(i.runName, 'first');
      assert.equal(i.userId, 'alice');
      assert.equal(i.status, 'RUNNING');
      assert.equal(i.lifecycleStage, 'active');
      assert.equal(i.startTime, 1_700_000_000_123);
      assert.equal(i.endTime, null);
      assert.equal(i.artifactUri, `mlflow-artifacts:/${exp}/${i.runId}/artifacts`);
      assert.deepEqual(tagsOf(run), { k: 'v', 'mlflow.runName': 'first' });
      assert.deepEqual(run.metrics, []);
      assert.deepEqual(run.params, []);
      assert.deepEqual(await ctx.tracking.runs.get(i.runId), run);
      assert.deepEqual(await ctx.store.getRunInfo(i.runId), i);
    });

    it('names runs from the argument, else the mlflow.runName tag, else at random', async () => {
      const exp = await newExperiment(ctx, 'names');
      const fromTag = await ctx.tracking.runs.create({ experimentId: exp, tags: [{ key: 'mlflow.runName', value: 'tagged' }] });
      assert.equal(fromTag.info.runName, 'tagged');
      const random = await ctx.tracking.runs.create({ experimentId: exp, tags: [] });
      assert.match(random.info.runName, /^[a-z]+-[a-z]+-\d+$/);
      assert.equal(tagsOf(random)['mlflow.runName'], random.info.runName);
      await expectError(ctx.tracking.runs.create({ experimentId: exp, runName: 'a', tags: [{ key: 'mlflow.runName', value: 'b' }] }), 'INVALID_ARGUMENT');
    });

    it('refuses runs in unknown experiments and reports unknown runs as NOT_FOUND', async () => {
      await expectError(ctx.tracking.runs.create({ experimentId: '987654321', tags: [] }), 'NOT_FOUND');
      await expectError(ctx.tracking.runs.get('0123456789abcdef0123456789abcdef'), 'NOT_FOUND', /Run with id=0123456789abcdef0123456789abcdef not found/);
      assert.equal(await ctx.store.getRun('nope'), undefined);
    });

    it('updates status, end time and name, changing only what is given', async () => {
      const exp = await newExperiment(ctx, 'upd');
      const id = await newRun(ctx, exp, { runName: 'before' });
      let info = await ctx.tracking.runs.update(id, { status: 'FINISHED', endTime: 1_800_000_000_000 });
      assert.equal(info.status, 'FINISHED');
      assert.equal(info.endTime, 1_800_000_000_000);
      assert.equal(info.runName, 'before');
      // Any transition is allowed (the client resumes finished runs); end_time stays.
      info = await ctx.tracking.runs.update(id, { status: 'RUNNING' });
      assert.equal(info.status, 'RUNNING');
      assert.equal(info.endTime, 1_800_000_000_000);
      info = await ctx.tracking.runs.update(id, { runName: 'after' });
      assert.equal(info.runName, 'after');
      assert.equal(tagsOf(await ctx.tracking.runs.get(id))['mlflow.runName'], 'after');
      await expectError(ctx.tracking.runs.update('0123456789abcdef0123456789abcdef', { status: 'FAILED' }), 'NOT_FOUND');
    });

    it('accepts writes to finished runs', async () => {
      const exp = await newExperiment(ctx, 'finished');
      const id = await newRun(ctx, exp);
      await ctx.tracking.runs.update(id, { status: 'FINISHED', endTime: Date.now() });
      await ctx.tracking.runs.logBatch(id, { metrics: [point('m', 1)], params: [{ key: 'p', value: '1' }], tags: [{ key: 't', value: '1' }] });
      assert.equal((await ctx.tracking.runs.get(id)).metrics.length, 1);
    });

    it('deletes and restores runs idempotently; deleted runs refuse writes but can be read', async () => {
      const exp = await newExperiment(ctx, 'rdel');
      const id = await newRun(ctx, exp);
      await ctx.tracking.runs.delete(id);
      await ctx.tracking.runs.delete(id);
      assert.equal((await ctx.tracking.runs.get(id)).info.lifecycleStage, 'deleted');
      const refused = /must be in the 'active' state/;
      await expectError(ctx.tracking.runs.logBatch(id, { metrics: [point('m', 1)], params: [], tags: [] }), 'INVALID_STATE', refused);
      await expectError(ctx.tracking.runs.update(id, { status: 'FINISHED' }), 'INVALID_STATE', refused);
      await expectError(ctx.tracking.runs.deleteTag(id, 'mlflow.runName'), 'INVALID_STATE', refused);
      await expectError(ctx.tracking.runs.logInputs(id, [], [{ modelId: 'm-1' }]), 'INVALID_STATE', refused);
      assert.deepEqual((await ctx.tracking.runs.get(id)).metrics, []);
      await ctx.tracking.runs.restore(id);
      await ctx.tracking.runs.restore(id);
      assert.equal((await ctx.tracking.runs.get(id)).info.lifecycleStage, 'active');
      await ctx.tracking.runs.logBatch(id, { metrics: [point('m', 1)], params: [], tags: [] });
      await expectError(ctx.tracking.runs.delete('0123456789abcdef0123456789abcdef'), 'NOT_FOUND');
    });
  });
}
