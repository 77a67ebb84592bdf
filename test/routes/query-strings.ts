/**
 * Query strings are read whole: past Node's 1,000-parameter default nothing is dropped, and a
 * query string past the stated bound (QUERY_LIMITS) is refused with a 400, not read in part.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { buildApp } from '../../src/server';
import { QUERY_LIMITS } from '../../src/protocols/query-string';
import { assertError, createExperiment, createRun, STRICT, type RouteCtx } from './context';

export function queryStringTests(ctx: RouteCtx): void {
  describe('query strings', () => {
    let runs: string[] = [];
    // Node's default header limit (16 KiB) would stop a long query string before the app sees it.
    let wide: http.Server;
    let widePort = 0;
    before(async () => {
      const exp = await createExperiment(ctx, 'query-strings');
      runs = [await createRun(ctx, exp), await createRun(ctx, exp)];
      for (const id of runs) await ctx.api.post('/api/2.0/mlflow/runs/log-metric').send({ run_id: id, key: 'loss', value: 1, timestamp: 1, step: 0 });
      wide = http.createServer({ maxHeaderSize: 4 * 1024 * 1024 }, buildApp(ctx.tracking, STRICT));
      await new Promise<void>((resolve) => wide.listen(0, '127.0.0.1', () => resolve()));
      widePort = (wide.address() as AddressInfo).port;
    });
    after(async () => {
      wide?.closeAllConnections();
      await new Promise<void>((resolve) => (wide ? wide.close(() => resolve()) : resolve()));
    });

    const get = (port: number, url: string) => new Promise<{ status: number; body: any }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: url, agent: false }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(parts).toString('utf8') || 'null') }));
      }).on('error', reject);
    });

    it('reads parameters past the thousandth', async () => {
      const noise = Array.from({ length: 1200 }, (_, i) => `x${i}=1`).join('&');
      const url = `/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=${runs[0]}&${noise}&run_ids=${runs[1]}&metric_key=loss`;
      const res = await get(ctx.port, url);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(new Set(res.body.metrics.map((m: { run_id: string }) => m.run_id)), new Set(runs));
      const bulk = await get(widePort, `/ajax-api/2.0/mlflow/metrics/get-history-bulk?${Array.from({ length: 1000 }, () => `run_id=${runs[0]}`).join('&')}&metric_key=loss`);
      assertError(bulk, 400, 'INVALID_PARAMETER_VALUE', /cannot specify more than 100 run_ids\. Received 1000 run_ids/);
    });

    it(`refuses more than ${QUERY_LIMITS.params} parameters or ${QUERY_LIMITS.bytes} bytes whole`, async () => {
      const base = `/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=${runs[0]}&metric_key=loss`;
      const at = await get(widePort, `${base}&${Array.from({ length: QUERY_LIMITS.params - 2 }, () => 'x=1').join('&')}`);
      assert.equal(at.status, 200, JSON.stringify(at.body).slice(0, 300));
      const over = await get(widePort, `${base}&${Array.from({ length: QUERY_LIMITS.params - 1 }, () => 'x=1').join('&')}`);
      assertError(over, 400, 'INVALID_PARAMETER_VALUE', new RegExp(`${QUERY_LIMITS.params + 1} parameters; at most ${QUERY_LIMITS.params}`));
      const long = await get(widePort, `${base}&pad=${'a'.repeat(QUERY_LIMITS.bytes)}`);
      assertError(long, 400, 'INVALID_PARAMETER_VALUE', new RegExp(`at most ${QUERY_LIMITS.bytes} bytes`));
      const search = await get(widePort, `/api/2.0/mlflow/experiments/search?max_results=5&${'o&'.repeat(QUERY_LIMITS.params)}`);
      assertError(search, 400, 'INVALID_PARAMETER_VALUE', /parameters; at most/);
    });

    it('keeps __proto__ and friends as plain keys', async () => {
      const res = await get(ctx.port, `/api/2.0/mlflow/experiments/get?__proto__=x&constructor=y&experiment_id=0&toString=1`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.experiment.name, 'Default');
    });
  });
}
