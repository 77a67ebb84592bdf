/**
 * How the lines of a W&B run's file stream become core data (ARCHITECTURE.md, "Identity across
 * tools"): a `wandb-history.jsonl` line is one history row, a `wandb-events.jsonl` line is one
 * sample of system metrics, `wandb-summary.json` is the whole summary. Lines are W&B's JSON
 * dialect (bare NaN and ±Infinity, exact integers past 2^53), read by the core's parser.
 */
import type { Int64 } from '../../core/int64';
import { toInt64 } from '../../core/int64';
import { isJsonObject, type JsonObject, type JsonValue, parseJson } from '../../core/json-value';
import { LIMITS } from '../../core/limits';
import type { HistoryRow } from '../../core/model';

/** What a line could not be read as; the line is dropped (and its offset still passes). */
export class UnreadableLine extends Error {}

/** Keys the SDK keeps for itself: `_wandb` holds its internals, never user data. */
const SDK_KEY = '_wandb';

function objectOf(line: unknown, what: string): JsonObject {
  if (typeof line !== 'string') throw new UnreadableLine(`a ${what} line must be a string`);
  let v: JsonValue;
  try {
    v = parseJson(line, LIMITS.jsonNesting, `${what} line`);
  } catch (e) {
    throw new UnreadableLine((e as Error).message);
  }
  if (!isJsonObject(v)) throw new UnreadableLine(`a ${what} line must be a JSON object`);
  return v;
}

/** `_timestamp` (float seconds since the epoch) in ms; `fallback` when absent or not a time. */
function timestampOf(row: JsonObject, fallback: number): number {
  const t = row._timestamp;
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) return fallback;
  const ms = Math.round(t * 1000);
  return Number.isSafeInteger(ms) ? ms : fallback;
}

/** Where system metrics live among a run's metrics; only the events stream writes there. */
const SYSTEM_METRIC_PREFIX = 'system/';

/**
 * Numeric leaves are metrics; plain nested objects are walked, their keys joined with '.'; every
 * other leaf (an object with `_type` such as image-file, table-file or histogram, a list, a string,
 * a boolean, null, an integer no double holds) is a history value, kept whole. A number whose key
 * starts with `system/` is a history value too: as a metric it would be read as a system metric
 * (W&B's events), yet the user logged it to history, where `history()` must return it. The core
 * also keeps as history values the numbers whose keys MLflow refuses (`acc@1`); MLflow sees neither.
 */
function leavesInto(out: HistoryRow, prefix: string, obj: JsonObject): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix + k;
    if (typeof v === 'number' && !key.startsWith(SYSTEM_METRIC_PREFIX)) out.metrics.push({ key, value: v });
    else if (isJsonObject(v) && typeof v._type !== 'string') leavesInto(out, `${key}.`, v);
    else out.values.push({ key, value: v });
  }
}

/**
 * A history line as a core row. `_step` is the step and `_timestamp` the time; `_runtime` stays a
 * metric of its own (seconds since the run started), as W&B charts it. A row without a usable
 * `_step` takes its line index: W&B numbers steps from 0 with one row per step, so for a client
 * that never sets `step=` the two agree, and the row still lands in order. A row without a time
 * takes the time it arrived.
 */
export function historyRowOf(line: unknown, lineIndex: number, now: number): HistoryRow {
  const obj = objectOf(line, 'history');
  const step: Int64 = toInt64(obj._step) ?? lineIndex;
  const row: HistoryRow = { step, timestamp: timestampOf(obj, now), metrics: [], values: [] };
  const rest: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === '_step' || k === '_timestamp' || k === SDK_KEY) continue;
    Object.defineProperty(rest, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  leavesInto(row, '', rest);
  return row;
}

const SYSTEM_PREFIX = 'system.';

/**
 * An events line as a core row: each numeric `system.X` is metric `system/X` (where MLflow keeps
 * its own system metrics) at the line's time, and the step is the line index (a sample has no
 * step of its own). `_runtime` and `_wandb` are the SDK's bookkeeping and are not kept.
 */
export function eventsRowOf(line: unknown, lineIndex: number, now: number): HistoryRow {
  const obj = objectOf(line, 'events');
  const row: HistoryRow = { step: lineIndex, timestamp: timestampOf(obj, now), metrics: [], values: [] };
  for (const [k, v] of Object.entries(obj)) {
    if (!k.startsWith(SYSTEM_PREFIX) || k.length === SYSTEM_PREFIX.length) continue;
    if (typeof v === 'number') row.metrics.push({ key: `system/${k.slice(SYSTEM_PREFIX.length)}`, value: v });
  }
  return row;
}

/** An empty row holding a dropped line's place, so the stream's offset passes it. */
export const placeholderRow = (lineIndex: number, now: number): HistoryRow => ({ step: lineIndex, timestamp: now, metrics: [], values: [] });

/** The summary line: the run's entire current summary, as one JSON object. */
export function summaryOf(line: unknown): JsonObject {
  return objectOf(line, 'summary');
}

/**
 * Summary entries a new summary that lacks them does not remove. wandb 0.31, resuming a run,
 * first re-sends the old summary without `_step` (until its next row); replacing it wholesale
 * would lose the run's last step, which `wandb.Api()` reads from the summary.
 */
export const SUMMARY_KEPT_WHEN_ABSENT: readonly string[] = ['_step'];
