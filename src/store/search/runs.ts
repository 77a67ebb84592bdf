/** Compiles a run search (filter AST + order terms) into one SQL query over runs. */
import type { Knex } from 'knex';
import type { Comparison, OrderTerm } from '../../core/query/ast';
import { conjuncts } from '../../core/query/filter';
import type { RunSearch } from '../../core/store';
import type { SqlDialect } from '../dialect';
import { SPECIAL_NAN } from '../metric-values';
import { compare, doubleLiteral, orderNullsLast } from './conditions';
import { columnComparison, whereFilter } from './tree';
import { runValueCondition, runValueOrder } from './run-values';

const ATTRIBUTE_COLUMNS: Record<string, string> = {
  run_id: 'runs.run_uuid',
  run_name: 'runs.name',
  status: 'runs.status',
  user_id: 'runs.user_id',
  artifact_uri: 'runs.artifact_uri',
  start_time: 'runs.start_time',
  end_time: 'runs.end_time',
  lifecycle_stage: 'runs.lifecycle_stage',
};

export function attributeColumn(key: string): string {
  const col = ATTRIBUTE_COLUMNS[key];
  if (!col) throw new Error(`no column for run attribute ${key}`);
  return col;
}

const VIEW: Record<string, string[]> = { ACTIVE_ONLY: ['active'], DELETED_ONLY: ['deleted'], ALL: ['active', 'deleted'] };

/**
 * `keyIds` maps every metric key the search names to its interned id. A comparison on a metric
 * the store has never seen holds for no run; the caller folds those away (and skips a search
 * they make empty), and one left in compiles to a false term.
 */
export function compileRunSearch(db: Knex, dialect: SqlDialect, q: RunSearch, keyIds: Map<string, number>): Knex.QueryBuilder {
  let sql = db('runs').select('runs.*').whereIn('runs.experiment_id', q.experimentIds).whereIn('runs.lifecycle_stage', VIEW[q.viewType]);
  sql = whereFilter(sql, q.filter, conditionSql(db, dialect, keyIds), costOf);
  q.orderBy.forEach((t, i) => { sql = addOrder(sql, dialect, t, i, keyIds); });
  if (!q.orderBy.some((t) => t.entity === 'attribute' && t.key === 'start_time')) sql = sql.orderBy('runs.start_time', 'desc');
  return sql.orderBy('runs.run_uuid', 'asc').offset(q.offset).limit(q.limit + 1);
}

/**
 * A search ordered first by a metric asks for the top of one metric's values. The full search
 * filters every run of its experiments and sorts them; the probe reads only the first `window`
 * entries of that metric in order (latest_metrics_key_value_idx) and filters those. Its page is
 * the true page when it is full and its last row lies strictly inside the window: every entry
 * beyond the window sits at or past the window's edge value, so none could come earlier. When
 * it cannot tell (a selective filter, a small experiment among many), the caller runs the full
 * search. One-off in-process measurement on 10,000 runs, filter keeping 11%, 100 rows: 2 ms against 10–16 ms.
 * That was measured on conjunctions (MLflow's only filters), so only a conjunction is probed;
 * any other tree takes the full search.
 */
export interface MetricOrderProbe {
  /** The page, each row carrying `probe_value` and `probe_edge` (the value at the window's edge, null when the window holds every entry). */
  query: Knex.QueryBuilder;
  accepts(rows: any[]): boolean;
}

/** Entries probed: at least `min`, and `perRow` for every row up to the end of the page. */
export interface ProbeWindow { min: number; perRow: number }
export const DEFAULT_PROBE_WINDOW: ProbeWindow = { min: 2000, perRow: 20 };
/** Past this many entries a probe that declines would cost more than it could save. */
const MAX_WINDOW = 25_000;

export function compileMetricOrderProbe(
  db: Knex, dialect: SqlDialect, q: RunSearch, keyIds: Map<string, number>, size: ProbeWindow = DEFAULT_PROBE_WINDOW,
): MetricOrderProbe | undefined {
  const first = q.orderBy[0];
  const keyId = first?.entity === 'metric' ? keyIds.get(first.key) : undefined;
  if (keyId === undefined || !conjuncts(q.filter)) return undefined;
  const dir = first.ascending ? 'asc' : 'desc';
  const window = Math.max(size.min, size.perRow * (q.offset + q.limit + 1));
  if (window > MAX_WINDOW) return undefined;
  // The edge is read by the same statement as the page, so both come from one snapshot: a value
  // that moves between two statements could otherwise let a page past the true edge through.
  const edge = db('latest_metrics').select('value').where('key_id', keyId).orderBy('value', dir).offset(window - 1).limit(1).as('probe_edge');
  const top = db('latest_metrics').select('rid', 'value', 'special').where('key_id', keyId).orderBy('value', dir).limit(window).as('o0');
  // CROSS JOIN keeps the window as SQLite's outer loop, so rows come in index order and the
  // scan stops at the page's end; the other databases read it as a plain inner join.
  let sql = db.from(top).crossJoin(db.raw('??', ['runs'])).whereRaw('?? = ??', ['runs.rid', 'o0.rid']).select('runs.*', 'o0.value as probe_value', edge)
    .whereIn('runs.experiment_id', q.experimentIds).whereIn('runs.lifecycle_stage', VIEW[q.viewType])
    // NaN sorts after every real value, so it never belongs to a page the probe can answer.
    .whereNot('o0.special', SPECIAL_NAN);
  sql = whereFilter(sql, q.filter, conditionSql(db, dialect, keyIds), costOf);
  sql = sql.orderBy('o0.value', dir);
  q.orderBy.slice(1).forEach((t, i) => { sql = addOrder(sql, dialect, t, i + 1, keyIds); });
  if (!q.orderBy.some((t) => t.entity === 'attribute' && t.key === 'start_time')) sql = sql.orderBy('runs.start_time', 'desc');
  sql = sql.orderBy('runs.run_uuid', 'asc').offset(q.offset).limit(q.limit + 1);
  return {
    query: sql,
    accepts(rows) {
      if (rows.length < q.limit + 1) return false;
      const last = rows[rows.length - 1];
      if (last.probe_edge === null || last.probe_edge === undefined) return true;
      const value = Number(last.probe_value), edgeValue = Number(last.probe_edge);
      return first.ascending ? value < edgeValue : value > edgeValue;
    },
  };
}

/** Column tests before subqueries, so later subqueries only run for rows still in the race. */
const COST: Record<Comparison['entity'], number> = { attribute: 0, param: 1, tag: 1, config: 2, metric: 2, summary: 3, dataset: 3 };
const costOf = (c: Comparison) => COST[c.entity];

const conditionSql = (db: Knex, dialect: SqlDialect, keyIds: Map<string, number>) =>
  (sql: Knex.QueryBuilder, c: Comparison, twoValued: boolean) => addCondition(sql, db, dialect, c, keyIds, twoValued);

function addCondition(sql: Knex.QueryBuilder, db: Knex, dialect: SqlDialect, c: Comparison, keyIds: Map<string, number>, twoValued: boolean): Knex.QueryBuilder {
  switch (c.entity) {
    case 'attribute':
      return columnComparison(sql, dialect, attributeColumn(c.key), c, twoValued);
    case 'metric': {
      const keyId = keyIds.get(c.key);
      if (keyId === undefined) return sql.whereRaw('1 = 0');
      const v = doubleLiteral(c.value as number);
      return sql.whereExists(function () {
        let sub = this.select(db.raw('1')).from('latest_metrics as lm').whereRaw('lm.rid = runs.rid').where('lm.key_id', keyId);
        // NaN (special 1) equals nothing and is unequal to everything; ±Infinity are stored as ±MAX.
        if (c.op === '!=') sub = sub.where((w) => w.where('lm.special', SPECIAL_NAN).orWhere('lm.value', '<>', v));
        else if (c.op === '=') sub = sub.whereNot('lm.special', SPECIAL_NAN).where('lm.value', v);
        else sub = sub.whereNot('lm.special', SPECIAL_NAN).where('lm.value', c.op, v);
        return sub;
      });
    }
    case 'param':
    case 'tag': {
      const table = c.entity === 'param' ? 'params' : 'tags';
      const exists = function (this: Knex.QueryBuilder) {
        const sub = this.select(db.raw('1')).from(`${table} as kv`).whereRaw('kv.rid = runs.rid').where('kv.key', c.key);
        return c.op === 'IS NULL' || c.op === 'IS NOT NULL' ? sub : compare(sub, dialect, 'kv.value', c);
      };
      return c.op === 'IS NULL' ? sql.whereNotExists(exists) : sql.whereExists(exists);
    }
    case 'dataset': {
      const column = c.key === 'context' ? 'ri.context' : c.key === 'digest' ? 'ds.digest' : 'ds.name';
      return sql.whereExists(function () {
        const sub = this.select(db.raw('1')).from('run_inputs as ri').join('datasets as ds', 'ds.dataset_id', 'ri.dataset_id').whereRaw('ri.rid = runs.rid');
        return compare(sub, dialect, column, c);
      });
    }
    case 'config':
    case 'summary':
      return runValueCondition(sql, db, dialect, c as Comparison & { entity: 'config' | 'summary' }, keyIds);
  }
}

function addOrder(sql: Knex.QueryBuilder, dialect: SqlDialect, t: OrderTerm, i: number, keyIds: Map<string, number>): Knex.QueryBuilder {
  const dir = t.ascending ? 'asc' : 'desc';
  const alias = `o${i}`;
  switch (t.entity) {
    case 'attribute':
      return orderNullsLast(sql, attributeColumn(t.key), t.ascending);
    case 'metric': {
      const keyId = keyIds.get(t.key) ?? -1;
      // Real values first, then NaN, then runs without the metric, in either direction.
      return sql
        .leftJoin(`latest_metrics as ${alias}`, (j) => j.on(`${alias}.rid`, 'runs.rid').andOnVal(`${alias}.key_id`, keyId))
        .orderByRaw(`CASE WHEN ${alias}.rid IS NULL THEN 2 WHEN ${alias}.special = ${SPECIAL_NAN} THEN 1 ELSE 0 END`)
        .orderBy(`${alias}.value`, dir);
    }
    case 'param':
    case 'tag': {
      const table = t.entity === 'param' ? 'params' : 'tags';
      sql = sql.leftJoin(`${table} as ${alias}`, (j) => j.on(`${alias}.rid`, 'runs.rid').andOnVal(`${alias}.key`, t.key));
      return orderNullsLast(sql, `${alias}.value`, t.ascending);
    }
    case 'config':
    case 'summary':
      return runValueOrder(sql, dialect, t as OrderTerm & { entity: 'config' | 'summary' }, i, keyIds);
  }
}
