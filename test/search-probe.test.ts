/**
 * Metric-ordered run searches answered by the probe (the top entries of one metric) must equal
 * the full search, page by page. The probe window is shrunk so pages land inside it, across
 * its edge and beyond it; a reference order computed here from the logged data is the oracle.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { createDatabase, openTracking, selectedDialects, type TestDatabase } from './support/databases';
import type { SqlStore } from '../src/store/sql-store';
import type { Tracking } from '../src/core/tracking';

interface Model { runId: string; startTime: number; acc?: number; loss?: number; p: string }

function accOf(i: number): number | undefined {
  if (i % 9 === 0) return undefined;
  if (i % 9 === 1) return NaN;
  if (i % 13 === 2) return Infinity;
  if (i % 13 === 3) return -Infinity;
  return (i * 7) % 11;
}

/** MLflow's order: real values by direction, then NaN, then runs without the metric. */
function byMetric(a: number | undefined, b: number | undefined, ascending: boolean): number {
  const rank = (v: number | undefined) => (v === undefined ? 2 : Number.isNaN(v) ? 1 : 0);
  if (rank(a) !== rank(b) || rank(a) !== 0) return rank(a) - rank(b);
  if (a === b) return 0;
  return (a! < b! ? -1 : 1) * (ascending ? 1 : -1);
}

const ORDERS: Array<{ orderBy: string[]; cmp: (a: Model, b: Model) => number }> = [
  { orderBy: ['metrics.acc DESC'], cmp: (a, b) => byMetric(a.acc, b.acc, false) },
  { orderBy: ['metrics.acc ASC'], cmp: (a, b) => byMetric(a.acc, b.acc, true) },
  { orderBy: ['metrics.acc DESC', 'metrics.loss ASC'], cmp: (a, b) => byMetric(a.acc, b.acc, false) || byMetric(a.loss, b.loss, true) },
  { orderBy: ['metrics.acc ASC', 'params.p DESC'], cmp: (a, b) => byMetric(a.acc, b.acc, true) || (a.p === b.p ? 0 : a.p < b.p ? 1 : -1) },
];

const FILTERS: Array<{ filter?: string; keep: (m: Model) => boolean }> = [
  { keep: () => true },
  { filter: "params.p = 'x'", keep: (m) => m.p === 'x' },
  { filter: 'metrics.loss >= 2', keep: (m) => m.loss !== undefined && m.loss >= 2 },
];

for (const dialect of selectedDialects()) {
  describe(`metric-ordered search probe: ${dialect}`, () => {
    let db: TestDatabase;
    let store: SqlStore;
    let tracking: Tracking;
    let exp = '';
    const models: Model[] = [];

    before(async () => {
      db = await createDatabase(dialect);
      ({ store, tracking } = await openTracking(db.url, { sqlite: { synchronous: 'NORMAL' }, searchProbe: { min: 6, perRow: 2 } }));
      exp = await tracking.experiments.create('probe', undefined, []);
      const other = await tracking.experiments.create('probe-other', undefined, []);
      for (let i = 0; i < 60; i++) {
        const inOther = i >= 40;
        const startTime = 1000 + (i % 5) * 10;
        const run = await tracking.runs.create({ experimentId: inOther ? other : exp, startTime, tags: [] });
        const acc = inOther ? (i * 5) % 11 : accOf(i);
        const loss = i % 4 === 0 ? undefined : (i * 3) % 5;
        const p = i % 3 === 0 ? 'x' : 'y';
        const metrics = [];
        if (acc !== undefined) metrics.push({ key: 'acc', value: acc, step: 0, timestamp: 1 });
        if (loss !== undefined) metrics.push({ key: 'loss', value: loss, step: 0, timestamp: 1 });
        await tracking.runs.logBatch(run.info.runId, { metrics, params: [{ key: 'p', value: p }], tags: [] });
        if (!inOther) models.push({ runId: run.info.runId, startTime, acc, loss, p });
      }
    });

    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('pages through every order, filter and page size exactly as the reference order', async () => {
      for (const order of ORDERS) {
        for (const f of FILTERS) {
          const expected = models.filter(f.keep)
            .sort((a, b) => order.cmp(a, b) || b.startTime - a.startTime || (a.runId < b.runId ? -1 : 1))
            .map((m) => m.runId);
          for (const maxResults of [1, 3, 7, 50]) {
            const seen: string[] = [];
            let pageToken: string | undefined;
            do {
              const page = await tracking.runs.search({ experimentIds: [exp], filter: f.filter, orderBy: order.orderBy, maxResults, pageToken, viewType: 'ACTIVE_ONLY' });
              seen.push(...page.items.map((r) => r.info.runId));
              pageToken = page.nextPageToken;
            } while (pageToken);
            assert.deepEqual(seen, expected, `${order.orderBy.join(', ')} / ${f.filter ?? 'no filter'} / pages of ${maxResults}`);
          }
        }
      }
      // Both paths ran: pages the probe could answer, and pages it had to hand to the full search.
      assert.ok(store.searchStats.probeAnswered > 10, `probe answered ${store.searchStats.probeAnswered}`);
      assert.ok(store.searchStats.probeDeclined > 10, `probe declined ${store.searchStats.probeDeclined}`);
    });

    it('returns the same runs and entries from the probe as from a plain search', async () => {
      const probed = await tracking.runs.search({ experimentIds: [exp], orderBy: ['metrics.acc DESC'], maxResults: 2, viewType: 'ACTIVE_ONLY' });
      for (const run of probed.items) assert.deepEqual(run, await tracking.runs.get(run.info.runId));
    });

    it('hydrates params and latest metrics in code-point order of their keys, int64 exact', async () => {
      const run = await tracking.runs.create({ experimentId: exp, tags: [] });
      // Keys beyond MLflow's character rules arrive by import; the store itself takes any text.
      const keys = ['😀', 'ｚ', 'b', 'a'];
      await store.write(async (tx) => {
        const locked = (await tx.lockRun(run.info.runId))!;
        await tx.insertMetrics(locked, keys.map((key, i) => ({ key, value: i, step: 2n ** 62n + BigInt(i), timestamp: 2n ** 60n })));
        await tx.insertParams(locked, keys.map((key) => ({ key, value: key })));
      });
      const [found] = (await tracking.runs.search({ experimentIds: [exp], filter: `attributes.run_id = '${run.info.runId}'`, viewType: 'ACTIVE_ONLY' })).items;
      for (const got of [found, await tracking.runs.get(run.info.runId)]) {
        assert.deepEqual(got.metrics.map((m) => m.key), ['a', 'b', 'ｚ', '😀']);
        assert.deepEqual(got.params.map((p) => p.key), ['a', 'b', 'ｚ', '😀']);
        assert.deepEqual(got.metrics.map((m) => m.step), [2n ** 62n + 3n, 2n ** 62n + 2n, 2n ** 62n + 1n, 2n ** 62n]);
        assert.deepEqual(got.metrics.map((m) => m.timestamp), [2n ** 60n, 2n ** 60n, 2n ** 60n, 2n ** 60n]);
      }
    });
  });
}
