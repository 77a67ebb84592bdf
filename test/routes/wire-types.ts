/**
 * Wire types as MLflow checks them: a number where a string belongs is refused, never stored
 * or turned into a lookup of "31"; messages name the field and the value as MLflow's server
 * words them (its own test suite and the client match on those words).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { assertError, createExperiment, createRun, getRun, type RouteCtx } from './context';

const BAD = 'INVALID_PARAMETER_VALUE';

export function wireTypeTests(ctx: RouteCtx): void {
  describe('wire types', () => {
    let exp = '';
    let run = '';
    before(async () => {
      exp = await createExperiment(ctx, 'wire-types');
      run = await createRun(ctx, exp);
    });

    const post = (path: string, body: unknown) => ctx.api.post(`/api/2.0/mlflow/${path}`).set('Content-Type', 'application/json')
      .send(typeof body === 'string' ? body : JSON.stringify(body));

    it('refuses a number for a string field, quoting the value as the client wrote it', async () => {
      const cases: Array<[string, Record<string, unknown> | string, string]> = [
        ['experiments/create', { name: 123 }, "Invalid value 123 for parameter 'name' supplied"],
        // As Python's json writes it: 9.0 stays 9.0 on the wire.
        ['experiments/create', '{"name": "typed-loc", "artifact_location": 9.0, "tags": [{"key": "k", "value": "v"}]}', "Invalid value 9.0 for parameter 'artifact_location' supplied"],
        ['experiments/create', { name: 'typed-tags', artifact_location: 'loc', tags: '5' }, 'Invalid value "5" for parameter \'tags\' supplied'],
        ['experiments/create', { name: 'typed-tag', tags: [{ key: 'k', value: 5 }] }, "Invalid value 5 for parameter 'tags[0].value' supplied"],
        ['runs/log-metric', { run_id: 31, key: 'metric', value: 41, timestamp: 59, step: 26 }, "Invalid value 31 for parameter 'run_id' supplied"],
        ['runs/log-metric', { run_id: run, key: 31, value: 41, timestamp: 59, step: 26 }, "Invalid value 31 for parameter 'key' supplied"],
        ['runs/log-metric', { run_id: run, key: 'foo', value: 31, timestamp: 59, step: 'foo' }, 'Invalid value "foo" for parameter \'step\' supplied'],
        ['runs/log-metric', { run_id: run, key: 'foo', value: 31, timestamp: 'foo', step: 41 }, 'Invalid value "foo" for parameter \'timestamp\' supplied'],
        ['runs/log-parameter', { run_id: 31, key: 'param', value: 41 }, "Invalid value 31 for parameter 'run_id' supplied"],
        ['runs/log-parameter', { run_id: run, key: 31, value: 41 }, "Invalid value 31 for parameter 'key' supplied"],
        ['runs/log-parameter', { run_id: run, key: 'p', value: 41 }, "Invalid value 41 for parameter 'value' supplied"],
        ['runs/set-tag', { run_id: 31, key: 'tag', value: 41 }, "Invalid value 31 for parameter 'run_id' supplied"],
        ['runs/set-tag', { run_id: run, key: 'param', value: 41 }, "Invalid value 41 for parameter 'value' supplied"],
        ['runs/log-batch', { run_id: run, metrics: 'foo' }, 'Invalid value "foo" for parameter \'metrics\' supplied'],
        ['runs/log-batch', { run_id: run, params: 'foo' }, 'Invalid value "foo" for parameter \'params\' supplied'],
        ['runs/log-batch', { run_id: run, tags: 'foo' }, 'Invalid value "foo" for parameter \'tags\' supplied'],
        ['runs/log-batch', { run_id: run, metrics: [{ key: 'm', value: 1, timestamp: 1 }, { key: 7, value: 1, timestamp: 1 }] }, "Invalid value 7 for parameter 'metrics[1].key' supplied"],
        ['runs/log-batch', { run_id: run, params: [{ key: 'p', value: 1.5 }] }, "Invalid value 1.5 for parameter 'params[0].value' supplied"],
        ['runs/search', { experiment_ids: [Number(exp)] }, `Invalid value ${exp} for parameter 'experiment_ids[0]' supplied`],
        ['runs/search', { experiment_ids: [exp], filter: 5 }, "Invalid value 5 for parameter 'filter' supplied"],
        ['runs/search', { experiment_ids: [exp], order_by: [1] }, "Invalid value 1 for parameter 'order_by[0]' supplied"],
        ['runs/update', { run_id: run, run_name: 2.5 }, "Invalid value 2.5 for parameter 'run_name' supplied"],
        ['experiments/search', { max_results: 10, filter: { name: 'x' } }, 'Invalid value {"name":"x"} for parameter \'filter\' supplied'],
        ['experiments/search', { max_results: 10, order_by: ['name', null] }, "Invalid value null for parameter 'order_by[1]' supplied"],
      ];
      for (const [path, body, message] of cases) {
        const res = await post(path, body);
        assertError(res, 400, BAD);
        assert.ok(res.body.message.includes(message), `${path} ${JSON.stringify(body)}: ${res.body.message}`);
      }
      const data = (await getRun(ctx, run)).data;
      assert.equal(data.metrics, undefined, 'no metric got in');
      assert.equal(data.params, undefined, 'no param got in');
      assert.deepEqual(data.tags.map((t: { key: string }) => t.key), ['mlflow.runName'], 'no tag got in');
      const names = (await post('experiments/search', { max_results: 1000, view_type: 'ALL' })).body.experiments.map((e: { name: string }) => e.name);
      for (const name of ['123', 'typed-loc', 'typed-tags', 'typed-tag']) assert.ok(!names.includes(name), `experiment ${name} was created`);
    });

    it('names the value and its Python type the way MLflow does', async () => {
      const said = async (raw: string) => {
        const res = await ctx.api.post('/api/2.0/mlflow/experiments/create').set('Content-Type', 'application/json').send(`{"name": ${raw}}`);
        assertError(res, 400, BAD);
        const m = /^Invalid value (.*) for parameter 'name' supplied:  Hint: Value was of type '(\w+)'\./.exec(res.body.message);
        assert.ok(m, res.body.message);
        return `${m![1]} ${m![2]}`;
      };
      assert.equal(await said('123'), '123 int');
      assert.equal(await said('1.25'), '1.25 float');
      assert.equal(await said('2.0'), '2.0 float');
      assert.equal(await said('1e3'), '1000.0 float');
      assert.equal(await said('1e-7'), '1e-07 float');
      assert.equal(await said('true'), 'true bool');
      assert.equal(await said('["a", 1]'), '["a",1] list');
      assert.equal(await said('{"b": 1, "a": [2.5]}'), '{"a":[2.5],"b":1} dict');
    });

    it('refuses integer literals of 16+ digits where a string belongs', async () => {
      const raw = '{"name": 12345678901234567890}';
      const res = await ctx.api.post('/api/2.0/mlflow/experiments/create').set('Content-Type', 'application/json').send(raw);
      assertError(res, 400, BAD, /Invalid value 12345678901234567890 for parameter 'name' supplied/);
      const log = await ctx.api.post('/api/2.0/mlflow/runs/log-metric').set('Content-Type', 'application/json')
        .send(`{"run_id": "${run}", "key": 1234567890123456789, "value": 1, "timestamp": 1}`);
      assertError(log, 400, BAD, /parameter 'key'/);
      // Still exact where an int64 belongs.
      const ok = await ctx.api.post('/api/2.0/mlflow/runs/log-metric').set('Content-Type', 'application/json')
        .send(`{"run_id": "${run}", "key": "big", "value": 1, "timestamp": 1, "step": 9223372036854775807}`);
      assert.equal(ok.status, 200, ok.text);
      const hist = await ctx.api.get('/api/2.0/mlflow/metrics/get-history').query({ run_id: run, metric_key: 'big' });
      assert.match(hist.text, /"step":9223372036854775807\b/);
      await ctx.api.post('/api/2.0/mlflow/runs/delete').send({ run_id: run });
      await ctx.api.post('/api/2.0/mlflow/runs/restore').send({ run_id: run });
    });

    it('reads booleans as proto JSON does: true/false in a body, "true"/"false" in a query', async () => {
      const search = (order: unknown) => post('logged-models/search', { experiment_ids: [exp], order_by: [{ field_name: 'name', ascending: order }] });
      assert.equal((await search(true)).status, 200);
      assertError(await search('true'), 400, BAD, /Invalid value "true" for parameter 'order_by\[0\]\.ascending' supplied/);
      assertError(await search(1), 400, BAD, /order_by\[0\]\.ascending/);
    });

    it('refuses int32 values out of range, 2^63 included', async () => {
      for (const max of [2 ** 31, 2 ** 63, -(2 ** 31) - 1, 1.5]) {
        assertError(await post('runs/search', { experiment_ids: [exp], max_results: max }), 400, BAD, /max_results/);
        const hist = await ctx.api.get('/api/2.0/mlflow/metrics/get-history').query({ run_id: run, metric_key: 'm', max_results: String(max) });
        assertError(hist, 400, BAD, /max_results/);
      }
      for (const max of ['9223372036854775808', '9223372036854775807', '-1', '0']) {
        assertError(await ctx.api.post('/api/2.0/mlflow/experiments/search').set('Content-Type', 'application/json').send(`{"max_results": ${max}}`), 400, BAD, /max_results/);
      }
    });

    it('refuses strings that are not well-formed Unicode and lists holding null', async () => {
      const res = await ctx.api.post('/api/2.0/mlflow/runs/set-tag').set('Content-Type', 'application/json').send(`{"run_id": "${run}", "key": "t", "value": "a\\ud800b"}`);
      assertError(res, 400, BAD, /unpaired surrogate/);
      assertError(await post('runs/log-batch', { run_id: run, tags: [null] }), 400, BAD, /parameter 'tags\[0\]' supplied/);
    });

    it('uses the messages of MLflow\'s handlers for the history and dataset calls', async () => {
      const bulk = '/ajax-api/2.0/mlflow/metrics/get-history-bulk';
      const interval = '/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval';
      const ids = (name: string, n: number) => Array.from({ length: n }, (_, i) => `${name}=id_${i}`).join('&');
      const cases: Array<[string, RegExp]> = [
        [`${bulk}?metric_key=key`, /^GetMetricHistoryBulk request must specify at least one run_id\./],
        [`${bulk}?${ids('run_id', 1000)}&metric_key=key`, /^GetMetricHistoryBulk request cannot specify more than 100 run_ids\. Received 1000 run_ids\./],
        [`${bulk}?run_id=123`, /^GetMetricHistoryBulk request must specify a metric_key\./],
        [`${interval}?metric_key=key`, /^Missing value for required parameter 'run_ids'\./],
        [`${interval}?${ids('run_ids', 1000)}&metric_key=key`, /^GetMetricHistoryBulkInterval request must specify at most 100 run_ids\. Received 1000 run_ids\./],
        [`${interval}?run_ids=123&metric_key=key&max_results=0`, /max_results must be between 1 and 2500/],
        [`${interval}?run_ids=123&metric_key=`, /Missing value for required parameter 'metric_key'/],
        [`${interval}?run_ids=123&max_results=5`, /Missing value for required parameter 'metric_key'/],
        [`${interval}?run_ids=123&metric_key=key&start_step=1&end_step=0&max_results=5`, /end_step must be greater than start_step\. /],
        [`${interval}?run_ids=123&metric_key=key&start_step=1&max_results=5`, /If either start step or end step are specified, both must be specified\./],
      ];
      for (const [url, message] of cases) assertError(await ctx.api.get(url), 400, BAD, message);
      const datasets = '/ajax-api/2.0/mlflow/experiments/search-datasets';
      assertError(await ctx.api.post(datasets).send({}), 400, BAD, /SearchDatasets request must specify at least one experiment_id\./);
      assertError(await ctx.api.post(datasets).send({ experiment_ids: [] }), 400, BAD, /SearchDatasets request must specify at least one experiment_id\./);
      assertError(await ctx.api.post(datasets).send({ experiment_ids: Array.from({ length: 1000 }, (_, i) => `id_${i}`) }), 400, BAD, /SearchDatasets request cannot specify more than 20/);
    });

    it('names the missing field of a batch entry by its index', async () => {
      const res = await post('runs/log-batch', { run_id: run, metrics: [{ key: 'mae', value: 2.5 }] });
      assertError(res, 400, BAD, /Missing value for required parameter 'metrics\[0\]\.timestamp'/);
      const ok = await post('runs/log-batch', { run_id: run, metrics: [{ key: 'mae', value: 2.5, timestamp: 123456789 }] });
      assert.equal(ok.status, 200, ok.text);
    });
  });
}
