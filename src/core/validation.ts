/** Name, key and value rules shared by every write path. */
import { invalid } from './errors';
import { LIMITS } from './limits';
import { type LifecycleStage, type MetricPoint, RUN_STATUSES, type RunStatus, type Tag } from './model';
import { assertNoNul } from './text';
import { isInt64 } from './int64';

// Python's \w, which MLflow's rule uses, is Unicode-aware: letters and numbers of any script.
const KEY_CHARS = /^[/\p{L}\p{N}_.\- :]*$/u;

/** Keys become file paths in MLflow's file layout, so they must already be in normal form. */
function isPathNormal(key: string): boolean {
  if (key === '' || key === '.' || key.startsWith('/') || key.startsWith('..')) return false;
  const parts = key.split('/');
  return parts.every((p, i) => p !== '' && p !== '.' && p !== '..' && !(i === parts.length - 1 && p === ''));
}

/** Whether validateKey accepts the key: a name MLflow can hold (as a metric, param or tag key). */
export const isMetricKey = (key: string): boolean =>
  key !== '' && KEY_CHARS.test(key) && isPathNormal(key) && key.length <= LIMITS.keyLength;

export function validateKey(key: string, param: string): void {
  if (typeof key !== 'string' || key === '') throw invalid(`Missing value for required parameter '${param}'.`);
  if (!KEY_CHARS.test(key)) {
    throw invalid(`Invalid value "${key}" for parameter '${param}' supplied: Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).`);
  }
  if (!isPathNormal(key)) {
    throw invalid(`Invalid value "${key}" for parameter '${param}' supplied: Names cannot be '.', start with '/' or '..', or contain empty, '.' or '..' path segments.`);
  }
  if (key.length > LIMITS.keyLength) {
    throw invalid(`'${param}' exceeds the maximum length of ${LIMITS.keyLength} characters`);
  }
}

/**
 * A param or tag value as stored: NUL refused (no store can hold it), over-long values
 * truncated as MLflow does (MLFLOW_TRUNCATE_LONG_VALUES defaults on).
 */
export function storedValue(value: string, max: number, param: string): string {
  assertNoNul(value, param);
  return truncate(value, max);
}

export function truncate(value: string, max: number): string {
  return value.length > max ? value.slice(0, max) : value;
}

export function validateMetric(m: MetricPoint, param: string): void {
  validateKey(m.key, `${param}.key`);
  if (typeof m.value !== 'number') throw invalid(`Invalid value for parameter '${param}.value': expected a number`);
  if (!isInt64(m.timestamp) || m.timestamp < 0) {
    throw invalid(`Invalid value ${m.timestamp} for parameter '${param}.timestamp' supplied: it must be a non-negative int64`);
  }
  if (!isInt64(m.step)) throw invalid(`Invalid value ${m.step} for parameter '${param}.step' supplied: it must be an int64`);
}

/** Start, end, deletion and creation times: ms since epoch, so a non-negative int64. */
export function validateTime(value: unknown, param: string): void {
  if (!isInt64(value) || value < 0) {
    throw invalid(`Invalid value ${String(value)} for parameter '${param}' supplied: it must be a non-negative int64`);
  }
}

export function validateRunStatus(value: unknown, param = 'status'): asserts value is RunStatus {
  if (!RUN_STATUSES.includes(value as RunStatus)) {
    throw invalid(`Invalid value ${String(value)} for parameter '${param}' supplied: it must be one of ${RUN_STATUSES.join(', ')}`);
  }
}

export function validateLifecycleStage(value: unknown, param = 'lifecycle_stage'): asserts value is LifecycleStage {
  if (value !== 'active' && value !== 'deleted') {
    throw invalid(`Invalid value ${String(value)} for parameter '${param}' supplied: it must be 'active' or 'deleted'`);
  }
}

export function checkBatchSize(metrics: number, params: number, tags: number): void {
  const over = (n: number, max: number, what: string) => {
    if (n > max) {
      throw invalid(`A batch logging request can contain at most ${max} ${what}. Got ${n} ${what}. Please split up ${what} across multiple requests and try again.`);
    }
  };
  over(metrics, LIMITS.batchMetrics, 'metrics');
  over(params, LIMITS.batchParams, 'params');
  over(tags, LIMITS.batchTags, 'tags');
  const total = metrics + params + tags;
  if (total > LIMITS.batchEntities) {
    throw invalid(`A batch logging request can contain at most ${LIMITS.batchEntities} metrics, params, and tags in total. Got ${total} entities. Please split up entities across multiple requests and try again.`);
  }
}

export function duplicateKeys(items: Tag[]): string[] {
  const seen = new Set<string>(), dup = new Set<string>();
  for (const t of items) (seen.has(t.key) ? dup : seen).add(t.key);
  return [...dup];
}

export function validateExperimentName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw invalid(`Invalid experiment name: '${name ?? ''}'. Expects a non-empty string.`);
  }
  assertNoNul(name, 'name');
  if (name.length > LIMITS.experimentNameLength) {
    throw invalid(`Experiment name exceeds the maximum length of ${LIMITS.experimentNameLength} characters`);
  }
  return name;
}

export function validateExperimentTag(t: Tag, param: string): void {
  validateKey(t.key, `${param}.key`);
  assertNoNul(t.value, `${param}.value`);
  if (t.value.length > LIMITS.experimentTagValueLength) {
    throw invalid(`'${param}.value' exceeds the maximum length of ${LIMITS.experimentTagValueLength} characters`);
  }
}

/** Each experiment id of a search is a bind variable of its statement. */
export function checkExperimentIds(ids: readonly unknown[], param = 'experiment_ids'): void {
  if (ids.length > LIMITS.searchExperimentIds) {
    throw invalid(`Invalid value for parameter '${param}': a search may name at most ${LIMITS.searchExperimentIds} experiments, got ${ids.length}.`);
  }
}

/**
 * The index of the quote that closes the JSON string whose opening quote is at `open` (the
 * text's length when it is never closed): every reader of raw JSON text skips strings this way,
 * so brackets, digits and quotes inside them are never taken for structure.
 */
export function jsonStringEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 34 /* " */) return i;
  }
  return text.length;
}

/**
 * Whether a JSON text nests deeper than `max` (brackets outside strings), read in one pass
 * before it is parsed: a value nested 100,000 levels deep parses, but printing it again
 * overflows the stack.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i = jsonStringEnd(text, i);
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
    }
  }
  return false;
}
