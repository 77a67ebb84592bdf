/**
 * W&B config and summary comparisons and orders in a run search, over the value index
 * (run_values, one row per flattened scalar leaf; core/run-values.ts). Every run is judged,
 * MLflow-logged ones too:
 *   - `config.k` is the run's config document where it has one; a run without one (logged
 *     through MLflow) is judged by its param `k`: a string literal compares with its text, a
 *     number with the number the text holds (search/numeric-text.ts), if it holds one;
 *   - `summary.k` is the summary document's entry where it has one, else the run's latest
 *     metric `k` (what W&B clients show as the summary of an MLflow run).
 * A number literal compares with numeric leaves, a string literal with text leaves (booleans
 * are the text 'true' / 'false'); IN takes a list of either. Each predicate is an EXISTS (or a
 * combination of them), so it is never NULL and a Not is its exact complement.
 */
import type { Knex } from 'knex';
import type { Comparison, Literal, OrderTerm } from '../../core/query/ast';
import type { SqlDialect } from '../dialect';
import { SPECIAL_NAN } from '../metric-values';
import { compare, doubleLiteral } from './conditions';

type Doc = 'config' | 'summary';

const RANGE_OPS = new Set(['<', '<=', '>', '>=']);

/** Adds the test of one value row (alias `rv`) for `c`; false when the comparison can hold for no row. */
function valueTest(sub: Knex.QueryBuilder, dialect: SqlDialect, c: Comparison): Knex.QueryBuilder {
  const v = c.value;
  switch (c.op) {
    case 'IS NULL':
    case 'IS NOT NULL':
      return sub;
    case 'IN':
    case 'NOT IN': {
      const list = v as Literal[];
      const nums = list.filter((x): x is number => typeof x === 'number').map(doubleLiteral);
      const texts = list.filter((x): x is string => typeof x === 'string');
      const inList = (w: Knex.QueryBuilder) => {
        w.whereRaw('1 = 0');
        if (nums.length) w.orWhereIn('rv.num', nums);
        if (texts.length) w.orWhereIn('rv.text', texts);
        return w;
      };
      return c.op === 'IN' ? sub.where(inList) : sub.whereNot(inList).where((w) => w.whereNotNull('rv.num').orWhereNotNull('rv.text'));
    }
    case 'LIKE':
    case 'ILIKE':
      return compare(sub.whereNotNull('rv.text'), dialect, 'rv.text', c);
    default: {
      const column = typeof v === 'number' ? 'rv.num' : 'rv.text';
      const value = typeof v === 'number' ? doubleLiteral(v) : v;
      return sub.whereNotNull(column).where(column, c.op === '!=' ? '<>' : c.op, value as Literal);
    }
  }
}

const valueRows = (db: Knex, doc: Doc, key: string) => (b: Knex.QueryBuilder) =>
  b.select(db.raw('1')).from('run_values as rv').whereRaw('rv.rid = runs.rid').where('rv.doc', doc).where('rv.key', key);

/**
 * The param test of a config comparison on a run without a config document: string literals
 * compare with the param's text, numbers with the number its text holds (numeric-text.ts).
 */
function paramTest(sub: Knex.QueryBuilder, db: Knex, dialect: SqlDialect, c: Comparison): Knex.QueryBuilder {
  const num = dialect.numberOfText('kv.value');
  const v = c.value;
  switch (c.op) {
    case 'IS NULL': case 'IS NOT NULL': return sub;
    case 'LIKE': case 'ILIKE': return compare(sub, dialect, 'kv.value', c);
    case 'IN': case 'NOT IN': {
      const list = v as Literal[];
      const nums = list.filter((x): x is number => typeof x === 'number').map(doubleLiteral);
      const texts = list.filter((x): x is string => typeof x === 'string');
      const inList = (w: Knex.QueryBuilder) => {
        w.whereRaw('1 = 0');
        if (nums.length) w.orWhereRaw(`(${num}) IN (${nums.map(() => '?').join(', ')})`, nums);
        if (texts.length) w.orWhereIn('kv.value', texts);
        return w;
      };
      return c.op === 'IN' ? sub.where(inList) : sub.whereNot(inList);
    }
    default: {
      const op = c.op === '!=' ? '<>' : c.op;
      if (typeof v === 'number') return sub.whereRaw(`(${num}) IS NOT NULL`).whereRaw(`(${num}) ${op} ?`, [doubleLiteral(v)]);
      return sub.where('kv.value', op, v as string);
    }
  }
}

/** The latest-metric test of a summary comparison on a run whose summary lacks the key; undefined when no metric can satisfy it. */
function metricTest(sub: Knex.QueryBuilder, c: Comparison): Knex.QueryBuilder | undefined {
  if (c.op === 'IS NULL' || c.op === 'IS NOT NULL') return sub;
  if (c.op === 'IN') {
    const nums = (c.value as Literal[]).filter((x): x is number => typeof x === 'number').map(doubleLiteral);
    return nums.length ? sub.whereNot('lm.special', SPECIAL_NAN).whereIn('lm.value', nums) : undefined;
  }
  if (typeof c.value !== 'number' || !(c.op === '=' || c.op === '!=' || RANGE_OPS.has(c.op))) return undefined;
  return sub.whereNot('lm.special', SPECIAL_NAN).where('lm.value', c.op === '!=' ? '<>' : c.op, doubleLiteral(c.value));
}

export function runValueCondition(
  sql: Knex.QueryBuilder, db: Knex, dialect: SqlDialect, c: Comparison & { entity: Doc }, keyIds: Map<string, number>,
): Knex.QueryBuilder {
  const doc = c.entity;
  const rows = valueRows(db, doc, c.key);
  const own = function (this: Knex.QueryBuilder) { valueTest(rows(this), dialect, c); };
  const hasKey = function (this: Knex.QueryBuilder) { rows(this); };
  const fallback = (w: Knex.QueryBuilder): boolean => {
    if (doc === 'config') {
      w.orWhere((x) => x
        .whereNotExists(function () { this.select(db.raw('1')).from('run_documents as d').whereRaw('d.rid = runs.rid').where('d.kind', 'config'); })
        .whereExists(function () { paramTest(this.select(db.raw('1')).from('params as kv').whereRaw('kv.rid = runs.rid').where('kv.key', c.key), db, dialect, c); }));
      return true;
    }
    const keyId = keyIds.get(c.key);
    if (keyId === undefined || !metricTest(db('latest_metrics as lm'), c)) return false;
    w.orWhere((x) => x
      .whereNotExists(hasKey)
      .whereExists(function () { metricTest(this.select(db.raw('1')).from('latest_metrics as lm').whereRaw('lm.rid = runs.rid').where('lm.key_id', keyId), c); }));
    return true;
  };
  if (c.op === 'IS NULL') {
    // Absent from both the document and its fallback.
    return sql.whereNot((w) => { w.whereExists(hasKey); fallback(w); });
  }
  return sql.where((w) => { w.whereExists(own); fallback(w); });
}

/**
 * Orders by a config or summary leaf, with the same fallbacks as the filters (params for a run
 * without a config document, latest metrics for a summary without the key): numbers first (by
 * value), then text, then runs without the key, in either direction.
 */
export function runValueOrder(sql: Knex.QueryBuilder, dialect: SqlDialect, t: OrderTerm & { entity: Doc }, i: number, keyIds: Map<string, number>): Knex.QueryBuilder {
  const dir = t.ascending ? 'asc' : 'desc';
  const rv = `o${i}`, alt = `o${i}f`;
  sql = sql.leftJoin(`run_values as ${rv}`, (j) => j.on(`${rv}.rid`, 'runs.rid').andOnVal(`${rv}.doc`, t.entity).andOnVal(`${rv}.key`, t.key));
  let num: string, text: string;
  if (t.entity === 'config') {
    const doc = `o${i}d`;
    sql = sql.leftJoin(`run_documents as ${doc}`, (j) => j.on(`${doc}.rid`, 'runs.rid').andOnVal(`${doc}.kind`, 'config'))
      .leftJoin(`params as ${alt}`, (j) => j.on(`${alt}.rid`, 'runs.rid').andOnVal(`${alt}.key`, t.key));
    num = `CASE WHEN ${doc}.rid IS NULL THEN ${dialect.numberOfText(`${alt}.value`)} ELSE ${rv}.num END`;
    text = `CASE WHEN ${doc}.rid IS NULL THEN ${alt}.value ELSE ${rv}.text END`;
  } else {
    const keyId = keyIds.get(t.key) ?? -1;
    sql = sql.leftJoin(`latest_metrics as ${alt}`, (j) => j.on(`${alt}.rid`, 'runs.rid').andOnVal(`${alt}.key_id`, keyId));
    num = `CASE WHEN ${rv}.rid IS NOT NULL THEN ${rv}.num WHEN ${alt}.special = ${SPECIAL_NAN} THEN NULL ELSE ${alt}.value END`;
    text = `${rv}.text`;
  }
  return sql.orderByRaw(`CASE WHEN (${num}) IS NOT NULL THEN 0 WHEN (${text}) IS NOT NULL THEN 1 ELSE 2 END`)
    .orderByRaw(`${num} ${dir}`).orderByRaw(`CASE WHEN (${num}) IS NULL THEN ${text} END ${dir}`);
}
