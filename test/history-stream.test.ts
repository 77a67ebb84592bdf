/**
 * get-history of a long run over HTTP: the whole answer, written while it is read, so other
 * requests are served meanwhile, and a client that leaves stops the read.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

import { createExperiment, createRun, startRoutes, stopRoutes, type RouteCtx } from './routes/context';

const POINTS = 200_000;
const T0 = 1_700_000_000_000;

/** Point i: step i at T0 + i, value i / 8, except a few that test the JSON rules. */
function valueOf(i: number): number {
  if (i === 0) return NaN;
  if (i === 1) return Infinity;
  if (i === 2) return -Infinity;
  return i / 8;
}

function get(ctx: RouteCtx, path: string): Promise<{ status: number; body: Buffer; ms: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: ctx.port, path, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts), ms: performance.now() - start }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('get-history of a long run', () => {
  const ctx = {} as RouteCtx;
  let runId = '';
  let path = '';
  /** Points the history reads asked the database for (the LIMIT of every statement). */
  let asked = 0;

  before(async () => {
    Object.assign(ctx, await startRoutes());
    const exp = await createExperiment(ctx, 'long-history');
    runId = await createRun(ctx, exp);
    for (let b = 0; b < POINTS; b += 1000) {
      const metrics = Array.from({ length: 1000 }, (_, j) => ({ key: 'loss', value: valueOf(b + j), timestamp: T0 + b + j, step: b + j }));
      await ctx.tracking.runs.logBatch(runId, { metrics, params: [], tags: [] });
    }
    // The last point has a step past 2^53.
    await ctx.tracking.runs.logBatch(runId, { metrics: [{ key: 'loss', value: 1, timestamp: T0 + POINTS, step: 2n ** 60n as unknown as number }], params: [], tags: [] });
    path = `/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=loss`;
    // 200 reads per answer: a health check spans a few of them, a small share of the whole.
    ctx.store.historyChunkRows = 1000;
    const history = (ctx.store as unknown as { history: { trace?: (sql: string, params: unknown[]) => void } }).history;
    history.trace = (sql, params) => {
      if (/\bFROM metrics\b/.test(sql) && /\bLIMIT \?/.test(sql)) asked += Number(params[sql.slice(0, sql.indexOf('LIMIT ?')).split('?').length - 1]);
    };
  });

  after(async () => {
    await stopRoutes(ctx);
  });

  it('returns every point in order, NaN and Infinity as strings and int64 exactly', async () => {
    const res = await get(ctx, path);
    assert.equal(res.status, 200);
    const text = res.body.toString('utf8');
    assert.ok(text.startsWith('{"metrics":[{"key":"loss","value":"NaN","timestamp":1700000000000,"step":0},{"key":"loss","value":"Infinity",'), text.slice(0, 200));
    assert.ok(text.includes('{"key":"loss","value":"-Infinity","timestamp":1700000000002,"step":2}'));
    assert.ok(text.endsWith(`{"key":"loss","value":1,"timestamp":${T0 + POINTS},"step":${2n ** 60n}}]}`), text.slice(-200));
    const metrics = (JSON.parse(text) as { metrics: Array<{ value: number | string; timestamp: number; step: number }> }).metrics;
    assert.equal(metrics.length, POINTS + 1);
    for (let i = 3; i < POINTS; i++) {
      const m = metrics[i];
      if (m.timestamp !== T0 + i || m.step !== i || m.value !== i / 8) assert.fail(`point ${i}: ${JSON.stringify(m)}`);
    }
    // A page keeps its token after the streamed points.
    const page = JSON.parse((await get(ctx, `${path}&max_results=3`)).body.toString('utf8'));
    assert.deepEqual(Object.keys(page), ['metrics', 'next_page_token']);
    assert.deepEqual(page.metrics, [
      { key: 'loss', value: 'NaN', timestamp: T0, step: 0 },
      { key: 'loss', value: 'Infinity', timestamp: T0 + 1, step: 1 },
      { key: 'loss', value: '-Infinity', timestamp: T0 + 2, step: 2 },
    ]);
    const next = JSON.parse((await get(ctx, `${path}&max_results=3&page_token=${encodeURIComponent(page.next_page_token)}`)).body.toString('utf8'));
    assert.deepEqual(next.metrics.map((m: { step: number }) => m.step), [3, 4, 5]);
    assert.deepEqual(JSON.parse((await get(ctx, `/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=never`)).body.toString('utf8')), {});
  });

  it('serves other requests while it streams', async () => {
    let done = false;
    const big = get(ctx, path).finally(() => { done = true; });
    const waits: number[] = [];
    while (!done) waits.push((await get(ctx, '/health')).ms);
    const { ms: total, body } = await big;
    assert.ok(body.length > POINTS * 50, `the whole answer came back (${body.length} bytes)`);
    // Relative to the big request, so a slow machine slows both sides alike: had the read held
    // the event loop, one health check would have waited for most of it.
    const longest = Math.max(...waits);
    assert.ok(longest < total / 4, `a health check waited ${longest.toFixed(0)} ms during a ${total.toFixed(0)} ms answer (${waits.length} checks)`);
  });

  it('stops reading when the client goes away', async () => {
    asked = 0;
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: ctx.port, path, agent: false }, (res) => {
        res.once('data', () => { req.destroy(); resolve(); });
      });
      req.on('error', (e: NodeJS.ErrnoException) => { if (e.code !== 'ECONNRESET') reject(e); });
    });
    // Let the server notice; then nothing more may be read.
    let before = -1;
    while (before !== asked) {
      before = asked;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(asked > 0 && asked < POINTS / 2, `the read asked for ${asked} of ${POINTS + 1} points after the client left`);
    // The server is still fine.
    assert.equal((await get(ctx, '/health')).status, 200);
  });
});
