/**
 * Run times and statuses on the MLflow routes. `mlflow server` 3.17.2 stores a start_time of -7
 * and an end_time of -5 as given; the core refuses them on every path, answered here in MLflow's
 * INVALID_PARAMETER_VALUE shape. A status name MLflow does not know is dropped by its parser, as
 * by ours, so the run keeps the status it had.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { assertError, createExperiment, createRun, getRun, type RouteCtx } from './context';

export function runCheckTests(ctx: RouteCtx): void {
  describe('run times and statuses', () => {
    let exp = '';
    before(async () => {
      exp = await createExperiment(ctx, 'run-checks');
    });

    it('refuses a negative end_time on update and stores nothing of that update', async () => {
      const run = await createRun(ctx, exp);
      const res = await ctx.api.post('/api/2.0/mlflow/runs/update').send({ run_id: run, status: 'FINISHED', end_time: -5 });
      assertError(res, 400, 'INVALID_PARAMETER_VALUE', /Invalid value -5 for parameter 'end_time' supplied: it must be a non-negative int64/);
      const info = (await getRun(ctx, run)).info;
      assert.equal(info.status, 'RUNNING');
      assert.equal(info.end_time, undefined);
      const ok = await ctx.api.post('/api/2.0/mlflow/runs/update').send({ run_id: run, status: 'FINISHED', end_time: 0 });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.run_info.end_time, 0);
    });

    it('refuses a negative start_time on create and creates no run', async () => {
      const before = await ctx.api.post('/api/2.0/mlflow/runs/search').send({ experiment_ids: [exp] });
      const res = await ctx.api.post('/api/2.0/mlflow/runs/create').send({ experiment_id: exp, start_time: -7 });
      assertError(res, 400, 'INVALID_PARAMETER_VALUE', /Invalid value -7 for parameter 'start_time' supplied/);
      const after = await ctx.api.post('/api/2.0/mlflow/runs/search').send({ experiment_ids: [exp] });
      assert.equal((after.body.runs ?? []).length, (before.body.runs ?? []).length);
    });

    it('never stores a status outside RUNNING, SCHEDULED, FINISHED, FAILED and KILLED', async () => {
      const run = await createRun(ctx, exp);
      for (const status of ['crashed', 'CRASHED', 'finished']) {
        const res = await ctx.api.post('/api/2.0/mlflow/runs/update').send({ run_id: run, status });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.body.run_info.status, 'RUNNING');
      }
      const done = await ctx.api.post('/api/2.0/mlflow/runs/update').send({ run_id: run, status: 'KILLED' });
      assert.equal(done.body.run_info.status, 'KILLED');
      assert.equal((await getRun(ctx, run)).info.status, 'KILLED');
    });
  });
}
