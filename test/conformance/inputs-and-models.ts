/** Dataset inputs (log_inputs + search_datasets), model inputs/outputs, and MLflow 3 logged models. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { DatasetInput } from '../../src/core/model';
import { type Ctx, expectError, newExperiment, newRun, point, sleep } from './context';

const dataset = (name: string, digest: string, context?: string, extra: Partial<DatasetInput['dataset']> = {}): DatasetInput => ({
  dataset: { name, digest, sourceType: 'local', source: `{"uri": "/data/${name}"}`, ...extra },
  tags: context ? [{ key: 'mlflow.data.context', value: context }] : [],
});

export function inputAndModelTests(ctx: Ctx): void {
  describe('datasets and model inputs', () => {
    it('logs dataset inputs once each and finds them with search_datasets', async () => {
      const exp = await newExperiment(ctx, 'datasets');
      const r1 = await newRun(ctx, exp);
      const r2 = await newRun(ctx, exp);
      const train = dataset('train', 'd1', 'training', { schema: '{"mlflow_colspec": []}', profile: '{"num_rows": 10}' });
      await ctx.tracking.runs.logInputs(r1, [train, dataset('eval', 'd2', 'eval')], []);
      await ctx.tracking.runs.logInputs(r1, [train], []); // again: no duplicate
      await ctx.tracking.runs.logInputs(r2, [dataset('train', 'd1', 'training')], []);

      const run = await ctx.tracking.runs.get(r1);
      assert.equal(run.datasetInputs.length, 2);
      const got = run.datasetInputs.find((d) => d.dataset.name === 'train');
      assert.deepEqual(got, train);
      assert.deepEqual(run.datasetInputs.find((d) => d.dataset.name === 'eval')?.dataset, { name: 'eval', digest: 'd2', sourceType: 'local', source: '{"uri": "/data/eval"}' });

      const summaries = await ctx.tracking.searchDatasets([exp]);
      assert.deepEqual(summaries, [
        { experimentId: exp, name: 'eval', digest: 'd2', context: 'eval' },
        { experimentId: exp, name: 'train', digest: 'd1', context: 'training' },
      ]);
      assert.deepEqual(await ctx.tracking.searchDatasets([await newExperiment(ctx, 'no-datasets')]), []);
    });

    it('refuses incomplete or oversized dataset inputs and stores none of them', async () => {
      const exp = await newExperiment(ctx, 'bad-datasets');
      const id = await newRun(ctx, exp);
      await expectError(ctx.tracking.runs.logInputs(id, [dataset('ok', 'd'), dataset('', 'd')], []), 'INVALID_ARGUMENT', /name/);
      await expectError(ctx.tracking.runs.logInputs(id, [dataset('x', '')], []), 'INVALID_ARGUMENT', /digest/);
      await expectError(ctx.tracking.runs.logInputs(id, [dataset('x', 'd'.repeat(37))], []), 'INVALID_ARGUMENT');
      await expectError(ctx.tracking.runs.logInputs(id, [dataset('n'.repeat(501), 'd')], []), 'INVALID_ARGUMENT');
      await expectError(ctx.tracking.runs.logInputs(id, [{ ...dataset('x', 'd'), tags: [{ key: 'k', value: 'v'.repeat(501) }] }], []), 'INVALID_ARGUMENT');
      assert.deepEqual((await ctx.tracking.runs.get(id)).datasetInputs, []);
      assert.deepEqual(await ctx.tracking.searchDatasets([exp]), []);
    });

    it('links model inputs and outputs to runs', async () => {
      const exp = await newExperiment(ctx, 'model-io');
      const id = await newRun(ctx, exp);
      await ctx.tracking.runs.logInputs(id, [], [{ modelId: 'm-in' }]);
      await ctx.tracking.runs.logOutputs(id, [{ modelId: 'm-out', step: 3 }]);
      await ctx.tracking.runs.logOutputs(id, [{ modelId: 'm-out', step: 7 }]);
      const run = await ctx.tracking.runs.get(id);
      assert.deepEqual(run.modelInputs, [{ modelId: 'm-in' }]);
      assert.deepEqual(run.modelOutputs, [{ modelId: 'm-out', step: 7 }]);
    });
  });

  describe('logged models', () => {
    it('creates, finalizes, tags, takes params and deletes a model', async () => {
      const exp = await newExperiment(ctx, 'models');
      const run = await newRun(ctx, exp);
      const m = await ctx.tracking.loggedModels.create({
        experimentId: exp, name: 'clf', modelType: 'sklearn', sourceRunId: run,
        tags: [{ key: 'z', value: '1' }, { key: 'a', value: '2' }], params: [{ key: 'alpha', value: '0.5' }],
      });
      assert.match(m.modelId, /^m-[0-9a-f]{32}$/);
      assert.equal(m.experimentId, exp);
      assert.equal(m.name, 'clf');
      assert.equal(m.status, 'LOGGED_MODEL_PENDING');
      assert.equal(m.modelType, 'sklearn');
      assert.equal(m.sourceRunId, run);
      assert.equal(m.artifactLocation, `mlflow-artifacts:/${exp}/models/${m.modelId}/artifacts`);
      assert.deepEqual(m.tags, [{ key: 'a', value: '2' }, { key: 'z', value: '1' }]);
      assert.deepEqual(m.params, [{ key: 'alpha', value: '0.5' }]);
      assert.deepEqual(await ctx.tracking.loggedModels.get(m.modelId), m);

      const ready = await ctx.tracking.loggedModels.finalize(m.modelId, 'LOGGED_MODEL_READY');
      assert.equal(ready.status, 'LOGGED_MODEL_READY');
      assert.ok(ready.lastUpdatedTimestamp >= m.creationTimestamp);
      await expectError(ctx.tracking.loggedModels.finalize(m.modelId, 'NOT_A_STATUS' as never), 'INVALID_ARGUMENT');

      const tagged = await ctx.tracking.loggedModels.setTags(m.modelId, [{ key: 'z', value: 'changed' }, { key: 'new', value: 'x' }]);
      assert.deepEqual(tagged.tags, [{ key: 'a', value: '2' }, { key: 'new', value: 'x' }, { key: 'z', value: 'changed' }]);
      await ctx.tracking.loggedModels.deleteTag(m.modelId, 'new');
      await expectError(ctx.tracking.loggedModels.deleteTag(m.modelId, 'new'), 'NOT_FOUND');

      // Params are write-once: an existing key keeps its value.
      await ctx.tracking.loggedModels.logParams(m.modelId, [{ key: 'alpha', value: '9' }, { key: 'beta', value: '1' }]);
      assert.deepEqual((await ctx.tracking.loggedModels.get(m.modelId)).params, [{ key: 'alpha', value: '0.5' }, { key: 'beta', value: '1' }]);

      await ctx.tracking.loggedModels.delete(m.modelId);
      await expectError(ctx.tracking.loggedModels.get(m.modelId), 'NOT_FOUND', /Logged model with ID/);
      await expectError(ctx.tracking.loggedModels.delete(m.modelId), 'NOT_FOUND');
      await expectError(ctx.tracking.loggedModels.setTags(m.modelId, [{ key: 'k', value: 'v' }]), 'NOT_FOUND');
    });

    it('refuses bad names and unknown or deleted experiments', async () => {
      const exp = await newExperiment(ctx, 'models-bad');
      await expectError(ctx.tracking.loggedModels.create({ experimentId: exp, name: 'a/b', tags: [], params: [] }), 'INVALID_ARGUMENT');
      await expectError(ctx.tracking.loggedModels.create({ experimentId: '987654321', name: 'x', tags: [], params: [] }), 'NOT_FOUND');
      await ctx.tracking.experiments.delete(exp);
      await expectError(ctx.tracking.loggedModels.create({ experimentId: exp, name: 'x', tags: [], params: [] }), 'INVALID_STATE');
      const unnamed = await ctx.tracking.loggedModels.create({ experimentId: '0', tags: [], params: [] });
      assert.match(unnamed.name, /^model-/);
      await ctx.tracking.loggedModels.delete(unnamed.modelId);
    });

    it('records metrics logged with a model id and searches models by attributes, tags, params and metrics', async () => {
      const exp = await newExperiment(ctx, 'models-search');
      const run = await newRun(ctx, exp);
      const make = async (name: string, acc: number | undefined, tag: string, param: string) => {
        const m = await ctx.tracking.loggedModels.create({ experimentId: exp, name, tags: [{ key: 'kind', value: tag }], params: [{ key: 'depth', value: param }] });
        if (acc !== undefined) {
          await ctx.tracking.runs.logBatch(run, { metrics: [{ ...point('acc', acc - 0.5, 0, 1), modelId: m.modelId }, { ...point('acc', acc, 1, 2), modelId: m.modelId }], params: [], tags: [] });
        }
        return m.modelId;
      };
      const ids = { m1: await make('m1', 0.8, 'tree', '3'), m2: await make('m2', 0.9, 'linear', '5'), m3: await make('m3', undefined, 'tree', '7') };
      const byId = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
      const search = async (filter?: string, orderBy?: Array<{ field_name: string; ascending?: boolean }>) =>
        (await ctx.tracking.loggedModels.search({ experimentIds: [exp], filter, orderBy })).items.map((m) => byId[m.modelId]);

      const m1 = await ctx.tracking.loggedModels.get(ids.m1);
      assert.deepEqual(m1.metrics.map((p) => [p.key, p.value, p.step, p.runId]), [['acc', 0.8 - 0.5, 0, run], ['acc', 0.8, 1, run]]);

      assert.deepEqual((await search()).sort(), ['m1', 'm2', 'm3']);
      assert.deepEqual((await search("name = 'm2'")), ['m2']);
      assert.deepEqual((await search("tags.kind = 'tree'")).sort(), ['m1', 'm3']);
      assert.deepEqual((await search("params.depth = '5'")), ['m2']);
      assert.deepEqual((await search('metrics.acc > 0.85')), ['m2']);
      assert.deepEqual((await search('metrics.acc >= 0.8')).sort(), ['m1', 'm2']);
      assert.deepEqual(await search(undefined, [{ field_name: 'metrics.acc', ascending: false }]), ['m2', 'm1', 'm3']);
      assert.deepEqual(await search(undefined, [{ field_name: 'metrics.acc', ascending: true }]), ['m1', 'm2', 'm3']);
      assert.deepEqual(await search(undefined, [{ field_name: 'name', ascending: true }]), ['m1', 'm2', 'm3']);

      const first = await ctx.tracking.loggedModels.search({ experimentIds: [exp], orderBy: [{ field_name: 'name' }], maxResults: 2 });
      assert.deepEqual(first.items.map((m) => byId[m.modelId]), ['m1', 'm2']);
      assert.ok(first.nextPageToken);
      const second = await ctx.tracking.loggedModels.search({ experimentIds: [exp], orderBy: [{ field_name: 'name' }], maxResults: 2, pageToken: first.nextPageToken });
      assert.deepEqual(second.items.map((m) => byId[m.modelId]), ['m3']);
      assert.equal(second.nextPageToken, undefined);

      await ctx.tracking.loggedModels.delete(ids.m2);
      assert.deepEqual((await search()).sort(), ['m1', 'm3']);
    });

    // The expected orders below are what `mlflow server` 3.17.2 answered for the same models.
    describe('search by the datasets metrics were logged against', () => {
      let exp = '';
      const names = new Map<string, string>();
      type Order = { field_name: string; ascending?: boolean; dataset_name?: string; dataset_digest?: string };
      const search = async (q: { filter?: string; datasets?: Array<{ dataset_name?: string; dataset_digest?: string }>; orderBy?: Order[] } = {}) =>
        (await ctx.tracking.loggedModels.search({ experimentIds: [exp], ...q })).items.map((m) => names.get(m.modelId));

      before(async () => {
        exp = await newExperiment(ctx, 'models-datasets');
        const run = await newRun(ctx, exp);
        const ids: Record<string, string> = {};
        for (const name of ['a', 'b', 'c', 'd', 'e']) {
          ids[name] = (await ctx.tracking.loggedModels.create({ experimentId: exp, name, tags: [], params: [] })).modelId;
          names.set(ids[name], name);
          await sleep(3); // distinct creation times: the default order is newest first
        }
        const log = (model: string, value: number, step: number, timestamp: number, datasetName?: string, datasetDigest?: string) =>
          ctx.tracking.runs.logBatch(run, { metrics: [{ ...point('acc', value, step, timestamp), modelId: ids[model], ...(datasetName ? { datasetName } : {}), ...(datasetDigest ? { datasetDigest } : {}) }], params: [], tags: [] });
        // a's latest acc on train/d1 is 0.9 (the newest timestamp), though 0.1 has the higher step.
        await log('a', 0.1, 5, 100, 'train', 'd1');
        await log('a', 0.9, 1, 200, 'train', 'd1');
        await log('a', 0.3, 0, 50, 'eval', 'd2');
        await log('b', 0.5, 0, 100, 'eval', 'd2');
        await log('b', 0.95, 0, 300, 'eval', 'd2');
        await log('c', 0.7, 0, 100);
        await log('d', 0.6, 0, 100, 'train', 'd9');
        // Same timestamp: the higher step is the latest.
        await log('e', 0.2, 1, 100, 'train', 'd1');
        await log('e', 0.4, 2, 100, 'train', 'd1');
      });

      it('keeps only models with a metric logged against one of the datasets', async () => {
        assert.deepEqual(await search(), ['e', 'd', 'c', 'b', 'a']);
        assert.deepEqual(await search({ datasets: [{ dataset_name: 'train', dataset_digest: 'd1' }] }), ['e', 'a']);
        // Without a digest a dataset matches only metrics logged with none.
        assert.deepEqual(await search({ datasets: [{ dataset_name: 'train' }] }), []);
        assert.deepEqual(await search({ datasets: [{ dataset_name: 'eval' }, { dataset_name: 'train', dataset_digest: 'd9' }] }), ['d']);
        assert.deepEqual(await search({ datasets: [{ dataset_name: 'zzz' }] }), []);
        assert.deepEqual(await search({ filter: "name = 'a'", datasets: [{ dataset_name: 'eval', dataset_digest: 'd2' }] }), ['a']);
        await expectError(ctx.tracking.loggedModels.search({ experimentIds: [exp], datasets: [{ dataset_digest: 'd1' }] }), 'INVALID_ARGUMENT',
          /^`dataset_name` in the `datasets` clause must be specified\.$/);
      });

      it('matches a metric filter on any logged value, within the datasets when given', async () => {
        assert.deepEqual(await search({ filter: 'metrics.acc > 0.85' }), ['b', 'a']);
        assert.deepEqual(await search({ filter: 'metrics.acc < 0.15' }), ['a']);
        assert.deepEqual(await search({ filter: 'metrics.acc > 0.85', datasets: [{ dataset_name: 'train', dataset_digest: 'd1' }] }), ['a']);
        assert.deepEqual(await search({ filter: 'metrics.acc > 0.85', datasets: [{ dataset_name: 'train' }] }), []);
        assert.deepEqual(await search({ filter: 'metrics.acc < 0.35', datasets: [{ dataset_name: 'eval', dataset_digest: 'd2' }] }), ['a']);
      });

      it('orders by the latest value (newest timestamp, then highest step), optionally on one dataset, models without it last', async () => {
        const by = (ascending: boolean, ds: Partial<Order> = {}) => search({ orderBy: [{ field_name: 'metrics.acc', ascending, ...ds }] });
        assert.deepEqual(await by(false), ['b', 'a', 'c', 'd', 'e']);
        assert.deepEqual(await by(true), ['e', 'd', 'c', 'a', 'b']);
        assert.deepEqual(await by(false, { dataset_name: 'train' }), ['a', 'd', 'e', 'c', 'b']);
        assert.deepEqual(await by(true, { dataset_name: 'train' }), ['e', 'd', 'a', 'c', 'b']);
        assert.deepEqual(await by(true, { dataset_digest: 'd2' }), ['a', 'b', 'e', 'd', 'c']);
        assert.deepEqual(await by(true, { dataset_name: 'train', dataset_digest: 'd1' }), ['e', 'a', 'd', 'c', 'b']);
      });

      it('takes the lower run id between latest values logged at once, and a NaN as 0', async () => {
        const exp2 = await newExperiment(ctx, 'models-latest');
        const [lo, hi] = [await newRun(ctx, exp2), await newRun(ctx, exp2)].sort();
        const ids: Record<string, string> = {};
        for (const name of ['f', 'g', 'h']) {
          ids[name] = (await ctx.tracking.loggedModels.create({ experimentId: exp2, name, tags: [], params: [] })).modelId;
          names.set(ids[name], name);
          await sleep(3);
        }
        const log = (run: string, model: string, value: number, timestamp: number) =>
          ctx.tracking.runs.logBatch(run, { metrics: [{ ...point('acc', value, 0, timestamp), modelId: ids[model] }], params: [], tags: [] });
        await log(lo, 'f', 0.5, 100);
        await log(lo, 'f', NaN, 200);
        await log(lo, 'g', 0.6, 100);
        await log(hi, 'h', Infinity, 100);
        await log(lo, 'h', 0.1, 100);
        const search2 = async (q: { filter?: string; orderBy?: Order[] }) =>
          (await ctx.tracking.loggedModels.search({ experimentIds: [exp2], ...q })).items.map((m) => names.get(m.modelId));
        assert.deepEqual(await search2({ orderBy: [{ field_name: 'metrics.acc', ascending: true }] }), ['f', 'h', 'g']);
        assert.deepEqual(await search2({ orderBy: [{ field_name: 'metrics.acc', ascending: false }] }), ['g', 'h', 'f']);
        assert.deepEqual(await search2({ filter: 'metrics.acc > 0.4' }), ['h', 'g', 'f']);
        assert.deepEqual(await search2({ filter: 'metrics.acc < 0.2' }), ['h', 'f']);
        assert.deepEqual(await search2({ filter: 'metrics.acc > 1e300' }), ['h']);
      });
    });
  });
}
