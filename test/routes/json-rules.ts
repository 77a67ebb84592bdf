/** MLflow's JSON rules on the wire, requests and responses alike. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { createExperiment, createRun, getRun, type RouteCtx } from './context';

export function jsonRuleTests(ctx: RouteCtx): void {
  describe('JSON rules', () => {
    it('prints int64 as JSON numbers and accepts them as numbers or numeric strings', async () => {
      const exp = await createExperiment(ctx, 'json-int64');
      const created = await ctx.api.post('/api/2.0/mlflow/runs/create').send({ experiment_id: exp, start_time: '1700000000123' });
      assert.equal(created.status, 200, created.text);
      assert.equal(created.body.run.info.start_time, 1700000000123);
      const id = created.body.run.info.run_id;
      const big = 2 ** 40 + 7;
      const logged = await ctx.api.post('/api/2.0/mlflow/runs/log-metric').send({ run_id: id, key: 'm', value: 1, timestamp: 1700000000999, step: String(big) });
      assert.equal(logged.status, 200, logged.text);
      const run = await getRun(ctx, id);
      assert.deepEqual(run.data.metrics, [{ key: 'm', value: 1, timestamp: 1700000000999, step: big }]);
      const exp0 = (await ctx.api.get('/api/2.0/mlflow/experiments/get').query({ experiment_id: exp })).body.experiment;
      assert.equal(typeof exp0.creation_time, 'number');
      assert.equal(typeof exp0.last_update_time, 'number');
      assert.equal(typeof exp0.experiment_id, 'string');
    });

    it('prints NaN and ±Infinity as strings and accepts them as strings', async () => {
      const id = await createRun(ctx, await createExperiment(ctx, 'json-special'));
      for (const [i, value] of ['NaN', 'Infinity', '-Infinity'].entries()) {
        const res = await ctx.api.post('/api/2.0/mlflow/runs/log-metric').send({ run_id: id, key: value.replace('-', 'neg'), value, timestamp: 5, step: i });
        assert.equal(res.status, 200, res.text);
      }
      const batch = await ctx.api.post('/api/2.0/mlflow/runs/log-batch').send({ run_id: id, metrics: [{ key: 'h', value: 'NaN', timestamp: 1 }, { key: 'h', value: 'Infinity', timestamp: 2 }, { key: 'h', value: 1.5, timestamp: 3 }] });
      assert.equal(batch.status, 200, batch.text);
      const run = await getRun(ctx, id);
      const latest = Object.fromEntries(run.data.metrics.map((m: { key: string; value: unknown }) => [m.key, m.value]));
      assert.deepEqual(latest, { NaN: 'NaN', Infinity: 'Infinity', negInfinity: '-Infinity', h: 1.5 });
      const hist = await ctx.api.get('/api/2.0/mlflow/metrics/get-history').query({ run_id: id, metric_key: 'h' });
      assert.deepEqual(hist.body.metrics.map((m: { value: unknown }) => m.value), ['NaN', 'Infinity', 1.5]);
    });

    it('prints enums by name and accepts names or numbers; unknown names are ignored', async () => {
      const id = await createRun(ctx, await createExperiment(ctx, 'json-enum'));
      assert.equal((await getRun(ctx, id)).info.status, 'RUNNING');
      let res = await ctx.api.post('/api/2.0/mlflow/runs/update').send({ run_id: id, status: 3, end_time: 2000 });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.run_info.status, 'FINISHED');
      res = await ctx.api.post('/api/2.0/mlflow/runs/update').send({ run_id: id, status: 'KILLED' });
      assert.equal(res.body.run_info.status, 'KILLED');
      res = await ctx.api.post('/api/2.0/mlflow/runs/update').send({ run_id: id, status: 'NOT_A_STATUS' });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.run_info.status, 'KILLED');
      const search = await ctx.api.post('/api/2.0/mlflow/runs/search').send({ experiment_ids: [res.body.run_info.experiment_id], run_view_type: 'ALL' });
      assert.equal(search.body.runs[0].info.status, 'KILLED');
    });

    it('omits unset fields and empty lists', async () => {
      const exp = await createExperiment(ctx, 'json-unset');
      const created = await ctx.api.post('/api/2.0/mlflow/runs/create').send({ experiment_id: exp, run_name: 'plain' });
      const run = created.body.run;
      assert.equal('end_time' in run.info, false, 'a running run has no end_time');
      assert.deepEqual(Object.keys(run.data), ['tags']);
      assert.deepEqual(run.inputs ?? {}, {});
      assert.deepEqual(run.outputs ?? {}, {});
      const e = (await ctx.api.get('/api/2.0/mlflow/experiments/get').query({ experiment_id: exp })).body.experiment;
      assert.equal('tags' in e, false);
      const none = await ctx.api.post('/api/2.0/mlflow/runs/search').send({ experiment_ids: [exp], filter: "attributes.run_name = 'nobody'" });
      assert.deepEqual(none.body, {});
      const empty = await ctx.api.post('/api/2.0/mlflow/runs/search').send({});
      assert.deepEqual(empty.body, {});
    });

    it('answers calls without a result with exactly {}', async () => {
      const id = await createRun(ctx, await createExperiment(ctx, 'json-empty'));
      for (const [url, body] of [
        ['/api/2.0/mlflow/runs/log-parameter', { run_id: id, key: 'p', value: '1' }],
        ['/api/2.0/mlflow/runs/set-tag', { run_id: id, key: 't', value: '1' }],
        ['/api/2.0/mlflow/runs/log-metric', { run_id: id, key: 'm', value: 1, timestamp: 1 }],
        ['/api/2.0/mlflow/runs/log-batch', { run_id: id }],
        ['/api/2.0/mlflow/runs/delete-tag', { run_id: id, key: 't' }],
        ['/api/2.0/mlflow/runs/delete', { run_id: id }],
        ['/api/2.0/mlflow/runs/restore', { run_id: id }],
      ] as const) {
        const res = await ctx.api.post(url).send(body);
        assert.equal(res.status, 200, `${url}: ${res.text}`);
        assert.equal(res.text, '{}', url);
      }
    });

    it('accepts lowerCamelCase request fields', async () => {
      const exp = await createExperiment(ctx, 'json-camel');
      const created = await ctx.api.post('/api/2.0/mlflow/runs/create').send({ experimentId: exp, runName: 'camel', startTime: 42, userId: 'me' });
      assert.equal(created.status, 200, created.text);
      const info = created.body.run.info;
      assert.deepEqual([info.experiment_id, info.run_name, info.start_time, info.user_id], [exp, 'camel', 42, 'me']);
      const res = await ctx.api.post('/api/2.0/mlflow/runs/log-metric').send({ runId: info.run_id, key: 'm', value: 2, timestamp: 3 });
      assert.equal(res.status, 200, res.text);
      const hist = await ctx.api.get('/api/2.0/mlflow/metrics/get-history').query({ runId: info.run_id, metricKey: 'm' });
      assert.equal(hist.status, 200, hist.text);
      assert.equal(hist.body.metrics.length, 1);
      const search = await ctx.api.post('/api/2.0/mlflow/experiments/search').send({ maxResults: 5, filter: `name = 'json-camel'`, viewType: 'ALL' });
      assert.equal(search.body.experiments[0].experiment_id, exp);
    });

    it('reads repeated query keys as lists on GET', async () => {
      const exp = await createExperiment(ctx, 'json-repeated');
      const a = await createRun(ctx, exp);
      const b = await createRun(ctx, exp);
      for (const id of [a, b]) await ctx.api.post('/api/2.0/mlflow/runs/log-metric').send({ run_id: id, key: 'loss', value: 1, timestamp: 1, step: 0 });
      const interval = await ctx.api.get(`/api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=${a}&run_ids=${b}&metric_key=loss&max_results=10`);
      assert.equal(interval.status, 200, interval.text);
      assert.deepEqual(new Set(interval.body.metrics.map((m: { run_id: string }) => m.run_id)), new Set([a, b]));
      const one = await ctx.api.get(`/api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=${a}&metric_key=loss`);
      assert.deepEqual(one.body.metrics.map((m: { run_id: string }) => m.run_id), [a]);
      const bulk = await ctx.api.get(`/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id=${a}&run_id=${b}&metric_key=loss`);
      assert.equal(bulk.status, 200, bulk.text);
      assert.equal(bulk.body.metrics.length, 2);
      const search = await ctx.api.get(`/api/2.0/mlflow/experiments/search?max_results=10&filter=${encodeURIComponent("name = 'json-repeated'")}&order_by=name&order_by=${encodeURIComponent('creation_time DESC')}`);
      assert.equal(search.status, 200, search.text);
      assert.equal(search.body.experiments[0].experiment_id, exp);
    });

    it('reads JSON bodies on PATCH and DELETE', async () => {
      const exp = await createExperiment(ctx, 'json-verbs');
      const created = await ctx.api.post('/api/2.0/mlflow/logged-models').send({ experiment_id: exp, name: 'model', tags: [{ key: 'a', value: '1' }] });
      assert.equal(created.status, 200, created.text);
      const id = created.body.model.info.model_id;
      assert.equal(created.body.model.info.status, 'LOGGED_MODEL_PENDING');
      const finalized = await ctx.api.patch(`/api/2.0/mlflow/logged-models/${id}`).send({ model_id: id, status: 'LOGGED_MODEL_READY' });
      assert.equal(finalized.status, 200, finalized.text);
      assert.equal(finalized.body.model.info.status, 'LOGGED_MODEL_READY');
      const tagged = await ctx.api.patch(`/api/2.0/mlflow/logged-models/${id}/tags`).send({ tags: [{ key: 'b', value: '2' }] });
      assert.equal(tagged.status, 200, tagged.text);
      const untag = await ctx.api.delete(`/api/2.0/mlflow/logged-models/${id}/tags/a`).send({ model_id: id, tag_key: 'a' });
      assert.equal(untag.status, 200, untag.text);
      const got = await ctx.api.get(`/api/2.0/mlflow/logged-models/${id}`);
      assert.deepEqual(got.body.model.info.tags, [{ key: 'b', value: '2' }]);
      const deleted = await ctx.api.delete(`/api/2.0/mlflow/logged-models/${id}`).send({ model_id: id });
      assert.equal(deleted.status, 200, deleted.text);
      assert.equal((await ctx.api.get(`/api/2.0/mlflow/logged-models/${id}`)).status, 404);
    });

    it('serves GET routes from the query string and POST routes from the body', async () => {
      const got = await ctx.api.get('/api/2.0/mlflow/experiments/get?experiment_id=0');
      assert.equal(got.status, 200, got.text);
      assert.equal(got.body.experiment.name, 'Default');
      const byName = await ctx.api.get('/api/2.0/mlflow/experiments/get-by-name').query({ experiment_name: 'Default' });
      assert.equal(byName.body.experiment.experiment_id, '0');
      const post = await ctx.api.post('/api/2.0/mlflow/experiments/search').send({ max_results: 1000, filter: "name = 'Default'" });
      assert.deepEqual(post.body.experiments.map((e: { name: string }) => e.name), ['Default']);
    });
  });
}
