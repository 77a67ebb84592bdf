/** Pieces shared by the search compilers: comparator → SQL for one column, per dialect. */
import type { Knex } from 'knex';
import type { Comparison, Literal } from '../../core/query/ast';
import type { SqlDialect } from '../dialect';

type NumericOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
const BIGINT_MAX = 9.2e18;

/**
 * A numeric literal against an integer column (times, versions): fractions, ±Infinity and
 * numbers past int64 are folded into an equivalent integer bound, or into "every row" /
 * "no row", because PostgreSQL refuses to compare bigint with them and MySQL cannot bind
 * Infinity at all.
 */
export function integerBound(op: NumericOp, v: number): { op: NumericOp; value: number } | 'all' | 'none' {
  if (!Number.isFinite(v) || Math.abs(v) > BIGINT_MAX) {
    const big = v > 0;
    switch (op) {
      case '=': return 'none';
      case '!=': return 'all';
      case '<': case '<=': return big ? 'all' : 'none';
      case '>': case '>=': return big ? 'none' : 'all';
    }
  }
  if (Number.isInteger(v)) return { op, value: v };
  switch (op) {
    case '=': return 'none';
    case '!=': return 'all';
    case '>': case '>=': return { op: '>', value: Math.floor(v) };
    case '<': case '<=': return { op: '<', value: Math.ceil(v) };
  }
}

/** ±Infinity literals against a metric value column compare as the stored ±MAX they mean. */
export function doubleLiteral(v: number): number {
  if (v === Infinity) return Number.MAX_VALUE;
  if (v === -Infinity) return -Number.MAX_VALUE;
  return v;
}

/** Adds `column <op> value` to a where-builder. Column names are ours, never the user's. */
export function compare(q: Knex.QueryBuilder, dialect: SqlDialect, column: string, c: Comparison): Knex.QueryBuilder {
  const v = c.value as Literal;
  switch (c.op) {
    case '=': case '!=': case '<': case '<=': case '>': case '>=': {
      if (typeof v === 'number') {
        // Every numeric attribute the grammars allow is an integer column.
        const bound = integerBound(c.op, v);
        if (bound === 'none') return q.whereRaw('1 = 0');
        if (bound === 'all') return q.whereNotNull(column);
        return q.where(column, bound.op === '!=' ? '<>' : bound.op, bound.value);
      }
      return q.where(column, c.op === '!=' ? '<>' : c.op, v);
    }
    // The pattern rules, one meaning on every database, are in like.ts; each dialect's SQL for them in dialect.ts.
    case 'LIKE':
    case 'ILIKE': {
      const cond = c.op === 'LIKE' ? dialect.like(String(v)) : dialect.ilike(String(v));
      return q.whereRaw(cond.sql, [column, cond.value]);
    }
    case 'IN':
      return q.whereIn(column, c.value as Literal[]);
    case 'NOT IN':
      return q.whereNotIn(column, c.value as Literal[]);
    case 'IS NULL':
      return q.whereNull(column);
    case 'IS NOT NULL':
      return q.whereNotNull(column);
  }
}

/** NULLs last in both directions, the order MLflow users see. */
export function orderNullsLast(q: Knex.QueryBuilder, column: string, ascending: boolean): Knex.QueryBuilder {
  return q.orderByRaw(`CASE WHEN ?? IS NULL THEN 1 ELSE 0 END`, [column]).orderBy(column, ascending ? 'asc' : 'desc');
}

/** `tags.<key> <op> value` as an EXISTS on `table`, whose rows `owner` ties to the outer row. */
export function tagComparison(db: Knex, dialect: SqlDialect, b: Knex.QueryBuilder, table: string, owner: string, c: Comparison): Knex.QueryBuilder {
  const exists = function (this: Knex.QueryBuilder) {
    const sub = this.select(db.raw('1')).from(`${table} as kv`).whereRaw(owner).where('kv.key', c.key);
    return c.op === 'IS NULL' || c.op === 'IS NOT NULL' ? sub : compare(sub, dialect, 'kv.value', c);
  };
  return c.op === 'IS NULL' ? b.whereNotExists(exists) : b.whereExists(exists);
}
