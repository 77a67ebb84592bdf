/**
 * Per-search-target rules on top of the generic parser: which prefixes, keys, comparators
 * and value types each MLflow search accepts, and the canonical AST they become.
 * Messages follow MLflow's wording so clients see familiar errors.
 */
import { invalid } from '../errors';
import type { Comparator, Comparison, Entity, Filter, Literal, OrderTerm } from './ast';
import { and, comparison } from './filter';
import { clip } from './lexer';
import {
  checkOrderByCount,
  parseFilter,
  parseOrderBy,
  RUN_PREFIXES,
  type PrefixTable,
  type RawComparison,
  type RawOrderTerm,
  type RawValue,
} from './parser';

const NUMERIC_OPS: readonly Comparator[] = ['=', '!=', '>', '>=', '<', '<='];
const STRING_OPS: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE'];
const NULL_OPS: readonly Comparator[] = ['IS NULL', 'IS NOT NULL'];
const LIST_OPS: readonly Comparator[] = ['IN', 'NOT IN'];

/** Python's rendering of a set of strings, which is what MLflow's messages show. */
const pySet = (items: Iterable<string>) => `{${[...items].map((item) => `'${item}'`).join(', ')}}`;
const pyList = (items: readonly string[]) => `[${items.map((item) => `'${clip(item)}'`).join(', ')}]`;

function requireOp(op: Comparator, allowed: readonly Comparator[], message: string): void {
  if (!allowed.includes(op)) throw invalid(message);
}

const badComparator = (op: Comparator, allowed: readonly Comparator[]) =>
  `Invalid comparator '${op}' not one of '${pySet(allowed)}'`;

function stringValue(c: RawComparison, what: string): string {
  const value = c.value as RawValue;
  if (value.kind === 'string') return value.value;
  if (value.kind === 'word') {
    throw invalid(
      `Parameter value is either not quoted or unidentified quote types used for string value ${clip(value.text)}. ` +
        'Use either single or double quotes.',
    );
  }
  throw invalid(`Expected a quoted string value for ${what} (e.g. 'my-value'). Got value ${clip(value.text)}`);
}

function numberValue(c: RawComparison, describe: (found: string) => string): number {
  const value = c.value as RawValue;
  if (value.kind !== 'number') throw invalid(describe(clip(value.text)));
  return value.value;
}

function stringList(c: RawComparison): string[] {
  const values = c.value as RawValue[];
  return values.map((value) => {
    if (value.kind !== 'string') {
      throw invalid(
        'While parsing a list in the query, expected string value, punctuation, or whitespace, ' +
          `but got different type in list: ${clip(c.valueText ?? '')}`,
      );
    }
    return value.value;
  });
}

/** The value of a string-typed comparison: a list for [NOT] IN, nothing for IS [NOT] NULL. */
function stringOperand(c: RawComparison, what: string): Literal | Literal[] | undefined {
  if (NULL_OPS.includes(c.op)) return undefined;
  if (LIST_OPS.includes(c.op)) return stringList(c);
  return stringValue(c, what);
}

/** Rejects a second order_by on the same (entity, key) after aliases are folded, as MLflow does. */
function rejectDuplicates(terms: readonly OrderTerm[], raw: readonly RawOrderTerm[]): OrderTerm[] {
  const seen = new Set<string>();
  for (const term of terms) {
    const id = `${term.entity}\u0000${term.key}`;
    if (seen.has(id)) throw invalid(`\`order_by\` contains duplicate fields: ${pyList(raw.map((r) => r.clause))}`);
    seen.add(id);
  }
  return [...terms];
}

// ---------------------------------------------------------------- search_runs

const RUN_ATTRIBUTES = new Map<string, string>([
  ['run_id', 'run_id'], ['run_name', 'run_name'], ['status', 'status'], ['user_id', 'user_id'],
  ['artifact_uri', 'artifact_uri'], ['start_time', 'start_time'], ['end_time', 'end_time'],
  ['created', 'start_time'], ['Created', 'start_time'],
  ['run name', 'run_name'], ['Run name', 'run_name'], ['Run Name', 'run_name'],
]);
/** order_by takes the `created` aliases but not the `run name` ones. */
const RUN_ORDER_ATTRIBUTES = new Map([...RUN_ATTRIBUTES].filter(([alias]) => !alias.includes(' ')));
const RUN_NUMERIC_ATTRIBUTES = new Set(['start_time', 'end_time']);
const RUN_STRING_ATTRIBUTE_OPS: readonly Comparator[] = [...STRING_OPS, ...LIST_OPS];
const DATASET_KEYS = new Set(['name', 'digest', 'context']);
const TAG_OR_PARAM_OPS: readonly Comparator[] = [...STRING_OPS, ...NULL_OPS];

const invalidAttributeKey = (key: string, valid: Iterable<string>) =>
  invalid(`Invalid attribute key '${clip(key)}' specified. Valid keys are '${pySet(valid)}'`);

/** Metrics compare numerically in every search that has them (runs, logged models). */
function metricComparison(c: RawComparison): Comparison {
  requireOp(c.op, NUMERIC_OPS, badComparator(c.op, NUMERIC_OPS));
  return comparison('metric', c.key, c.op, numberValue(c, (found) => `Expected numeric value type for metric. Found ${found}`));
}

export function parseRunFilter(filter: string | undefined): Filter {
  return and(...parseFilter(filter, RUN_PREFIXES).map(runComparison));
}

function runComparison(c: RawComparison): Comparison {
  switch (c.entity) {
    case 'metric':
      return metricComparison(c);
    case 'param':
    case 'tag':
      requireOp(c.op, TAG_OR_PARAM_OPS, badComparator(c.op, TAG_OR_PARAM_OPS));
      return comparison(c.entity, c.key, c.op, stringOperand(c, c.entity === 'param' ? 'parameter' : 'tag'));
    case 'dataset': {
      if (!DATASET_KEYS.has(c.key)) {
        throw invalid(`Invalid dataset key '${clip(c.key)}' specified. Valid keys are '${pySet(DATASET_KEYS)}'`);
      }
      const ops = [...STRING_OPS, ...LIST_OPS];
      requireOp(c.op, ops, badComparator(c.op, ops));
      return comparison('dataset', c.key, c.op, stringOperand(c, 'dataset attributes'));
    }
    case 'attribute':
      return runAttributeComparison(c);
    default:
      throw invalid(`Invalid entity type '${c.entity}'`);
  }
}

function runAttributeComparison(c: RawComparison): Comparison {
  const key = RUN_ATTRIBUTES.get(c.key);
  if (!key) throw invalidAttributeKey(c.key, RUN_ATTRIBUTES.keys());
  if (RUN_NUMERIC_ATTRIBUTES.has(key)) {
    requireOp(c.op, NUMERIC_OPS, badComparator(c.op, NUMERIC_OPS));
    const value = numberValue(c, (found) => `Expected numeric value type for numeric attribute: ${c.key}. Found ${found}`);
    return comparison('attribute', key, c.op, value);
  }
  requireOp(c.op, RUN_STRING_ATTRIBUTE_OPS, badComparator(c.op, RUN_STRING_ATTRIBUTE_OPS));
  if (LIST_OPS.includes(c.op) && key !== 'run_id') {
    throw invalid("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
  }
  return comparison('attribute', key, c.op, stringOperand(c, 'attributes'));
}

export function parseRunOrderBy(list: readonly string[] | undefined): OrderTerm[] {
  const raw = parseOrderBy(list, RUN_PREFIXES);
  const terms = raw.map((r): OrderTerm => {
    if (r.entity === 'dataset') throw invalid(`Invalid identifier type '${r.entity}'`);
    if (r.entity !== 'attribute') return { entity: r.entity, key: r.key, ascending: r.ascending };
    const key = RUN_ORDER_ATTRIBUTES.get(r.key);
    if (!key) throw invalidAttributeKey(r.key, RUN_ORDER_ATTRIBUTES.keys());
    return { entity: 'attribute', key, ascending: r.ascending };
  });
  return rejectDuplicates(terms, raw);
}

// ------------------------------------------- experiments and the model registry

/** search_experiments and both registry searches take only these three prefixes (case-sensitive). */
const ATTRIBUTE_OR_TAG_PREFIXES: PrefixTable = {
  aliases: new Map<string, Entity>([['attribute', 'attribute'], ['tag', 'tag'], ['tags', 'tag']]),
  unknown: (prefix) => `Invalid entity type '${clip(prefix)}'. Valid entity types are ('attribute', 'tag', 'tags')`,
};

const EXPERIMENT_STRING_ATTRIBUTES = new Set(['name']);
const EXPERIMENT_NUMERIC_ATTRIBUTES = new Set(['creation_time', 'last_update_time']);
const EXPERIMENT_ORDER_KEYS = new Set(['name', 'experiment_id', 'creation_time', 'last_update_time']);

export function parseExperimentFilter(filter: string | undefined): Filter {
  return and(...parseFilter(filter, ATTRIBUTE_OR_TAG_PREFIXES).map((c) => {
    if (c.entity === 'tag') {
      const ops = [...STRING_OPS, ...NULL_OPS];
      requireOp(c.op, ops, `Invalid comparator for tag: ${c.op}`);
      return comparison('tag', c.key, c.op, stringOperand(c, 'tag'));
    }
    if (EXPERIMENT_NUMERIC_ATTRIBUTES.has(c.key)) {
      requireOp(c.op, NUMERIC_OPS, `Invalid comparator for numeric attribute: ${c.op}`);
      const value = numberValue(c, (found) => `Expected numeric value type for numeric attribute: ${c.key}. Found ${found}`);
      return comparison('attribute', c.key, c.op, value);
    }
    if (c.key === 'experiment_id') {
      // MLflow 3.17 added experiment_id: equality and lists, compared as the string id.
      const ops: readonly Comparator[] = ['=', '!=', ...LIST_OPS];
      requireOp(c.op, ops, `Invalid comparator for experiment_id: ${c.op}`);
      return comparison('attribute', 'experiment_id', c.op, stringOperand(c, 'experiment_id'));
    }
    if (EXPERIMENT_STRING_ATTRIBUTES.has(c.key)) {
      requireOp(c.op, STRING_OPS, `Invalid comparator for string attribute: ${c.op}`);
      return comparison('attribute', c.key, c.op, stringValue(c, 'attributes'));
    }
    throw invalidAttributeKey(c.key, [...EXPERIMENT_STRING_ATTRIBUTES, ...EXPERIMENT_NUMERIC_ATTRIBUTES, 'experiment_id']);
  }));
}

export function parseExperimentOrderBy(list: readonly string[] | undefined): OrderTerm[] {
  return parseOrderBy(list, ATTRIBUTE_OR_TAG_PREFIXES).map((r) => {
    if (r.entity !== 'attribute') throw invalid(`Invalid order_by entity: ${r.entity}`);
    if (!EXPERIMENT_ORDER_KEYS.has(r.key)) throw invalidAttributeKey(r.key, EXPERIMENT_ORDER_KEYS);
    return { entity: 'attribute', key: r.key, ascending: r.ascending };
  });
}

/** Registry tags never had IS NULL in MLflow; the prompt-exclusion clause uses `!=`. */
function registryTag(c: RawComparison): Comparison {
  requireOp(c.op, STRING_OPS, `Invalid comparator for tag: ${c.op}`);
  return comparison('tag', c.key, c.op, stringValue(c, 'tag'));
}

export function parseRegisteredModelFilter(filter: string | undefined): Filter {
  return and(...parseFilter(filter, ATTRIBUTE_OR_TAG_PREFIXES).map((c) => {
    if (c.entity === 'tag') return registryTag(c);
    if (c.key !== 'name') throw invalidAttributeKey(c.key, ['name']);
    requireOp(c.op, STRING_OPS, `Invalid comparator for attribute: ${c.op}`);
    return comparison('attribute', 'name', c.op, stringValue(c, 'attributes'));
  }));
}

/**
 * MLflow's SQL registry sorts `timestamp` by the last-update time (both spellings are one
 * column, so giving both is a duplicate); `timestamp` is the recommended spelling.
 */
const REGISTERED_MODEL_ORDER_KEYS = new Map([
  ['name', 'name'],
  ['timestamp', 'last_updated_timestamp'],
  ['last_updated_timestamp', 'last_updated_timestamp'],
]);

export function parseRegisteredModelOrderBy(list: readonly string[] | undefined): OrderTerm[] {
  const raw = parseOrderBy(list, ATTRIBUTE_OR_TAG_PREFIXES);
  const terms = raw.map((r): OrderTerm => {
    // MLflow compares the whole field text here, so `attribute.name` is not a valid key.
    const key = r.prefix === undefined ? REGISTERED_MODEL_ORDER_KEYS.get(r.key) : undefined;
    if (!key) {
      throw invalid(`Invalid order by key '${clip(r.prefix === undefined ? r.key : r.text)}' specified. Valid keys are '${pySet(['name', 'timestamp'])}'`);
    }
    return { entity: 'attribute', key, ascending: r.ascending };
  });
  return rejectDuplicates(terms, raw);
}

const MODEL_VERSION_STRING_ATTRIBUTES = new Set(['name', 'run_id', 'source_path']);
const MODEL_VERSION_NUMERIC_ATTRIBUTES = new Set(['version_number']);
const MODEL_VERSION_ORDER_KEYS = new Set(['name', 'version_number', 'creation_timestamp', 'last_updated_timestamp']);
const MODEL_VERSION_NUMERIC_KEYS_FOR_MESSAGE = ['version_number', 'creation_timestamp', 'last_updated_timestamp'];

export function parseModelVersionFilter(filter: string | undefined): Filter {
  return and(...parseFilter(filter, ATTRIBUTE_OR_TAG_PREFIXES).map((c) => {
    if (c.entity === 'tag') return registryTag(c);
    if (MODEL_VERSION_NUMERIC_ATTRIBUTES.has(c.key)) {
      requireOp(c.op, NUMERIC_OPS, `Invalid comparator for attribute ${c.key}: ${c.op}`);
      return comparison('attribute', c.key, c.op, versionNumber(c));
    }
    if (!MODEL_VERSION_STRING_ATTRIBUTES.has(c.key)) {
      throw invalidAttributeKey(c.key, [...MODEL_VERSION_STRING_ATTRIBUTES, ...MODEL_VERSION_NUMERIC_ATTRIBUTES]);
    }
    // Model versions never supported NOT IN, and IN only for run_id.
    const ops = c.key === 'run_id' ? [...STRING_OPS, 'IN' as const] : STRING_OPS;
    requireOp(c.op, ops, `Invalid comparator for attribute: ${c.op}`);
    if (c.op !== 'IN' && (c.value as RawValue).kind === 'number') {
      throw invalid(`Only the '${pySet(MODEL_VERSION_NUMERIC_KEYS_FOR_MESSAGE)}' attributes support comparison with numeric values.`);
    }
    return comparison('attribute', c.key, c.op, stringOperand(c, 'attributes'));
  }));
}

/** A bare integer, or a quoted one: SQL compares `version = '3'` numerically, so MLflow accepts it. */
function versionNumber(c: RawComparison): number {
  const value = c.value as RawValue;
  if (value.kind === 'string' && /^\s*-?\d+\s*$/.test(value.value)) return Number(value.value);
  return numberValue(c, (found) => `Expected numeric value type for numeric attribute: ${c.key}. Found ${found}`);
}

export function parseModelVersionOrderBy(list: readonly string[] | undefined): OrderTerm[] {
  const raw = parseOrderBy(list, ATTRIBUTE_OR_TAG_PREFIXES);
  const terms = raw.map((r): OrderTerm => {
    if (r.entity === 'attribute' && !MODEL_VERSION_ORDER_KEYS.has(r.key)) throw invalidAttributeKey(r.key, MODEL_VERSION_ORDER_KEYS);
    if (r.entity !== 'attribute') {
      throw invalid(`Invalid order by key '${clip(r.key)}' specified. Valid keys are ${pySet(MODEL_VERSION_ORDER_KEYS)}`);
    }
    return { entity: 'attribute', key: r.key, ascending: r.ascending };
  });
  return rejectDuplicates(terms, raw);
}

// ------------------------------------------------------------ search_logged_models

const LOGGED_MODEL_ATTRIBUTES = new Map<string, string>([
  ['model_id', 'model_id'], ['name', 'name'], ['status', 'status'], ['model_type', 'model_type'], ['source_run_id', 'source_run_id'],
  ['creation_time', 'creation_timestamp'], ['creation_timestamp', 'creation_timestamp'],
  ['last_updated_time', 'last_updated_timestamp'], ['last_updated_timestamp', 'last_updated_timestamp'],
]);
const LOGGED_MODEL_NUMERIC = new Set(['creation_timestamp', 'last_updated_timestamp']);

export function parseLoggedModelFilter(filter: string | undefined): Filter {
  return and(...parseFilter(filter, RUN_PREFIXES).map((c) => {
    switch (c.entity) {
      case 'metric':
        return metricComparison(c);
      case 'param':
      case 'tag':
        requireOp(c.op, STRING_OPS, badComparator(c.op, STRING_OPS));
        return comparison(c.entity, c.key, c.op, stringValue(c, c.entity));
      case 'attribute': {
        const key = LOGGED_MODEL_ATTRIBUTES.get(c.key);
        if (!key) throw invalidAttributeKey(c.key, LOGGED_MODEL_ATTRIBUTES.keys());
        if (LOGGED_MODEL_NUMERIC.has(key)) {
          requireOp(c.op, NUMERIC_OPS, badComparator(c.op, NUMERIC_OPS));
          return comparison('attribute', key, c.op, numberValue(c, (found) => `Expected numeric value type for numeric attribute: ${c.key}. Found ${found}`));
        }
        const ops = [...STRING_OPS, ...LIST_OPS];
        requireOp(c.op, ops, badComparator(c.op, ops));
        return comparison('attribute', key, c.op, stringOperand(c, 'attributes'));
      }
      default:
        throw invalid(`Invalid entity type '${c.entity}' for a logged model search`);
    }
  }));
}

/** Logged-model order_by arrives as {field_name, ascending} objects, not strings. */
export function parseLoggedModelOrderBy(list: ReadonlyArray<{ field_name?: string; ascending?: boolean }> | undefined): OrderTerm[] {
  checkOrderByCount(list?.length ?? 0);
  return (list ?? []).map((o): OrderTerm => {
    const field = o.field_name ?? '';
    const ascending = o.ascending ?? true;
    if (field.startsWith('metrics.')) return { entity: 'metric', key: field.slice('metrics.'.length), ascending };
    const key = LOGGED_MODEL_ATTRIBUTES.get(field.replace(/^attributes?\./, ''));
    if (!key) throw invalidAttributeKey(field, LOGGED_MODEL_ATTRIBUTES.keys());
    return { entity: 'attribute', key, ascending };
  });
}
