/**
 * Names and keys that differ only by trailing spaces are different names, as MLflow's own
 * databases (PostgreSQL, SQLite) keep them: never one object found by the other's name, never one
 * key overwriting the other. MySQL's `_bin` collations pad and would make them one (dialect.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { type Ctx, expectError, latestOf, newExperiment, newRun, paramsOf, point, tagsOf, uniq } from './context';
import { createModel, onModel, register } from './registry';

const SPACED = ['', ' ', '   '] as const;

export function trailingSpaceTests(ctx: Ctx): void {
  describe('names differing only by trailing spaces', () => {
    it('experiment names: each its own experiment, found by its exact name only', async () => {
      const base = `tsp-exp-${uniq()}`;
      const ids = [];
      for (const s of SPACED) ids.push(await ctx.tracking.experiments.create(base + s, undefined, []));
      assert.equal(new Set(ids).size, SPACED.length);
      for (const [i, s] of SPACED.entries()) assert.equal((await ctx.tracking.experiments.getByName(base + s)).experimentId, ids[i]);
      await expectError(ctx.tracking.experiments.getByName(`${base}    `), 'NOT_FOUND');
      // A rename onto a name that differs by a space is no collision.
      await ctx.tracking.experiments.rename(ids[0], `${base}    `);
      await expectError(ctx.tracking.experiments.create(`${base}    `, undefined, []), 'ALREADY_EXISTS');
    });

    it('experiment tag keys, run tag keys, param keys and metric keys: each its own entry', async () => {
      const exp = await newExperiment(ctx, 'tsp');
      for (const s of SPACED) await ctx.tracking.experiments.setTag(exp, { key: `k${s}`, value: `v${s.length}` });
      const expTags = Object.fromEntries((await ctx.tracking.experiments.get(exp)).tags.map((t) => [t.key, t.value]));
      for (const s of SPACED) assert.equal(expTags[`k${s}`], `v${s.length}`, `experiment tag 'k${s}'`);

      const run = await newRun(ctx, exp);
      await ctx.tracking.runs.logBatch(run, {
        metrics: SPACED.map((s, i) => point(`m${s}`, i + 1)),
        params: SPACED.map((s) => ({ key: `p${s}`, value: `v${s.length}` })),
        tags: SPACED.map((s) => ({ key: `t${s}`, value: `v${s.length}` })),
      });
      // Logged one at a time too: the second key must not land on the first's row.
      await ctx.tracking.runs.logBatch(run, { metrics: [], params: [], tags: [{ key: 't', value: 'again' }] });
      const got = await ctx.tracking.runs.get(run);
      const tags = tagsOf(got);
      const params = paramsOf(got);
      assert.equal(tags.t, 'again');
      for (const s of SPACED.slice(1)) assert.equal(tags[`t${s}`], `v${s.length}`, `run tag 't${s}'`);
      for (const s of SPACED) assert.equal(params[`p${s}`], `v${s.length}`, `param 'p${s}'`);
      for (const [i, s] of SPACED.entries()) {
        assert.equal(latestOf(got, `m${s}`)?.value, i + 1, `metric 'm${s}'`);
        const history = (await ctx.tracking.history.get(run, `m${s}`)).items;
        assert.deepEqual(history.map((p) => p.value), [i + 1], `history of 'm${s}'`);
      }
      // A param is written once: the spaced key is another param, not a change of the first.
      await ctx.tracking.runs.logBatch(run, { metrics: [], params: [{ key: 'p    ', value: 'new' }], tags: [] });
      assert.equal(paramsOf(await ctx.tracking.runs.get(run))['p    '], 'new');
      await ctx.tracking.runs.deleteTag(run, 't ');
      const left = tagsOf(await ctx.tracking.runs.get(run));
      assert.equal(left.t, 'again');
      assert.equal(left['t '], undefined);
      assert.equal(left['t   '], 'v3');
    });

    it('registered model names, registry tag keys and aliases: each its own', async () => {
      const base = `tsp-rm-${uniq()}`;
      for (const s of SPACED) await createModel(ctx.store, base + s, { description: `d${s.length}` });
      await expectError(createModel(ctx.store, `${base} `), 'ALREADY_EXISTS');
      for (const s of SPACED) assert.equal((await ctx.store.getRegisteredModel(base + s))?.description, `d${s.length}`, `model '${base}${s}'`);
      assert.equal(await ctx.store.getRegisteredModel(`${base}    `), undefined);

      for (const s of SPACED) await onModel(ctx.store, base, (r, m) => r.setModelTag(m, { key: `k${s}`, value: `v${s.length}` }));
      const v1 = await register(ctx.store, base);
      const v2 = await register(ctx.store, base);
      for (const s of SPACED) await onModel(ctx.store, base, (r, m) => r.setVersionTag(m, v1, { key: `k${s}`, value: `v${s.length}` }));
      await onModel(ctx.store, base, async (r, m) => {
        await r.setAlias(m, 'champ', v1);
        await r.setAlias(m, 'champ ', v2);
      });
      const model = await ctx.store.getRegisteredModel(base);
      assert.deepEqual(Object.fromEntries(model!.tags.map((t) => [t.key, t.value])), { k: 'v0', 'k ': 'v1', 'k   ': 'v3' });
      const version = await ctx.store.getModelVersion(base, v1);
      assert.deepEqual(Object.fromEntries(version!.tags.map((t) => [t.key, t.value])), { k: 'v0', 'k ': 'v1', 'k   ': 'v3' });
      assert.equal((await ctx.store.modelVersionByAlias(base, 'champ'))?.version, String(v1));
      assert.equal((await ctx.store.modelVersionByAlias(base, 'champ '))?.version, String(v2));
      assert.equal(await ctx.store.modelVersionByAlias(base, 'champ  '), undefined);
      assert.equal(await onModel(ctx.store, base, (r, m) => r.deleteModelTag(m, 'k ')), true);
      assert.deepEqual((await ctx.store.getRegisteredModel(base))!.tags.map((t) => t.key), ['k', 'k   ']);
    });
  });
}
