/** Error mapping, malformed requests, body and batch limits; a rejected request stores nothing. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import supertest from 'supertest';

import { buildApp } from '../../src/server';
import { FAST, openTracking } from '../support/databases';
import { assertClientError, assertError, createExperiment, createRun, getRun, rawRequest, STRICT, type RouteCtx } from './context';

export function errorTests(ctx: RouteCtx): void {
  describe('errors', () => {
    let exp = '';
    let run = '';
    before(async () => {
      exp = await createExperiment(ctx, 'errors');
      run = await createRun(ctx, exp);
    });

    it('maps each error class to its code and HTTP status', async () => {
      const missingRun = '0123456789abcdef0123456789abcdef';
      assertError(await ctx.api.get('/api/2.0/mlflow/runs/get').query({ run_id: missingRun }), 404, 'RESOURCE_DOES_NOT_EXIST', /Run with id=0123456789abcdef0123456789abcdef not found/);
      assertError(await ctx.api.get('/api/2.0/mlflow/experiments/get').query({ experiment_id: '987654' }), 404, 'RESOURCE_DOES_NOT_EXIST', /No Experiment with id=987654 exists/);
      assertError(await ctx.api.get('/api/2.0/mlflow/experiments/get-by-name').query({ experiment_name: 'nope-nope' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      assertError(await ctx.api.get('/api/2.0/mlflow/logged-models/m-0000'), 404, 'RESOURCE_DOES_NOT_EXIST');
      assertError(await ctx.api.post('/api/2.0/mlflow/runs/delete-tag').send({ run_id: run, key: 'never-set' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      assertError(await ctx.api.post('/api/2.0/mlflow/runs/log-metric').send({ run_id: missingRun, key: 'm', value: 1, timestamp: 1 }), 404, 'RESOURCE_DOES_NOT_EXIST');

      assertError(await ctx.api.post('/api/2.0/mlflow/experiments/create').send({ name: 'errors' }), 400, 'RESOURCE_ALREADY_EXISTS');

      const other = await createExperiment(ctx, 'errors-other');
      assertError(await ctx.api.post('/api/2.0/mlflow/experiments/update').send({ experiment_id: other, new_name: 'errors' }), 400, 'BAD_REQUEST');
      assertError(await ctx.api.post('/api/2.0/mlflow/runs/create').send({}), 400, 'BAD_REQUEST', /experiment_id/);

      await ctx.api.post('/api/2.0/mlflow/runs/log-parameter').send({ run_id: run, key: 'p', value: '1' });
      assertError(await ctx.api.post('/api/2.0/mlflow/runs/log-parameter').send({ run_id: run, key: 'p', value: '2' }), 400, 'INVALID_PARAMETER_VALUE', /Changing param values is not allowed/);
      assertError(await ctx.api.post('/api/2.0/mlflow/runs/set-tag').send({ run_id: run, key: 'bad key!', value: 'x' }), 400, 'INVALID_PARAMETER_VALUE', /Names may only contain/);

      // Lifecycle violations are client errors here (MLflow's INVALID_STATE would be a 500).
      const doomed = await createRun(ctx, exp);
      await ctx.api.post('/api/2.0/mlflow/runs/delete').send({ run_id: doomed });
      assertError(await ctx.api.post('/api/2.0/mlflow/runs/log-metric').send({ run_id: doomed, key: 'm', value: 1, timestamp: 1 }), 400, 'INVALID_PARAMETER_VALUE', /must be in the 'active' state/);

      assertError(await ctx.api.get('/api/2.0/mlflow-artifacts/presigned/a/b.bin'), 501, 'NOT_IMPLEMENTED');
    });

    it('answers writes with TEMPORARILY_UNAVAILABLE (503) once the store is shutting down', async () => {
      const closed = await openTracking(ctx.db.url, FAST);
      await closed.store.close();
      const app = buildApp(closed.tracking, STRICT);
      const res = await supertest(app).post('/api/2.0/mlflow/runs/log-metric').send({ run_id: run, key: 'm', value: 1, timestamp: 1 });
      assertError(res, 503, 'TEMPORARILY_UNAVAILABLE');
    });

    it('refuses values of the wrong type with INVALID_PARAMETER_VALUE', async () => {
      const cases: Array<[string, string, Record<string, unknown>]> = [
        ['post', '/api/2.0/mlflow/experiments/create', { name: { nested: true } }],
        ['post', '/api/2.0/mlflow/experiments/create', { name: true }],
        ['post', '/api/2.0/mlflow/experiments/create', { name: 'typed', tags: 'not-a-list' }],
        ['post', '/api/2.0/mlflow/experiments/search', { max_results: 'many' }],
        ['post', '/api/2.0/mlflow/runs/create', { experiment_id: exp, start_time: 'soon' }],
        ['post', '/api/2.0/mlflow/runs/create', { experiment_id: exp, start_time: 1.5 }],
        ['post', '/api/2.0/mlflow/runs/log-metric', { run_id: run, key: 'm', value: 'high', timestamp: 1 }],
        ['post', '/api/2.0/mlflow/runs/log-metric', { run_id: run, key: 'm', value: 1, timestamp: [1] }],
        ['post', '/api/2.0/mlflow/runs/log-batch', { run_id: run, metrics: [{ key: 'm', value: 1, timestamp: 'now' }] }],
        ['post', '/api/2.0/mlflow/runs/log-batch', { run_id: run, params: [42] }],
        ['post', '/api/2.0/mlflow/runs/search', { experiment_ids: [exp], max_results: { n: 1 } }],
        ['get', '/api/2.0/mlflow/metrics/get-history?run_id=x&metric_key=m&max_results=lots', {}],
      ];
      for (const [verb, url, body] of cases) {
        const res = verb === 'get' ? await ctx.api.get(url) : await ctx.api.post(url).send(body);
        assertError(res, 400, 'INVALID_PARAMETER_VALUE');
      }
      assert.equal((await getRun(ctx, run)).data.metrics, undefined, 'nothing was logged');
    });

    it('names missing required fields', async () => {
      const missing = /Missing value for required parameter '([\w.[\]]+)'/;
      const cases: Array<[string, string, Record<string, unknown>, string]> = [
        ['post', '/api/2.0/mlflow/experiments/create', {}, 'name'],
        ['post', '/api/2.0/mlflow/experiments/create', { name: '' }, 'name'],
        ['get', '/api/2.0/mlflow/experiments/get', {}, 'experiment_id'],
        ['post', '/api/2.0/mlflow/experiments/update', { experiment_id: exp }, 'new_name'],
        ['post', '/api/2.0/mlflow/runs/log-metric', { run_id: run, key: 'm', value: 1 }, 'timestamp'],
        ['post', '/api/2.0/mlflow/runs/log-metric', { key: 'm', value: 1, timestamp: 1 }, 'run_id'],
        ['post', '/api/2.0/mlflow/runs/log-parameter', { run_id: run, value: '1' }, 'key'],
        ['post', '/api/2.0/mlflow/runs/log-batch', { metrics: [] }, 'run_id'],
        ['post', '/api/2.0/mlflow/runs/log-batch', { run_id: run, metrics: [{ key: 'm', value: 1, timestamp: 1 }, { key: 'm', value: 1 }] }, 'metrics[1].timestamp'],
        ['post', '/api/2.0/mlflow/runs/log-batch', { run_id: run, params: [{ value: '1' }] }, 'params[0].key'],
        ['post', '/api/2.0/mlflow/runs/log-batch', { run_id: run, tags: [{ key: 't', value: '1' }, { value: '1' }] }, 'tags[1].key'],
        ['get', '/api/2.0/mlflow/metrics/get-history', { run_id: run }, 'metric_key'],
        ['get', '/api/2.0/mlflow/metrics/get-history-bulk-interval', { metric_key: 'm' }, 'run_ids'],
        ['post', '/api/2.0/mlflow/runs/outputs', { run_id: run }, 'models'],
      ];
      for (const [verb, url, body, field] of cases) {
        const res = verb === 'get' ? await ctx.api.get(url).query(body) : await ctx.api.post(url).send(body);
        assertError(res, 400, 'INVALID_PARAMETER_VALUE', missing);
        assert.equal(missing.exec(res.body.message)?.[1], field, `${url} ${JSON.stringify(body)}: ${res.body.message}`);
      }
    });

    it('refuses malformed JSON, non-object JSON and non-JSON content types', async () => {
      const url = '/api/2.0/mlflow/experiments/create';
      for (const body of ['{"name": ', '{name: "x"}', "{'name': 'x'}", '{"name": "x"} trailing', '\u0000']) {
        assertError(await ctx.api.post(url).set('Content-Type', 'application/json').send(body), 400, 'INVALID_PARAMETER_VALUE');
      }
      for (const body of ['[]', '["name"]', '"name"', '42', 'null', 'true']) {
        assertError(await ctx.api.post(url).set('Content-Type', 'application/json').send(body), 400, 'INVALID_PARAMETER_VALUE');
      }
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        assertError(await ctx.api.post(url).set('Content-Type', type).send('{"name": "ct-test"}'), 400, 'INVALID_PARAMETER_VALUE', /Content-Type/);
      }
      const bare = await rawRequest(ctx, 'POST', url, '{"name": "ct-test"}');
      assert.equal(bare.status, 400, bare.text);
      assert.equal(JSON.parse(bare.text).error_code, 'INVALID_PARAMETER_VALUE');
      assertError(await ctx.api.get('/api/2.0/mlflow/experiments/get-by-name').query({ experiment_name: 'ct-test' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it('refuses log-batch bodies over 1,000,000 bytes and accepts one just under', async () => {
      const id = await createRun(ctx, exp);
      const params = Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: 'v'.repeat(5000) }));
      const tags = Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: 'w'.repeat(5000) }));
      const over = JSON.stringify({ run_id: id, params, tags, metrics: [{ key: 'm', value: 1, timestamp: 1 }] });
      assert.ok(over.length > 1_000_000);
      assertError(await ctx.api.post('/api/2.0/mlflow/runs/log-batch').set('Content-Type', 'application/json').send(over), 400, 'INVALID_PARAMETER_VALUE');
      const after = await getRun(ctx, id);
      assert.equal(after.data.params, undefined);
      assert.equal(after.data.metrics, undefined);

      const smaller = params.slice(0, 99).map((p) => ({ ...p, value: 'v'.repeat(4800) }));
      const base = JSON.stringify({ run_id: id, params: smaller, tags, pad: '' });
      assert.ok(base.length < 999_999);
      const under = JSON.stringify({ run_id: id, params: smaller, tags, pad: 'x'.repeat(999_999 - base.length) });
      assert.equal(Buffer.byteLength(under), 999_999);
      const ok = await ctx.api.post('/api/2.0/mlflow/runs/log-batch').set('Content-Type', 'application/json').send(under);
      assert.equal(ok.status, 200, ok.text.slice(0, 300));
      assert.equal((await getRun(ctx, id)).data.params.length, 99);
    });

    it('enforces the batch limits and stores nothing of a rejected batch', async () => {
      const id = await createRun(ctx, exp);
      const metrics = (n: number) => Array.from({ length: n }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i }));
      const kv = (n: number, p: string) => Array.from({ length: n }, (_, i) => ({ key: `${p}${i}`, value: 'v' }));
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ metrics: metrics(1001) }, /at most 1000 metrics/],
        [{ params: kv(101, 'p') }, /at most 100 params/],
        [{ tags: kv(101, 't') }, /at most 100 tags/],
        [{ metrics: metrics(1000), params: kv(1, 'p') }, /1000 metrics, params, and tags in total/],
        [{ metrics: metrics(900), params: kv(100, 'p'), tags: kv(1, 't') }, /in total/],
        [{ metrics: metrics(5), params: [{ key: 'p', value: '1' }, { key: 'p', value: '2' }] }, /Duplicate parameter keys/],
        [{ metrics: [...metrics(5), { key: 'bad key!', value: 1, timestamp: 1 }], tags: kv(3, 't') }, /Names may only contain/],
      ];
      for (const [body, message] of cases) {
        assertError(await ctx.api.post('/api/2.0/mlflow/runs/log-batch').send({ run_id: id, ...body }), 400, 'INVALID_PARAMETER_VALUE', message);
      }
      const stored = await getRun(ctx, id);
      assert.equal(stored.data.metrics, undefined);
      assert.equal(stored.data.params, undefined);
      assert.deepEqual(stored.data.tags.map((t: { key: string }) => t.key), ['mlflow.runName']);
      const hist = await ctx.api.get('/api/2.0/mlflow/metrics/get-history').query({ run_id: id, metric_key: 'm' });
      assert.deepEqual(hist.body, {});

      const full = await ctx.api.post('/api/2.0/mlflow/runs/log-batch').send({ run_id: id, metrics: metrics(1000) });
      assert.equal(full.status, 200, full.text);
    });

    it('never answers a client mistake with a 5xx', async () => {
      const attempts: Array<[string, string, unknown]> = [
        ['post', '/api/2.0/mlflow/runs/search', { experiment_ids: [exp], page_token: '!!!' }],
        ['post', '/api/2.0/mlflow/runs/search', { experiment_ids: [exp], order_by: ['metrics.a', 'metrics.a'] }],
        ['post', '/api/2.0/mlflow/runs/search', { experiment_ids: [exp], max_results: 50001 }],
        ['post', '/api/2.0/mlflow/experiments/search', { max_results: 0 }],
        ['get', '/api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=a&metric_key=m&start_step=5', null],
        ['get', '/api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=a&metric_key=m&max_results=100000', null],
        ['post', '/api/2.0/mlflow/runs/log-inputs', { run_id: run, datasets: [{ dataset: { name: 'd' } }] }],
        ['post', '/api/2.0/mlflow/runs/log-model', { run_id: run, model_json: '{not json' }],
        ['post', '/api/2.0/mlflow/logged-models', { experiment_id: exp, name: 'a/b' }],
        ['patch', '/api/2.0/mlflow/logged-models/m-0000', { status: 'LOGGED_MODEL_READY' }],
        ['post', '/api/2.0/mlflow/experiments/create', { name: 'x'.repeat(600) }],
        ['post', '/api/2.0/mlflow/experiments/create', { name: 'loc', artifact_location: 'runs:/x' }],
        ['post', '/api/2.0/mlflow/runs/create', { experiment_id: exp, run_name: 'a', tags: [{ key: 'mlflow.runName', value: 'b' }] }],
        ['post', '/api/2.0/mlflow/runs/update', { run_id: 'nope' }],
      ];
      for (const [verb, url, body] of attempts) {
        const req = ctx.api[verb as 'post'](url);
        const res = body === null ? await req : await req.send(body as object);
        assertClientError(res, `${verb.toUpperCase()} ${url} ${JSON.stringify(body)?.slice(0, 80)}`);
      }
    });
  });
}
