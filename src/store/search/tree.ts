/**
 * A filter tree as a WHERE clause, with the meaning core/query/ast.ts gives it. Each search
 * compiler supplies the SQL of one comparison; this file joins them with AND, OR and NOT.
 *
 * NOT is only the exact complement of a predicate that is never NULL, so a comparison under a
 * Not is compiled two-valued: EXISTS subqueries already are, and a comparison on a column that
 * may be empty (see columnComparison) is made false there. Outside every Not, SQL's NULL and
 * FALSE both keep a row out and AND/OR cannot tell them apart, so those comparisons compile as
 * they always have (MLflow's filters among them).
 */
import type { Knex } from 'knex';
import type { Comparison, Filter } from '../../core/query/ast';
import { conjuncts } from '../../core/query/filter';
import type { SqlDialect } from '../dialect';
import { compare } from './conditions';

/** Adds one comparison to a where-builder; `twoValued` asks for a predicate that is never NULL. */
export type ComparisonSql = (q: Knex.QueryBuilder, c: Comparison, twoValued: boolean) => Knex.QueryBuilder;

/** Sorts the terms of each And and Or; a lower cost runs first (cheap column tests before subqueries). */
export type ComparisonCost = (c: Comparison) => number;

/**
 * SQLite refuses expressions more than 1,000 levels deep and counts `a AND b AND c` as one
 * level per term, so a node with many terms is split into balanced halves: depth then grows
 * with the logarithm of the width. The root conjunction (a whole MLflow filter) stays one run
 * up to ROOT_RUN terms so its SQL is what it always was; other nodes split past NODE_RUN so
 * that LIMITS.filterDepth levels of nesting stay far inside the limit.
 */
const ROOT_RUN = 64;
const NODE_RUN = 4;

/** ANDs `filter` into the query's WHERE clause. */
export function whereFilter(q: Knex.QueryBuilder, filter: Filter, sql: ComparisonSql, cost: ComparisonCost = () => 0): Knex.QueryBuilder {
  const terms = conjuncts(filter);
  if (terms && terms.length <= ROOT_RUN) {
    for (const c of byCost(terms, cost)) q = sql(q, c, false);
    return q;
  }
  return new TreeSql(sql, cost).add(q, filter, 'and', false);
}

/** A comparison on a column that may be empty: an empty column makes it false, never NULL, where that matters. */
export function columnComparison(q: Knex.QueryBuilder, dialect: SqlDialect, column: string, c: Comparison, twoValued: boolean): Knex.QueryBuilder {
  if (twoValued && c.op !== 'IS NULL' && c.op !== 'IS NOT NULL') q = q.whereNotNull(column);
  return compare(q, dialect, column, c);
}

/** Stable, so terms of one cost keep the order they were given in. */
function byCost<T extends Filter>(terms: T[], cost: ComparisonCost): T[] {
  const of = (f: Filter) => (f.kind === 'compare' ? cost(f) : Number.MAX_SAFE_INTEGER);
  return [...terms].sort((a, b) => of(a) - of(b));
}

class TreeSql {
  constructor(private readonly sql: ComparisonSql, private readonly cost: ComparisonCost) {}

  /** Adds `f` to `b` as one term, joined to the terms before it by `join`. */
  add(b: Knex.QueryBuilder, f: Filter, join: 'and' | 'or', twoValued: boolean): Knex.QueryBuilder {
    const self = this;
    switch (f.kind) {
      case 'compare':
        if (join === 'and') return this.sql(b, f, twoValued);
        return b.orWhere(function () { self.sql(this, f, twoValued); });
      case 'not': {
        const inner = function (this: Knex.QueryBuilder) { self.add(this, f.term, 'and', true); };
        return join === 'and' ? b.whereNot(inner) : b.orWhereNot(inner);
      }
      case 'and':
      case 'or': {
        const inner = function (this: Knex.QueryBuilder) { self.addAll(this, f.kind, byCost(f.terms, self.cost), twoValued); };
        return join === 'and' ? b.where(inner) : b.orWhere(inner);
      }
    }
  }

  /** Adds the terms of one And or Or to `b`, a group of its own. */
  private addAll(b: Knex.QueryBuilder, kind: 'and' | 'or', terms: Filter[], twoValued: boolean): Knex.QueryBuilder {
    if (terms.length === 0) return b.whereRaw(kind === 'and' ? '1 = 1' : '1 = 0');
    if (terms.length <= NODE_RUN) {
      for (const t of terms) b = this.add(b, t, kind, twoValued);
      return b;
    }
    const half = Math.ceil(terms.length / 2);
    this.add(b, { kind, terms: terms.slice(0, half) }, kind, twoValued);
    return this.add(b, { kind, terms: terms.slice(half) }, kind, twoValued);
  }
}
