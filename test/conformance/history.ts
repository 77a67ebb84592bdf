/** Metric history: paged history, the sampled bulk-interval read, and the legacy bulk read. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { type Ctx, expectError, logMetrics, newExperiment, newRun, point } from './context';

export function historyTests(ctx: Ctx): void {
  describe('metric history', () => {
    let exp = '';
    before(async () => {
      exp = await newExperiment(ctx, 'history');
    });

    it('returns points ordered by (timestamp, step, value), paged with tokens', async () => {
      const id = await newRun(ctx, exp);
      // [timestamp, step, value], logged shuffled
      const pts: Array<[number, number, number]> = [[30, 1, 5], [10, 2, 1], [10, 1, 9], [10, 1, -2], [20, 0, 0], [10, 3, NaN], [5, 9, 3]];
      await logMetrics(ctx, id, pts.map(([t, s, v]) => point('h', v, s, t)));
      const all = (await ctx.tracking.history.get(id, 'h')).items;
      const shape = (items: typeof all) => items.map((p) => [p.timestamp, p.step, Number.isNaN(p.value) ? 'NaN' : p.value]);
      assert.deepEqual(shape(all), [[5, 9, 3], [10, 1, -2], [10, 1, 9], [10, 2, 1], [10, 3, 'NaN'], [20, 0, 0], [30, 1, 5]]);
      assert.ok(all.every((p) => p.key === 'h'));

      const paged: typeof all = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await ctx.tracking.history.get(id, 'h', token, 3);
        assert.ok(page.items.length <= 3);
        paged.push(...page.items);
        token = page.nextPageToken;
        pages++;
      } while (token);
      assert.deepEqual(shape(paged), shape(all));
      assert.equal(pages, 3);
    });

    it('reads a history in chunks that resume exactly where the last one stopped', async () => {
      const id = await newRun(ctx, exp);
      // Ties on timestamp, then step, told apart by value only; NaN and ±Infinity among them;
      // steps and times past 2^53.
      const values = [0.1, 1 / 3, -2.5, 0, NaN, Infinity, -Infinity, 1e-300, 123456.789];
      const pts = [];
      for (let t = 0; t < 4; t++) for (const step of [2, 1]) for (const v of values) pts.push(point('c', v, step, 500 + t));
      pts.push(point('c', 7, 2n ** 60n as unknown as number, 2n ** 55n as unknown as number), point('c', 8, 3, 2n ** 55n as unknown as number));
      await logMetrics(ctx, id, pts);
      const shape = (items: Array<{ timestamp: unknown; step: unknown; value: number }>) => items.map((p) => `${p.timestamp}/${p.step}/${Object.is(p.value, NaN) ? 'NaN' : p.value}`);
      const whole = shape((await ctx.tracking.history.get(id, 'c')).items);
      assert.equal(whole.length, pts.length);
      assert.deepEqual(whole.slice(0, 9), ['500/1/-Infinity', '500/1/-2.5', '500/1/0', '500/1/NaN', '500/1/1e-300', '500/1/0.1', '500/1/0.3333333333333333', '500/1/123456.789', '500/1/Infinity']);
      assert.deepEqual(whole.slice(-2), [`${2n ** 55n}/3/8`, `${2n ** 55n}/${2n ** 60n}/7`]);
      const rows = ctx.store.historyChunkRows;
      try {
        for (const size of [1, 2, 7, 9, 10]) {
          ctx.store.historyChunkRows = size;
          assert.deepEqual(shape((await ctx.tracking.history.get(id, 'c')).items), whole, `chunks of ${size}`);
          const paged: string[] = [];
          let token: string | undefined;
          do {
            const page = await ctx.tracking.history.get(id, 'c', token, 4);
            paged.push(...shape(page.items));
            token = page.nextPageToken;
          } while (token);
          assert.deepEqual(paged, whole, `pages of 4 in chunks of ${size}`);
        }
      } finally {
        ctx.store.historyChunkRows = rows;
      }
    });

    it('answers unknown keys with nothing and unknown runs with NOT_FOUND', async () => {
      const id = await newRun(ctx, exp);
      assert.deepEqual((await ctx.tracking.history.get(id, 'never')).items, []);
      await expectError(ctx.tracking.history.get('0123456789abcdef0123456789abcdef', 'h'), 'NOT_FOUND');
      await expectError(ctx.tracking.history.get(id, 'h', undefined, 0), 'INVALID_ARGUMENT');
    });

    describe('bulk interval (sampled)', () => {
      // Every expected answer here is what `mlflow server` 3.17.2 (SQLite store) returned for the
      // same points logged the same way: these are wire facts, not our own arithmetic.
      const r: Record<string, string> = {};
      const unknownRun = '0123456789abcdef0123456789abcdef';
      const range = (from: number, to: number, by = 1) => Array.from({ length: Math.floor((to - from) / by) + 1 }, (_, i) => from + i * by);
      before(async () => {
        const run = async (name: string, pts: Array<[number, number, number]>) => {
          r[name] = await newRun(ctx, exp);
          for (let i = 0; i < pts.length; i += 1000) await logMetrics(ctx, r[name], pts.slice(i, i + 1000).map(([s, t, v]) => point('loss', v, s, t)));
        };
        await run('ten', range(0, 9).map((s) => [s, 1000 + s, s]));
        await run('twenty', range(0, 19).map((s) => [s, 2000 + s, s]));
        await run('thirty', range(0, 29).map((s) => [s, 5000 + s, s]));
        // Each step logged twice, at two timestamps.
        await run('twice', [...range(0, 9).map((s): [number, number, number] => [s, 3000 + s, s]), ...range(0, 9).map((s): [number, number, number] => [s, 4000 + s, -s])]);
        await run('every3', range(0, 99, 3).map((s) => [s, 6000 + s, s]));
        await run('mid', range(40, 60).map((s) => [s, 7000 + s, s]));
        await run('negative', range(-5, 4).map((s) => [s, 8000 + s, s]));
        await run('sparse', [0, 1, 2, 100, 1000].map((s) => [s, 9000 + s, s]));
        await run('dense', range(5, 11).map((s) => [s, 9100 + s, s]));
        // Ties on step and timestamp, told apart by value (NaN sits where MLflow stores it: at 0).
        await run('mixed', [[0, 10, NaN], [0, 10, 1], [0, 10, -1], [0, 5, 2], [1, 1, 0], [0, 10, 0], [2, 3, Infinity], [2, 3, -Infinity], [2, 3, 5]]);
        // Logged in descending step order (timestamps rising) so sampling cannot follow arrival or time order.
        await run('long', range(0, 999).map((i) => [999 - i, 10_000 + i, 1 / (1000 - i)]));
        await run('short', range(0, 4).map((s) => [s, 50 + s, s]));
        await run('wide', [0, 2 ** 33, 2 ** 40, 2 ** 45].map((s, i) => [s, 100 + i, i]));
      });

      const steps = (points: Array<{ runId: string; step: number | bigint }>, runId: string) => points.filter((p) => p.runId === runId).map((p) => Number(p.step));
      const sample = async (names: string[], q: { maxResults?: number; startStep?: number; endStep?: number }) =>
        ctx.tracking.history.sampled(names.map((n) => r[n] ?? n), 'loss', q);
      const stepsOf = async (name: string, q: { maxResults?: number; startStep?: number; endStep?: number }) => steps(await sample([name], q), r[name]);

      it('samples each run by its own points: the first of each of max_results NTILE groups, the last point closing', async () => {
        assert.deepEqual(await stepsOf('ten', { maxResults: 5 }), [0, 2, 4, 6, 9]);
        const both = await sample(['ten', 'twenty'], { maxResults: 5 });
        assert.deepEqual(steps(both, r.ten), [0, 2, 4, 6, 9]);
        assert.deepEqual(steps(both, r.twenty), [0, 4, 8, 12, 19]);
        assert.deepEqual(await stepsOf('twenty', { maxResults: 3 }), [0, 7, 19]);
        assert.deepEqual(await stepsOf('twenty', { maxResults: 2 }), [0, 19]);
        assert.deepEqual(await stepsOf('ten', { maxResults: 1 }), [9]);
        assert.deepEqual(await stepsOf('ten', { maxResults: 3 }), [0, 4, 9]);
        assert.deepEqual(await stepsOf('ten', { maxResults: 4 }), [0, 3, 6, 9]);
        assert.deepEqual(await stepsOf('ten', { maxResults: 9 }), [0, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert.deepEqual(await stepsOf('ten', { maxResults: 10 }), range(0, 9));
        assert.deepEqual(await stepsOf('ten', { maxResults: 11 }), range(0, 9));
        assert.deepEqual(await stepsOf('thirty', { maxResults: 22 }), [...range(0, 14, 2), ...range(16, 29)]);
        const two = await sample(['sparse', 'dense'], { maxResults: 4 });
        assert.deepEqual(steps(two, r.sparse), [0, 2, 100, 1000]);
        assert.deepEqual(steps(two, r.dense), [5, 7, 9, 11]);
      });

      it('keeps what NTILE grouping keeps for any count of points and max_results', async () => {
        // MLflow's procedure done the slow way: NTILE(k) groups, the first point of each, and the
        // run's last point in place of the last kept one when that is not already it.
        const ntile = (n: number, k: number) => {
          const firsts: number[] = [];
          for (let g = 0, start = 0; g < Math.min(k, n); g++) {
            firsts.push(start);
            start += Math.floor(n / k) + (g < n % k ? 1 : 0);
          }
          if (firsts[firsts.length - 1] !== n - 1) firsts[firsts.length - 1] = n - 1;
          return firsts;
        };
        for (const n of [1, 2, 3, 5, 7, 10, 13, 50, 64, 97, 101, 150]) {
          for (const k of [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 16, 31, 49, 50, 51, 100, 149, 150, 151]) {
            // Steps 0..999 in order, so a window [100, 100 + n - 1] holds exactly n points.
            const got = await stepsOf('long', { startStep: 100, endStep: 100 + n - 1, maxResults: k });
            assert.deepEqual(got, ntile(n, k).map((i) => 100 + i), `n=${n} k=${k}`);
          }
        }
      });

      it('samples a long run as MLflow does', async () => {
        assert.deepEqual(await stepsOf('long', { maxResults: 320 }), [...range(0, 156, 4), ...range(160, 994, 3), 999]);
        assert.deepEqual(await stepsOf('long', { maxResults: 37 }), [0, ...range(28, 946, 27), 999]);
        assert.deepEqual(await stepsOf('long', { maxResults: 10 }), [...range(0, 800, 100), 999]);
        assert.deepEqual(await stepsOf('long', { maxResults: 3 }), [0, 334, 999]);
        assert.deepEqual(await stepsOf('long', { maxResults: 2 }), [0, 999]);
        assert.deepEqual(await stepsOf('long', { maxResults: 999 }), [0, ...range(2, 999)]);
        const values = (await sample(['long'], { maxResults: 3 })).map((p) => [p.step, p.timestamp, p.value]);
        assert.deepEqual(values, [[0, 10_999, 1], [334, 10_665, 1 / 335], [999, 10_000, 1 / 1000]]);
      });

      it('counts a step logged at two timestamps as two points', async () => {
        const got = (await sample(['twice'], { maxResults: 5 })).map((p) => [p.step, p.timestamp, p.value]);
        assert.deepEqual(got, [[0, 3000, 0], [2, 3002, 2], [4, 3004, 4], [6, 3006, 6], [9, 4009, -9]]);
      });

      it('orders points by step, timestamp and value before sampling', async () => {
        const got = async (k: number) => (await sample(['mixed'], { maxResults: k })).map((p) => [p.step, p.timestamp, Number.isNaN(p.value) ? 'NaN' : p.value]);
        assert.deepEqual(await got(1), [[2, 3, Infinity]]);
        assert.deepEqual(await got(2), [[0, 5, 2], [2, 3, Infinity]]);
        assert.deepEqual(await got(3), [[0, 5, 2], [0, 10, 'NaN'], [2, 3, Infinity]]);
        assert.deepEqual(await got(4), [[0, 5, 2], [0, 10, 'NaN'], [1, 1, 0], [2, 3, Infinity]]);
        assert.deepEqual(await got(5), [[0, 5, 2], [0, 10, 0], [0, 10, 1], [2, 3, -Infinity], [2, 3, Infinity]]);
        assert.deepEqual(await got(6), [[0, 5, 2], [0, 10, 0], [0, 10, 1], [2, 3, -Infinity], [2, 3, 5], [2, 3, Infinity]]);
        assert.deepEqual(await got(10), [[0, 5, 2], [0, 10, -1], [0, 10, 0], [0, 10, 'NaN'], [0, 10, 1], [1, 1, 0], [2, 3, -Infinity], [2, 3, 5], [2, 3, Infinity]]);
      });

      it('samples only the points inside the start/end step window, both ends included', async () => {
        const a = await sample(['every3', 'mid'], { startStep: 10, endStep: 70, maxResults: 4 });
        assert.deepEqual(steps(a, r.every3), [12, 27, 42, 69]);
        assert.deepEqual(steps(a, r.mid), [40, 46, 51, 60]);
        const b = await sample(['every3', 'mid'], { startStep: 41, endStep: 59, maxResults: 3 });
        assert.deepEqual(steps(b, r.every3), [42, 48, 57]);
        assert.deepEqual(steps(b, r.mid), [41, 48, 59]);
        assert.deepEqual(await sample(['every3', 'mid'], { startStep: 200, endStep: 300, maxResults: 3 }), []);
        assert.deepEqual(await stepsOf('long', { startStep: 100, endStep: 200, maxResults: 11 }), [100, 110, 120, ...range(129, 183, 9), 200]);
        assert.deepEqual(await stepsOf('ten', { startStep: -10, endStep: 3, maxResults: 3 }), [0, 2, 3]);
        assert.deepEqual(await stepsOf('twenty', { startStep: 7, endStep: 7, maxResults: 5 }), [7]);
        // Without a window negative steps are sampled too.
        assert.deepEqual(await stepsOf('negative', { maxResults: 3 }), [-5, -1, 4]);
        assert.deepEqual(await stepsOf('negative', { maxResults: 100 }), range(-5, 4));
        assert.deepEqual(await stepsOf('negative', { startStep: -5, endStep: -1, maxResults: 2 }), [-5, -1]);
      });

      it('answers runs in the order asked, a run asked twice twice, unknown runs not at all', async () => {
        const got = await sample(['twenty', 'ten'], { maxResults: 5 });
        assert.deepEqual(got.map((p) => [p.runId === r.ten ? 'ten' : 'twenty', p.step]), [
          ...[0, 4, 8, 12, 19].map((s) => ['twenty', s]), ...[0, 2, 4, 6, 9].map((s) => ['ten', s])]);
        const twice = await sample(['ten', 'ten'], { maxResults: 5 });
        assert.deepEqual(twice.map((p) => [p.runId, p.step, p.timestamp, p.value]), [...[0, 2, 4, 6, 9], ...[0, 2, 4, 6, 9]].map((s) => [r.ten, s, 1000 + s, s]));
        assert.deepEqual(steps(await sample(['ten', unknownRun], { maxResults: 5 }), r.ten), [0, 2, 4, 6, 9]);
      });

      it('returns every point when there are fewer than max_results, with run ids and values intact', async () => {
        const points = await sample(['short'], { maxResults: 10 });
        assert.deepEqual(points, [0, 1, 2, 3, 4].map((s) => ({ runId: r.short, key: 'loss', value: s, step: s, timestamp: 50 + s })));
        // max_results defaults to 2,500.
        assert.equal((await sample(['long'], {})).length, 1000);
      });

      it('handles steps beyond 32 bits', async () => {
        assert.deepEqual(await stepsOf('wide', { maxResults: 2 }), [0, 2 ** 45]);
        assert.deepEqual(await stepsOf('wide', { startStep: 2 ** 32, endStep: 2 ** 41, maxResults: 10 }), [2 ** 33, 2 ** 40]);
      });

      it('answers unknown keys and runs with nothing, and refuses bad arguments', async () => {
        const long = r.long;
        assert.deepEqual(await ctx.tracking.history.sampled([long], 'never', {}), []);
        assert.deepEqual(await ctx.tracking.history.sampled([unknownRun], 'loss', {}), []);
        await expectError(ctx.tracking.history.sampled([], 'loss', {}), 'INVALID_ARGUMENT');
        await expectError(ctx.tracking.history.sampled(Array.from({ length: 101 }, (_, i) => `r${i}`), 'loss', {}), 'INVALID_ARGUMENT');
        await expectError(ctx.tracking.history.sampled([long], '', {}), 'INVALID_ARGUMENT');
        await expectError(ctx.tracking.history.sampled([long], 'loss', { startStep: 1 }), 'INVALID_ARGUMENT');
        await expectError(ctx.tracking.history.sampled([long], 'loss', { startStep: 5, endStep: 1 }), 'INVALID_ARGUMENT');
        await expectError(ctx.tracking.history.sampled([long], 'loss', { maxResults: 0 }), 'INVALID_ARGUMENT');
        await expectError(ctx.tracking.history.sampled([long], 'loss', { maxResults: 2501 }), 'INVALID_ARGUMENT');
      });
    });

    describe('legacy bulk', () => {
      it('returns the points of several runs tagged with their run id, capped at max_results', async () => {
        const a = await newRun(ctx, exp);
        const b = await newRun(ctx, exp);
        await logMetrics(ctx, a, [point('acc', 2, 1, 20), point('acc', 1, 0, 10)]);
        await logMetrics(ctx, b, [point('acc', 3, 0, 5)]);
        const points = await ctx.tracking.history.bulk([b, a], 'acc');
        const expected = [
          { runId: a, key: 'acc', value: 1, step: 0, timestamp: 10 },
          { runId: a, key: 'acc', value: 2, step: 1, timestamp: 20 },
          { runId: b, key: 'acc', value: 3, step: 0, timestamp: 5 },
        ].sort((x, y) => (x.runId < y.runId ? -1 : x.runId > y.runId ? 1 : 0));
        assert.deepEqual(points, expected);
        assert.equal((await ctx.tracking.history.bulk([a, b], 'acc', 2)).length, 2);
        assert.deepEqual(await ctx.tracking.history.bulk([a], 'never'), []);
        await expectError(ctx.tracking.history.bulk([], 'acc'), 'INVALID_ARGUMENT');
        await expectError(ctx.tracking.history.bulk([a], ''), 'INVALID_ARGUMENT');
        // MLflow caps max_results at 25,000 instead of refusing more.
        assert.equal((await ctx.tracking.history.bulk([a], 'acc', 100000)).length, 2);
        await expectError(ctx.tracking.history.bulk([a], 'acc', 0), 'INVALID_ARGUMENT');
      });
    });
  });
}
