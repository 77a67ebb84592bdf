/** Logging: batch atomicity, params, metrics (dedupe, latest value, special values), tags. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { TrackbridgeError } from '../../src/core/errors';
import {
  type Ctx, expectError, latestOf, logMetrics, newExperiment, newRun, paramsOf, point, sameNumbers, tagsOf,
} from './context';

export function loggingTests(ctx: Ctx): void {
  describe('logging', () => {
    let exp: string;
    const run = async () => {
      exp ??= await newExperiment(ctx, 'logging');
      return newRun(ctx, exp);
    };
    const history = async (runId: string, key: string) => (await ctx.tracking.history.get(runId, key)).items;

    it('stores nothing of a batch whose params conflict', async () => {
      const id = await run();
      await ctx.tracking.runs.logBatch(id, { metrics: [], params: [{ key: 'lr', value: '0.1' }], tags: [] });
      await expectError(ctx.tracking.runs.logBatch(id, {
        metrics: [point('loss', 1), point('acc', 0.5)],
        params: [{ key: 'fresh', value: 'x' }, { key: 'lr', value: '0.2' }],
        tags: [{ key: 'team', value: 'a' }],
      }), 'INVALID_ARGUMENT', /Changing param values is not allowed/);
      const r = await ctx.tracking.runs.get(id);
      assert.deepEqual(r.metrics, []);
      assert.deepEqual(paramsOf(r), { lr: '0.1' });
      assert.equal(tagsOf(r).team, undefined);
      assert.deepEqual(await history(id, 'loss'), []);
    });

    it('rolls back everything a failing write did before it failed', async () => {
      const id = await run();
      const locked = await ctx.store.write((tx) => tx.runs.lock(id));
      await assert.rejects(ctx.store.write(async (tx) => {
        await tx.metrics.insert(locked!, [point('half', 1)]);
        await tx.runs.setTags(locked!, [{ key: 'half', value: 'done' }]);
        await tx.runs.insertParams(locked!, [{ key: 'half', value: 'p' }]);
        throw new Error('fails after writing');
      }), /fails after writing/);
      const r = await ctx.tracking.runs.get(id);
      assert.deepEqual(r.metrics, []);
      assert.deepEqual(r.params, []);
      assert.equal(tagsOf(r).half, undefined);
      assert.deepEqual(await history(id, 'half'), []);
    });

    // MySQL's INSERT IGNORE would store a NULL as '' and a long key cut short, with a warning.
    it('an ignoring insert skips duplicate keys only: a bad row fails the write', async () => {
      const id = await run();
      const locked = (await ctx.store.write((tx) => tx.runs.lock(id)))!;
      await ctx.store.write((tx) => tx.runs.insertParams(locked, [{ key: 'kept', value: 'first' }]));
      await ctx.store.write((tx) => tx.runs.insertParams(locked, [{ key: 'kept', value: 'second' }, { key: 'added', value: 'x' }]));
      assert.deepEqual(paramsOf(await ctx.tracking.runs.get(id)), { kept: 'first', added: 'x' });

      await assert.rejects(ctx.store.write((tx) => tx.runs.insertParams(locked, [
        { key: 'kept', value: 'third' }, { key: 'null-value', value: null as unknown as string },
      ])));
      if (ctx.store.dialect.enforcesLengths) {
        await assert.rejects(ctx.store.write((tx) => tx.runs.insertParams(locked, [{ key: `long-${'k'.repeat(300)}`, value: 'v' }])));
      }
      assert.deepEqual(paramsOf(await ctx.tracking.runs.get(id)), { kept: 'first', added: 'x' });
    });

    it('refuses whole batches with an invalid entry or over the limits', async () => {
      const id = await run();
      await expectError(ctx.tracking.runs.logBatch(id, { metrics: [point('ok', 1), point('bad key!', 1)], params: [], tags: [] }), 'INVALID_ARGUMENT');
      await expectError(ctx.tracking.runs.logBatch(id, { metrics: [point('ok', 1)], params: [], tags: [{ key: '../up', value: 'x' }] }), 'INVALID_ARGUMENT');
      await expectError(ctx.tracking.runs.logBatch(id, { metrics: [{ ...point('ok', 1), timestamp: -1 }], params: [], tags: [] }), 'INVALID_ARGUMENT');
      await expectError(ctx.tracking.runs.logBatch(id, { metrics: [{ ...point('ok', 1), step: 1.5 }], params: [], tags: [] }), 'INVALID_ARGUMENT');
      const many = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'v' }));
      await expectError(ctx.tracking.runs.logBatch(id, { metrics: Array.from({ length: 1001 }, (_, i) => point('m', i, i)), params: [], tags: [] }), 'INVALID_ARGUMENT', /at most 1000 metrics/);
      await expectError(ctx.tracking.runs.logBatch(id, { metrics: [], params: many(101), tags: [] }), 'INVALID_ARGUMENT', /at most 100 params/);
      await expectError(ctx.tracking.runs.logBatch(id, { metrics: [], params: [], tags: many(101) }), 'INVALID_ARGUMENT', /at most 100 tags/);
      await expectError(ctx.tracking.runs.logBatch(id, {
        metrics: Array.from({ length: 900 }, (_, i) => point('m', i, i)), params: many(100), tags: many(100),
      }), 'INVALID_ARGUMENT', /1000 metrics, params, and tags in total/);
      const r = await ctx.tracking.runs.get(id);
      assert.deepEqual(r.metrics, []);
      assert.deepEqual(r.params, []);
      assert.deepEqual(Object.keys(tagsOf(r)), ['mlflow.runName']);
    });

    it('accepts a batch at exactly the limits', async () => {
      const id = await run();
      await ctx.tracking.runs.logBatch(id, {
        metrics: Array.from({ length: 800 }, (_, i) => point('m', i, i)),
        params: Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: String(i) })),
        tags: Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: String(i) })),
      });
      const r = await ctx.tracking.runs.get(id);
      assert.equal(r.params.length, 100);
      assert.equal(r.tags.length, 101);
      assert.equal((await history(id, 'm')).length, 800);
    });

    it('lets params be re-logged with the same value only', async () => {
      const id = await run();
      await ctx.tracking.runs.logBatch(id, { metrics: [], params: [{ key: 'p', value: '1' }, { key: 'q', value: '' }], tags: [] });
      await ctx.tracking.runs.logBatch(id, { metrics: [], params: [{ key: 'p', value: '1' }], tags: [] });
      await expectError(ctx.tracking.runs.logBatch(id, { metrics: [], params: [{ key: 'p', value: '2' }], tags: [] }, 'single'), 'INVALID_ARGUMENT',
        /Param with key='p' was already logged with value='1' for run ID='[0-9a-f]+'. Attempted logging new value '2'/);
      await expectError(ctx.tracking.runs.logBatch(id, { metrics: [], params: [{ key: 'd', value: '1' }, { key: 'd', value: '1' }], tags: [] }), 'INVALID_ARGUMENT', /Duplicate parameter keys/);
      assert.deepEqual(paramsOf(await ctx.tracking.runs.get(id)), { p: '1', q: '' });
    });

    it('truncates over-long param and tag values as MLflow does', async () => {
      const id = await run();
      await ctx.tracking.runs.logBatch(id, { metrics: [], params: [{ key: 'long', value: 'p'.repeat(7000) }], tags: [{ key: 'long', value: 't'.repeat(9000) }] });
      const r = await ctx.tracking.runs.get(id);
      assert.equal(paramsOf(r).long, 'p'.repeat(6000));
      assert.equal(tagsOf(r).long, 't'.repeat(8000));
    });

    it('drops exact duplicate metric points, within a batch and across batches', async () => {
      const id = await run();
      await logMetrics(ctx, id, [point('m', 1, 0, 10), point('m', 1, 0, 10), point('m', 2, 0, 10)]);
      await logMetrics(ctx, id, [point('m', 1, 0, 10), point('m', 1, 1, 10), point('m', 1, 0, 11)]);
      const h = await history(id, 'm');
      assert.deepEqual(h.map((p) => [p.timestamp, p.step, p.value]), [[10, 0, 1], [10, 0, 2], [10, 1, 1], [11, 0, 1]]);
    });

    it('keeps the latest metric at the maximum (step, timestamp, value), whatever the arrival order', async () => {
      const id = await run();
      await logMetrics(ctx, id, [point('m', 1, 5, 100)]);
      await logMetrics(ctx, id, [point('m', 9, 3, 200)]); // an older step arriving late
      assert.deepEqual(latestOf(await ctx.tracking.runs.get(id), 'm'), { key: 'm', value: 1, step: 5, timestamp: 100 });
      await logMetrics(ctx, id, [point('m', 7, 5, 50)]); // same step, older timestamp
      assert.equal(latestOf(await ctx.tracking.runs.get(id), 'm')?.value, 1);
      await logMetrics(ctx, id, [point('m', 2, 5, 100)]); // same step and time, larger value
      assert.equal(latestOf(await ctx.tracking.runs.get(id), 'm')?.value, 2);
      await logMetrics(ctx, id, [point('m', -5, 5, 101)]); // same step, newer timestamp
      assert.equal(latestOf(await ctx.tracking.runs.get(id), 'm')?.value, -5);
      // Out of order inside one batch too.
      await logMetrics(ctx, id, [point('n', 3, 9, 1), point('n', 1, 10, 1), point('n', 2, 2, 5)]);
      assert.deepEqual(latestOf(await ctx.tracking.runs.get(id), 'n'), { key: 'n', value: 1, step: 10, timestamp: 1 });
    });

    it('round-trips NaN and ±Infinity exactly through history and latest values', async () => {
      const id = await run();
      const values = [NaN, Infinity, -Infinity, 0, -0.5, 1.7976931348623157e308, -1.7976931348623157e308, 2.2250738585072014e-308, 0.1 + 0.2];
      await logMetrics(ctx, id, values.map((v, i) => point('special', v, i, 1000 + i)));
      sameNumbers((await history(id, 'special')).map((p) => p.value), values, 'history');
      for (const [key, v] of [['nan', NaN], ['pinf', Infinity], ['ninf', -Infinity]] as const) {
        await logMetrics(ctx, id, [point(key, v)]);
        const latest = latestOf(await ctx.tracking.runs.get(id), key);
        assert.ok(latest && Object.is(latest.value, v), `latest ${key}: expected ${v}, got ${latest?.value}`);
      }
      // On a tie of (step, timestamp) NaN counts as the largest value.
      await logMetrics(ctx, id, [point('tie', 3, 1, 1), point('tie', NaN, 1, 1), point('tie', Infinity, 1, 1)]);
      assert.ok(Number.isNaN(latestOf(await ctx.tracking.runs.get(id), 'tie')?.value));
      // A NaN point is deduplicated like any other.
      await logMetrics(ctx, id, [point('nan', NaN)]);
      assert.equal((await history(id, 'nan')).length, 1);
    });

    it('keeps big steps, big timestamps and negative values', async () => {
      const id = await run();
      const steps = [-3, 0, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 5, 2 ** 40, Number.MAX_SAFE_INTEGER];
      await logMetrics(ctx, id, steps.map((s, i) => ({ key: 'big', value: -(i + 0.25) * 1e300, step: s, timestamp: 2 ** 41 + i })));
      const h = await history(id, 'big');
      assert.deepEqual(h.map((p) => p.step), steps);
      assert.deepEqual(h.map((p) => p.timestamp), steps.map((_, i) => 2 ** 41 + i));
      sameNumbers(h.map((p) => p.value), steps.map((_, i) => -(i + 0.25) * 1e300));
      assert.deepEqual(latestOf(await ctx.tracking.runs.get(id), 'big'), { key: 'big', value: -(6.25) * 1e300, step: Number.MAX_SAFE_INTEGER, timestamp: 2 ** 41 + 6 });
    });

    it('upserts and deletes tags; mlflow.runName renames the run', async () => {
      const id = await run();
      await ctx.tracking.runs.logBatch(id, { metrics: [], params: [], tags: [{ key: 't', value: 'a' }] });
      await ctx.tracking.runs.logBatch(id, { metrics: [], params: [], tags: [{ key: 't', value: 'b' }, { key: 'u', value: '' }] });
      assert.deepEqual({ t: tagsOf(await ctx.tracking.runs.get(id)).t, u: tagsOf(await ctx.tracking.runs.get(id)).u }, { t: 'b', u: '' });
      await ctx.tracking.runs.deleteTag(id, 't');
      assert.equal(tagsOf(await ctx.tracking.runs.get(id)).t, undefined);
      await expectError(ctx.tracking.runs.deleteTag(id, 't'), 'NOT_FOUND');

      await ctx.tracking.runs.logBatch(id, { metrics: [], params: [], tags: [{ key: 'mlflow.runName', value: 'renamed-by-tag' }] });
      const r = await ctx.tracking.runs.get(id);
      assert.equal(r.info.runName, 'renamed-by-tag');
      assert.equal(tagsOf(r)['mlflow.runName'], 'renamed-by-tag');
      // The last of several in one batch wins, for the tag and the name alike.
      await ctx.tracking.runs.logBatch(id, { metrics: [], params: [], tags: [{ key: 'mlflow.runName', value: 'one' }, { key: 'mlflow.runName', value: 'two' }] });
      const r2 = await ctx.tracking.runs.get(id);
      assert.equal(r2.info.runName, 'two');
      assert.equal(tagsOf(r2)['mlflow.runName'], 'two');
    });

    it('appends to the legacy model history tag', async () => {
      const id = await run();
      const model = (n: number) => JSON.stringify({ artifact_path: `m${n}`, flavors: {}, utc_time_created: 'now', run_id: id });
      await ctx.tracking.runs.appendModelHistory(id, model(1));
      await ctx.tracking.runs.appendModelHistory(id, model(2));
      const hist = JSON.parse(tagsOf(await ctx.tracking.runs.get(id))['mlflow.log-model.history']);
      assert.deepEqual(hist.map((m: { artifact_path: string }) => m.artifact_path), ['m1', 'm2']);
      await expectError(ctx.tracking.runs.appendModelHistory(id, '{"flavors": {}}'), 'INVALID_ARGUMENT', /missing mandatory fields/);
      await expectError(ctx.tracking.runs.appendModelHistory(id, 'not json'), 'INVALID_ARGUMENT');
    });

    it('reports writes to unknown runs as NOT_FOUND', async () => {
      const err = await expectError(ctx.tracking.runs.logBatch('0123456789abcdef0123456789abcdef', { metrics: [point('m', 1)], params: [], tags: [] }), 'NOT_FOUND');
      assert.ok(err instanceof TrackbridgeError);
    });
  });
}
