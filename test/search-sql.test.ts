/**
 * The SQL the search compilers produce: every user value travels as a bound parameter on every
 * dialect (no user text inside the SQL string), and on SQLite the hot queries use indexes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import knexFactory, { type Knex } from 'knex';

import { parseExperimentFilter, parseExperimentOrderBy, parseLoggedModelFilter, parseLoggedModelOrderBy, parseRunFilter, parseRunOrderBy } from '../src/core/query/targets';
import { compileRunSearch } from '../src/store/search/runs';
import { compileExperimentSearch } from '../src/store/search/experiments';
import { compileLoggedModelSearch } from '../src/store/logged-models';
import { DIALECTS, type DialectName as Dialect } from '../src/store/dialect';
import type { SqlStore } from '../src/store/sql-store';
import type { Tracking } from '../src/core/tracking';
import { createDatabase, FAST, openTracking, type TestDatabase } from './support/databases';
import { and, comparison, not, or } from '../src/core/query/filter';

const CLIENTS: Array<[Dialect, string]> = [['sqlite', 'better-sqlite3'], ['postgres', 'pg'], ['mysql', 'mysql2']];

/** Distinctive user text: none of it may appear in the SQL string itself. */
const EVIL = ["zq1' OR '1'='1", 'zq2"; DROP TABLE runs; --', 'zq3`) UNION SELECT * FROM params --', 'zq4\\', 'zq5%_[]', 'zq6 ünï 😀'];
/** The filter language's quoting: the quote doubled, a backslash doubled. */
const quoted = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
const backquoted = (s: string) => `\`${s.replace(/\\/g, '\\\\').replace(/`/g, '``')}\``;

/** Knex instances that only compile (no connection is ever made). */
function compilers(): Array<[Dialect, Knex]> {
  return CLIENTS.map(([dialect, client]) => [dialect, knexFactory({ client, useNullAsDefault: true })]);
}

function native(q: Knex.QueryBuilder): { sql: string; bindings: unknown[] } {
  const n = q.toSQL().toNative();
  return { sql: n.sql, bindings: [...n.bindings] };
}

function assertBound(sql: string, bindings: unknown[], values: Array<string | number>, what: string) {
  for (const v of values) {
    if (typeof v === 'string') {
      const marker = v.slice(0, 3);
      assert.ok(!sql.includes(marker), `${what}: user text ${JSON.stringify(v)} appears in the SQL:\n${sql}`);
      assert.ok(bindings.includes(v), `${what}: ${JSON.stringify(v)} is not among the bindings ${JSON.stringify(bindings)}`);
    } else {
      assert.ok(bindings.includes(v), `${what}: ${v} is not among the bindings ${JSON.stringify(bindings)}`);
      assert.ok(!new RegExp(`(^|[^\\w.])${String(v).replace('.', '\\.')}([^\\w.]|$)`).test(sql), `${what}: the number ${v} is inlined:\n${sql}`);
    }
  }
  assert.ok(!/DROP|UNION|OR '1'/.test(sql), `${what}: injected SQL reached the statement:\n${sql}`);
}

describe('compiled search SQL binds every user value', () => {
  const dbs = compilers();
  after(async () => { for (const [, db] of dbs) await db.destroy(); });

  it('run search: every entity, comparator and order term', () => {
    const [s1, s2, s3, s4, s5, s6] = EVIL;
    const filter = [
      `metrics.${backquoted(s1)} > 0.123456789`,
      `metrics.acc != 0.987654321`,
      `params.${backquoted(s2)} = ${quoted(s3)}`,
      `params.lr LIKE ${quoted(s4)}`,
      `params.opt ILIKE ${quoted(s5)}`,
      `params.${backquoted(s6)} IS NULL`,
      `tags.${backquoted(s1)} != ${quoted(s2)}`,
      `tags.team IS NOT NULL`,
      `attributes.run_name LIKE ${quoted(s3)}`,
      `attributes.user_id ILIKE ${quoted(s4)}`,
      `attributes.status = ${quoted(s5)}`,
      `attributes.start_time >= 1234567`,
      `attributes.run_id IN (${quoted(s6)}, ${quoted(s1)})`,
      `attributes.run_id NOT IN (${quoted(s2)})`,
      `datasets.name = ${quoted(s3)}`,
      `datasets.digest IN (${quoted(s4)})`,
      `datasets.context ILIKE ${quoted(s5)}`,
    ].join(' AND ');
    const orderBy = [`metrics.${backquoted(s4)} DESC`, `params.${backquoted(s5)}`, `tags.${backquoted(s6)} ASC`, 'attributes.end_time DESC'];
    const q = {
      experimentIds: ['zq7-experiment'], filter: parseRunFilter(filter), orderBy: parseRunOrderBy(orderBy),
      viewType: 'ALL' as const, offset: 7654321, limit: 4321,
    };
    const keyIds = new Map([[s1, 101], ['acc', 102], [s4, 103]]);
    for (const [dialect, db] of dbs) {
      const { sql, bindings } = native(compileRunSearch(db, DIALECTS[dialect], q, keyIds));
      assertBound(sql, bindings, [...EVIL, 'zq7-experiment', 'lr', 'opt', 'team', 0.123456789, 0.987654321, 1234567, 7654321, 101, 102, 103], `runs/${dialect}`);
    }
  });

  it('run search over an And/Or/Not tree, Nots over column comparisons included', () => {
    const [s1, s2, s3, s4, s5, s6] = EVIL;
    const filter = or(
      not(comparison('metric', s1, '<=', 0.123456789)),
      and(comparison('param', s2, '=', s3), not(or(comparison('tag', s4, 'ILIKE', s4), comparison('attribute', 'end_time', '>', 1234567)))),
      not(and(comparison('attribute', 'run_name', 'LIKE', s5), comparison('attribute', 'run_id', 'NOT IN', [s6]))),
      not(comparison('dataset', 'digest', '=', s1)),
      not(comparison('param', s5, 'IS NULL')),
    );
    const q = { experimentIds: ['zq7-experiment'], filter, orderBy: [], viewType: 'ALL' as const, offset: 7654321, limit: 4321 };
    for (const [dialect, db] of dbs) {
      const { sql, bindings } = native(compileRunSearch(db, DIALECTS[dialect], q, new Map([[s1, 101]])));
      assertBound(sql, bindings, [...EVIL, 'zq7-experiment', 0.123456789, 1234567, 7654321, 101], `run tree/${dialect}`);
      assert.match(sql, /not \(/i, `run tree/${dialect}: ${sql}`);
    }
  });

  it('experiment search: attributes, tags and ordering', () => {
    const [s1, s2, s3, s4] = EVIL;
    const filter = [
      `name LIKE ${quoted(s1)}`,
      `attribute.name != ${quoted(s2)}`,
      `name ILIKE ${quoted(s3)}`,
      `tags.${backquoted(s4)} = ${quoted(s1)}`,
      `tags.owner IS NULL`,
      `creation_time > 1234567`,
      `last_update_time <= 7654321`,
    ].join(' AND ');
    const q = { filter: parseExperimentFilter(filter), orderBy: parseExperimentOrderBy(['name DESC', 'experiment_id']), viewType: 'ACTIVE_ONLY' as const, offset: 3456789, limit: 987 };
    for (const [dialect, db] of dbs) {
      const { sql, bindings } = native(compileExperimentSearch(db, DIALECTS[dialect], q));
      assertBound(sql, bindings, [s1, s2, s3, s4, 'owner', 1234567, 7654321, 3456789], `experiments/${dialect}`);
    }
  });

  it('logged model search: attributes, tags, params and metrics', () => {
    const [s1, s2, s3, s4] = EVIL;
    const filter = [
      `name = ${quoted(s1)}`,
      `tags.${backquoted(s2)} LIKE ${quoted(s3)}`,
      `params.depth != ${quoted(s4)}`,
      `metrics.${backquoted(s1)} >= 0.123456789`,
      `attributes.model_id IN (${quoted(s2)})`,
    ].join(' AND ');
    const q = {
      experimentIds: ['zq8-experiment'], filter: parseLoggedModelFilter(filter),
      orderBy: parseLoggedModelOrderBy([{ field_name: `metrics.${s3}`, ascending: false }, { field_name: 'name' }]), offset: 2345678, limit: 50,
    };
    for (const [dialect, db] of dbs) {
      const { sql, bindings } = native(compileLoggedModelSearch(db, DIALECTS[dialect], q));
      assertBound(sql, bindings, [s1, s2, s3, s4, 'zq8-experiment', 'depth', 0.123456789, 2345678], `logged models/${dialect}`);
    }
  });
});

describe('SQLite query plans use indexes', () => {
  let db: TestDatabase;
  let store: SqlStore;
  let tracking: Tracking;
  let exp = '';
  let runIds: string[] = [];
  const captured: Array<{ sql: string; bindings: unknown[] }> = [];

  before(async () => {
    db = await createDatabase('sqlite');
    ({ store, tracking } = await openTracking(db.url, FAST));
    exp = await tracking.experiments.create('plans', undefined, []);
    for (const other of ['plans-a', 'plans-b']) {
      const e = await tracking.experiments.create(other, undefined, []);
      const r = await tracking.runs.create({ experimentId: e, tags: [] });
      await tracking.runs.logBatch(r.info.runId, { metrics: Array.from({ length: 200 }, (_, i) => ({ key: 'acc', value: i, step: i, timestamp: i })), params: [], tags: [] });
    }
    runIds = [];
    for (let i = 0; i < 30; i++) {
      const r = await tracking.runs.create({ experimentId: exp, tags: [] });
      runIds.push(r.info.runId);
      await tracking.runs.logBatch(r.info.runId, {
        metrics: Array.from({ length: 50 }, (_, s) => ({ key: s % 2 ? 'acc' : 'loss', value: i + s / 100, step: s, timestamp: 1000 + s })),
        params: [{ key: 'lr', value: String(i) }], tags: [{ key: 'team', value: String(i % 3) }],
      });
    }
    // Every read the store makes, exactly as it sends it.
    const reader = (store as unknown as { reader: Knex }).reader;
    reader.on('query', (q: { sql: string; bindings?: unknown[] }) => captured.push({ sql: q.sql, bindings: [...(q.bindings ?? [])] }));
    // History reads go through their own raw connection.
    const history = (store as unknown as { history: { trace?: (sql: string, params: unknown[]) => void } }).history;
    history.trace = (sql, bindings) => captured.push({ sql, bindings: [...bindings] });
    // So do run searches and their hydration.
    const reads = (store as unknown as { reads: { trace?: (sql: string, params: readonly unknown[]) => void } }).reads;
    reads.trace = (sql, bindings) => captured.push({ sql, bindings: [...bindings] });
  });

  after(async () => {
    await store?.close();
    await db?.drop();
  });

  async function plan(sql: string, bindings: unknown[]): Promise<string[]> {
    const rows: Array<{ detail: string }> = await store.db.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings as Knex.RawBinding[]);
    return rows.map((r) => r.detail);
  }

  /** Runs `read` and returns the plan of every statement it sent that touches a metric table. */
  async function plansOf(read: () => Promise<unknown>): Promise<string[][]> {
    captured.length = 0;
    await read();
    const out: string[][] = [];
    for (const q of captured.filter((c) => /\b(latest_)?metrics\b/.test(c.sql))) out.push(await plan(q.sql, q.bindings));
    assert.ok(out.length > 0, 'the read sent no statement over a metric table');
    return out;
  }

  function assertNoMetricScan(plans: string[][], what: string) {
    for (const p of plans) {
      // A co-routine over an index with a LIMIT (the search probe's window) is read, not scanned.
      const windows = p.map((d) => /^CO-ROUTINE (\w+)/.exec(d)?.[1]).filter(Boolean);
      const scans = p.filter((d) => /^SCAN (metrics|latest_metrics|lm|m|o\d+|mk)\b/.test(d) && !windows.includes(d.split(' ')[1]));
      assert.deepEqual(scans, [], `${what} scans a metric table:\n${p.join('\n')}`);
    }
  }

  it('a metric-filtered, metric-ordered run search seeks latest_metrics by key', async () => {
    const plans = await plansOf(() => tracking.runs.search({ experimentIds: [exp], filter: 'metrics.acc > 10', orderBy: ['metrics.acc DESC'], viewType: 'ACTIVE_ONLY', maxResults: 10 }));
    assertNoMetricScan(plans, 'run search');
    const flat = plans.flat().join('\n');
    assert.match(flat, /SEARCH (lm|o0|latest_metrics) USING (PRIMARY KEY|INDEX|COVERING INDEX)/, flat);
    assert.doesNotMatch(flat, /^SCAN runs\b/m, flat);
  });

  it('a metric-ordered search probes the metric index first, and its fallback seeks runs by experiment', async () => {
    // 1,000 rows cannot fill from 30 runs, so the probe declines and the full search runs too.
    const plans = await plansOf(() => tracking.runs.search({ experimentIds: [exp], orderBy: ['metrics.loss ASC'], viewType: 'ACTIVE_ONLY', maxResults: 1000 }));
    assertNoMetricScan(plans, 'ordered run search');
    const flat = plans.flat().join('\n');
    assert.match(flat, /SEARCH latest_metrics USING (COVERING )?INDEX latest_metrics_key_value_idx \(key_id=\?\)/, flat);
    assert.match(flat, /SEARCH runs USING INDEX runs_experiment_start_idx/, flat);
  });

  it('a conjunction naming a metric no run logged sends no search at all; an Or naming it still searches', async () => {
    const q = { experimentIds: [exp], orderBy: [], viewType: 'ACTIVE_ONLY' as const, offset: 0, limit: 10 };
    const never = comparison('metric', 'never_logged_here', '>', 0);
    const lr = comparison('param', 'lr', '=', '7');
    const searches = () => captured.filter((c) => /\bruns\b/.test(c.sql));
    captured.length = 0;
    assert.deepEqual(await store.searchRuns({ ...q, filter: and(lr, never) }), []);
    assert.deepEqual(searches(), []);
    const found = await store.searchRuns({ ...q, filter: or(never, lr) });
    assert.deepEqual(found.map((r) => r.info.runId), [runIds[7]]);
    assert.ok(searches().length > 0);
  });

  it('metric history reads the point table by primary key, already in order', async () => {
    const plans = await plansOf(() => tracking.history.get(runIds[3], 'acc', undefined, 10));
    assertNoMetricScan(plans, 'metric history');
    const flat = plans.flat().join('\n');
    assert.match(flat, /SEARCH metrics USING PRIMARY KEY \(rid=\? AND key_id=\?\)/, flat);
    assert.doesNotMatch(flat, /USE TEMP B-TREE FOR ORDER BY/, flat);
  });

  it('bulk and sampled history read the point table by primary key', async () => {
    assertNoMetricScan(await plansOf(() => tracking.history.bulk(runIds.slice(0, 5), 'acc')), 'bulk history');
    assertNoMetricScan(await plansOf(() => tracking.history.sampled(runIds.slice(0, 5), 'acc', { maxResults: 5 })), 'sampled history');
    assertNoMetricScan(await plansOf(() => tracking.history.sampled(runIds.slice(0, 5), 'acc', { maxResults: 5, startStep: 3, endStep: 9 })), 'windowed history');
  });
});
