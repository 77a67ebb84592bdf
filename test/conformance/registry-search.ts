/**
 * Registered-model and model-version searches: every filter key and operator the parsers in
 * core/query/targets.ts produce, ordering with its tie-breakers, and paging. Every search is
 * scoped to the test's own name prefix, since the suite shares one database.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { Comparator, Comparison, Filter, Literal, OrderTerm } from '../../src/core/query/ast';
import { and, or } from '../../src/core/query/filter';
import {
  parseModelVersionFilter, parseModelVersionOrderBy, parseRegisteredModelFilter, parseRegisteredModelOrderBy,
} from '../../src/core/query/targets';
import { type Ctx, uniq } from './context';
import { createModel, onModel, register } from './registry';

const cmp = (entity: 'attribute' | 'tag', key: string, op: Comparator, value?: Literal | Literal[]): Comparison => ({ kind: 'compare', entity, key, op, value });

export function registrySearchTests(ctx: Ctx): void {
  describe('registry search', () => {
    const p = `s${uniq()}`;
    /** Models by suffix; the odd names are there to be matched literally. */
    const names = {
      alpha: `${p}-alpha`, beta: `${p}-beta`, gamma: `${p}-gamma_1`, pct: `${p}-gam%ma`, quote: `${p}-it's "q"`, uni: `${p}-Ünïcødé-模型`,
    };

    const models = async (filter: Filter, orderBy: OrderTerm[] = [], offset = 0, limit = 100) =>
      (await ctx.store.searchRegisteredModels({ filter: and(cmp('attribute', 'name', 'LIKE', `${p}%`), filter), orderBy, offset, limit })).map((m) => m.name);
    const rmText = async (filter: string, orderBy?: string[], offset = 0, limit = 100) =>
      models(parseRegisteredModelFilter(filter), parseRegisteredModelOrderBy(orderBy), offset, limit);
    const versions = async (filter: Filter, orderBy: OrderTerm[] = [], offset = 0, limit = 100) =>
      (await ctx.store.searchModelVersions({ filter: and(cmp('attribute', 'name', 'LIKE', `${p}%`), filter), orderBy, offset, limit }))
        .map((v) => `${v.name.slice(p.length + 1)}/${v.version}`);
    const mvText = async (filter: string, orderBy?: string[], offset = 0, limit = 100) =>
      versions(parseModelVersionFilter(filter), parseModelVersionOrderBy(orderBy), offset, limit);

    before(async () => {
      let t = 10_000;
      const tagsOf: Record<string, Array<{ key: string; value: string }>> = {
        alpha: [{ key: 'team', value: 'red' }, { key: 'mlflow.prompt.is_prompt', value: 'false' }],
        beta: [{ key: 'team', value: 'blue' }],
        gamma: [{ key: 'team', value: 'Red' }, { key: 'mlflow.prompt.is_prompt', value: 'true' }],
      };
      for (const [k, name] of Object.entries(names)) await createModel(ctx.store, name, { time: t++, tags: tagsOf[k] ?? [] });
      // alpha: 3 versions, beta: 2, gamma: 1; last-update times tie for alpha and beta.
      for (let i = 1; i <= 3; i++) {
        await register(ctx.store, names.alpha, { runId: `run-a${i}`, source: `s3://bucket/alpha/${i}`, time: 20_000 + i, tags: i === 2 ? [{ key: 'stage', value: 'cand' }] : [] });
      }
      await register(ctx.store, names.beta, { runId: 'run-b1', source: 'models:/m-b1', time: 20_010, tags: [{ key: 'stage', value: 'prod' }] });
      await register(ctx.store, names.beta, { runId: 'run-b2', source: 'models:/m-b2', time: 20_011 });
      await register(ctx.store, names.gamma, { source: 'file:///x/100%_done', time: 20_020 });
      await register(ctx.store, names.quote, { runId: 'run-q1', source: 's3://bucket/quote', time: 20_030 });
      for (const n of [names.alpha, names.beta]) await onModel(ctx.store, n, (r, m) => r.updateModel(m, { lastUpdatedTimestamp: 50_000 }));
      await onModel(ctx.store, names.gamma, (r, m) => r.updateModel(m, { lastUpdatedTimestamp: 60_000 }));
      await onModel(ctx.store, names.alpha, async (r, m) => {
        await r.setAlias(m, 'champ', 2);
        await r.updateVersion(m, 3, { stage: 'Staging', lastUpdatedTimestamp: 30_000 });
      });
    });

    it('registered models: name by =, !=, LIKE and ILIKE, odd characters literal', async () => {
      assert.deepEqual(await rmText(`name = '${names.alpha}'`), [names.alpha]);
      assert.deepEqual(await models(cmp('attribute', 'name', '=', names.quote)), [names.quote]);
      assert.deepEqual(await models(cmp('attribute', 'name', '=', names.uni)), [names.uni]);
      assert.deepEqual(await models(cmp('attribute', 'name', '=', names.uni.toLowerCase())), []);
      assert.deepEqual(await models(cmp('attribute', 'name', '=', `${p}-gam_ma`)), [], '_ is literal in =');
      assert.deepEqual(await models(cmp('attribute', 'name', '=', `${p}-gam%`)), [], '% is literal in =');
      assert.deepEqual((await rmText(`name != '${names.alpha}'`)).length, 5);
      assert.deepEqual(await rmText(`name LIKE '%-gam%'`), [names.pct, names.gamma]);
      assert.deepEqual(await models(cmp('attribute', 'name', 'LIKE', `${p}-gam\\%ma`)), [names.pct], 'an escaped % is literal in LIKE');
      assert.deepEqual(await models(cmp('attribute', 'name', 'LIKE', `${p}-gamma\\_1`)), [names.gamma]);
      assert.deepEqual(await models(cmp('attribute', 'name', 'LIKE', `${p}-gamma_1`)), [names.gamma]);
      assert.deepEqual(await models(cmp('attribute', 'name', 'LIKE', `${p}-gamm__1`)), [names.gamma], '_ is one character');
      assert.deepEqual(await models(cmp('attribute', 'name', 'LIKE', `${p}-gamm_1`)), []);
      assert.deepEqual(await models(cmp('attribute', 'name', 'LIKE', `%it's "q"`)), [names.quote]);
      assert.deepEqual(await rmText(`name LIKE '%ALPHA'`), [], 'LIKE is case-sensitive');
      assert.deepEqual(await rmText(`name ILIKE '%ALPHA'`), [names.alpha]);
      assert.deepEqual(await models(cmp('attribute', 'name', 'ILIKE', '%üNÏCØDÉ-模型')), [names.uni]);
    });

    it('registered models: tags by =, !=, LIKE, ILIKE, IS NULL and the prompt clause', async () => {
      assert.deepEqual(await rmText(`tags.team = 'red'`), [names.alpha]);
      assert.deepEqual(await rmText(`tags.team LIKE 'r%'`), [names.alpha]);
      assert.deepEqual(await rmText(`tags.team ILIKE 'r%'`), [names.alpha, names.gamma]);
      assert.deepEqual(await rmText(`tags.team != 'red'`), [names.beta, names.gamma], 'plain != needs the tag');
      assert.deepEqual(await models(cmp('tag', 'team', 'IS NULL')), [names.pct, names.quote, names.uni]);
      assert.deepEqual(await models(cmp('tag', 'team', 'IS NOT NULL')), [names.alpha, names.beta, names.gamma]);
      // The core reads the client's prompt clause with a missing tag as "not equal".
      const notPrompt = or(cmp('tag', 'mlflow.prompt.is_prompt', '!=', 'true'), cmp('tag', 'mlflow.prompt.is_prompt', 'IS NULL'));
      assert.deepEqual(await models(notPrompt), [names.alpha, names.beta, names.pct, names.quote, names.uni]);
      assert.deepEqual(await models(and(notPrompt, cmp('tag', 'team', '=', 'blue'))), [names.beta]);
      assert.deepEqual(await rmText(`tags.team = 'red' AND name LIKE '%beta'`), []);
    });

    it('registered models: ordered by name by default, other orders tie-broken by name; pages of limit+1', async () => {
      const all = [names.uni, names.alpha, names.beta, names.pct, names.gamma, names.quote].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      assert.deepEqual(await rmText(''), all);
      assert.deepEqual(await rmText('', ['name DESC']), [...all].reverse());
      const byUpdate = await rmText(`name LIKE '%-%a%'`, ['timestamp DESC']);
      assert.deepEqual(byUpdate.slice(0, 3), [names.gamma, names.alpha, names.beta], 'ties on the update time go by name');
      assert.deepEqual(await rmText(`tags.team LIKE '%'`, ['last_updated_timestamp ASC']), [names.alpha, names.beta, names.gamma]);
      assert.deepEqual(await rmText('', undefined, 0, 2), all.slice(0, 3), 'a page holds one model more than asked');
      assert.deepEqual(await rmText('', undefined, 2, 2), all.slice(2, 5));
      assert.deepEqual(await rmText('', undefined, 5, 2), all.slice(5));
      assert.deepEqual(await rmText('', undefined, 6, 2), []);
    });

    it('registered models in a search page come with their latest versions, tags and aliases', async () => {
      const [a] = await ctx.store.searchRegisteredModels({ filter: parseRegisteredModelFilter(`name = '${names.alpha}'`), orderBy: [], offset: 0, limit: 10 });
      assert.deepEqual(a.latestVersions.map((v) => [v.currentStage, v.version]), [['None', '2'], ['Staging', '3']]);
      assert.deepEqual(a.latestVersions[0].aliases, ['champ']);
      assert.deepEqual(a.latestVersions[0].tags, [{ key: 'stage', value: 'cand' }]);
      assert.deepEqual(a.aliases, [{ alias: 'champ', version: '2' }]);
      assert.deepEqual(a.tags, [{ key: 'mlflow.prompt.is_prompt', value: 'false' }, { key: 'team', value: 'red' }]);
      assert.equal(a.lastUpdatedTimestamp, 50_000);
    });

    it('model versions: name, run_id (= and IN), source_path, version_number and tags', async () => {
      assert.deepEqual(await mvText(`name = '${names.alpha}'`), ['alpha/3', 'alpha/2', 'alpha/1']);
      assert.deepEqual(await versions(cmp('attribute', 'name', '=', names.quote)), [`it's "q"/1`]);
      assert.deepEqual(await mvText(`name ILIKE '%BETA'`), ['beta/2', 'beta/1']);
      assert.deepEqual(await mvText(`run_id = 'run-a2'`), ['alpha/2']);
      assert.deepEqual(await mvText(`run_id IN ('run-a1', 'run-b2', 'nope')`), ['alpha/1', 'beta/2']);
      assert.deepEqual(await mvText(`run_id != 'run-a1' AND name LIKE '%alpha'`), ['alpha/3', 'alpha/2']);
      assert.deepEqual(await mvText(`run_id LIKE 'run-b%'`), ['beta/2', 'beta/1']);
      assert.deepEqual(await mvText(`source_path LIKE 's3://bucket/%'`), ['alpha/3', 'alpha/2', 'alpha/1', `it's "q"/1`]);
      assert.deepEqual(await mvText(`source_path = 'models:/m-b1'`), ['beta/1']);
      assert.deepEqual(await versions(cmp('attribute', 'source_path', 'LIKE', '%100\\%\\_done')), ['gamma_1/1']);
      assert.deepEqual(await versions(cmp('attribute', 'source_path', 'LIKE', '%1%0\\%\\_done')), ['gamma_1/1']);
      assert.deepEqual(await versions(cmp('attribute', 'source_path', 'LIKE', '%100\\_done')), [], 'an escaped _ is not a wildcard');
      assert.deepEqual(await mvText(`version_number > 1`), ['alpha/3', 'alpha/2', 'beta/2']);
      assert.deepEqual(await mvText(`version_number = '2'`), ['alpha/2', 'beta/2']);
      assert.deepEqual(await mvText(`version_number <= 1 AND name LIKE '%a'`), ['alpha/1', 'beta/1']);
      assert.deepEqual(await versions(cmp('attribute', 'version_number', '>', 2.5)), ['alpha/3'], 'a fraction bounds the integers');
      assert.deepEqual(await mvText(`tags.stage = 'prod'`), ['beta/1']);
      assert.deepEqual(await mvText(`tags.stage != 'prod'`), ['alpha/2']);
      assert.deepEqual(await mvText(`tags.stage LIKE '%a%'`), ['alpha/2']);
      assert.deepEqual(await versions(and(cmp('attribute', 'name', 'LIKE', '%beta'), cmp('tag', 'stage', 'IS NULL'))), ['beta/2']);
      assert.deepEqual(await versions(or(cmp('tag', 'stage', '!=', 'prod'), cmp('tag', 'stage', 'IS NULL'))), ['alpha/3', 'alpha/2', 'alpha/1', 'beta/2', 'gamma_1/1', `it's "q"/1`]);
    });

    it('model versions: name ascending then newest first by default, other orders tie-broken so; pages of limit+1', async () => {
      const all = ['alpha/3', 'alpha/2', 'alpha/1', 'beta/2', 'beta/1', 'gamma_1/1', `it's "q"/1`];
      assert.deepEqual(await mvText(''), all);
      assert.deepEqual(await mvText('', ['creation_timestamp ASC']), ['alpha/1', 'alpha/2', 'alpha/3', 'beta/1', 'beta/2', 'gamma_1/1', `it's "q"/1`]);
      assert.deepEqual(await mvText('', ['version_number ASC']), ['alpha/1', 'beta/1', 'gamma_1/1', `it's "q"/1`, 'alpha/2', 'beta/2', 'alpha/3']);
      assert.deepEqual(await mvText('', ['name DESC']), [`it's "q"/1`, 'gamma_1/1', 'beta/2', 'beta/1', 'alpha/3', 'alpha/2', 'alpha/1']);
      // Every version of alpha and beta has a different update time but alpha/3 (30,000).
      assert.deepEqual((await mvText('', ['last_updated_timestamp DESC'])).slice(0, 2), ['alpha/3', `it's "q"/1`]);
      assert.deepEqual(await mvText('', undefined, 0, 3), all.slice(0, 4));
      assert.deepEqual(await mvText('', undefined, 3, 3), all.slice(3, 7));
      assert.deepEqual(await mvText('', undefined, 6, 3), all.slice(6));
      const [v] = await ctx.store.searchModelVersions({ filter: parseModelVersionFilter(`name = '${names.alpha}' AND version_number = 2`), orderBy: [], offset: 0, limit: 1 });
      assert.deepEqual(v.aliases, ['champ']);
      assert.deepEqual(v.tags, [{ key: 'stage', value: 'cand' }]);
      assert.equal(v.runId, 'run-a2');
    });

    it('a filter tree (Or, Not) over registry keys keeps its meaning', async () => {
      assert.deepEqual(await models(or(cmp('attribute', 'name', '=', names.beta), cmp('tag', 'team', '=', 'red'))), [names.alpha, names.beta]);
      assert.deepEqual(await models({ kind: 'not', term: cmp('tag', 'team', 'LIKE', '%e%') }), [names.pct, names.quote, names.uni]);
      assert.deepEqual(await versions({ kind: 'not', term: cmp('attribute', 'run_id', 'LIKE', 'run-%') }), ['gamma_1/1'], 'a version without a run is outside every run_id comparison, so inside its Not');
    });
  });
}
