/**
 * The core's search limits, through the MLflow routes, on every database named in
 * TRACKBRIDGE_TEST_DBS: what a database cannot run in one statement (more order_by joins than
 * SQLite allows, more bind variables than any of them takes, a LIMIT of 2^63 on PostgreSQL) is a
 * 400 before any SQL, and a search at every cap at once still runs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import knex from 'knex';

import { buildApp } from '../src/server';
import { LIMITS } from '../src/core/limits';
import { compare } from '../src/store/search/conditions';
import { DIALECTS } from '../src/store/dialect';
import type { SqlStore } from '../src/store/sql-store';
import { createDatabase, FAST, openTracking, selectedDialects, type Dialect, type TestDatabase } from './support/databases';

const BAD = 'INVALID_PARAMETER_VALUE';

function expectError(res: supertest.Response, status: number, code: string, message?: RegExp): void {
  assert.equal(res.status, status, res.text.slice(0, 300));
  assert.equal(res.body.error_code, code, res.text.slice(0, 300));
  if (message) assert.match(res.body.message, message);
}

const ids = (n: number, from = 1) => Array.from({ length: n }, (_, i) => String(from + i));
const quoted = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `'${tag}${i}'`).join(',');

function searchLimits(dialect: Dialect): void {
  describe(`search limits: ${dialect}`, () => {
    let db: TestDatabase;
    let store: SqlStore;
    let scratch: string;
    let api: supertest.Agent;
    let exp = '';
    let run = '';

    before(async () => {
      db = await createDatabase(dialect);
      const opened = await openTracking(db.url, FAST);
      store = opened.store;
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-limits-'));
      api = supertest.agent(buildApp(opened.tracking));
      exp = (await api.post('/api/2.0/mlflow/experiments/create').send({ name: 'limits' })).body.experiment_id;
      run = (await api.post('/api/2.0/mlflow/runs/create').send({ experiment_id: exp, start_time: 1 })).body.run.info.run_id;
      const metrics = Array.from({ length: 10 }, (_, i) => ({ key: `m${i}`, value: i, timestamp: 1 }));
      const params = Array.from({ length: 5 }, (_, i) => ({ key: `p${i}`, value: 'v' }));
      const tags = Array.from({ length: 5 }, (_, i) => ({ key: `t${i}`, value: 'v' }));
      assert.equal((await api.post('/api/2.0/mlflow/runs/log-batch').send({ run_id: run, metrics, params, tags })).status, 200);
    });

    after(async () => {
      await store?.close();
      await db?.drop();
      if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    });

    it('refuses max_results of 2^31, 2^63 and beyond on every paged call', async () => {
      for (const max of ['2147483648', '9223372036854775807', '9223372036854775808', '1e300']) {
        const raw = (url: string, body: string) => api.post(url).set('Content-Type', 'application/json').send(body);
        expectError(await raw('/api/2.0/mlflow/runs/search', `{"experiment_ids": ["${exp}"], "max_results": ${max}}`), 400, BAD, /max_results/);
        expectError(await raw('/api/2.0/mlflow/experiments/search', `{"max_results": ${max}}`), 400, BAD, /max_results/);
        expectError(await raw('/api/2.0/mlflow/logged-models/search', `{"experiment_ids": ["${exp}"], "max_results": ${max}}`), 400, BAD, /max_results/);
        for (const url of [
          `/api/2.0/mlflow/metrics/get-history?run_id=${run}&metric_key=m0&max_results=${max}`,
          `/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id=${run}&metric_key=m0&max_results=${max}`,
          `/api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=${run}&metric_key=m0&max_results=${max}`,
        ]) expectError(await api.get(url), 400, BAD, /max_results/);
      }
      const top = await api.post('/api/2.0/mlflow/runs/search').send({ experiment_ids: [exp], max_results: LIMITS.searchRunsMax });
      assert.equal(top.status, 200, top.text);
      const hist = await api.get(`/api/2.0/mlflow/metrics/get-history?run_id=${run}&metric_key=m0&max_results=2147483647`);
      assert.equal(hist.status, 200, hist.text);
    });

    it('refuses more experiment ids than one statement can bind', async () => {
      for (const n of [LIMITS.searchExperimentIds + 1, 40_000, 70_000]) {
        expectError(await api.post('/api/2.0/mlflow/runs/search').send({ experiment_ids: ids(n) }), 400, BAD, /experiment_ids/);
        expectError(await api.post('/api/2.0/mlflow/logged-models/search').send({ experiment_ids: ids(n) }), 400, BAD, /experiment_ids/);
      }
      const at = await api.post('/api/2.0/mlflow/runs/search').send({ experiment_ids: [exp, ...ids(LIMITS.searchExperimentIds - 1, 1000)] });
      assert.equal(at.status, 200, at.text.slice(0, 300));
      assert.deepEqual(at.body.runs.map((r: any) => r.info.run_id), [run]);
      const models = await api.post('/api/2.0/mlflow/logged-models/search').send({ experiment_ids: ids(LIMITS.searchExperimentIds) });
      assert.equal(models.status, 200, models.text.slice(0, 300));
    });

    it('refuses IN lists past one allowance per filter', async () => {
      const five = Array.from({ length: 5 }, (_, k) => `attributes.run_id IN (${quoted(10_000, `r${k}-`)})`).join(' AND ');
      expectError(await api.post('/api/2.0/mlflow/runs/search').send({ experiment_ids: [exp], filter: five }), 400, BAD, /IN lists/);
      const two = `attributes.run_id IN ('${run}', ${quoted(LIMITS.filterListValues / 2 - 1, 'a')}) AND attributes.run_id NOT IN (${quoted(LIMITS.filterListValues / 2, 'd')})`;
      const ok = await api.post('/api/2.0/mlflow/runs/search').send({ experiment_ids: [exp], filter: two });
      assert.equal(ok.status, 200, ok.text.slice(0, 300));
      assert.equal(ok.body.runs.length, 1);
      const experiments = await api.post('/api/2.0/mlflow/experiments/search')
        .send({ max_results: 10, filter: `experiment_id IN ('${exp}', ${quoted(LIMITS.filterListValues - 1, 'e')})` });
      assert.equal(experiments.status, 200, experiments.text.slice(0, 300));
      expectError(await api.post('/api/2.0/mlflow/experiments/search')
        .send({ max_results: 10, filter: `experiment_id IN (${quoted(6000, 'e')}) AND experiment_id NOT IN (${quoted(6000, 'f')})` }), 400, BAD, /IN lists/);
    });

    it('refuses more order_by keys than a search can join', async () => {
      for (const n of [LIMITS.orderByTerms + 1, 64, 200]) {
        const keys = Array.from({ length: n }, (_, i) => `metrics.k${i}`);
        expectError(await api.post('/api/2.0/mlflow/runs/search').send({ experiment_ids: [exp], order_by: keys }), 400, BAD, /order_by/);
        expectError(await api.get(`/api/2.0/mlflow/experiments/search?max_results=5&${keys.map(() => 'order_by=name').join('&')}`), 400, BAD, /order_by/);
        const objects = keys.map((k) => ({ field_name: k }));
        expectError(await api.post('/api/2.0/mlflow/logged-models/search').send({ experiment_ids: [exp], order_by: objects }), 400, BAD, /order_by/);
      }
    });

    it('runs a search at every cap at once', async () => {
      const orderBy = [
        ...Array.from({ length: 10 }, (_, i) => `metrics.m${i} DESC`),
        ...Array.from({ length: 5 }, (_, i) => `params.p${i}`),
        ...Array.from({ length: 5 }, (_, i) => `tags.t${i}`),
      ];
      assert.equal(orderBy.length, LIMITS.orderByTerms);
      const comparisons = [
        `attributes.run_id IN ('${run}', ${quoted(LIMITS.filterListValues - 1, 'x')})`,
        ...Array.from({ length: 10 }, (_, i) => `metrics.m${i} >= 0`),
        ...Array.from({ length: 5 }, (_, i) => `params.p${i} = 'v'`),
        ...Array.from({ length: 34 }, (_, i) => `tags.t${i % 5} LIKE '%v%'`),
      ];
      assert.equal(comparisons.length, 50);
      const res = await api.post('/api/2.0/mlflow/runs/search').send({
        experiment_ids: [exp, ...ids(LIMITS.searchExperimentIds - 1, 5000)], filter: comparisons.join(' AND '), order_by: orderBy, max_results: LIMITS.searchRunsMax,
      });
      assert.equal(res.status, 200, res.text.slice(0, 300));
      assert.deepEqual(res.body.runs.map((r: any) => r.info.run_id), [run]);
    });

    it('runs a logged-model search with the most datasets and metric comparisons at once', async () => {
      const model = (await api.post('/api/2.0/mlflow/logged-models').send({ experiment_id: exp, name: 'm' })).body.model.info.model_id;
      const metrics = Array.from({ length: 10 }, (_, i) => ({ key: `m${i}`, value: i, timestamp: 1, step: 0, model_id: model, dataset_name: 'd999', dataset_digest: 'g999' }));
      assert.equal((await api.post('/api/2.0/mlflow/runs/log-batch').send({ run_id: run, metrics })).status, 200);
      const datasets = Array.from({ length: 1000 }, (_, i) => ({ dataset_name: `d${i}`, dataset_digest: `g${i}` }));
      for (const n of [0, 17, 20, 33]) {
        const filter = Array.from({ length: n }, (_, i) => `metrics.m${i % 10} >= 0`).join(' AND ');
        const res = await api.post('/api/2.0/mlflow/logged-models/search').send({ experiment_ids: [exp], datasets, filter });
        assert.equal(res.status, 200, res.text.slice(0, 300));
        assert.deepEqual(res.body.models.map((m: any) => m.info.model_id), [model]);
      }
      const filter = [
        `attributes.name IN ('m', ${quoted(LIMITS.filterListValues - 1, 'n')})`,
        ...Array.from({ length: 49 }, (_, i) => `metrics.m${i % 10} >= 0`),
      ].join(' AND ');
      const res = await api.post('/api/2.0/mlflow/logged-models/search').send({
        experiment_ids: [exp, ...ids(LIMITS.searchExperimentIds - 1, 5000)], datasets, filter,
      });
      assert.equal(res.status, 200, res.text.slice(0, 300));
      assert.deepEqual(res.body.models.map((m: any) => m.info.model_id), [model]);
    });

    it('refuses page tokens that are not ours, however they nest', async () => {
      const deep = Buffer.from(`{"offset": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`).toString('base64');
      expectError(await api.post('/api/2.0/mlflow/runs/search').send({ experiment_ids: [exp], page_token: deep }), 400, BAD, /page token/i);
      const nested = Buffer.from(`{"offset": ${'['.repeat(300)}${']'.repeat(300)}}`).toString('base64');
      expectError(await api.post('/api/2.0/mlflow/experiments/search').send({ max_results: 5, page_token: nested }), 400, BAD, /page token/i);
      const far = Buffer.from(`{"offset": ${Number.MAX_SAFE_INTEGER}}`).toString('base64');
      const end = await api.post('/api/2.0/mlflow/runs/search').send({ experiment_ids: [exp], page_token: far });
      assert.equal(end.status, 200, end.text);
      assert.deepEqual(end.body, {});
    });
  });
}

for (const dialect of selectedDialects()) searchLimits(dialect);

describe('LIKE and ILIKE name their escape', () => {
  // MySQL's NO_BACKSLASH_ESCAPES drops the default escape, so no dialect may rely on it.
  const clients = { sqlite: 'better-sqlite3', postgres: 'pg', mysql: 'mysql2' } as const;
  for (const [dialect, client] of Object.entries(clients) as Array<[Dialect, string]>) {
    it(dialect, () => {
      const k = knex({ client, useNullAsDefault: true });
      for (const op of ['LIKE', 'ILIKE'] as const) {
        const q = compare(k('t'), DIALECTS[dialect], 't.v', { entity: 'tag', key: 'k', op, value: 'a\\_b%' } as any);
        const text = q.toSQL().sql;
        if (dialect === 'sqlite' && op === 'LIKE') assert.match(text, / GLOB /);
        else assert.match(text, / ESCAPE /, `${op}: ${text}`);
      }
    });
  }
});
