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
import type { Filter } from '../src/core/query/ast';
import { and, comparison, not, or } from '../src/core/query/filter';
import { parseRunOrderBy } from '../src/core/query/targets';

interface Model { runId: string; startTime: number; acc?: number; loss?: number; p: string; deleted: boolean }

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
        // Deleted runs among the top values: the probe must apply the view type like the full search.
        const deleted = !inOther && i % 7 === 5;
        if (deleted) await tracking.runs.delete(run.info.runId);
        if (!inOther) models.push({ runId: run.info.runId, startTime, acc, loss, p, deleted });
      }
    });

    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('pages through every order, filter, view and page size exactly as the reference order', async () => {
      const views = [
        { viewType: 'ACTIVE_ONLY' as const, keep: (m: Model) => !m.deleted, sizes: [1, 3, 7, 50] },
        { viewType: 'DELETED_ONLY' as const, keep: (m: Model) => m.deleted, sizes: [2] },
        { viewType: 'ALL' as const, keep: () => true, sizes: [2, 9] },
      ];
      for (const order of ORDERS) {
        for (const f of FILTERS) {
          for (const view of views) {
            const expected = models.filter((m) => f.keep(m) && view.keep(m))
              .sort((a, b) => order.cmp(a, b) || b.startTime - a.startTime || (a.runId < b.runId ? -1 : 1))
              .map((m) => m.runId);
            for (const maxResults of view.sizes) {
              const seen: string[] = [];
              let pageToken: string | undefined;
              do {
                const page = await tracking.runs.search({ experimentIds: [exp], filter: f.filter, orderBy: order.orderBy, maxResults, pageToken, viewType: view.viewType });
                seen.push(...page.items.map((r) => r.info.runId));
                pageToken = page.nextPageToken;
              } while (pageToken);
              assert.deepEqual(seen, expected, `${order.orderBy.join(', ')} / ${f.filter ?? 'no filter'} / ${view.viewType} / pages of ${maxResults}`);
            }
          }
        }
      }
      // Both paths ran: pages the probe could answer, and pages it had to hand to the full search.
      assert.ok(store.searchStats.probeAnswered > 10, `probe answered ${store.searchStats.probeAnswered}`);
      assert.ok(store.searchStats.probeDeclined > 10, `probe declined ${store.searchStats.probeDeclined}`);
    });

    it('probes only conjunctions: an Or or a Not with a metric order takes the full search, and is right', async () => {
      const byAcc = (a: Model, b: Model) => byMetric(a.acc, b.acc, false) || b.startTime - a.startTime || (a.runId < b.runId ? -1 : 1);
      const x = comparison('param', 'p', '=', 'x');
      const lossHigh = comparison('metric', 'loss', '>=', 2);
      const trees: Array<{ filter: Filter; keep: (m: Model) => boolean; probed: boolean }> = [
        { filter: or(x, lossHigh), keep: (m) => m.p === 'x' || (m.loss !== undefined && m.loss >= 2), probed: false },
        { filter: not(x), keep: (m) => m.p !== 'x', probed: false },
        { filter: and(not(lossHigh), or(x, comparison('metric', 'acc', '<', 5))), keep: (m) => !(m.loss !== undefined && m.loss >= 2) && (m.p === 'x' || (m.acc !== undefined && m.acc < 5)), probed: false },
        // An Or that folds away (a metric no run logged) leaves a conjunction, which is probed.
        { filter: and(x, or(comparison('metric', 'never_logged', '>', 0), lossHigh)), keep: (m) => m.p === 'x' && m.loss !== undefined && m.loss >= 2, probed: true },
        { filter: and(x), keep: (m) => m.p === 'x', probed: true },
      ];
      for (const t of trees) {
        const expected = models.filter((m) => !m.deleted && t.keep(m)).sort(byAcc).map((m) => m.runId);
        for (const limit of [1, 3, 50]) {
          const before = { ...store.searchStats };
          const seen: string[] = [];
          for (let offset = 0; ; offset += limit) {
            const rows = await store.searchRuns({ experimentIds: [exp], filter: t.filter, orderBy: parseRunOrderBy(['metrics.acc DESC']), viewType: 'ACTIVE_ONLY', offset, limit });
            seen.push(...rows.slice(0, limit).map((r) => r.info.runId));
            if (rows.length <= limit) break;
          }
          const what = `${JSON.stringify(t.filter)} / pages of ${limit}`;
          assert.deepEqual(seen, expected, what);
          const probes = store.searchStats.probeAnswered + store.searchStats.probeDeclined - before.probeAnswered - before.probeDeclined;
          if (t.probed) assert.ok(probes > 0, `${what}: the probe never ran`);
          else assert.equal(probes, 0, `${what}: the probe ran`);
        }
      }
    });

    it('declines a page whose lookahead ties with the window edge (the tied runs beyond it may come first)', async () => {
      const edgeExp = await tracking.experiments.create('probe-edge', undefined, []);
      // Nine runs tied at 5, the earliest created first in MLflow's order (latest start_time), while
      // the metric index hands ties over newest first; one run above them all.
      const tied: string[] = [];
      for (let k = 0; k < 9; k++) {
        const run = await tracking.runs.create({ experimentId: edgeExp, startTime: 10_000 - k, tags: [] });
        await tracking.runs.logBatch(run.info.runId, { metrics: [{ key: 'edge', value: 5, step: 0, timestamp: 1 }], params: [], tags: [] });
        tied.push(run.info.runId);
      }
      const top = await tracking.runs.create({ experimentId: edgeExp, startTime: 1, tags: [] });
      await tracking.runs.logBatch(top.info.runId, { metrics: [{ key: 'edge', value: 10, step: 0, timestamp: 1 }], params: [], tags: [] });
      for (const maxResults of [1, 2]) {
        const seen: string[] = [];
        let pageToken: string | undefined;
        do {
          const page = await tracking.runs.search({ experimentIds: [edgeExp], orderBy: ['metrics.edge DESC'], maxResults, pageToken, viewType: 'ACTIVE_ONLY' });
          seen.push(...page.items.map((r) => r.info.runId));
          pageToken = page.nextPageToken;
        } while (pageToken);
        assert.deepEqual(seen, [top.info.runId, ...tied], `pages of ${maxResults}`);
      }
    });

    it('returns stored doubles exactly, from searches and from get', async () => {
      const values = [0.1 + 0.2, 1 / 3, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1e-300, 123456789.12345678, 0.031093279839518557];
      const run = await tracking.runs.create({ experimentId: exp, tags: [] });
      await tracking.runs.logBatch(run.info.runId, { metrics: values.map((value, i) => ({ key: `v${i}`, value, step: 0, timestamp: 1 })), params: [], tags: [] });
      const [found] = (await tracking.runs.search({ experimentIds: [exp], filter: `attributes.run_id = '${run.info.runId}'`, viewType: 'ACTIVE_ONLY' })).items;
      for (const got of [found, await tracking.runs.get(run.info.runId)]) {
        const byKey = new Map(got.metrics.map((m) => [m.key, m.value]));
        values.forEach((v, i) => assert.ok(Object.is(byKey.get(`v${i}`), v), `v${i}: stored ${v}, read ${byKey.get(`v${i}`)}`));
      }
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
        const locked = (await tx.runs.lock(run.info.runId))!;
        await tx.metrics.insert(locked, keys.map((key, i) => ({ key, value: i, step: 2n ** 62n + BigInt(i), timestamp: 2n ** 60n })));
        await tx.runs.insertParams(locked, keys.map((key) => ({ key, value: key })));
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
