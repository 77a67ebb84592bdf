/**
 * Concurrency: many writers at once (through SQLite's group commit or the server's row locks),
 * failure isolation between neighbouring writes, and a close that waits for queued writes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { TrackbridgeError } from '../../src/core/errors';
import { FAST, openTracking } from '../support/databases';
import { type Ctx, brief, expectError, latestOf, newExperiment, newRun, paramsOf, point, sleep, tagsOf, uniq } from './context';

const WRITERS = 8;
const BATCHES = 50;

export function concurrencyTests(ctx: Ctx): void {
  describe('concurrency', () => {
    it(`${WRITERS} concurrent writers × ${BATCHES} batches: zero errors, every acknowledged write present`, async () => {
      const exp = await newExperiment(ctx, 'writers');
      const runs = await Promise.all(Array.from({ length: WRITERS }, (_, w) => newRun(ctx, exp, { runName: `w${w}` })));
      const errors: string[] = [];
      const acked: number[] = new Array(WRITERS).fill(0);
      const tag = uniq();
      await Promise.all(runs.map(async (runId, w) => {
        for (let b = 0; b < BATCHES; b++) {
          try {
            await ctx.tracking.runs.logBatch(runId, {
              metrics: [
                // Every writer creates the same brand-new metric keys at the same moment.
                ...Array.from({ length: 5 }, (_, i) => point(`shared_${tag}_${b}_${i}`, w + b / 100, b, 1000 + b)),
                point(`loss_${tag}`, w * 1000 + b, b, 1000 + b),
              ],
              params: [{ key: `p${b}`, value: `${w}:${b}` }],
              tags: [{ key: 'progress', value: String(b) }],
            });
            acked[w]++;
          } catch (e) {
            errors.push(`writer ${w} batch ${b}: ${brief(String((e as Error).message))}`);
          }
        }
      }));
      assert.equal(errors.length, 0, `${errors.length} of ${WRITERS * BATCHES} writes failed, e.g.:\n${errors.slice(0, 3).join('\n')}`);
      assert.deepEqual(acked, new Array(WRITERS).fill(BATCHES));

      for (const [w, runId] of runs.entries()) {
        const run = await ctx.tracking.runs.get(runId);
        const params = paramsOf(run);
        assert.equal(Object.keys(params).length, BATCHES, `run w${w} params`);
        for (let b = 0; b < BATCHES; b++) assert.equal(params[`p${b}`], `${w}:${b}`);
        assert.equal(tagsOf(run).progress, String(BATCHES - 1));
        assert.equal(run.metrics.length, BATCHES * 5 + 1, `run w${w} latest metrics`);
        assert.equal(latestOf(run, `loss_${tag}`)?.value, w * 1000 + BATCHES - 1);
        assert.equal(latestOf(run, `shared_${tag}_7_3`)?.value, w + 7 / 100);
        const history = (await ctx.tracking.history.get(runId, `loss_${tag}`)).items;
        assert.deepEqual(history.map((p) => p.value), Array.from({ length: BATCHES }, (_, b) => w * 1000 + b));
      }
    });

    it('concurrent runs logging the same new dataset all succeed', async () => {
      const exp = await newExperiment(ctx, 'dataset-race');
      const runs = await Promise.all(Array.from({ length: WRITERS }, () => newRun(ctx, exp)));
      const ds = (name: string) => ({ dataset: { name, digest: 'abc', sourceType: 'local', source: '{}' }, tags: [{ key: 'mlflow.data.context', value: 'train' }] });
      const results = await Promise.allSettled(runs.map((r) => ctx.tracking.runs.logInputs(r, [ds('first'), ds('second')], [])));
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => brief(String(r.reason?.message ?? r.reason)));
      assert.equal(failed.length, 0, `${failed.length} of ${WRITERS} failed: ${failed[0]}`);
      for (const r of runs) assert.equal((await ctx.tracking.runs.get(r)).datasetInputs.length, 2);
      assert.equal((await ctx.tracking.searchDatasets([exp])).length, 2);
    });

    it('concurrent creates of different experiments all succeed with distinct ids', async () => {
      const base = `many-${uniq()}`;
      const ids = await Promise.all(Array.from({ length: 16 }, (_, i) => ctx.tracking.experiments.create(`${base}-${i}`, undefined, [])));
      assert.equal(new Set(ids).size, 16);
    });

    it('a failing write does not affect the writes committed beside it', async () => {
      const exp = await newExperiment(ctx, 'neighbours');
      const id = await newRun(ctx, exp);
      const other = await newRun(ctx, exp);
      const locked = await ctx.store.write((tx) => tx.lockRun(id));
      // A slow first write keeps SQLite's writer busy, so everything after it queues into one group.
      const slow = ctx.store.write(async (tx) => {
        await sleep(150);
        await tx.upsertTags(locked!, [{ key: 'slow', value: 'done' }]);
      });
      await sleep(10);
      const writes = Array.from({ length: 9 }, (_, i) => {
        if (i === 3) {
          // Writes, then fails with a domain error: its writes must vanish, nobody else's.
          return ctx.store.write(async (tx) => {
            await tx.insertMetrics(locked!, [point('doomed', 1)]);
            await tx.upsertTags(locked!, [{ key: 'doomed', value: 'x' }]);
            throw new TrackbridgeError('INVALID_ARGUMENT', 'refused on purpose');
          });
        }
        if (i === 6) {
          // Fails inside the database: a duplicate run id violates the unique index.
          return ctx.store.write(async (tx) => {
            await tx.upsertTags(locked!, [{ key: 'doomed-too', value: 'x' }]);
            await tx.insertRun({ runId: other, experimentId: exp, name: 'dup', userId: '', status: 'RUNNING', startTime: 0, endTime: null, artifactUri: 'x', tags: [] });
          });
        }
        return ctx.tracking.runs.logBatch(id, { metrics: [point('ok', i, i)], params: [{ key: `p${i}`, value: String(i) }], tags: [{ key: `t${i}`, value: String(i) }] });
      });
      const results = await Promise.allSettled([slow, ...writes]);
      const status = results.map((r) => r.status);
      assert.deepEqual(status, ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      assert.equal((results[4] as PromiseRejectedResult).reason.message, 'refused on purpose');

      const run = await ctx.tracking.runs.get(id);
      const tags = tagsOf(run);
      assert.equal(tags.slow, 'done');
      assert.equal(tags.doomed, undefined);
      assert.equal(tags['doomed-too'], undefined);
      assert.deepEqual(Object.keys(paramsOf(run)).sort(), ['p0', 'p1', 'p2', 'p4', 'p5', 'p7', 'p8']);
      assert.deepEqual((await ctx.tracking.history.get(id, 'ok')).items.map((p) => p.step), [0, 1, 2, 4, 5, 7, 8]);
      assert.deepEqual((await ctx.tracking.history.get(id, 'doomed')).items, []);
      assert.notEqual((await ctx.tracking.runs.get(other)).info.runName, 'dup');
    });

    it('closing the store waits for queued writes, and refuses new ones', async () => {
      const exp = await newExperiment(ctx, 'close');
      const id = await newRun(ctx, exp);
      const second = await openTracking(ctx.db.url, FAST);
      const writes = Array.from({ length: 40 }, (_, i) =>
        second.tracking.runs.logBatch(id, { metrics: [point('m', i, i, i)], params: [], tags: [] }));
      const closing = second.store.close();
      const results = await Promise.allSettled(writes);
      await closing;
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason?.message ?? r.reason));
      assert.equal(failed.length, 0, `${failed.length} of 40 queued writes failed on close: ${[...new Set(failed)].join(', ')}`);
      assert.equal((await ctx.tracking.history.get(id, 'm')).items.length, 40);
      await expectError(second.tracking.runs.logBatch(id, { metrics: [point('late', 1)], params: [], tags: [] }), 'UNAVAILABLE');
    });
  });
}
