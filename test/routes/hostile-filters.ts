/**
 * Hostile search input: SQL injection attempts, 100 KB filters, unicode and NUL bytes. Each is
 * answered with a 400 or a correct (empty) result, never a 500, and the database is intact after.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { assertClientError, createExperiment, createRun, type RouteCtx } from './context';

/** `params.p0 = 'v' AND params.p1 = 'v' AND …` until the text reaches `size` characters. */
function chain(size: number, clause: (i: number) => string): string {
  const parts: string[] = [];
  let length = 0;
  while (length < size) {
    const c = clause(parts.length);
    parts.push(c);
    length += c.length + 5;
  }
  return parts.join(' AND ');
}

const INJECTIONS = [
  "attributes.run_name = 'x' OR 1=1",
  "attributes.run_name = 'x' OR '1'='1'",
  "params.p = 'x'; DROP TABLE runs; --",
  "params.p = 'x''; DROP TABLE runs; --'",
  "params.p = 'x\\'; DROP TABLE runs; --'",
  "tags.\"a\"\" OR \"\"1\"\"=\"\"1\" = 'x'",
  "tags.`t``; DELETE FROM tags; --` = 'x'",
  "attributes.run_id IN ('a') UNION SELECT * FROM runs --",
  "attributes.run_id IN ('a'); DELETE FROM runs WHERE ('1' = '1')",
  "metrics.m > 0) OR (1=1",
  "metrics.m > 0 /* comment */",
  "metrics.m > 0x41",
  '1=1',
  "params.p LIKE '%' --",
  "params.p = (SELECT value FROM params LIMIT 1)",
  "attributes.`run_uuid` = 'x'",
  "attributes.lifecycle_stage = 'deleted'",
  "datasets.name IN ('a', (SELECT name FROM datasets))",
  "params.p = 'x' AND",
  "AND AND params.p = 'x'",
  "params.p = 'unterminated",
  'params.p = "mixed\'',
  `params.p = '${'\\'.repeat(1001)}'`,
  `${'('.repeat(10_000)}params.p = 'x'${')'.repeat(10_000)}`,
];

const ORDER_INJECTIONS = [
  ['params.p; DROP TABLE runs'],
  ['attributes.start_time DESC, attributes.run_id'],
  ['metrics.m DESC NULLS FIRST'],
  ['(SELECT 1)'],
  ['attributes.start_time DESC; --'],
  ['tags.`x`` DESC; DROP TABLE runs; --` ASC'],
  ['metrics.`m` ASC', 'metrics.`m` DESC'],
];

export function hostileFilterTests(ctx: RouteCtx): void {
  describe('hostile filters', () => {
    let exp = '';
    let run = '';
    let tablesBefore: string[] = [];
    before(async () => {
      exp = await createExperiment(ctx, 'hostile');
      run = await createRun(ctx, exp, { run_name: 'target' });
      await ctx.api.post('/api/2.0/mlflow/runs/log-batch').send({ run_id: run, params: [{ key: 'p', value: 'v' }], metrics: [{ key: 'm', value: 1, timestamp: 1 }], tags: [{ key: 't', value: 'x' }] });
      tablesBefore = (await ctx.store.db.raw("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name")).map((r: { name: string }) => r.name);
    });

    /** 400 with MLflow's error shape, or 200 with exactly the expected runs. */
    async function searchSafely(filter: unknown, expected: string[] = [], orderBy?: unknown): Promise<void> {
      const problem = await searchProblem(filter, expected, orderBy);
      if (problem) assert.fail(problem);
    }

    /** Like searchSafely, but returns what went wrong instead of throwing. */
    async function searchProblem(filter: unknown, expected: string[] = [], orderBy?: unknown): Promise<string | undefined> {
      try {
        await check(filter, expected, orderBy);
        return undefined;
      } catch (e) {
        return (e as Error).message.split('\n')[0];
      }
    }

    async function check(filter: unknown, expected: string[], orderBy?: unknown): Promise<void> {
      const res = await ctx.api.post('/api/2.0/mlflow/runs/search').send({ experiment_ids: [exp], filter, ...(orderBy ? { order_by: orderBy } : {}) });
      const what = `filter ${String(JSON.stringify(filter)).slice(0, 120)}${orderBy ? ` order_by ${JSON.stringify(orderBy)}` : ''}`;
      if (res.status === 200) {
        assert.deepEqual((res.body.runs ?? []).map((r: { info: { run_id: string } }) => r.info.run_id), expected, what);
      } else {
        assertClientError(res, what);
        assert.equal(res.status, 400, `${what}: ${res.text.slice(0, 200)}`);
      }
    }

    it('treats SQL injection attempts as plain text or refuses them', async () => {
      for (const filter of INJECTIONS) await searchSafely(filter);
      for (const orderBy of ORDER_INJECTIONS) await searchSafely(undefined, [run], orderBy);
    });

    it('handles 100 KB filters', async () => {
      const problems = [
        await searchProblem(`params.p = '${'a'.repeat(100_000)}'`),
        await searchProblem(`params.\`${'k'.repeat(100_000)}\` = 'v'`),
        await searchProblem(`attributes.run_id IN (${Array.from({ length: 20_000 }, (_, i) => `'${i}'`).join(', ')})`),
        await searchProblem(chain(100_000, (i) => `attributes.run_name != 'n${i}'`), [run]),
        await searchProblem(chain(100_000, (i) => `metrics.m${i} > 0`)),
        await searchProblem(chain(100_000, (i) => `params.p${i} = 'v'`)),
        await searchProblem(chain(100_000, (i) => `tags.t${i} IS NULL`), [run]),
      ].filter(Boolean);
      assert.deepEqual(problems, []);
    });

    it('handles unicode and NUL bytes', async () => {
      for (const filter of [
        "params.ключ = 'значение'",
        "tags.`😀` = '😀'",
        "params.p = 'ｖ'",
        "params.p = 'v\u200b'",
        "params.p = 'v\u0301'",
        "params.p = '\u202Ev'",
        "attributes.run_name = 'ターゲット'",
        "params.p = 'v\u0000'",
        "params.p = '\u0000' AND tags.t = 'x'",
        "params.p\u0000 = 'v'",
        "\u0000",
        "params.p = '\ud800'",
        "params.p = '\udfff\ud800'",
        "params.p = '\uffff'",
      ]) {
        await searchSafely(filter);
      }
      await searchSafely("params.p = 'v'", [run]);
    });

    it('handles non-string filters and order_by items', async () => {
      for (const filter of [42, true, { a: 1 }, ['params.p = \'v\'']]) await searchSafely(filter);
      for (const orderBy of [[42], [{ field: 'x' }], 'metrics.m']) await searchSafely(undefined, [run], orderBy);
    });

    it('handles hostile experiment-search filters', async () => {
      for (const filter of ["name = 'x' OR 1=1", "name = 'x''; DROP TABLE experiments; --'", "tags.`a'b` = 'c'", `name LIKE '${'%'.repeat(50_000)}'`, "name = '\u0000'", chain(100_000, (i) => `tags.t${i} IS NULL`)]) {
        const res = await ctx.api.post('/api/2.0/mlflow/experiments/search').send({ max_results: 10, filter });
        if (res.status !== 200) assertClientError(res, `experiments filter ${filter.slice(0, 80)}`);
      }
    });

    it('leaves the database intact', async () => {
      const tables = (await ctx.store.db.raw("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name")).map((r: { name: string }) => r.name);
      assert.deepEqual(tables, tablesBefore);
      await searchSafely("params.p = 'v' AND tags.t = 'x' AND metrics.m = 1", [run]);
      const res = await ctx.api.get('/api/2.0/mlflow/runs/get').query({ run_id: run });
      assert.equal(res.status, 200);
      assert.equal(res.body.run.data.params.length, 1);
      const integrity = await ctx.store.db.raw('PRAGMA integrity_check');
      assert.equal(integrity[0].integrity_check, 'ok');
    });
  });
}
