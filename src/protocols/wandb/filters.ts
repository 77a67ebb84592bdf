/**
 * W&B's run filters (MongoDB-style JSON, as `wandb.Api().runs(path, filters=…)` sends them) and
 * orders (`+created_at`, `-summary_metrics.loss`) in the core's terms (core/query/ast.ts).
 *
 * What a filter may say:
 *   - `{field: value}` is `$eq`; several fields in one object are ANDed; `$and`, `$or`, `$nor`
 *     take lists of filters, and `$not` a filter (at the top) or an operator object (on a field);
 *   - operators `$eq $ne $gt $gte $lt $lte $in $nin $exists $regex` (with `$options: "i"`);
 *     `$ne` and `$nin` hold for runs without the field, as in MongoDB;
 *   - fields `config.<key>` (with or without W&B's `.value` after the first part),
 *     `summary_metrics.<key>`, `tags` (holds when the run's tag list contains the value),
 *     `state`, `createdAt` (ISO text), `displayName`, `name` (the run id), `group`, `jobType`.
 * `$regex` is served where a LIKE pattern says exactly the same (literals, `.`, `.*`, anchors);
 * anything else, like every field, operator or value type not listed, is an INVALID_ARGUMENT
 * naming it, never ignored. Sizes are bounded before the tree is walked and the tree by the
 * core's bounds (checkFilterTree).
 */
import { invalid } from '../../core/errors';
import { LIMITS } from '../../core/limits';
import type { Comparator, Filter, Literal, OrderTerm } from '../../core/query/ast';
import { and, checkFilterTree, comparison, not, or } from '../../core/query/filter';
import type { RunStatus } from '../../core/model';
import { nestsDeeperThan } from '../../core/validation';

/** Characters of filter JSON: the client's filters are a few hundred. */
export const MAX_FILTER_CHARS = 100_000;

/** Tags W&B's run fields live in (ARCHITECTURE.md, "Identity across tools"). */
export const WANDB_TAGS_TAG = 'wandb.tags';
export const WANDB_GROUP_TAG = 'wandb.group';
export const WANDB_JOB_TYPE_TAG = 'wandb.job_type';

const STATES = new Map<string, RunStatus>([
  ['running', 'RUNNING'], ['finished', 'FINISHED'], ['failed', 'FAILED'], ['killed', 'KILLED'],
  // A crashed run (its client went silent) is stored as failed.
  ['crashed', 'FAILED'], ['pending', 'SCHEDULED'],
]);

const clipped = (s: string) => (s.length > 80 ? `${s.slice(0, 80)}…` : s);
const bad = (message: string) => invalid(`Invalid run filter: ${message}`);

type Scalar = string | number | boolean;

/** Where a field lives in the core, and how its values are read. */
type Field =
  | { kind: 'value'; entity: 'config' | 'summary'; key: string }
  | { kind: 'attribute'; key: 'status' | 'start_time' | 'run_name' | 'run_id'; name: string }
  | { kind: 'tag'; key: string; name: string }
  | { kind: 'tags' };

/** `config.lr.value` and `config.lr` both name leaf `lr`; `config.model.value.depth` and `config.model.depth` leaf `model.depth`. */
function configKey(rest: string): string {
  const parts = rest.split('.');
  if (parts.length >= 2 && parts[1] === 'value') parts.splice(1, 1);
  return parts.join('.');
}

function fieldOf(name: string): Field {
  if (name.startsWith('config.') && name.length > 'config.'.length) return { kind: 'value', entity: 'config', key: configKey(name.slice(7)) };
  for (const prefix of ['summary_metrics.', 'summaryMetrics.', 'summary.']) {
    if (name.startsWith(prefix) && name.length > prefix.length) return { kind: 'value', entity: 'summary', key: name.slice(prefix.length) };
  }
  switch (name) {
    case 'state': return { kind: 'attribute', key: 'status', name };
    case 'createdAt': case 'created_at': return { kind: 'attribute', key: 'start_time', name };
    case 'displayName': case 'display_name': return { kind: 'attribute', key: 'run_name', name };
    case 'name': return { kind: 'attribute', key: 'run_id', name };
    case 'group': return { kind: 'tag', key: WANDB_GROUP_TAG, name };
    case 'jobType': case 'job_type': return { kind: 'tag', key: WANDB_JOB_TYPE_TAG, name };
    case 'tags': return { kind: 'tags' };
  }
  throw bad(`unknown field '${clipped(name)}' (served: config.<key>, summary_metrics.<key>, tags, state, createdAt, displayName, name, group, jobType).`);
}

const isScalar = (v: unknown): v is Scalar => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** A field's value in the core's terms. */
function literalOf(f: Field, v: unknown, op: string): Literal {
  if (!isScalar(v)) {
    throw bad(v === null ? `${op} null is not served; use {"$exists": false}.` : `${op} takes a string, number or boolean, not ${Array.isArray(v) ? 'a list' : typeof v}.`);
  }
  if (f.kind === 'value') return typeof v === 'boolean' ? String(v) : v;
  if (f.kind === 'attribute' && f.key === 'status') {
    const status = typeof v === 'string' ? STATES.get(v) : undefined;
    if (!status) throw bad(`state must be one of ${[...STATES.keys()].join(', ')}; got ${clipped(String(v))}.`);
    return status;
  }
  if (f.kind === 'attribute' && f.key === 'start_time') {
    const ms = typeof v === 'string' ? isoMillis(v) : undefined;
    if (ms === undefined) throw bad(`createdAt takes an ISO 8601 time such as "2026-12-01T08:09:40"; got ${clipped(String(v))}.`);
    return ms;
  }
  if (typeof v !== 'string') throw bad(`${fieldName(f)} takes a string value, not ${typeof v}.`);
  return v;
}

const fieldName = (f: Field) => (f.kind === 'tags' ? 'tags' : f.kind === 'value' ? `${f.entity}.${f.key}` : f.name);

/** W&B writes times without a zone, meaning UTC. */
function isoMillis(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text)) return undefined;
  const zoned = /T.*(Z|[+-]\d{2}:?\d{2})$/.test(text) || !text.includes('T') ? text : `${text}Z`;
  const ms = Date.parse(zoned);
  return Number.isFinite(ms) ? ms : undefined;
}

/** LIKE's own characters (and its escape) taken literally. */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * `tags` holds `t` when the run's tag list (JSON array text) has the element `"t"`: an element
 * starts right after `[` or after `,` (with or without a space), where no string's inside can be.
 */
function tagListContains(t: string): Filter {
  const element = likeLiteral(JSON.stringify(t));
  return or(...[`[${element}%`, `%,${element}%`, `%, ${element}%`].map((p) => comparison('tag', WANDB_TAGS_TAG, 'LIKE', p)));
}

/**
 * A regular expression as a LIKE pattern, when one says exactly the same: literal characters
 * (metacharacters escaped with a backslash), `.` and `.*`, and the anchors `^` and `$`
 * (unanchored, a regex matches anywhere, so the pattern gets `%` on that side).
 */
export function regexToLike(re: string): string {
  let i = 0, out = '', startsAny = false, endsAny = false;
  const anchoredStart = re.startsWith('^');
  if (anchoredStart) i = 1;
  let end = re.length;
  const anchoredEnd = re.endsWith('$') && !re.endsWith('\\$');
  if (anchoredEnd) end--;
  while (i < end) {
    const ch = re[i];
    if (ch === '\\') {
      const next = re[i + 1];
      if (next === undefined || i + 1 >= end || !/[.^$*+?()[\]{}|\\/\-]/.test(next)) {
        throw bad(`$regex ${clipped(re)} uses an escape that has no exact LIKE form (only literal escapes such as \\. are served).`);
      }
      out += likeLiteral(next);
      endsAny = false;
      i += 2;
    } else if (ch === '.') {
      if (re[i + 1] === '*') {
        if (out === '') startsAny = true;
        if (!endsAny) out += '%';
        endsAny = true;
        i += 2;
      } else { out += '_'; endsAny = false; i += 1; }
    } else if ('^$*+?()[]{}|'.includes(ch)) {
      throw bad(`$regex ${clipped(re)} has no exact LIKE form: only literal text, '.', '.*', '^' and '$' are served.`);
    } else {
      out += likeLiteral(ch);
      endsAny = false;
      i++;
    }
  }
  // `%%` means what `%` does; one is enough.
  return `${anchoredStart || startsAny ? '' : '%'}${out}${anchoredEnd || endsAny ? '' : '%'}`;
}

const OPERATORS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$regex', '$options', '$not']);
const RANGE: Record<string, Comparator> = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' };

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function equals(f: Field, v: unknown, op: string): Filter {
  if (f.kind === 'tags') {
    if (typeof v !== 'string') throw bad(`tags ${op} takes a tag (a string).`);
    return tagListContains(v);
  }
  return f.kind === 'value' ? comparison(f.entity, f.key, '=', literalOf(f, v, op)) : comparison(f.kind === 'tag' ? 'tag' : 'attribute', f.key, '=', literalOf(f, v, op));
}

function listOf(f: Field, v: unknown, op: string): Literal[] | string[] {
  if (!Array.isArray(v)) throw bad(`${op} takes a list.`);
  if (v.length > LIMITS.filterListValues) throw bad(`a ${op} list may hold at most ${LIMITS.filterListValues} values.`);
  if (f.kind === 'tags') {
    return v.map((x) => { if (typeof x !== 'string') throw bad(`tags ${op} takes a list of tags (strings).`); return x; });
  }
  return v.map((x) => literalOf(f, x, op));
}

function inList(f: Field, v: unknown, op: string): Filter {
  const list = listOf(f, v, op);
  if (f.kind === 'tags') return or(...(list as string[]).map(tagListContains));
  if (list.length === 0) return or();
  const entity = f.kind === 'value' ? f.entity : f.kind === 'tag' ? 'tag' : 'attribute';
  return comparison(entity, f.key, 'IN', list);
}

function range(f: Field, op: string, v: unknown): Filter {
  if (f.kind === 'tags') throw bad(`tags takes no ${op}.`);
  if (f.kind === 'tag' || (f.kind === 'attribute' && f.key !== 'start_time')) throw bad(`${fieldName(f)} takes no ${op}.`);
  const value = literalOf(f, v, op);
  return f.kind === 'value' ? comparison(f.entity, f.key, RANGE[op], value) : comparison('attribute', f.key, RANGE[op], value);
}

function exists(f: Field, v: unknown): Filter {
  if (typeof v !== 'boolean') throw bad('$exists takes true or false.');
  const [entity, key] = f.kind === 'value' ? [f.entity, f.key] as const : f.kind === 'tags' ? ['tag', WANDB_TAGS_TAG] as const : f.kind === 'tag' ? ['tag', f.key] as const : [undefined, undefined];
  // Attributes: every run has them (a run's name may be empty, which is still a name).
  if (!entity) return v ? and() : or();
  return comparison(entity, key, v ? 'IS NOT NULL' : 'IS NULL');
}

function regex(f: Field, v: unknown, options: unknown): Filter {
  if (typeof v !== 'string') throw bad('$regex takes a string.');
  if (options !== undefined && options !== '' && options !== 'i') throw bad(`$options ${clipped(String(options))} is not served (only "i").`);
  if (f.kind === 'tags') throw bad('tags takes no $regex.');
  if (f.kind === 'attribute' && (f.key === 'status' || f.key === 'start_time')) throw bad(`${f.name} takes no $regex.`);
  const op = options === 'i' ? 'ILIKE' : 'LIKE';
  const pattern = regexToLike(v);
  return f.kind === 'value' ? comparison(f.entity, f.key, op, pattern) : comparison(f.kind === 'tag' ? 'tag' : 'attribute', f.key, op, pattern);
}

/** A field's operator object: its operators ANDed. */
function operators(f: Field, spec: Record<string, unknown>, depth: number): Filter {
  const terms: Filter[] = [];
  const keys = Object.keys(spec);
  if (keys.length === 0) throw bad(`${fieldName(f)} is compared with an empty object.`);
  for (const op of keys) {
    if (!OPERATORS.has(op)) throw bad(`operator '${clipped(op)}' is not served (served: ${[...OPERATORS].join(' ')}).`);
    const v = spec[op];
    switch (op) {
      case '$eq': terms.push(equals(f, v, op)); break;
      case '$ne': terms.push(not(equals(f, v, op))); break;
      case '$gt': case '$gte': case '$lt': case '$lte': terms.push(range(f, op, v)); break;
      case '$in': terms.push(inList(f, v, op)); break;
      case '$nin': terms.push(not(inList(f, v, op))); break;
      case '$exists': terms.push(exists(f, v)); break;
      case '$regex': terms.push(regex(f, v, spec.$options)); break;
      case '$options': if (!Object.hasOwn(spec, '$regex')) throw bad('$options needs a $regex.'); break;
      case '$not':
        if (!isPlainObject(v)) throw bad('$not on a field takes an operator object.');
        checkDepth(depth + 1);
        terms.push(not(operators(f, v, depth + 1)));
        break;
    }
  }
  return terms.length === 1 ? terms[0] : and(...terms);
}

function checkDepth(depth: number): void {
  if (depth > LIMITS.filterDepth) throw bad(`filters may nest at most ${LIMITS.filterDepth} deep.`);
}

function list(v: unknown, op: string, depth: number): Filter[] {
  if (!Array.isArray(v)) throw bad(`${op} takes a list of filters.`);
  if (v.length > LIMITS.filterTerms) throw bad(`${op} may join at most ${LIMITS.filterTerms} filters.`);
  return v.map((x) => node(x, depth + 1));
}

/** One filter object: its entries ANDed. */
function node(v: unknown, depth: number): Filter {
  checkDepth(depth);
  if (!isPlainObject(v)) throw bad('a filter must be a JSON object.');
  const terms: Filter[] = [];
  for (const key of Object.keys(v)) {
    const value = v[key];
    if (key === '$and') terms.push(and(...list(value, key, depth)));
    else if (key === '$or') terms.push(or(...list(value, key, depth)));
    else if (key === '$nor') terms.push(not(or(...list(value, key, depth))));
    else if (key === '$not') terms.push(not(node(value, depth + 1)));
    else if (key.startsWith('$')) throw bad(`operator '${clipped(key)}' is not served at the top of a filter (served: $and $or $nor $not).`);
    else {
      const f = fieldOf(key);
      const hasOperators = isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'));
      if (isPlainObject(value) && !hasOperators) throw bad(`${clipped(key)} is compared with an object; compare its keys (${clipped(key)}.<key>) instead.`);
      terms.push(hasOperators ? operators(f, value as Record<string, unknown>, depth + 1) : equals(f, value, '$eq'));
    }
  }
  return terms.length === 1 ? terms[0] : and(...terms);
}

/** A W&B filter (JSON text or already parsed; absent, null or "" for none) as a core filter tree, checked against the core's bounds. */
export function runFilterOf(filters: unknown): Filter {
  if (filters === undefined || filters === null || filters === '') return and();
  let value: unknown = filters;
  if (typeof filters === 'string') {
    if (filters.length > MAX_FILTER_CHARS) throw bad(`its JSON may be at most ${MAX_FILTER_CHARS} characters.`);
    if (nestsDeeperThan(filters, 2 * LIMITS.filterDepth + 2)) throw bad(`filters may nest at most ${LIMITS.filterDepth} deep.`);
    try {
      value = JSON.parse(filters);
    } catch {
      throw bad('it is not JSON.');
    }
  }
  const tree = node(value, 0);
  checkFilterTree(tree);
  return tree;
}

/** W&B's `order`: `[+|-]field`, ascending unless `-`; created_at when none. */
export function runOrderOf(order: unknown): OrderTerm[] {
  if (order === undefined || order === null || order === '') return [{ entity: 'attribute', key: 'start_time', ascending: true }];
  if (typeof order !== 'string' || order.length > 1000) throw invalid('Invalid run order: it must be a string such as "+created_at".');
  const ascending = !order.startsWith('-');
  const name = order.replace(/^[+-]/, '');
  const attribute = (key: string): OrderTerm[] => [{ entity: 'attribute', key, ascending }];
  switch (name) {
    case 'created_at': case 'createdAt': return attribute('start_time');
    case 'display_name': case 'displayName': return attribute('run_name');
    case 'name': return attribute('run_id');
    case 'state': return attribute('status');
  }
  if (name.startsWith('config.') && name.length > 7) return [{ entity: 'config', key: configKey(name.slice(7)), ascending }];
  for (const prefix of ['summary_metrics.', 'summaryMetrics.', 'summary.']) {
    if (name.startsWith(prefix) && name.length > prefix.length) return [{ entity: 'summary', key: name.slice(prefix.length), ascending }];
  }
  throw invalid(`Invalid run order '${clipped(order)}': served are created_at, display_name, name, state, config.<key>.value and summary_metrics.<key>.`);
}
