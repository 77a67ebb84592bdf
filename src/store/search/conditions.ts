/** Pieces shared by the search compilers: comparator → SQL for one column, per dialect. */
import type { Knex } from 'knex';
import type { Comparison, Literal } from '../../core/query/ast';
import type { Dialect } from '../connect';

/** Adds `column <op> value` to a where-builder. Column names are ours, never the user's. */
export function compare(q: Knex.QueryBuilder, dialect: Dialect, column: string, c: Comparison): Knex.QueryBuilder {
  const v = c.value as Literal;
  switch (c.op) {
    case '=': case '!=': case '<': case '<=': case '>': case '>=':
      return q.where(column, c.op === '!=' ? '<>' : c.op, v);
    case 'LIKE':
      // SQLite's LIKE ignores ASCII case and its case_sensitive_like pragma does not survive
      // other pragmas reliably; GLOB is case-sensitive, so the pattern is translated.
      return dialect === 'sqlite' ? q.whereRaw('?? GLOB ?', [column, likeToGlob(String(v))]) : q.where(column, 'like', v);
    case 'ILIKE':
      return dialect === 'postgres'
        ? q.where(column, 'ilike', v)
        : q.whereRaw(`LOWER(??) LIKE LOWER(?)`, [column, v]);
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

/** `%`/`_` wildcards become `*`/`?`; GLOB's own metacharacters in the text are bracketed. */
export function likeToGlob(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '%') out += '*';
    else if (ch === '_') out += '?';
    else if (ch === '*' || ch === '?' || ch === '[') out += `[${ch}]`;
    else out += ch;
  }
  return out;
}

/** NULLs last in both directions, the order MLflow users see. */
export function orderNullsLast(q: Knex.QueryBuilder, column: string, ascending: boolean): Knex.QueryBuilder {
  return q.orderByRaw(`CASE WHEN ?? IS NULL THEN 1 ELSE 0 END`, [column]).orderBy(column, ascending ? 'asc' : 'desc');
}
