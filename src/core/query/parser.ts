/**
 * Target-neutral parsing of filter strings and order_by items.
 *
 * This layer knows the grammar (AND-joined comparisons, prefixes, quoting, lists)
 * but not which keys, operators or value types a search target accepts; targets.ts does.
 */
import { invalid } from '../errors';
import type { Comparator, Entity } from './ast';
import { clip, tokenize, type Token } from './lexer';
import { LIMITS } from '../limits';

/** Which `<prefix>.` spellings name which entity, and how to complain about others. */
export interface PrefixTable {
  aliases: ReadonlyMap<string, Entity>;
  unknown(prefix: string): string;
}

/** search_runs' table; MLflow matches prefixes case-sensitively, so do we. */
export const RUN_PREFIXES: PrefixTable = {
  aliases: new Map<string, Entity>([
    ['metric', 'metric'], ['metrics', 'metric'],
    ['param', 'param'], ['params', 'param'], ['parameter', 'param'], ['parameters', 'param'],
    ['tag', 'tag'], ['tags', 'tag'],
    ['attribute', 'attribute'], ['attributes', 'attribute'], ['attr', 'attribute'], ['run', 'attribute'],
    ['dataset', 'dataset'], ['datasets', 'dataset'],
  ]),
  unknown: (prefix) =>
    `Invalid entity type '${clip(prefix)}'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']`,
};

/** A value as written: the target decides whether a number, string or bare word is acceptable. */
export type RawValue =
  | { kind: 'string'; value: string; text: string }
  | { kind: 'number'; value: number; text: string }
  /** A bare or backquoted word where a value was expected. */
  | { kind: 'word'; text: string };

export interface RawIdentifier {
  entity: Entity;
  /** The prefix exactly as written, absent when the key had none (an attribute). */
  prefix?: string;
  key: string;
  /** Source text of the whole identifier, for messages. */
  text: string;
}

export interface RawComparison extends RawIdentifier {
  op: Comparator;
  /** Absent for IS [NOT] NULL, an array for [NOT] IN, one value otherwise. */
  value?: RawValue | RawValue[];
  /** Source text of the value (a list includes its parentheses), for messages. */
  valueText?: string;
}

export interface RawOrderTerm extends RawIdentifier {
  ascending: boolean;
  /** The order_by item as given. */
  clause: string;
}

/**
 * Bounds that keep one search from monopolising the database: each comparison becomes a
 * subquery, and planners (PostgreSQL's above all) slow down steeply with dozens of them. Every
 * IN-list value is a bind variable, so the lists of one filter share one allowance.
 */
export const FILTER_LIMITS = { comparisons: 50, listItems: LIMITS.filterListValues } as const;

export function tooManyListValues(): Error {
  return invalid(`Invalid filter: the IN lists of one filter may hold at most ${FILTER_LIMITS.listItems} values in all.`);
}

function countListValues(c: RawComparison, sofar: number): number {
  const total = sofar + (Array.isArray(c.value) ? c.value.length : 0);
  if (total > FILTER_LIMITS.listItems) throw tooManyListValues();
  return total;
}

/** Each order_by key joins one more table to the search. */
export function checkOrderByCount(count: number): void {
  if (count > LIMITS.orderByTerms) {
    throw invalid(`Invalid order_by: at most ${LIMITS.orderByTerms} keys may be given, got ${count}.`);
  }
}

export function parseFilter(input: string | undefined, prefixes: PrefixTable = RUN_PREFIXES): RawComparison[] {
  if (input === undefined || input === null) return [];
  if (typeof input !== 'string') throw invalid('Invalid filter: expected a string');
  if (input.trim() === '') return [];
  if (input.includes('\u0000')) throw invalid('Invalid filter: NUL characters are not allowed');
  const cursor = new Cursor(input, tokenize(input));
  const out: RawComparison[] = [];
  let listValues = 0;
  for (;;) {
    // Stray ANDs (leading, doubled, trailing) carry no meaning; MLflow ignores them too.
    while (cursor.peekKeyword('AND')) cursor.next();
    const token = cursor.peek();
    if (!token) return out;
    const comparison = parseComparison(cursor, prefixes);
    listValues = countListValues(comparison, listValues);
    out.push(comparison);
    if (out.length > FILTER_LIMITS.comparisons) {
      throw invalid(`Invalid filter: at most ${FILTER_LIMITS.comparisons} comparisons may be combined in one filter.`);
    }
    const after = cursor.peek();
    if (!after) return out;
    if (after.kind === 'keyword' && after.keyword === 'AND') continue;
    rejectClause(cursor, after);
  }
}

function parseComparison(cursor: Cursor, prefixes: PrefixTable): RawComparison {
  const first = cursor.next();
  if (!first) throw invalid('Invalid comparison clause. Unexpected end of filter string');
  if (first.kind !== 'ident') rejectClause(cursor, first);
  const ident = resolveIdentifier(first, prefixes);

  const opToken = cursor.next();
  if (!opToken) throw invalid(`Invalid comparison clause. Expected comparison after '${clip(first.text)}'`);
  if (opToken.kind === 'op') return { ...ident, op: opToken.op, ...scalarValue(cursor, opToken) };
  if (opToken.kind === 'keyword') {
    switch (opToken.keyword) {
      case 'LIKE':
      case 'ILIKE':
        return { ...ident, op: opToken.keyword, ...scalarValue(cursor, opToken) };
      case 'IN':
        return { ...ident, op: 'IN', ...listValue(cursor) };
      case 'NOT':
        if (!cursor.peekKeyword('IN')) {
          throw invalid(`Invalid comparison clause. Expected 'IN' after 'NOT' in '${clip(cursor.source.slice(first.start, opToken.end + 20))}'`);
        }
        cursor.next();
        return { ...ident, op: 'NOT IN', ...listValue(cursor) };
      case 'IS': {
        const negated = cursor.peekKeyword('NOT');
        if (negated) cursor.next();
        const nullToken = cursor.next();
        if (!nullToken || nullToken.kind !== 'keyword' || nullToken.keyword !== 'NULL') {
          throw invalid(`Invalid comparison clause. Expected 'NULL' after '${negated ? 'IS NOT' : 'IS'}', found '${clip(nullToken?.text ?? 'end of filter')}'`);
        }
        return { ...ident, op: negated ? 'IS NOT NULL' : 'IS NULL' };
      }
      default:
        break;
    }
  }
  throw invalid(`Invalid comparison clause. Expected comparison found '${clip(opToken.text)}'`);
}

function scalarValue(cursor: Cursor, opToken: Token): { value: RawValue; valueText: string } {
  const token = cursor.next();
  if (!token) throw invalid(`Invalid comparison clause. Expected value token after '${clip(opToken.text)}'`);
  const value = toValue(token);
  if (!value) throw invalid(`Invalid comparison clause. Expected value token found '${clip(token.text)}'`);
  return { value, valueText: token.text };
}

function listValue(cursor: Cursor): { value: RawValue[]; valueText: string } {
  const illFormed = () =>
    invalid('While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.');
  const open = cursor.next();
  if (!open || open.kind !== 'lparen') throw illFormed();
  const values: RawValue[] = [];
  for (;;) {
    const token = cursor.next();
    if (!token) throw illFormed();
    if (token.kind === 'rparen' && values.length === 0) {
      throw invalid('While parsing a list in the query, expected a non-empty list of string values, but got empty list');
    }
    const value = toValue(token);
    if (!value || value.kind === 'word') throw illFormed();
    values.push(value);
    const sep = cursor.next();
    if (sep?.kind === 'rparen') return { value: values, valueText: cursor.source.slice(open.start, sep.end) };
    if (sep?.kind !== 'comma') throw illFormed();
  }
}

function toValue(token: Token): RawValue | undefined {
  switch (token.kind) {
    case 'string':
      return { kind: 'string', value: token.value, text: token.text };
    case 'number':
      return { kind: 'number', value: token.value, text: token.text };
    case 'ident': {
      // A lone double-quoted run is a string literal on the value side (SQL would call it a name).
      const [only] = token.parts;
      if (token.parts.length === 1 && only.quote === '"') return { kind: 'string', value: only.text, text: token.text };
      return { kind: 'word', text: token.text };
    }
    default:
      return undefined;
  }
}

/**
 * Splits `prefix.key` at the first dot: everything after it is the key, so
 * `tags.mlflow.runName` names the tag `mlflow.runName`. A quoted key must be the whole key.
 */
export function resolveIdentifier(token: Token & { kind: 'ident' }, prefixes: PrefixTable): RawIdentifier {
  const [head, ...rest] = token.parts;
  if (rest.length === 0) return { entity: 'attribute', key: head.text, text: token.text };
  const entity = prefixes.aliases.get(head.text);
  if (!entity) throw invalid(prefixes.unknown(head.text));
  if (rest.length > 1 && rest.some((part) => part.quote !== '')) {
    throw invalid(`Invalid identifier '${clip(token.text)}'. Quote the whole key, e.g. ${head.text}.\`a.b\``);
  }
  const key = rest.map((part) => part.text).join('.');
  if (key === '') throw invalid(`Invalid identifier '${clip(token.text)}': the key is empty`);
  return { entity, prefix: head.text, key, text: token.text };
}

/** Anything where a comparison or AND should be: OR, a parenthesised group, a stray word. */
function rejectClause(cursor: Cursor, token: Token): never {
  if (token.kind === 'keyword' && token.keyword === 'OR') {
    throw invalid(`Invalid clause(s) in filter string: '${token.text}'`);
  }
  if (token.kind === 'lparen') {
    throw invalid(`Invalid clause(s) in filter string: '${clip(cursor.source.slice(token.start, cursor.closingParen(token)))}'. Parentheses are not supported`);
  }
  throw invalid(`Invalid clause(s) in filter string: '${clip(cursor.source.slice(token.start))}'`);
}

export function parseOrderBy(list: readonly string[] | undefined, prefixes: PrefixTable = RUN_PREFIXES): RawOrderTerm[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw invalid('Invalid order_by: expected a list of strings');
  checkOrderByCount(list.length);
  return list.map((clause) => parseOrderByClause(clause, prefixes));
}

function parseOrderByClause(clause: string, prefixes: PrefixTable): RawOrderTerm {
  const unparsable = () => invalid(`Invalid order_by clause '${clip(String(clause))}'. Could not be parsed.`);
  if (typeof clause !== 'string') throw unparsable();
  let tokens: Token[];
  try {
    tokens = tokenize(clause);
  } catch {
    throw unparsable();
  }
  const [field, direction, ...extra] = tokens;
  if (!field || field.kind !== 'ident' || extra.length > 0) throw unparsable();
  let ascending = true;
  if (direction) {
    const word = direction.kind === 'ident' && direction.parts.length === 1 && direction.parts[0].quote === ''
      ? direction.parts[0].text.toLowerCase()
      : '';
    if (word !== 'asc' && word !== 'desc') throw invalid(`Invalid ordering key in order_by clause '${clip(clause)}'.`);
    ascending = word === 'asc';
  }
  return { ...resolveIdentifier(field, prefixes), ascending, clause };
}

class Cursor {
  private index = 0;

  constructor(readonly source: string, private readonly tokens: Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.index];
  }

  next(): Token | undefined {
    return this.tokens[this.index++];
  }

  peekKeyword(keyword: string): boolean {
    const token = this.peek();
    return token?.kind === 'keyword' && token.keyword === keyword;
  }

  /** End offset of the group opened by `open`, or the end of the source if it never closes. */
  closingParen(open: Token): number {
    let depth = 0;
    for (let i = this.tokens.indexOf(open); i < this.tokens.length; i++) {
      const token = this.tokens[i];
      if (token.kind === 'lparen') depth++;
      if (token.kind === 'rparen' && --depth === 0) return token.end;
    }
    return this.source.length;
  }
}
