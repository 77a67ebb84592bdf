/**
 * Client input that the database, not the validation, would otherwise judge: every dialect must
 * either store it intact or refuse it as INVALID_ARGUMENT. A raw driver error (a 500 on the
 * wire) or silent truncation fails these tests.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { type Ctx, acceptedOrInvalid, expectError, newExperiment, newRun, paramsOf, point, tagsOf } from './context';

export function robustnessTests(ctx: Ctx): void {
  describe('robustness', () => {
    let exp = '';
    let run = '';
    before(async () => {
      exp = await newExperiment(ctx, 'robust');
      run = await newRun(ctx, exp, { startTime: 1000 });
      await ctx.tracking.runs.logBatch(run, { metrics: [point('m', 1.5)], params: [{ key: 'p', value: 'v' }], tags: [] });
      await ctx.tracking.runs.update(run, { status: 'FINISHED', endTime: 2000 });
    });

    const search = async (filter: string) => {
      const page = await ctx.tracking.runs.search({ experimentIds: [exp], filter, viewType: 'ACTIVE_ONLY' });
      return page.items.map((r) => r.info.runId);
    };

    /** The right runs, or INVALID_ARGUMENT; never a driver error. */
    const matchesOrInvalid = async (filter: string, expected: string[]) => {
      const got = await acceptedOrInvalid(search(filter));
      if (got.ok) assert.deepEqual(got.value, expected, filter);
    };

    it('compares integer attributes with fractional numbers', async () => {
      await matchesOrInvalid('attributes.start_time > 999.5', [run]);
      await matchesOrInvalid('attributes.start_time < 1000.5', [run]);
      await matchesOrInvalid('attributes.start_time = 1000.5', []);
      await matchesOrInvalid('attributes.end_time >= 1999.9', [run]);
      const name = (await ctx.tracking.experiments.get(exp)).name;
      const page = await acceptedOrInvalid(ctx.tracking.experiments.search({ filter: `creation_time > 0.5 AND name = '${name}'`, maxResults: 10, viewType: 'ALL' }));
      if (page.ok) assert.deepEqual(page.value.items.map((e) => e.experimentId), [exp]);
    });

    it('compares integer attributes with numbers beyond their range', async () => {
      await matchesOrInvalid('attributes.start_time > 1e30', []);
      await matchesOrInvalid('attributes.start_time < 1e400', [run]);
      await matchesOrInvalid('attributes.start_time > -1e400', [run]);
    });

    it('compares metrics with numbers beyond the double range', async () => {
      await matchesOrInvalid('metrics.m < 1e400', [run]);
      await matchesOrInvalid('metrics.m > -1e400', [run]);
      await matchesOrInvalid('metrics.m > 1e400', []);
    });

    it('treats SQL in filter values as plain text', async () => {
      for (const filter of [
        "params.p = 'v'' OR ''1''=''1'",
        "params.p = 'x'; DROP TABLE runs; --'",
        "attributes.run_name LIKE '%'' OR 1=1 --'",
        "tags.`a'); DELETE FROM runs; --` = 'x'",
        "params.`p\" OR \"1\"=\"1` = 'v'",
        "datasets.name IN ('a'')', 'b') OR (1=1')",
      ]) {
        const got = await acceptedOrInvalid(search(filter));
        if (got.ok) assert.deepEqual(got.value, [], filter);
      }
      assert.deepEqual(await search("params.p = 'v'"), [run], 'the table is still there');
    });

    it('answers a 100 KB filter of attribute comparisons, or refuses it', async () => {
      const parts: string[] = [];
      while (parts.join(' AND ').length < 100_000) parts.push(`attributes.run_name != 'n${parts.length}'`);
      await matchesOrInvalid(parts.join(' AND '), [run]);
    });

    it('answers an IN list of 70,000 run ids, or refuses it', async () => {
      const ids = Array.from({ length: 70_000 }, (_, i) => `'r${i}'`);
      await matchesOrInvalid(`attributes.run_id IN (${ids.join(', ')}, '${run}')`, [run]);
    });

    it('answers a filter of 100 param comparisons (2 KB) within 2 seconds, or refuses it', async () => {
      const filter = Array.from({ length: 100 }, (_, i) => `params.p${i} = 'v'`).join(' AND ');
      const started = Date.now();
      await matchesOrInvalid(filter, []);
      const took = Date.now() - started;
      assert.ok(took < 2000, `a ${filter.length}-character filter took ${took} ms`);
    });

    it('answers filters holding NUL bytes and unusual unicode without a driver error', async () => {
      for (const filter of ["params.p = 'v\u0000'", "tags.t LIKE '%\u0000%'", "attributes.run_name = '\u0000'", "params.p = '\ud800'", "params.p = '😀𝔘\u200b'"]) {
        const got = await acceptedOrInvalid(search(filter));
        if (got.ok) assert.deepEqual(got.value, [], JSON.stringify(filter));
      }
    });

    it('stores or refuses over-long run names, never failing in the driver', async () => {
      const name = 'n'.repeat(300);
      const created = await acceptedOrInvalid(ctx.tracking.runs.create({ experimentId: exp, runName: name, tags: [] }));
      if (created.ok) assert.equal(created.value.info.runName, name);
    });

    it('renames a run through an mlflow.runName tag of up to 8000 characters', async () => {
      // A run-name tag is a tag (values up to 8000 characters), and it renames the run.
      const id = await newRun(ctx, exp);
      const renamed = await acceptedOrInvalid(ctx.tracking.runs.logBatch(id, { metrics: [], params: [], tags: [{ key: 'mlflow.runName', value: 'r'.repeat(1000) }] }));
      if (renamed.ok) {
        const r = await ctx.tracking.runs.get(id);
        assert.equal(tagsOf(r)['mlflow.runName'], 'r'.repeat(1000));
        assert.equal(r.info.runName, 'r'.repeat(1000));
      }
    });

    it('stores or refuses over-long user ids', async () => {
      const user = await acceptedOrInvalid(ctx.tracking.runs.create({ experimentId: exp, userId: 'u'.repeat(300), tags: [] }));
      if (user.ok) assert.equal(user.value.info.userId, 'u'.repeat(300));
    });

    it('stores or refuses over-long logged-model names and types', async () => {
      const model = await acceptedOrInvalid(ctx.tracking.loggedModels.create({ experimentId: exp, name: 'm'.repeat(600), modelType: 't'.repeat(600), tags: [], params: [] }));
      if (model.ok) {
        assert.equal(model.value.name, 'm'.repeat(600));
        assert.equal(model.value.modelType, 't'.repeat(600));
      }
    });

    it('stores or refuses over-long dataset source types, never truncating them silently', async () => {
      const id = await newRun(ctx, exp);
      const ds = { dataset: { name: 'd', digest: 'x', sourceType: 's'.repeat(100), source: '{}' }, tags: [] };
      const logged = await acceptedOrInvalid(ctx.tracking.runs.logInputs(id, [ds], []));
      if (logged.ok) assert.equal((await ctx.tracking.runs.get(id)).datasetInputs[0]?.dataset.sourceType, 's'.repeat(100));
    });

    it('stores or refuses NUL bytes in values', async () => {
      const id = await newRun(ctx, exp);
      const got = await acceptedOrInvalid(ctx.tracking.runs.logBatch(id, { metrics: [], params: [{ key: 'nul', value: 'a\u0000b' }], tags: [{ key: 'nul', value: 'c\u0000d' }] }));
      if (got.ok) {
        const r = await ctx.tracking.runs.get(id);
        assert.equal(paramsOf(r).nul, 'a\u0000b');
        assert.equal(tagsOf(r).nul, 'c\u0000d');
      }
      await expectError(ctx.tracking.runs.logBatch(id, { metrics: [point('a\u0000b', 1)], params: [], tags: [] }), 'INVALID_ARGUMENT');
    });

    it('treats only % and _ as LIKE wildcards', async () => {
      const own = await newExperiment(ctx, 'like');
      const values = ['a*', 'abc', 'a?', 'ab', '[x]', 'x', 'a%', 'a_'];
      const ids: Record<string, string> = {};
      for (const v of values) {
        ids[v] = await newRun(ctx, own);
        await ctx.tracking.runs.logBatch(ids[v], { metrics: [], params: [{ key: 'pattern', value: v }], tags: [] });
      }
      const like = async (pattern: string) => {
        const page = await ctx.tracking.runs.search({ experimentIds: [own], filter: `params.pattern LIKE '${pattern}'`, viewType: 'ACTIVE_ONLY' });
        return page.items.map((r) => values.find((v) => ids[v] === r.info.runId)).sort();
      };
      assert.deepEqual(await like('a*'), ['a*']);
      assert.deepEqual(await like('a?'), ['a?']);
      assert.deepEqual(await like('[x]'), ['[x]']);
      assert.deepEqual(await like('a_'), ['a*', 'a%', 'a?', 'a_', 'ab'].sort());
      assert.deepEqual(await like('a%'), ['a*', 'a%', 'a?', 'a_', 'ab', 'abc'].sort());
      assert.deepEqual(await like('%]'), ['[x]']);
      assert.deepEqual(await like('A%'), []);
    });

    it('keeps non-ASCII text intact', async () => {
      const id = await newRun(ctx, exp, { runName: 'ラン-😀' });
      await ctx.tracking.runs.logBatch(id, { metrics: [], params: [{ key: 'p', value: 'ünïcødé 😀 𝔘' }], tags: [{ key: 't', value: '中文' }] });
      const r = await ctx.tracking.runs.get(id);
      assert.equal(r.info.runName, 'ラン-😀');
      assert.equal(paramsOf(r).p, 'ünïcødé 😀 𝔘');
      assert.equal(tagsOf(r).t, '中文');
      assert.deepEqual(await search("params.p = 'ünïcødé 😀 𝔘'"), [id]);
      assert.deepEqual(await search("attributes.run_name LIKE 'ラン%'"), [id]);
    });
  });
}
