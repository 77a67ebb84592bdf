/**
 * A run's history as `wandb.Api()` reads it: `history(samples)` and `events(samples)` (sampled
 * rows as JSON lines), `history(minStep, maxStep, samples)` (a step range, what scan_history
 * pages through), `sampledHistory(specs)` (rows of some keys, sampled, or a step range of them
 * when the spec has minStep: scan_history(keys=…)), `historyKeys` (keys, counts and
 * the last step) and `parquetHistory` (no parquet exports: every row is live data).
 *
 * A row is a step of the core's history rows (core/history-rows.ts): `_step`, every key logged
 * at the step (metric keys as stored, nested W&B keys already joined with '.'), and
 * `_timestamp` in seconds. JSON lines are written in the core's JSON dialect, so NaN, ±Infinity
 * and integers past 2^53 come back exactly as the client wrote them (Python's json reads them);
 * rows sent as GraphQL JSON values (sampledHistory, liveData) must be plain JSON, so there NaN
 * and ±Infinity are null and such integers the nearest double.
 */
import { invalid } from '../../../core/errors';
import type { StepRow } from '../../../core/history-rows';
import { HISTORY_ROW_LIMITS } from '../../../core/history-rows';
import { toInt64, type Int64 } from '../../../core/int64';
import { encodeJson, type JsonObject, type JsonValue } from '../../../core/json-value';
import { LIMITS } from '../../../core/limits';
import type { WandbContext } from '../context';
import type { GraphqlArea } from './area';
import type { RunSource } from './sources';

export const HISTORY_READS_SDL = /* GraphQL */ `
extend type Run {
  history(samples: Int, minStep: Int64, maxStep: Int64): [JSONString]
  events(samples: Int): [JSONString]
  sampledHistory(specs: [JSONString]): [JSON]
  historyKeys(format: String): JSON
  parquetHistory(liveKeys: [String]): RunParquetHistory
}

type RunParquetHistory {
  parquetUrls: [String]
  liveData: [JSON]
}
`;

/** The client's own default sample count. */
const DEFAULT_SAMPLES = 500;
/** Specs one sampledHistory may carry (the client sends one). */
const MAX_SPECS = 10;
/** The keys the row makes of the step and time, not stored as keys. */
const STEP_KEY = '_step';
const TIME_KEY = '_timestamp';

const SYSTEM_STORED = 'system/';
const SYSTEM_SHOWN = 'system.';

function samplesOf(v: unknown): number {
  if (v === undefined || v === null) return DEFAULT_SAMPLES;
  if (!Number.isSafeInteger(v) || (v as number) < 1) throw invalid(`samples must be a positive integer; got ${String(v).slice(0, 40)}.`);
  return Math.min(v as number, HISTORY_ROW_LIMITS.steps);
}

function stepOf(v: unknown, name: string): Int64 {
  const step = toInt64(v);
  if (step === undefined) throw invalid(`${name} must be an integer step; got ${String(v).slice(0, 40)}.`);
  return step;
}

const seconds = (ms: Int64) => Number(ms) / 1000;

/** A history row as W&B shows it; `keys` limits it to those keys (and `_step` / `_timestamp` when named). */
function historyObject(row: StepRow, keys?: ReadonlySet<string>): JsonObject {
  const out: JsonObject = {};
  const put = (k: string, v: JsonValue) => {
    if (keys && !keys.has(k)) return;
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  };
  put(STEP_KEY, row.step);
  for (const [k, v] of row.values) put(k, v);
  put(TIME_KEY, seconds(row.timestamp));
  return out;
}

/** An events line: system metrics as W&B names them (`system.cpu`), `_wandb`, the time; samples have no step. */
function eventsObject(row: StepRow): JsonObject {
  const out: JsonObject = { _wandb: true };
  for (const [k, v] of row.values) {
    const shown = k.startsWith(SYSTEM_STORED) ? SYSTEM_SHOWN + k.slice(SYSTEM_STORED.length) : k;
    Object.defineProperty(out, shown, { value: v, enumerable: true, writable: true, configurable: true });
  }
  out[TIME_KEY] = seconds(row.timestamp);
  return out;
}

const line = (obj: JsonObject) => encodeJson(obj, LIMITS.jsonNesting + 1, 'history row');

/** A value GraphQL's JSON answer can carry: bigints as numbers; non-finite numbers become null on the wire. */
function plain(v: JsonValue): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: plain(v[k]), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

async function history(r: RunSource, args: { samples?: unknown; minStep?: unknown; maxStep?: unknown }, ctx: WandbContext): Promise<string[]> {
  const runId = r.run.info.runId;
  if (args.minStep !== undefined && args.minStep !== null) {
    // HistoryPage: steps minStep ≤ step < maxStep, at most `samples` rows.
    const from = stepOf(args.minStep, 'minStep');
    const to = args.maxStep === undefined || args.maxStep === null ? undefined : stepOf(args.maxStep, 'maxStep');
    if (to !== undefined && to <= from) return [];
    const limit = args.samples === undefined || args.samples === null ? DEFAULT_SAMPLES : (args.samples as number);
    // A page past the core's bound is refused by the core, with its own message.
    ctx.cost.charge(Math.min(limit, HISTORY_ROW_LIMITS.steps), 'history');
    const rows = await ctx.tracking.historyRows.page(runId, {
      // Not clamped as a sample is: rows of the range left out would be lost to the client's scan, so the core refuses a page too large.
      from, to: to === undefined ? undefined : (typeof to === 'bigint' ? to - 1n : to - 1), limit,
    });
    return rows.map((row) => line(historyObject(row)));
  }
  const samples = samplesOf(args.samples);
  ctx.cost.charge(samples, 'history');
  const rows = await ctx.tracking.historyRows.sampled(runId, { samples });
  return rows.map((row) => line(historyObject(row)));
}

async function events(r: RunSource, args: { samples?: unknown }, ctx: WandbContext): Promise<string[]> {
  const samples = samplesOf(args.samples);
  ctx.cost.charge(samples, 'events');
  const rows = await ctx.tracking.historyRows.sampled(r.run.info.runId, { system: true, samples });
  return rows.map((row) => line(eventsObject(row)));
}

/**
 * A spec with minStep is a page of a scan (SampledHistoryPage): steps minStep ≤ step ≤ maxStep, not
 * sampled. Its maxStep is inclusive, unlike HistoryPage's: wandb-core asks for [0, 4999], [5000, 9999], ….
 */
interface Spec { keys: string[]; samples: number; minStep?: Int64; maxStep?: Int64 }

function specOf(text: unknown, i: number): Spec {
  let spec: unknown = text;
  if (typeof text === 'string') {
    if (text.length > 1_000_000) throw invalid(`sampledHistory spec ${i} is too long.`);
    try { spec = JSON.parse(text); } catch { throw invalid(`sampledHistory spec ${i} is not JSON.`); }
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw invalid(`sampledHistory spec ${i} must be an object with keys and samples.`);
  const { keys, samples, minStep, maxStep } = spec as { keys?: unknown; samples?: unknown; minStep?: unknown; maxStep?: unknown };
  if (!Array.isArray(keys) || keys.length > LIMITS.filterListValues || keys.some((k) => typeof k !== 'string' || k.length > LIMITS.keyLength)) {
    throw invalid(`sampledHistory spec ${i}: keys must be a list of at most ${LIMITS.filterListValues} key names.`);
  }
  if (minStep !== undefined && minStep !== null) {
    const page = samples === undefined || samples === null ? DEFAULT_SAMPLES : (samples as number);
    return { keys: keys as string[], samples: page, minStep: stepOf(minStep, 'minStep'), maxStep: maxStep === undefined || maxStep === null ? undefined : stepOf(maxStep, 'maxStep') };
  }
  return { keys: keys as string[], samples: samplesOf(samples) };
}

/**
 * One list of rows per spec. A row is a step that has every key the spec names (`_step` and
 * `_timestamp` are in every row), holding only those keys, as W&B answers.
 */
async function sampledHistory(r: RunSource, args: { specs?: unknown }, ctx: WandbContext): Promise<unknown[]> {
  const specs = Array.isArray(args.specs) ? args.specs : args.specs === undefined || args.specs === null ? [] : [args.specs];
  if (specs.length > MAX_SPECS) throw invalid(`sampledHistory takes at most ${MAX_SPECS} specs.`);
  const out: unknown[] = [];
  for (const [i, text] of specs.entries()) {
    const spec = specOf(text, i);
    ctx.cost.charge(spec.samples, 'sampledHistory');
    const wanted = new Set(spec.keys);
    const stored = [...wanted].filter((k) => k !== STEP_KEY && k !== TIME_KEY);
    const keys = stored.length ? stored : undefined;
    const runId = r.run.info.runId;
    let rows: StepRow[];
    if (spec.minStep === undefined) rows = await ctx.tracking.historyRows.sampled(runId, { samples: spec.samples, keys });
    else if (spec.maxStep !== undefined && spec.maxStep < spec.minStep) rows = [];
    else rows = await ctx.tracking.historyRows.page(runId, { keys, from: spec.minStep, to: spec.maxStep, limit: spec.samples });
    out.push(rows.filter((row) => stored.every((k) => row.values.has(k))).map((row) => plain(historyObject(row, wanted))));
  }
  return out;
}

/** W&B's type names for the kinds of history values. */
const TYPE_NAMES: Record<string, string> = { number: 'number', integer: 'number', string: 'string', bool: 'boolean', null: 'nil', list: 'list', object: 'object', histogram: 'histogram', table: 'table-file', media: 'media' };

async function historyKeys(r: RunSource, _args: unknown, ctx: WandbContext): Promise<unknown> {
  const runId = r.run.info.runId;
  const { keys, steps, lastStep } = await ctx.tracking.historyRows.keys(runId);
  const out: Record<string, { typeCounts: Array<{ type: string; count: number }> }> = {};
  const add = (key: string, type: string, count: number) => {
    if (!Object.hasOwn(out, key)) Object.defineProperty(out, key, { value: { typeCounts: [] }, enumerable: true, writable: true, configurable: true });
    const counts = out[key].typeCounts;
    const same = counts.find((c) => c.type === type);
    if (same) same.count += count; else counts.push({ type, count });
  };
  if (lastStep === undefined) return { keys: {}, lastStep: -1 };
  add(STEP_KEY, 'number', steps);
  for (const k of keys) add(k.key, TYPE_NAMES[k.kind] ?? k.kind, k.count);
  add(TIME_KEY, 'number', steps);
  return { keys: out, lastStep: Number(lastStep) };
}

/** No parquet exports are made: the whole history is live data, as rows. */
async function parquetHistory(r: RunSource, _args: unknown, ctx: WandbContext) {
  const runId = r.run.info.runId;
  ctx.cost.charge(HISTORY_ROW_LIMITS.steps, 'parquetHistory');
  const rows = await ctx.tracking.historyRows.page(runId, { limit: HISTORY_ROW_LIMITS.steps });
  return { parquetUrls: [], liveData: rows.map((row) => plain(historyObject(row))) };
}

export const historyReadsArea: GraphqlArea = {
  name: 'history reads',
  sdl: HISTORY_READS_SDL,
  operations: ['RunFullHistory', 'RunSampledHistory', 'SampledHistoryPage', 'RunHistoryKeys', 'RunParquetHistory', 'HistoryPage'],
  resolvers: {
    Run: { history, events, sampledHistory, historyKeys, parquetHistory },
  },
};
