/**
 * Reads of a run's history as W&B rows: every key at each step, from its metric points and its
 * non-numeric history values (core/history-rows.ts builds the rows). Steps are read through
 * metrics_run_step_idx (rid, step, key_id), so a page seeks to its first step and reads only
 * its own steps' points, whatever the run's length; values through their (rid, key, step) index
 * or the run's primary-key range. Every read is bounded: steps by `limit`, points by `maxPoints`,
 * value text by `maxChars`.
 */
import type { HistoryValueKind } from '../core/model';
import type { HistoryAt, HistoryKeyCount, HistoryStepQuery, StoredHistoryValueRead } from '../core/store';
import type { Int64 } from '../core/int64';
import { placeholders } from './chunks';
import { decodeValue } from './metric-values';
import { int64Of } from './rows';
import type { SqlExec } from './sql-exec';

/** A run's metric keys (from its latest values: one row per key) with their ids. */
async function runKeys(db: SqlExec, rid: number): Promise<Map<number, string>> {
  const rows = await db.all(`SELECT lm."key_id", mk."key" FROM "latest_metrics" lm JOIN "metric_keys" mk ON mk."key_id" = lm."key_id" WHERE lm."rid" = ?`, [rid]);
  return new Map(rows.map((r) => [Number(r.key_id), String(r.key)]));
}

const SYSTEM_PREFIX = 'system/';
const isSystem = (key: string) => key.startsWith(SYSTEM_PREFIX);

/**
 * `keys` is the metric-key test: an IN list when the read names its keys (at most the core's
 * list bound), else a subquery over the run's keys, so a run with any number of keys binds no
 * list of them.
 */
interface Scope { rid: number; any: boolean; keys: [string, unknown[]]; names: Map<number, string>; valueKeys?: string[]; values: boolean }

async function scopeOf(db: SqlExec, runId: string, q: HistoryStepQuery): Promise<Scope | undefined> {
  const [run] = await db.all(`SELECT "rid" FROM "runs" WHERE "run_uuid" = ?`, [runId]);
  if (!run) return undefined;
  const rid = Number(run.rid);
  const names = await runKeys(db, rid);
  let keys: [string, unknown[]];
  let any: boolean;
  if (q.keys) {
    const wanted = new Set(q.keys);
    const ids = [...names].filter(([, k]) => isSystem(k) === q.system && wanted.has(k)).map(([id]) => id);
    any = ids.length > 0;
    keys = [`"key_id" IN (${ids.length ? placeholders(ids.length) : 'NULL'})`, ids];
  } else {
    any = [...names.values()].some((k) => isSystem(k) === q.system);
    keys = [`"key_id" IN (SELECT lm."key_id" FROM "latest_metrics" lm JOIN "metric_keys" mk ON mk."key_id" = lm."key_id"
      WHERE lm."rid" = ? AND ${q.system ? '' : 'NOT '}(SUBSTR(mk."key", 1, ${SYSTEM_PREFIX.length}) = ?))`, [rid, SYSTEM_PREFIX]];
  }
  // System samples (events) have no values; history values never have system keys.
  return { rid, any, keys, names, valueKeys: q.keys, values: !q.system };
}

/** `AND step` bounds of a query, with their arguments. */
function stepBounds(q: { from?: Int64; to?: Int64; after?: Int64 }, column = '"step"'): [string, unknown[]] {
  let sql = '';
  const args: unknown[] = [];
  if (q.from !== undefined) { sql += ` AND ${column} >= ?`; args.push(q.from); }
  if (q.to !== undefined) { sql += ` AND ${column} <= ?`; args.push(q.to); }
  if (q.after !== undefined) { sql += ` AND ${column} > ?`; args.push(q.after); }
  return [sql, args];
}

function metricWhere(s: Scope, q: HistoryStepQuery & { after?: Int64 }): [string, unknown[]] | undefined {
  if (!s.any) return undefined;
  const [bounds, args] = stepBounds(q);
  return [`FROM "metrics" WHERE "rid" = ? AND ${s.keys[0]}${bounds}`, [s.rid, ...s.keys[1], ...args]];
}

function valueWhere(s: Scope, q: HistoryStepQuery & { after?: Int64 }): [string, unknown[]] | undefined {
  if (!s.values || (s.valueKeys && s.valueKeys.length === 0)) return undefined;
  const [bounds, args] = stepBounds(q);
  const keys = s.valueKeys ? ` AND "key" IN (${placeholders(s.valueKeys.length)})` : '';
  return [`FROM "run_history_values" WHERE "rid" = ?${keys}${bounds}`, [s.rid, ...(s.valueKeys ?? []), ...args]];
}

const compareInt64 = (a: Int64, b: Int64) => (a < b ? -1 : a > b ? 1 : 0);

export async function runHistoryStepCount(db: SqlExec, runId: string, q: HistoryStepQuery): Promise<number> {
  const s = await scopeOf(db, runId, q);
  if (!s) return 0;
  const parts = [metricWhere(s, q), valueWhere(s, q)].filter((p): p is [string, unknown[]] => p !== undefined);
  if (parts.length === 0) return 0;
  const union = parts.map(([from]) => `SELECT "step" ${from}`).join(' UNION ');
  const [row] = await db.all(`SELECT COUNT(*) AS "n" FROM (${union}) u`, parts.flatMap(([, args]) => args));
  return Number(row.n);
}

/** Distinct steps in order, past `after`, at most `limit`. */
export async function runHistorySteps(db: SqlExec, runId: string, q: HistoryStepQuery & { after?: Int64; limit: number }): Promise<Int64[]> {
  const s = await scopeOf(db, runId, q);
  if (!s) return [];
  const seen: Int64[] = [];
  for (const part of [metricWhere(s, q), valueWhere(s, q)]) {
    if (!part) continue;
    const rows = await db.all(`SELECT DISTINCT "step" ${part[0]} ORDER BY "step" LIMIT ?`, [...part[1], q.limit]);
    for (const r of rows) seen.push(int64Of(r.step));
  }
  const sorted = seen.sort(compareInt64).filter((v, i, a) => i === 0 || a[i - 1] !== v);
  return sorted.slice(0, q.limit);
}

/** How many rows of `lengths` fit in `maxChars` (at least one). */
function fitting(lengths: Array<{ n: unknown }>, maxChars: number): number {
  let total = 0;
  for (let i = 0; i < lengths.length; i++) {
    total += Number(lengths[i].n ?? 0);
    if (total > maxChars) return Math.max(1, i);
  }
  return lengths.length;
}

/**
 * The points and values at these steps (ascending). When a bound cuts the read, `through` is the
 * last step read whole (the first step, cut, when even it does not fit): rows past it are left out.
 */
export async function runHistoryAt(db: SqlExec, runId: string, q: HistoryStepQuery & { steps: Int64[]; maxPoints: number; maxChars: number }): Promise<HistoryAt> {
  const empty: HistoryAt = { points: [], values: [], through: q.steps[q.steps.length - 1] };
  const s = await scopeOf(db, runId, q);
  if (!s || q.steps.length === 0) return empty;
  let through = q.steps[q.steps.length - 1];
  const cutAt = (step: Int64) => {
    // The step the cut fell in is incomplete, unless it is the first: then it is all a page can hold.
    const i = q.steps.findIndex((x) => x === step);
    const last = i > 0 ? q.steps[i - 1] : q.steps[0];
    if (compareInt64(last, through) < 0) through = last;
  };
  const stepList = `"step" IN (${placeholders(q.steps.length)})`;
  const points: HistoryAt['points'] = [];
  if (s.any) {
    const rows = await db.all(
      `SELECT "key_id", "step", "timestamp", "value", "special" FROM "metrics" WHERE "rid" = ? AND ${s.keys[0]} AND ${stepList}
       ORDER BY "step", "key_id", "timestamp", "value" LIMIT ?`, [s.rid, ...s.keys[1], ...q.steps, q.maxPoints + 1]);
    if (rows.length > q.maxPoints) { rows.length = q.maxPoints; cutAt(int64Of(rows[rows.length - 1].step)); }
    for (const r of rows) points.push({ key: s.names.get(Number(r.key_id))!, step: int64Of(r.step), timestamp: int64Of(r.timestamp), value: decodeValue(r.value, r.special) });
  }
  const values: StoredHistoryValueRead[] = [];
  if (s.values && !(s.valueKeys && s.valueKeys.length === 0)) {
    const keys = s.valueKeys ? ` AND v."key" IN (${placeholders(s.valueKeys.length)})` : '';
    const from = `FROM "run_history_values" v JOIN "run_streams" st ON st."stream_id" = v."stream_id" WHERE v."rid" = ?${keys} AND v.${stepList}`;
    const args = [s.rid, ...(s.valueKeys ?? []), ...q.steps];
    const order = `ORDER BY v."step", st."name", v."line_no", v."key"`;
    const lengths = await db.all(`SELECT v."step", LENGTH(v."value_json") AS "n" ${from} ${order} LIMIT ?`, [...args, q.maxPoints + 1]);
    let n = Math.min(q.maxPoints, fitting(lengths, q.maxChars));
    if (n < lengths.length) cutAt(int64Of(lengths[n].step));
    if (n > 0) {
      const rows = await db.all(`SELECT st."name" AS "stream", v."line_no", v."key", v."step", v."timestamp", v."kind", v."value_json" ${from} ${order} LIMIT ?`, [...args, n]);
      for (const r of rows) values.push({ stream: r.stream, line: Number(r.line_no), key: r.key, step: int64Of(r.step), timestamp: int64Of(r.timestamp), kind: r.kind as HistoryValueKind, valueJson: r.value_json });
    }
  }
  const keep = <T extends { step: Int64 }>(list: T[]) => list.filter((x) => compareInt64(x.step, through) <= 0);
  return { points: keep(points), values: keep(values), through };
}

/** Every history key of the run (system keys apart) with how many points or values it has, and the last step of either. */
export async function runHistoryKeys(db: SqlExec, runId: string, system: boolean): Promise<{ keys: HistoryKeyCount[]; lastStep?: Int64 }> {
  const s = await scopeOf(db, runId, { system });
  if (!s) return { keys: [] };
  const keys: HistoryKeyCount[] = [];
  let lastStep: Int64 | undefined;
  const later = (v: unknown) => {
    if (v === null || v === undefined) return;
    const step = int64Of(v);
    if (lastStep === undefined || compareInt64(step, lastStep) > 0) lastStep = step;
  };
  if (s.any) {
    const rows = await db.all(`SELECT "key_id", COUNT(*) AS "n", MAX("step") AS "last" FROM "metrics" WHERE "rid" = ? AND ${s.keys[0]} GROUP BY "key_id"`, [s.rid, ...s.keys[1]]);
    for (const r of rows) { keys.push({ key: s.names.get(Number(r.key_id))!, kind: 'number', count: Number(r.n) }); later(r.last); }
  }
  if (s.values) {
    const rows = await db.all(`SELECT "key", "kind", COUNT(*) AS "n", MAX("step") AS "last" FROM "run_history_values" WHERE "rid" = ? GROUP BY "key", "kind"`, [s.rid]);
    for (const r of rows) { keys.push({ key: r.key, kind: r.kind as HistoryValueKind, count: Number(r.n) }); later(r.last); }
  }
  keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { keys, lastStep };
}
