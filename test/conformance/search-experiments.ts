/** search_experiments: filters on attributes and tags, ordering, paging and view types. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { ViewType } from '../../src/core/model';
import type { Filter } from '../../src/core/query/ast';
import { and, comparison, not, or } from '../../src/core/query/filter';
import { LIMITS } from '../../src/core/limits';
import { type Ctx, expectError, sleep, uniq } from './context';
import { deepTree, depth, expectedMatches, type Leaf, randomTrees, size, wideTree } from './filter-trees';
import { filterText, LIKE_CASES, LIKE_VALUES } from './like-cases';

export function searchExperimentTests(ctx: Ctx): void {
  describe('search experiments', () => {
    let prefix = '';
    const ids: Record<string, string> = {};
    const created: Record<string, number> = {};

    before(async () => {
      prefix = `sx-${uniq()}-`;
      // Distinct creation times, in this order: a, c, b, d (d is deleted afterwards).
      for (const [name, tags] of [
        ['a', [{ key: 'team', value: 'red' }, { key: 'env', value: 'prod' }]],
        ['c', [{ key: 'team', value: 'blue' }]],
        ['b', [{ key: 'team', value: 'Red' }]],
        ['d', [{ key: 'team', value: 'red' }]],
      ] as const) {
        ids[name] = await ctx.tracking.experiments.create(prefix + name, undefined, [...tags]);
        created[name] = (await ctx.tracking.experiments.get(ids[name])).creationTime;
        await sleep(5);
      }
      await ctx.tracking.experiments.delete(ids.d);
    });

    const names = (items: Array<{ name: string }>) => items.map((e) => e.name.slice(prefix.length));
    async function search(filter = '', orderBy?: string[], viewType: ViewType = 'ACTIVE_ONLY'): Promise<string[]> {
      const scoped = [`name LIKE '${prefix}%'`, filter].filter(Boolean).join(' AND ');
      const page = await ctx.tracking.experiments.search({ filter: scoped, orderBy, viewType, maxResults: 1000 });
      return names(page.items);
    }

    it('orders by creation_time DESC, then experiment_id ASC by default', async () => {
      assert.deepEqual(await search(), ['b', 'c', 'a']);
    });

    it('filters on the name', async () => {
      assert.deepEqual(await search(`name = '${prefix}a'`), ['a']);
      assert.deepEqual(await search(`name != '${prefix}a'`), ['b', 'c']);
      assert.deepEqual(await search(`attribute.name LIKE '%c'`), ['c']);
      assert.deepEqual(await search(`name LIKE '${prefix.toUpperCase()}%'`), []);
      assert.deepEqual(await search(`name ILIKE '${prefix.toUpperCase()}A'`), ['a']);
    });

    it('gives LIKE and ILIKE on names and tags the meaning they have for runs', async () => {
      const own = `lk-${uniq()}-`;
      for (const v of LIKE_VALUES) await ctx.tracking.experiments.create(own + v, undefined, [{ key: 't', value: v }]);
      const failures: string[] = [];
      for (const c of LIKE_CASES) {
        for (const [field, pattern] of [['name', own + c.pattern], ['tags.t', c.pattern]]) {
          // The name filter also keeps other sections' experiments out of the tag filter's answer.
          const filter = `name LIKE '${own}%' AND ${field} ${c.op} ${filterText(pattern)}`;
          const page = await ctx.tracking.experiments.search({ filter, viewType: 'ALL', maxResults: 1000 });
          const got = page.items.map((e) => e.name.slice(own.length)).sort();
          const want = [...c.matches].sort();
          if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${filter}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
        }
      }
      assert.deepEqual(failures, []);
    });

    it('filters on creation and update times', async () => {
      assert.deepEqual(await search(`creation_time > ${created.a}`), ['b', 'c']);
      assert.deepEqual(await search(`creation_time >= ${created.a}`), ['b', 'c', 'a']);
      assert.deepEqual(await search(`creation_time = ${created.c}`), ['c']);
      assert.deepEqual(await search(`creation_time < ${created.b}`), ['c', 'a']);
      assert.deepEqual(await search(`last_update_time >= ${created.a}`), ['b', 'c', 'a']);
    });

    it('filters on tags, including IS NULL and IS NOT NULL', async () => {
      assert.deepEqual(await search("tags.team = 'red'"), ['a']);
      assert.deepEqual(await search("tags.team != 'red'"), ['b', 'c']);
      assert.deepEqual(await search("tags.team LIKE 'r%'"), ['a']);
      assert.deepEqual(await search("tags.team ILIKE 'r%'"), ['b', 'a']);
      assert.deepEqual(await search('tags.env IS NULL'), ['b', 'c']);
      assert.deepEqual(await search('tags.env IS NOT NULL'), ['a']);
      assert.deepEqual(await search("tag.team = 'red' AND tags.env = 'prod'"), ['a']);
    });

    it('orders by name, experiment_id, creation_time and last_update_time', async () => {
      assert.deepEqual(await search('', ['name']), ['a', 'b', 'c']);
      assert.deepEqual(await search('', ['name DESC']), ['c', 'b', 'a']);
      assert.deepEqual(await search('', ['experiment_id ASC']), ['a', 'c', 'b']);
      assert.deepEqual(await search('', ['experiment_id DESC']), ['b', 'c', 'a']);
      assert.deepEqual(await search('', ['creation_time ASC']), ['a', 'c', 'b']);
      assert.deepEqual(await search('', ['attribute.last_update_time DESC']), ['b', 'c', 'a']);
    });

    it('honours the view type', async () => {
      assert.deepEqual(await search('', undefined, 'DELETED_ONLY'), ['d']);
      assert.deepEqual(await search('', undefined, 'ALL'), ['d', 'b', 'c', 'a']);
      assert.deepEqual(await search("tags.team = 'red'", undefined, 'ALL'), ['d', 'a']);
    });

    it('pages with tokens until the last page', async () => {
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await ctx.tracking.experiments.search({ filter: `name LIKE '${prefix}%'`, orderBy: ['name'], viewType: 'ALL', maxResults: 3, pageToken: token });
        seen.push(...names(page.items));
        token = page.nextPageToken;
        pages++;
      } while (token);
      assert.deepEqual(seen, ['a', 'b', 'c', 'd']);
      assert.equal(pages, 2);
    });

    it('filters by experiment_id with =, !=, IN and NOT IN (MLflow 3.17)', async () => {
      const all = await ctx.tracking.experiments.search({ maxResults: 100, viewType: 'ALL' });
      const ids = all.items.map((e) => e.experimentId).sort();
      const pick = ids.slice(0, 2);
      const got = async (filter: string) =>
        (await ctx.tracking.experiments.search({ filter, maxResults: 100, viewType: 'ALL' })).items.map((e) => e.experimentId).sort();
      assert.deepEqual(await got(`experiment_id = '${pick[0]}'`), [pick[0]]);
      assert.deepEqual(await got(`experiment_id IN ('${pick[0]}', '${pick[1]}')`), [...pick].sort());
      assert.deepEqual(await got(`experiment_id NOT IN ('${pick[0]}')`), ids.filter((i) => i !== pick[0]));
      assert.deepEqual(await got(`experiment_id != '${pick[1]}'`), ids.filter((i) => i !== pick[1]));
    });

    /** Comparisons on names, times, ids and tags, with the active experiments each holds for. */
    const leaves = (): Leaf[] => [
      [comparison('tag', 'team', '=', 'red'), ['a']],
      [comparison('tag', 'env', 'IS NULL'), ['b', 'c']],
      [comparison('tag', 'team', 'ILIKE', 'red'), ['a', 'b']],
      [comparison('tag', 'env', '=', 'prod'), ['a']],
      [comparison('tag', 'team', '!=', 'blue'), ['a', 'b']],
      [comparison('tag', 'nobody_has', '=', 'x'), []],
      [comparison('attribute', 'name', '=', `${prefix}c`), ['c']],
      [comparison('attribute', 'name', 'LIKE', '%b'), ['b']],
      [comparison('attribute', 'creation_time', '>', created.a), ['b', 'c']],
      [comparison('attribute', 'last_update_time', '>=', created.a), ['a', 'b', 'c']],
      [comparison('attribute', 'experiment_id', 'IN', [ids.a, ids.b]), ['a', 'b']],
      [comparison('attribute', 'experiment_id', '!=', ids.c), ['a', 'b']],
    ];
    /** Trees searched among this section's experiments only (the scoping comparison adds two nodes). */
    const searchTree = async (filter: Filter, viewType: ViewType = 'ACTIVE_ONLY') => {
      const scoped = and(comparison('attribute', 'name', 'LIKE', `${prefix}%`), filter);
      return names(await ctx.store.searchExperiments({ filter: scoped, orderBy: [], viewType, offset: 0, limit: 1000 })).sort();
    };
    const treeMatches = async (filter: Filter, expected: string[]) =>
      assert.deepEqual(await searchTree(filter), [...expected].sort(), JSON.stringify(filter).slice(0, 2000));

    it('filter trees: Ors in Ands, Nots over tags some experiments lack, Nots over Ors', async () => {
      const [red, envNull, , prod] = leaves().map(([c]) => c);
      const blue = comparison('tag', 'team', '=', 'blue');
      await treeMatches(and(or(red, blue), or(prod, comparison('attribute', 'name', 'LIKE', '%c'))), ['a', 'c']);
      await treeMatches(not(prod), ['b', 'c']);
      await treeMatches(not(envNull), ['a']);
      await treeMatches(not(comparison('tag', 'nobody_has', '!=', 'x')), ['a', 'b', 'c']);
      await treeMatches(not(or(red, blue)), ['b']);
      await treeMatches(or(), []);
      assert.deepEqual(await searchTree(or(red, blue), 'ALL'), ['a', 'c', 'd']);
    });

    it('filter trees: random trees match what the two-valued meaning says', async () => {
      const table = leaves();
      const failures: string[] = [];
      for (const f of randomTrees(table, 40, 5, 99)) {
        const got = await searchTree(f);
        const want = expectedMatches(f, table, ['a', 'b', 'c']);
        if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${JSON.stringify(f)}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      }
      assert.deepEqual(failures, []);
    });

    it('filter trees: run at the depth and size bounds, and are refused past them', async () => {
      const table = leaves();
      const deep = deepTree(table, LIMITS.filterDepth - 1);
      assert.equal(depth(and(deep)), LIMITS.filterDepth);
      await treeMatches(deep, expectedMatches(deep, table, ['a', 'b', 'c']));
      const wide = wideTree(table, LIMITS.filterTerms - 2);
      assert.equal(size(and(comparison('attribute', 'name', '=', ''), wide)), LIMITS.filterTerms);
      await treeMatches(wide, expectedMatches(wide, table, ['a', 'b', 'c']));
      await expectError(searchTree(deepTree(table, LIMITS.filterDepth)), 'INVALID_ARGUMENT', /nest at most/);
      await expectError(searchTree(wideTree(table, LIMITS.filterTerms - 1)), 'INVALID_ARGUMENT', /at most 1000 terms/);
    });

    it('refuses bad max_results and filters', async () => {
      await expectError(ctx.tracking.experiments.search({ maxResults: 0, viewType: 'ALL' }), 'INVALID_ARGUMENT');
      await expectError(ctx.tracking.experiments.search({ maxResults: 50001, viewType: 'ALL' }), 'INVALID_ARGUMENT');
      await expectError(ctx.tracking.experiments.search({ filter: "experiment_id > '1'", maxResults: 10, viewType: 'ALL' }), 'INVALID_ARGUMENT');
      await expectError(ctx.tracking.experiments.search({ orderBy: ['tags.team'], maxResults: 10, viewType: 'ALL' }), 'INVALID_ARGUMENT');
    });
  });
}
