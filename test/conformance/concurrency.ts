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

/** A fixed-seed shuffle, so a failing order can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Writer 0 names the keys in order, writer 1 in reverse, the rest in shuffled orders. */
function orderFor<T>(items: T[], writer: number, batch: number): T[] {
  if (writer === 0) return [...items];
  if (writer === 1) return [...items].reverse();
  return shuffled(items, writer * 7919 + batch * 104729);
}

/**
 * Resolves once `parties` callers have arrived, or after `patienceMs` (SQLite runs write units
 * one after another, so there the first never meets the second). Later calls pass straight through.
 */
function meeting(parties: number, patienceMs: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((r) => { release = r; });
  return async () => {
    if (++arrived >= parties) release();
    await Promise.race([all, sleep(patienceMs)]);
  };
}

const ORDERED_WRITERS = 6;
const ORDERED_BATCHES = 10;
/** Enough new keys per batch that two writers' inserts of them overlap in time. */
const NEW_KEYS = 400;
/** Params and tags per batch (MLflow allows 100 of each). */
const NEW_PARAMS = 50;

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

    it(`${ORDERED_WRITERS} writers, each on its own store, on separate runs add the same new keys in reversed and shuffled orders: zero errors, every point stored`, async () => {
      const exp = await newExperiment(ctx, 'key-orders');
      const runs = await Promise.all(Array.from({ length: ORDERED_WRITERS }, (_, w) => newRun(ctx, exp, { runName: `o${w}` })));
      // One store per writer, as separate server processes on one database: no key cache is shared.
      const servers: Array<Awaited<ReturnType<typeof openTracking>>> = [];
      for (let w = 0; w < ORDERED_WRITERS; w++) servers.push(await openTracking(ctx.db.url, FAST));
      const tag = uniq();
      const keysOf = (b: number) => Array.from({ length: NEW_KEYS }, (_, i) => `ord_${tag}_${b}_${i}`);
      const errors: string[] = [];
      let replayed: number[] = [];
      try {
        // Round by round, so every writer adds a round's keys at the same moment.
        for (let b = 0; b < ORDERED_BATCHES; b++) {
          await Promise.all(runs.map(async (runId, w) => {
            const keys = orderFor(keysOf(b), w, b);
            try {
              await servers[w].tracking.runs.logBatch(runId, {
                metrics: keys.map((k) => point(k, w * 100 + b, b, 1000 + b)),
                params: orderFor(keysOf(b).slice(0, NEW_PARAMS), w, b + 1).map((k) => ({ key: k, value: `${w}` })),
                tags: orderFor(keysOf(b).slice(0, NEW_PARAMS), w, b + 2).map((k) => ({ key: k, value: `${w}:${b}` })),
              });
            } catch (e) {
              errors.push(`writer ${w} batch ${b}: ${brief(String((e as Error).message))}`);
            }
          }));
        }
      } finally {
        replayed = servers.map((s) => s.store.writeStats.replayed);
        await Promise.all(servers.map((s) => s.store.close()));
      }
      assert.equal(errors.length, 0, `${errors.length} of ${ORDERED_WRITERS * ORDERED_BATCHES} writes failed, e.g.:\n${errors.slice(0, 3).join('\n')}`);
      // Keys taken in one order never deadlock, so no write needed a replay either.
      assert.deepEqual(replayed, new Array(ORDERED_WRITERS).fill(0), 'write units replayed after a deadlock');
      for (const [w, runId] of runs.entries()) {
        const run = await ctx.tracking.runs.get(runId);
        assert.equal(run.metrics.length, ORDERED_BATCHES * NEW_KEYS, `run o${w} latest metrics`);
        assert.equal(Object.keys(paramsOf(run)).length, ORDERED_BATCHES * NEW_PARAMS, `run o${w} params`);
        const tags = tagsOf(run);
        for (let b = 0; b < ORDERED_BATCHES; b++) {
          for (const k of keysOf(b)) assert.equal(latestOf(run, k)?.value, w * 100 + b, `run o${w} ${k}`);
          for (const k of keysOf(b).slice(0, NEW_PARAMS)) assert.equal(tags[k], `${w}:${b}`, `run o${w} tag ${k}`);
        }
        const history = (await ctx.tracking.history.get(runId, keysOf(ORDERED_BATCHES - 1)[NEW_KEYS - 1])).items;
        assert.deepEqual(history.map((p) => p.value), [w * 100 + ORDERED_BATCHES - 1]);
      }
    });

    it(`${ORDERED_WRITERS} writers on one run add the same new keys in reversed and shuffled orders: zero errors, every point stored`, async () => {
      const exp = await newExperiment(ctx, 'key-orders-one-run');
      const runId = await newRun(ctx, exp);
      const tag = uniq();
      const keysOf = (b: number) => Array.from({ length: NEW_KEYS }, (_, i) => `one_${tag}_${b}_${i}`);
      const errors: string[] = [];
      for (let b = 0; b < ORDERED_BATCHES; b++) {
        await Promise.all(Array.from({ length: ORDERED_WRITERS }, async (_, w) => {
          const keys = orderFor(keysOf(b), w, b);
          try {
            // Each writer its own step, so every point is distinct and none is deduplicated away.
            await ctx.tracking.runs.logBatch(runId, {
              metrics: keys.map((k) => point(k, w, w, 1000 + b)),
              params: [],
              tags: orderFor(keysOf(b).slice(0, NEW_PARAMS), w, b + 1).map((k) => ({ key: k, value: `${w}` })),
            });
          } catch (e) {
            errors.push(`writer ${w} batch ${b}: ${brief(String((e as Error).message))}`);
          }
        }));
      }
      assert.equal(errors.length, 0, `${errors.length} of ${ORDERED_WRITERS * ORDERED_BATCHES} writes failed, e.g.:\n${errors.slice(0, 3).join('\n')}`);
      const run = await ctx.tracking.runs.get(runId);
      assert.equal(run.metrics.length, ORDERED_BATCHES * NEW_KEYS);
      const tags = tagsOf(run);
      for (let b = 0; b < ORDERED_BATCHES; b++) {
        const keys = keysOf(b);
        // The highest step wins the latest value.
        for (const k of keys) assert.equal(latestOf(run, k)?.value, ORDERED_WRITERS - 1, k);
        for (const k of keys.slice(0, NEW_PARAMS)) assert.ok(tags[k] !== undefined, `tag ${k}`);
        for (const k of [keys[0], keys[NEW_KEYS >> 1], keys[NEW_KEYS - 1]]) {
          const history = (await ctx.tracking.history.get(runId, k)).items;
          assert.deepEqual(history.map((p) => p.step).sort(), Array.from({ length: ORDERED_WRITERS }, (_, w) => w), `history of ${k}`);
        }
      }
    });

    it('concurrent runs logging the same new datasets in reversed and shuffled orders all succeed', async () => {
      const exp = await newExperiment(ctx, 'dataset-orders');
      const runs = await Promise.all(Array.from({ length: WRITERS }, () => newRun(ctx, exp)));
      const names = Array.from({ length: 8 }, (_, i) => `set-${i}`);
      const ds = (name: string) => ({ dataset: { name, digest: 'abc', sourceType: 'local', source: '{}' }, tags: [{ key: 'mlflow.data.context', value: 'train' }] });
      const before = ctx.store.writeStats.replayed;
      const results = await Promise.allSettled(runs.map((r, w) => ctx.tracking.runs.logInputs(r, orderFor(names, w, 0).map(ds), [])));
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => brief(String(r.reason?.message ?? r.reason)));
      assert.equal(failed.length, 0, `${failed.length} of ${WRITERS} failed: ${failed[0]}`);
      assert.equal(ctx.store.writeStats.replayed - before, 0, 'write units replayed after a deadlock');
      for (const r of runs) assert.equal((await ctx.tracking.runs.get(r)).datasetInputs.length, names.length);
      assert.equal((await ctx.tracking.searchDatasets([exp])).length, names.length);
    });

    it('replays a write unit the database aborts as a deadlock: two crossing writers both succeed', async () => {
      const exp = await newExperiment(ctx, 'crossing');
      const a = await newRun(ctx, exp);
      const b = await newRun(ctx, exp);
      // Elsewhere the two must both hold their first lock before either asks for its second, or
      // they never cross: a late writer is waited for as long as a loaded machine may need.
      const meet = meeting(2, ctx.dialect === 'sqlite' ? 500 : 60_000);
      let attempts = 0;
      // Each locks one run, waits for the other to hold its own, then asks for the other's.
      const crossing = (first: string, second: string, key: string) => ctx.store.write(async (tx) => {
        attempts++;
        const one = await tx.runs.lock(first);
        await meet();
        const two = await tx.runs.lock(second);
        await tx.runs.setTags(one!, [{ key, value: String(attempts) }]);
        await tx.runs.setTags(two!, [{ key, value: String(attempts) }]);
      });
      const results = await Promise.allSettled([crossing(a, b, 'ab'), crossing(b, a, 'ba')]);
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => brief(String(r.reason?.message ?? r.reason)));
      assert.deepEqual(failed, []);
      for (const id of [a, b]) {
        const tags = tagsOf(await ctx.tracking.runs.get(id));
        assert.ok(tags.ab && tags.ba, `run ${id} has both writers' tags: ${JSON.stringify(tags)}`);
      }
      // PostgreSQL and MySQL abort one of the two, which runs a second time; SQLite never crosses them.
      assert.equal(attempts, ctx.dialect === 'sqlite' ? 2 : 3);
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
      const locked = await ctx.store.write((tx) => tx.runs.lock(id));
      // A slow first write keeps SQLite's writer busy, so everything after it queues into one group.
      const slow = ctx.store.write(async (tx) => {
        await sleep(150);
        await tx.runs.setTags(locked!, [{ key: 'slow', value: 'done' }]);
      });
      await sleep(10);
      const writes = Array.from({ length: 9 }, (_, i) => {
        if (i === 3) {
          // Writes, then fails with a domain error: its writes must vanish, nobody else's.
          return ctx.store.write(async (tx) => {
            await tx.metrics.insert(locked!, [point('doomed', 1)]);
            await tx.runs.setTags(locked!, [{ key: 'doomed', value: 'x' }]);
            throw new TrackbridgeError('INVALID_ARGUMENT', 'refused on purpose');
          });
        }
        if (i === 6) {
          // Fails inside the database: a duplicate run id violates the unique index.
          return ctx.store.write(async (tx) => {
            await tx.runs.setTags(locked!, [{ key: 'doomed-too', value: 'x' }]);
            await tx.runs.insert({ runId: other, experimentId: exp, name: 'dup', userId: '', status: 'RUNNING', startTime: 0, endTime: null, artifactUri: 'x', tags: [] });
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
