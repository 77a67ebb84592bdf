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

    it('answers unknown keys with nothing and unknown runs with NOT_FOUND', async () => {
      const id = await newRun(ctx, exp);
      assert.deepEqual((await ctx.tracking.history.get(id, 'never')).items, []);
      await expectError(ctx.tracking.history.get('0123456789abcdef0123456789abcdef', 'h'), 'NOT_FOUND');
      await expectError(ctx.tracking.history.get(id, 'h', undefined, 0), 'INVALID_ARGUMENT');
    });

    describe('bulk interval (sampled)', () => {
      let long = '', short = '', wide = '';
      before(async () => {
        long = await newRun(ctx, exp);
        short = await newRun(ctx, exp);
        wide = await newRun(ctx, exp);
        // Logged in descending step order to make sure sampling does not rely on arrival order.
        await logMetrics(ctx, long, Array.from({ length: 1000 }, (_, i) => point('loss', 1 / (1000 - i), 999 - i, 10_000 + i)));
        await logMetrics(ctx, short, [0, 1, 2, 3, 4].map((s) => point('loss', s, s, 50 + s)));
        await logMetrics(ctx, wide, [0, 2 ** 33, 2 ** 40, 2 ** 45].map((s, i) => point('loss', i, s, 100 + i)));
      });

      const steps = (points: Array<{ runId: string; step: number | bigint }>, runId: string) => points.filter((p) => p.runId === runId).map((p) => Number(p.step));

      function assertEvenlySpread(got: number[], first: number, last: number, k: number) {
        assert.ok(got.length <= k, `at most ${k} points, got ${got.length}`);
        assert.equal(got[0], first, 'the first step is always included');
        assert.equal(got[got.length - 1], last, 'the last step is always included');
        assert.deepEqual([...got].sort((a, b) => a - b), got, 'steps ascend');
        assert.equal(new Set(got).size, got.length, 'no step twice');
        const ideal = (last - first) / (k - 1);
        for (let i = 1; i < got.length; i++) {
          const gap = got[i] - got[i - 1];
          assert.ok(gap >= Math.floor(ideal) - 1 && gap <= Math.ceil(ideal) + 1, `gap ${gap} between ${got[i - 1]} and ${got[i]} is far from ${ideal}`);
        }
      }

      it('keeps at most max_results points per run, first and last step included, spread evenly', async () => {
        for (const k of [2, 3, 10, 37, 999]) {
          const points = await ctx.tracking.history.sampled([long], 'loss', { maxResults: k });
          const got = steps(points, long);
          assert.equal(got.length, k, `max_results ${k}`);
          assertEvenlySpread(got, 0, 999, k);
        }
        const one = await ctx.tracking.history.sampled([long], 'loss', { maxResults: 1 });
        assert.ok(one.length <= 1 || (one.length === 2 && one[0].step === 0 && one[1].step === 999), `max_results 1 gave ${one.length} points`);
      });

      it('returns every point when there are fewer than max_results, with run ids and values intact', async () => {
        const points = await ctx.tracking.history.sampled([short], 'loss', { maxResults: 10 });
        assert.deepEqual(points, [0, 1, 2, 3, 4].map((s) => ({ runId: short, key: 'loss', value: s, step: s, timestamp: 50 + s })));
        const all = await ctx.tracking.history.sampled([long], 'loss', {});
        assert.equal(all.length, 1000);
      });

      it('samples each run separately and keeps runs grouped', async () => {
        const points = await ctx.tracking.history.sampled([short, long], 'loss', { maxResults: 3 });
        const runsInOrder = points.map((p) => p.runId).filter((r, i, a) => i === 0 || a[i - 1] !== r);
        assert.equal(new Set(runsInOrder).size, runsInOrder.length, 'each run appears as one group');
        assert.deepEqual(steps(points, short), [0, 2, 4]);
        assert.equal(steps(points, long).length, 3);
        assertEvenlySpread(steps(points, long), 0, 999, 3);
      });

      it('restricts to the start/end step window, both ends included', async () => {
        const points = await ctx.tracking.history.sampled([long], 'loss', { startStep: 100, endStep: 200, maxResults: 11 });
        const got = steps(points, long);
        assertEvenlySpread(got, 100, 200, 11);
        assert.equal(got.length, 11);
        const within = await ctx.tracking.history.sampled([long, short], 'loss', { startStep: 3, endStep: 5, maxResults: 100 });
        assert.deepEqual(steps(within, long), [3, 4, 5]);
        assert.deepEqual(steps(within, short), [3, 4]);
      });

      it('handles steps beyond 32 bits', async () => {
        const points = await ctx.tracking.history.sampled([wide], 'loss', { maxResults: 2 });
        assert.deepEqual(steps(points, wide), [0, 2 ** 45]);
        const window = await ctx.tracking.history.sampled([wide], 'loss', { startStep: 2 ** 32, endStep: 2 ** 41, maxResults: 10 });
        assert.deepEqual(steps(window, wide), [2 ** 33, 2 ** 40]);
      });

      it('answers unknown keys and runs with nothing, and refuses bad arguments', async () => {
        assert.deepEqual(await ctx.tracking.history.sampled([long], 'never', {}), []);
        assert.deepEqual(await ctx.tracking.history.sampled(['0123456789abcdef0123456789abcdef'], 'loss', {}), []);
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
