/** search_logged_models with And/Or/Not filter trees, alone and within the datasets a search names. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { Filter } from '../../src/core/query/ast';
import { and, comparison, not, or } from '../../src/core/query/filter';
import { LIMITS } from '../../src/core/limits';
import type { MetricDataset } from '../../src/core/store';
import { type Ctx, expectError, newExperiment, newRun, point } from './context';
import { deepTree, depth, expectedMatches, type Leaf, randomTrees, size, wideTree } from './filter-trees';

export function searchLoggedModelTests(ctx: Ctx): void {
  describe('search logged models with filter trees', () => {
    let exp = '';
    const names = new Map<string, string>();
    const MODELS = ['m1', 'm2', 'm3', 'm4'];

    before(async () => {
      exp = await newExperiment(ctx, 'models-trees');
      const run = await newRun(ctx, exp);
      const make = async (name: string, opts: { modelType?: string; kind?: string; depth?: string; metrics?: Array<[string, number, MetricDataset?]> }) => {
        const m = await ctx.tracking.loggedModels.create({
          experimentId: exp, name, modelType: opts.modelType,
          tags: opts.kind ? [{ key: 'kind', value: opts.kind }] : [], params: opts.depth ? [{ key: 'depth', value: opts.depth }] : [],
        });
        names.set(m.modelId, name);
        const metrics = (opts.metrics ?? []).map(([key, value, ds]) => ({
          ...point(key, value), modelId: m.modelId, ...(ds ? { datasetName: ds.name, datasetDigest: ds.digest } : {}),
        }));
        if (metrics.length) await ctx.tracking.runs.logBatch(run, { metrics, params: [], tags: [] });
        return m.modelId;
      };
      const train = { name: 'train', digest: 'd1' };
      const m1 = await make('m1', { modelType: 'sklearn', kind: 'tree', depth: '3', metrics: [['acc', 0.8, train], ['loss', 0.2]] });
      await make('m2', { kind: 'linear', depth: '5', metrics: [['acc', 0.9, { name: 'eval', digest: 'd2' }]] });
      await make('m3', { modelType: 'xgb', kind: 'tree' });
      await make('m4', { depth: '7', metrics: [['acc', 0.3, train]] });
      await ctx.tracking.loggedModels.finalize(m1, 'LOGGED_MODEL_READY');
    });

    /** Comparisons on every entity, with the models each holds for when no datasets are named. */
    const leaves: Leaf[] = [
      [comparison('metric', 'acc', '>', 0.5), ['m1', 'm2']],
      [comparison('tag', 'kind', '=', 'tree'), ['m1', 'm3']],
      [comparison('metric', 'acc', '<', 0.5), ['m4']],
      [comparison('metric', 'loss', '=', 0.2), ['m1']],
      [comparison('metric', 'never_logged', '>', 0), []],
      [comparison('param', 'depth', '=', '5'), ['m2']],
      [comparison('param', 'depth', '!=', '3'), ['m2', 'm4']],
      [comparison('tag', 'kind', 'LIKE', 'lin%'), ['m2']],
      [comparison('attribute', 'model_type', '=', 'sklearn'), ['m1']],
      // model_type is empty for m2 and m4: the comparison is false there, so its Not holds.
      [comparison('attribute', 'model_type', '!=', 'xgb'), ['m1']],
      [comparison('attribute', 'name', 'IN', ['m1', 'm4']), ['m1', 'm4']],
      [comparison('attribute', 'status', '=', 'LOGGED_MODEL_READY'), ['m1']],
      [comparison('attribute', 'creation_timestamp', '>', 0), MODELS],
    ];
    const [accHigh, tree, accLow] = leaves.map(([c]) => c);
    const modelTypeNotXgb = leaves[9][0];

    const search = async (filter: Filter, datasets?: MetricDataset[]) =>
      (await ctx.store.searchLoggedModels({ experimentIds: [exp], filter, datasets, orderBy: [], offset: 0, limit: 100 })).map((m) => names.get(m.modelId)!).sort();
    const matches = async (filter: Filter, expected: string[], datasets?: MetricDataset[]) =>
      assert.deepEqual(await search(filter, datasets), [...expected].sort(), JSON.stringify(filter).slice(0, 2000));

    it('nests Ors in Ands and negates comparisons on keys some models lack', async () => {
      await matches(and(or(tree, comparison('param', 'depth', '=', '5')), or(accHigh, accLow)), ['m1', 'm2']);
      await matches(not(accHigh), ['m3', 'm4']);
      await matches(not(comparison('param', 'depth', '=', '3')), ['m2', 'm3', 'm4']);
      await matches(not(modelTypeNotXgb), ['m2', 'm3', 'm4']);
      await matches(not(or(accHigh, tree)), ['m4']);
      await matches(or(comparison('metric', 'never_logged', '>', 0), comparison('tag', 'kind', 'LIKE', 'lin%')), ['m2']);
      await matches(or(), []);
      await matches(and(), MODELS);
    });

    it('keeps metric comparisons and the datasets requirement to the named datasets under Or and Not', async () => {
      const train = [{ name: 'train', digest: 'd1' }];
      // Only m1 and m4 have a metric logged against train/d1.
      await matches(and(), ['m1', 'm4'], train);
      await matches(not(accHigh), ['m4'], train);
      await matches(or(comparison('metric', 'acc', '>', 0.85), tree), ['m1'], train);
      await matches(not(comparison('metric', 'acc', '>', 0.85)), ['m1', 'm4'], train);
      await matches(and(accHigh, not(tree)), [], train);
      await matches(not(accLow), ['m1'], train);
    });

    it('matches random trees as the two-valued meaning says', async () => {
      const failures: string[] = [];
      for (const f of randomTrees(leaves, 40, 5, 7)) {
        const got = await search(f);
        const want = expectedMatches(f, leaves, MODELS);
        if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${JSON.stringify(f)}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      }
      assert.deepEqual(failures, []);
    });

    it('runs trees at the depth and size bounds, and refuses them past', async () => {
      const deep = deepTree(leaves, LIMITS.filterDepth);
      assert.equal(depth(deep), LIMITS.filterDepth);
      await matches(deep, expectedMatches(deep, leaves, MODELS));
      const wide = wideTree(leaves, LIMITS.filterTerms);
      assert.equal(size(wide), LIMITS.filterTerms);
      await matches(wide, expectedMatches(wide, leaves, MODELS));
      await expectError(search(deepTree(leaves, LIMITS.filterDepth + 1)), 'INVALID_ARGUMENT', /nest at most/);
      await expectError(search(wideTree(leaves, LIMITS.filterTerms + 1)), 'INVALID_ARGUMENT', /at most 1000 terms/);
    });
  });
}
