/** Building, bounding and reading filter trees (ast.ts says what they mean). */
import { invalid } from '../errors';
import { LIMITS } from '../limits';
import type { And, Comparator, Comparison, Entity, Filter, Literal, Not, Or } from './ast';
import { FILTER_LIMITS, tooManyListValues } from './parser';

export const comparison = (entity: Entity, key: string, op: Comparator, value?: Literal | Literal[]): Comparison =>
  value === undefined ? { kind: 'compare', entity, key, op } : { kind: 'compare', entity, key, op, value };

/** With no terms, the filter that matches everything. */
export const and = (...terms: Filter[]): And => ({ kind: 'and', terms });
/** With no terms, the filter that matches nothing. */
export const or = (...terms: Filter[]): Or => ({ kind: 'or', terms });
export const not = (term: Filter): Not => ({ kind: 'not', term });

export const matchesAll = (f: Filter): boolean => f.kind === 'and' && f.terms.length === 0;
export const matchesNone = (f: Filter): boolean => f.kind === 'or' && f.terms.length === 0;

const NUMERIC_OPS: ReadonlySet<string> = new Set(['=', '!=', '<', '<=', '>', '>=']);

/**
 * Refuses a tree past the core's bounds (LIMITS.filterDepth, filterTerms, filterListValues).
 * The comparisons ANDed at its top (under the root And and the Ands below it, alone or under a
 * Not) are bounded as MLflow's filters are (FILTER_LIMITS.comparisons): planners join each of
 * them into the search, and PostgreSQL's planning time grows steeply with their number (64
 * metric comparisons: 0.8 s; 200: a minute). Comparisons under an Or are tested row by row.
 *
 * It walks without recursion, so even a tree far too deep is refused rather than overflowing
 * the stack; everything else that walks a tree may recurse once it has passed here.
 */
export function checkFilterTree(filter: Filter): void {
  // [node, Ands/Ors/Nots above it, whether every node above it is an And (or a Not right over this comparison)]
  const stack: Array<[Filter, number, boolean]> = [[filter, 0, true]];
  let terms = 0;
  let listValues = 0;
  let topComparisons = 0;
  while (stack.length > 0) {
    const [f, depth, top] = stack.pop()!;
    if (++terms > LIMITS.filterTerms) {
      throw invalid(`Invalid filter: at most ${LIMITS.filterTerms} terms (comparisons and the and/or/not joining them) may make up one filter.`);
    }
    if (f.kind === 'compare') {
      // A metric's value is a number: the compilers give metrics numeric comparisons only, as MLflow's grammar does.
      if (f.entity === 'metric' && !NUMERIC_OPS.has(f.op)) {
        throw invalid(`Invalid filter: a metric comparison takes =, !=, <, <=, > or >=, not ${f.op}.`);
      }
      if (Array.isArray(f.value)) listValues += f.value.length;
      if (listValues > LIMITS.filterListValues) throw tooManyListValues();
      if (top && ++topComparisons > FILTER_LIMITS.comparisons) {
        throw invalid(`Invalid filter: at most ${FILTER_LIMITS.comparisons} comparisons may be ANDed at the top of one filter.`);
      }
      continue;
    }
    if (depth + 1 > LIMITS.filterDepth) throw invalid(`Invalid filter: and/or/not may nest at most ${LIMITS.filterDepth} deep.`);
    if (f.kind === 'not') stack.push([f.term, depth + 1, top && f.term.kind === 'compare']);
    else for (const t of f.terms) stack.push([t, depth + 1, top && f.kind === 'and']);
  }
}

/**
 * The comparisons of a tree that only ANDs them (nested Ands flattened, in order), or
 * undefined when an Or or a Not takes part. A lone comparison is a conjunction of one.
 */
export function conjuncts(filter: Filter): Comparison[] | undefined {
  const out: Comparison[] = [];
  const stack: Filter[] = [filter];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (f.kind === 'compare') out.push(f);
    else if (f.kind === 'and') for (let i = f.terms.length - 1; i >= 0; i--) stack.push(f.terms[i]);
    else return undefined;
  }
  return out;
}

/** Every comparison in the tree, in order, wherever it sits (for looking up the keys a search names). */
export function comparisonsIn(filter: Filter): Comparison[] {
  const out: Comparison[] = [];
  const stack: Filter[] = [filter];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (f.kind === 'compare') out.push(f);
    else if (f.kind === 'not') stack.push(f.term);
    else for (let i = f.terms.length - 1; i >= 0; i--) stack.push(f.terms[i]);
  }
  return out;
}

/**
 * The tree with the comparisons `decide` settles (true or false for every entity) replaced by
 * constants, and every constant folded away: a false term drops out of an Or and makes an And
 * false, and so on up. What is left holds no constant, or is exactly the constant `and()`
 * (matches all) or `or()` (matches none). An And or Or left with one term becomes that term.
 */
export function foldConstants(filter: Filter, decide: (c: Comparison) => boolean | undefined): Filter {
  const TRUE = and();
  const FALSE = or();
  switch (filter.kind) {
    case 'compare': {
      const settled = decide(filter);
      return settled === undefined ? filter : settled ? TRUE : FALSE;
    }
    case 'not': {
      const term = foldConstants(filter.term, decide);
      if (matchesAll(term)) return FALSE;
      if (matchesNone(term)) return TRUE;
      return term === filter.term ? filter : not(term);
    }
    case 'and':
    case 'or': {
      // An And is settled by a false term, an Or by a true one; the other constant is neutral.
      const absorbing = filter.kind === 'and' ? matchesNone : matchesAll;
      const neutral = filter.kind === 'and' ? matchesAll : matchesNone;
      const kept: Filter[] = [];
      let changed = false;
      for (const t of filter.terms) {
        const folded = foldConstants(t, decide);
        if (absorbing(folded)) return folded;
        if (folded !== t || neutral(folded)) changed = true;
        if (!neutral(folded)) kept.push(folded);
      }
      if (kept.length === 1) return kept[0];
      return changed ? { kind: filter.kind, terms: kept } : filter;
    }
  }
}
