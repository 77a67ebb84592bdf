/** search_runs: every entity and comparator, ordering (NULLs last, NaN after values), view types, paging. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { Run, ViewType } from '../../src/core/model';
import type { Filter } from '../../src/core/query/ast';
import { and, comparison, not, or } from '../../src/core/query/filter';
import { LIMITS } from '../../src/core/limits';
import { encodePageToken } from '../../src/core/query/page-token';
import { type Ctx, expectError, newExperiment, paramsOf, point, tagsOf } from './context';
import { deepTree, depth, expectedMatches, type Leaf, randomTrees, size, wideTree } from './filter-trees';
import { filterText, LIKE_CASES, LIKE_VALUES } from './like-cases';

interface Fixture {
  exp: string;
  other: string;
  /** run id by name */
  id: Record<string, string>;
  /** name by run id */
  name: Record<string, string>;
  /** the two runs that share start_time 3000, in run-id order (the tie-breaker) */
  tie: string[];
}

export function searchRunTests(ctx: Ctx): void {
  describe('search runs', () => {
    const f: Fixture = { exp: '', other: '', id: {}, name: {}, tie: [] };

    before(async () => {
      f.exp = await newExperiment(ctx, 'search');
      f.other = await newExperiment(ctx, 'search-other');
      const make = async (exp: string, name: string, startTime: number, userId: string) => {
        const run = await ctx.tracking.runs.create({ experimentId: exp, runName: name, startTime, userId, tags: [] });
        f.id[name] = run.info.runId;
        f.name[run.info.runId] = name;
        return run.info.runId;
      };
      const log = (id: string, metrics: Array<[string, number]>, params: Array<[string, string]>, tags: Array<[string, string]>) =>
        ctx.tracking.runs.logBatch(id, {
          metrics: metrics.map(([k, v]) => point(k, v)),
          params: params.map(([key, value]) => ({ key, value })),
          tags: tags.map(([key, value]) => ({ key, value })),
        });
      const dataset = (id: string, name: string, digest: string, context: string) => ctx.tracking.runs.logInputs(id, [{
        dataset: { name, digest, sourceType: 'local', source: '{"uri": "/data"}' },
        tags: [{ key: 'mlflow.data.context', value: context }],
      }], []);

      const alpha = await make(f.exp, 'alpha', 1000, 'u1');
      await log(alpha, [['acc', 0.9], ['loss', 0.5]], [['opt', 'adam'], ['lr', '0.1']], [['team', 'a']]);
      await ctx.tracking.runs.update(alpha, { status: 'FINISHED', endTime: 2000 });
      await dataset(alpha, 'train', 'd1', 'training');

      const beta = await make(f.exp, 'beta', 2000, 'u2');
      await log(beta, [['acc', 0.7], ['loss', NaN]], [['opt', 'sgd'], ['lr', '0.01']], [['team', 'b']]);
      await dataset(beta, 'eval', 'd2', 'eval');

      const gamma = await make(f.exp, 'gamma-X', 3000, 'u1');
      await log(gamma, [['acc', Infinity]], [['lr', '0.1']], []);
      await ctx.tracking.runs.update(gamma, { status: 'FAILED', endTime: 3500 });

      const delta = await make(f.exp, 'delta', 3000, 'u3');
      await log(delta, [], [], [['team', 'a']]);

      const epsilon = await make(f.exp, 'epsilon', 5000, 'u1');
      await log(epsilon, [['acc', 0.99]], [], [['team', 'a']]);
      await ctx.tracking.runs.delete(epsilon);

      await make(f.other, 'zeta', 4000, 'u1');
      f.tie = [gamma, delta].sort();
    });

    const tieNames = () => f.tie.map((id) => f.name[id]);

    async function search(filter?: string, orderBy?: string[], viewType: ViewType = 'ACTIVE_ONLY', experimentIds = [f.exp]): Promise<string[]> {
      const page = await ctx.tracking.runs.search({ experimentIds, filter, orderBy, viewType, maxResults: 1000 });
      return page.items.map((r) => f.name[r.info.runId]);
    }
    const matches = async (filter: string, expected: string[]) => {
      assert.deepEqual((await search(filter)).sort(), [...expected].sort(), `filter: ${filter}`);
    };

    it('orders by start_time DESC, then run id ASC by default', async () => {
      assert.deepEqual(await search(), [...tieNames(), 'beta', 'alpha']);
      assert.deepEqual(await search(undefined, undefined, 'ACTIVE_ONLY', [f.exp, f.other]), ['zeta', ...tieNames(), 'beta', 'alpha']);
      assert.deepEqual(await search(undefined, undefined, 'ACTIVE_ONLY', []), []);
    });

    it('filters on metrics with every comparator; NaN only differs, +Infinity is large', async () => {
      await matches('metrics.acc > 0.8', ['alpha', 'gamma-X']);
      await matches('metrics.acc >= 0.9', ['alpha', 'gamma-X']);
      await matches('metrics.acc < 0.9', ['beta']);
      await matches('metrics.acc <= 0.9', ['alpha', 'beta']);
      await matches('metrics.acc = 0.7', ['beta']);
      await matches('metrics.acc != 0.7', ['alpha', 'gamma-X']);
      await matches('metrics.acc <> 0.7', ['alpha', 'gamma-X']);
      await matches('metric.acc > 1e300', ['gamma-X']);
      await matches('metrics.loss > 0', ['alpha']);
      await matches('metrics.loss <= 0.5', ['alpha']);
      await matches('metrics.loss = 0', []);
      await matches('metrics.loss != 0.5', ['beta']);
      await matches('metrics.never_logged > 0', []);
      await matches('metrics.never_logged != 0', []);
    });

    it('filters on params with every comparator, IS NULL and IS NOT NULL', async () => {
      await matches("params.lr = '0.1'", ['alpha', 'gamma-X']);
      await matches("params.lr != '0.1'", ['beta']);
      await matches("params.lr LIKE '0.0%'", ['beta']);
      await matches("params.opt LIKE 'ADAM'", []);
      await matches("params.opt ILIKE 'ADAM'", ['alpha']);
      await matches('param.opt = "sgd"', ['beta']);
      await matches('params.opt IS NULL', ['gamma-X', 'delta']);
      await matches('params.opt IS NOT NULL', ['alpha', 'beta']);
      await matches("parameters.`lr` = '0.01'", ['beta']);
    });

    it('filters on tags with every comparator, IS NULL and IS NOT NULL', async () => {
      await matches("tags.team = 'a'", ['alpha', 'delta']);
      await matches("tags.team != 'a'", ['beta']);
      await matches("tags.team LIKE '_'", ['alpha', 'beta', 'delta']);
      await matches("tags.team ILIKE 'B'", ['beta']);
      await matches('tags.team IS NULL', ['gamma-X']);
      await matches('tags.team IS NOT NULL', ['alpha', 'beta', 'delta']);
      await matches("tags.`mlflow.runName` = 'beta'", ['beta']);
      await matches("tag.mlflow.runName LIKE 'gam%'", ['gamma-X']);
    });

    it('filters on attributes', async () => {
      await matches("attributes.run_name = 'alpha'", ['alpha']);
      await matches("run_name != 'alpha'", ['beta', 'gamma-X', 'delta']);
      await matches("attributes.run_name LIKE '%X'", ['gamma-X']);
      await matches("attributes.run_name LIKE '%x'", []);
      await matches("attributes.run_name ILIKE '%x'", ['gamma-X']);
      await matches("attributes.`Run name` = 'delta'", ['delta']);
      await matches("attributes.status = 'FINISHED'", ['alpha']);
      await matches("attr.status != 'RUNNING'", ['alpha', 'gamma-X']);
      await matches("attributes.user_id = 'u1'", ['alpha', 'gamma-X']);
      await matches('attributes.start_time > 1500', ['beta', 'gamma-X', 'delta']);
      await matches('attributes.start_time >= 3000', ['gamma-X', 'delta']);
      await matches('attributes.start_time = 1000', ['alpha']);
      await matches('attributes.start_time != 1000', ['beta', 'gamma-X', 'delta']);
      await matches('created < 2500', ['alpha', 'beta']);
      await matches('attributes.start_time <= 2000', ['alpha', 'beta']);
      await matches('attributes.end_time > 0', ['alpha', 'gamma-X']);
      await matches('attributes.end_time <= 2000', ['alpha']);
      await matches(`attributes.run_id IN ('${f.id.alpha}', '${f.id.beta}')`, ['alpha', 'beta']);
      await matches(`attributes.run_id NOT IN ('${f.id.alpha}', '${f.id.beta}')`, ['gamma-X', 'delta']);
      await matches(`attributes.run_id = '${f.id.delta}'`, ['delta']);
      await matches(`attributes.artifact_uri LIKE 'mlflow-artifacts:/${f.exp}/%'`, ['alpha', 'beta', 'gamma-X', 'delta']);
    });

    it('filters on datasets', async () => {
      await matches("datasets.name = 'train'", ['alpha']);
      await matches("datasets.name != 'train'", ['beta']);
      await matches("datasets.name LIKE 'tr%'", ['alpha']);
      await matches("dataset.name ILIKE 'TRAIN'", ['alpha']);
      await matches("datasets.digest IN ('d1', 'd2')", ['alpha', 'beta']);
      await matches("datasets.name NOT IN ('train')", ['beta']);
      await matches("datasets.context = 'eval'", ['beta']);
    });

    it('ANDs comparisons across entities', async () => {
      await matches("params.lr = '0.1' AND metrics.acc > 0.8 AND tags.team = 'a'", ['alpha']);
      await matches("params.lr = '0.1' and attributes.status = 'FAILED'", ['gamma-X']);
      await matches("tags.team = 'a' AND tags.team = 'b'", []);
    });

    /** The active runs, and comparisons on every entity with the runs each holds for. */
    const ACTIVE = ['alpha', 'beta', 'gamma-X', 'delta'];
    const leaves = (): Leaf[] => [
      [comparison('metric', 'acc', '>', 0.8), ['alpha', 'gamma-X']],
      [comparison('tag', 'team', '=', 'a'), ['alpha', 'delta']],
      [comparison('metric', 'acc', '<=', 0.9), ['alpha', 'beta']],
      [comparison('metric', 'loss', '!=', 0.5), ['beta']],
      [comparison('metric', 'never_logged', '<', 1), []],
      [comparison('param', 'opt', '=', 'adam'), ['alpha']],
      [comparison('param', 'lr', 'LIKE', '0.0%'), ['beta']],
      [comparison('param', 'opt', 'IS NULL'), ['gamma-X', 'delta']],
      [comparison('tag', 'team', 'ILIKE', 'B'), ['beta']],
      [comparison('tag', 'team', 'IS NOT NULL'), ['alpha', 'beta', 'delta']],
      [comparison('attribute', 'end_time', '>', 0), ['alpha', 'gamma-X']],
      [comparison('attribute', 'start_time', '>=', 3000), ['gamma-X', 'delta']],
      [comparison('attribute', 'run_name', 'ILIKE', '%x'), ['gamma-X']],
      [comparison('attribute', 'status', '!=', 'RUNNING'), ['alpha', 'gamma-X']],
      [comparison('attribute', 'run_id', 'IN', [f.id.alpha, f.id.beta]), ['alpha', 'beta']],
      [comparison('attribute', 'run_id', 'NOT IN', [f.id.alpha]), ['beta', 'gamma-X', 'delta']],
      [comparison('dataset', 'name', '=', 'train'), ['alpha']],
      [comparison('dataset', 'context', '!=', 'training'), ['beta']],
    ];
    const searchTree = async (filter: Filter, viewType: ViewType = 'ACTIVE_ONLY') =>
      (await ctx.store.searchRuns({ experimentIds: [f.exp], filter, orderBy: [], viewType, offset: 0, limit: 1000 })).map((r) => f.name[r.info.runId]).sort();
    const treeMatches = async (filter: Filter, expected: string[]) => {
      assert.deepEqual(await searchTree(filter), [...expected].sort(), JSON.stringify(filter).slice(0, 2000));
    };
    const c = {
      accHigh: comparison('metric', 'acc', '>', 0.8),
      teamA: comparison('tag', 'team', '=', 'a'),
      teamB: comparison('tag', 'team', '=', 'b'),
      sgd: comparison('param', 'opt', '=', 'sgd'),
      never: comparison('metric', 'never_logged', '>', 0),
    };

    it('filter trees: an Or nested inside an And', async () => {
      await treeMatches(and(or(c.teamA, c.teamB), or(c.accHigh, c.sgd)), ['alpha', 'beta']);
      await treeMatches(and(c.teamA, or(c.accHigh, c.sgd)), ['alpha']);
      await treeMatches(or(and(c.teamA, c.accHigh), and(c.teamB, c.sgd)), ['alpha', 'beta']);
    });

    it('filter trees: a Not over a comparison matches the runs lacking its key', async () => {
      await treeMatches(not(c.accHigh), ['beta', 'delta']);
      await treeMatches(not(comparison('param', 'opt', '=', 'adam')), ['beta', 'gamma-X', 'delta']);
      await treeMatches(not(comparison('metric', 'loss', '!=', 0.5)), ['alpha', 'gamma-X', 'delta']);
      await treeMatches(not(comparison('tag', 'team', 'IS NULL')), ['alpha', 'beta', 'delta']);
      await treeMatches(not(comparison('dataset', 'name', '=', 'train')), ['beta', 'gamma-X', 'delta']);
      // An empty column (no end_time yet) is a false comparison, so its Not holds.
      await treeMatches(not(comparison('attribute', 'end_time', '>', 0)), ['beta', 'delta']);
      await treeMatches(not(comparison('attribute', 'end_time', '<=', 2000)), ['beta', 'gamma-X', 'delta']);
      await treeMatches(not(not(c.accHigh)), ['alpha', 'gamma-X']);
    });

    it('filter trees: a Not is the exact complement of LIKE, IN, NOT IN and folded integer bounds', async () => {
      await treeMatches(not(comparison('attribute', 'run_name', 'LIKE', '%X')), ['alpha', 'beta', 'delta']);
      await treeMatches(not(comparison('attribute', 'run_name', 'ILIKE', '%x')), ['alpha', 'beta', 'delta']);
      await treeMatches(not(comparison('attribute', 'run_id', 'IN', [f.id.alpha, f.id.beta])), ['gamma-X', 'delta']);
      await treeMatches(not(comparison('attribute', 'run_id', 'NOT IN', [f.id.alpha])), ['alpha']);
      // Bounds no integer column can meet or miss: "no run", "every run", "every run with an end_time".
      await treeMatches(not(comparison('attribute', 'start_time', '>', Infinity)), ACTIVE);
      await treeMatches(not(comparison('attribute', 'start_time', '<', 1e300)), []);
      await treeMatches(not(comparison('attribute', 'end_time', '!=', 0.5)), ['beta', 'delta']);
      await treeMatches(not(comparison('attribute', 'end_time', '>=', 1999.5)), ['beta', 'delta']);
    });

    it('filter trees: a Not over an Or and over an And', async () => {
      await treeMatches(not(or(c.accHigh, c.teamB)), ['delta']);
      await treeMatches(not(and(c.teamA, c.accHigh)), ['beta', 'gamma-X', 'delta']);
      await treeMatches(and(not(or(c.teamA, c.teamB)), not(comparison('attribute', 'end_time', '<', 0))), ['gamma-X']);
    });

    it('filter trees: a metric no run logged is a false comparison wherever it sits', async () => {
      await treeMatches(or(c.never, c.teamB), ['beta']);
      await treeMatches(not(c.never), ACTIVE);
      await treeMatches(and(not(comparison('metric', 'never_logged', '!=', 0)), c.teamA), ['alpha', 'delta']);
      await treeMatches(or(c.never), []);
      await treeMatches(and(c.never, or(c.teamA, c.teamB)), []);
      await treeMatches(not(and(c.never, c.teamA)), ACTIVE);
    });

    it('filter trees: empty Ands match every run and empty Ors none', async () => {
      await treeMatches(and(), ACTIVE);
      await treeMatches(or(), []);
      await treeMatches(not(or()), ACTIVE);
      await treeMatches(and(c.teamA, and()), ['alpha', 'delta']);
      await treeMatches(or(c.teamB, or()), ['beta']);
      assert.deepEqual(await searchTree(or(c.accHigh, c.teamA), 'ALL'), ['alpha', 'delta', 'epsilon', 'gamma-X']);
    });

    it('filter trees: random trees over every entity match what the two-valued meaning says', async () => {
      const table = leaves();
      const failures: string[] = [];
      for (const tree of randomTrees(table, 60)) {
        const got = await searchTree(tree);
        const want = expectedMatches(tree, table, ACTIVE);
        if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${JSON.stringify(tree)}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      }
      assert.deepEqual(failures, []);
    });

    it('filter trees: nested LIMITS.filterDepth deep, or LIMITS.filterTerms wide, run on every database', async () => {
      const table = leaves();
      for (const levels of [50, LIMITS.filterDepth]) {
        const deep = deepTree(table, levels);
        assert.equal(depth(deep), levels);
        await treeMatches(deep, expectedMatches(deep, table, ACTIVE));
      }
      const wide = wideTree(table, LIMITS.filterTerms);
      assert.equal(size(wide), LIMITS.filterTerms);
      await treeMatches(wide, expectedMatches(wide, table, ACTIVE));
    });

    it('filter trees: refuses trees past the core bounds before any SQL', async () => {
      const table = leaves();
      await expectError(searchTree(deepTree(table, LIMITS.filterDepth + 1)), 'INVALID_ARGUMENT', /nest at most/);
      await expectError(searchTree(wideTree(table, LIMITS.filterTerms + 1)), 'INVALID_ARGUMENT', /at most 1000 terms/);
      await expectError(searchTree(and(...Array.from({ length: 51 }, () => c.teamA))), 'INVALID_ARGUMENT', /ANDed at the top/);
    });

    it('honours the view type', async () => {
      assert.deepEqual(await search(undefined, undefined, 'DELETED_ONLY'), ['epsilon']);
      assert.deepEqual(await search(undefined, undefined, 'ALL'), ['epsilon', ...tieNames(), 'beta', 'alpha']);
      assert.deepEqual(await search('metrics.acc > 0.95', undefined, 'ALL'), ['epsilon', 'gamma-X']);
    });

    it('orders by metrics: real values, then NaN, then runs without the metric', async () => {
      assert.deepEqual(await search(undefined, ['metrics.acc DESC']), ['gamma-X', 'alpha', 'beta', 'delta']);
      assert.deepEqual(await search(undefined, ['metrics.acc ASC']), ['beta', 'alpha', 'gamma-X', 'delta']);
      assert.deepEqual(await search(undefined, ['metrics.loss ASC']), ['alpha', 'beta', ...tieNames()]);
      assert.deepEqual(await search(undefined, ['metrics.loss DESC']), ['alpha', 'beta', ...tieNames()]);
      assert.deepEqual(await search(undefined, ['metrics.never_logged DESC']), [...tieNames(), 'beta', 'alpha']);
    });

    it('orders by params and tags with NULLs last in both directions', async () => {
      assert.deepEqual(await search(undefined, ['params.opt ASC']), ['alpha', 'beta', ...tieNames()]);
      assert.deepEqual(await search(undefined, ['params.opt DESC']), ['beta', 'alpha', ...tieNames()]);
      assert.deepEqual(await search(undefined, ['tags.team']), ['delta', 'alpha', 'beta', 'gamma-X']);
      assert.deepEqual(await search(undefined, ['tags.team DESC']), ['beta', 'delta', 'alpha', 'gamma-X']);
    });

    it('orders by attributes with NULLs last', async () => {
      assert.deepEqual(await search(undefined, ['attributes.end_time ASC']), ['alpha', 'gamma-X', 'delta', 'beta']);
      assert.deepEqual(await search(undefined, ['attributes.end_time DESC']), ['gamma-X', 'alpha', 'delta', 'beta']);
      assert.deepEqual(await search(undefined, ['attributes.start_time ASC']), ['alpha', 'beta', ...tieNames()]);
      assert.deepEqual(await search(undefined, ['created DESC']), [...tieNames(), 'beta', 'alpha']);
      assert.deepEqual(await search(undefined, ['attributes.run_name DESC']), ['gamma-X', 'delta', 'beta', 'alpha']);
      assert.deepEqual(await search(undefined, ['run_name']), ['alpha', 'beta', 'delta', 'gamma-X']);
      assert.deepEqual(await search(undefined, ['tags.team ASC', 'metrics.acc DESC']), ['alpha', 'delta', 'beta', 'gamma-X']);
    });

    it('pages with offset tokens and no token after the last page', async () => {
      const order = ['attributes.start_time ASC'];
      const all = await search(undefined, order);
      for (const size of [1, 3, 4]) {
        const seen: string[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const page = await ctx.tracking.runs.search({ experimentIds: [f.exp], orderBy: order, viewType: 'ACTIVE_ONLY', maxResults: size, pageToken: token });
          assert.ok(page.items.length <= size);
          seen.push(...page.items.map((r) => f.name[r.info.runId]));
          token = page.nextPageToken;
          pages++;
        } while (token);
        assert.deepEqual(seen, all, `page size ${size}`);
        assert.equal(pages, Math.ceil(all.length / size));
      }
      const third = await ctx.tracking.runs.search({ experimentIds: [f.exp], orderBy: order, viewType: 'ACTIVE_ONLY', maxResults: 1, pageToken: encodePageToken(2) });
      assert.deepEqual(third.items.map((r) => f.name[r.info.runId]), [all[2]]);
      const past = await ctx.tracking.runs.search({ experimentIds: [f.exp], viewType: 'ACTIVE_ONLY', maxResults: 5, pageToken: encodePageToken(100) });
      assert.deepEqual(past.items, []);
      assert.equal(past.nextPageToken, undefined);
    });

    it('returns runs with their params, tags, latest metrics and inputs', async () => {
      const page = await ctx.tracking.runs.search({ experimentIds: [f.exp], filter: "attributes.run_name = 'alpha'", viewType: 'ACTIVE_ONLY' });
      const [run]: Run[] = page.items;
      assert.deepEqual(run, await ctx.tracking.runs.get(f.id.alpha));
      assert.deepEqual(paramsOf(run), { lr: '0.1', opt: 'adam' });
      assert.equal(tagsOf(run).team, 'a');
      assert.deepEqual(run.metrics.map((m) => [m.key, m.value]), [['acc', 0.9], ['loss', 0.5]]);
      assert.deepEqual(run.datasetInputs.map((d) => d.dataset.name), ['train']);
    });

    it('gives LIKE and ILIKE one meaning on params, tags and run names: escapes, wildcards, case', async () => {
      const exp = await newExperiment(ctx, 'like-rules');
      const byId = new Map<string, string>();
      for (const v of LIKE_VALUES) {
        const run = await ctx.tracking.runs.create({ experimentId: exp, runName: v, tags: [{ key: 't', value: v }] });
        await ctx.tracking.runs.logBatch(run.info.runId, { metrics: [], params: [{ key: 'p', value: v }], tags: [] });
        byId.set(run.info.runId, v);
      }
      const failures: string[] = [];
      for (const field of ['params.p', 'tags.t', 'attributes.run_name']) {
        for (const c of LIKE_CASES) {
          const filter = `${field} ${c.op} ${filterText(c.pattern)}`;
          const page = await ctx.tracking.runs.search({ experimentIds: [exp], filter, viewType: 'ACTIVE_ONLY', maxResults: 1000 });
          const got = page.items.map((r) => byId.get(r.info.runId)!).sort();
          const want = [...c.matches].sort();
          if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${filter}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
        }
      }
      assert.deepEqual(failures, []);
    });

    it('refuses bad max_results, page tokens and filters', async () => {
      const q = { experimentIds: [f.exp], viewType: 'ACTIVE_ONLY' as const };
      await expectError(ctx.tracking.runs.search({ ...q, maxResults: 0 }), 'INVALID_ARGUMENT');
      await expectError(ctx.tracking.runs.search({ ...q, maxResults: 50001 }), 'INVALID_ARGUMENT');
      await expectError(ctx.tracking.runs.search({ ...q, pageToken: 'not a token' }), 'INVALID_ARGUMENT');
      await expectError(ctx.tracking.runs.search({ ...q, filter: "params.lr > '1'" }), 'INVALID_ARGUMENT');
      await expectError(ctx.tracking.runs.search({ ...q, filter: "metrics.acc > 'x'" }), 'INVALID_ARGUMENT');
      await expectError(ctx.tracking.runs.search({ ...q, orderBy: ['metrics.acc', 'metric.acc DESC'] }), 'INVALID_ARGUMENT');
      const ok = await ctx.tracking.runs.search({ ...q, maxResults: 50000 });
      assert.equal(ok.items.length, 4);
    });
  });
}
