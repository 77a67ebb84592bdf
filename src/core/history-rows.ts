/**
 * A run's history as rows: one per step, holding every key logged at that step, from the run's
 * metric points and its non-numeric history values (W&B reads history this way; MLflow-logged
 * runs have rows too). Several points of one key at one step (MLflow allows it) give the row
 * the latest of them by timestamp (of equal timestamps, the highest value, the store's order).
 * A row's time is the latest time among its entries. System metrics (`system/…`, W&B's events
 * stream) are rows of their own, read apart from the rest.
 *
 * Every answer is bounded: steps per read, points and value text per answer. A step range that
 * would hold more than an answer may is refused (ask for fewer steps), never silently cut.
 */
import { invalid } from './errors';
import type { Int64 } from './int64';
import { parseJson, type JsonValue } from './json-value';
import { LIMITS } from './limits';
import type { HistoryKeyCount, HistoryStepQuery, Store } from './store';
import { runNotFound } from './runs';

export interface StepRow {
  step: Int64;
  /** ms since the epoch: the latest time among the row's entries. */
  timestamp: Int64;
  /** Keys in the order first seen: metrics by key id, then values by stream line. */
  values: Map<string, JsonValue>;
}

export const HISTORY_ROW_LIMITS = {
  /** Steps one page or sample may ask for. */
  steps: 10_000,
  /** Steps per store read. */
  stepsPerRead: 1_000,
  /** Metric points in one answer. */
  points: 500_000,
  /** Characters of value text in one answer. */
  valueChars: 32 * 1024 * 1024,
  /** Steps a sampled read walks per statement when it picks its steps. */
  sampleScan: 10_000,
} as const;

export interface RowQuery {
  system?: boolean;
  keys?: string[];
}

/** Which of n rows a sample of k keeps: evenly spread, always the first and the last. */
export function sampledRanks(n: number, k: number): (r: number) => boolean {
  if (n <= k) return () => true;
  if (k <= 1) return (r) => r === n - 1;
  // Ranks round(i * (n-1) / (k-1)) for i = 0..k-1: distinct since n > k, first 0 and last n-1.
  return (r) => {
    const i = Math.round((r * (k - 1)) / (n - 1));
    return Math.round((i * (n - 1)) / (k - 1)) === r;
  };
}

export class HistoryRows {
  constructor(private readonly store: Store) {}

  private async existing(runId: string): Promise<void> {
    if (!(await this.store.getRunInfo(runId))) throw runNotFound(runId);
  }

  private static checkKeys(keys: string[] | undefined): void {
    if (keys === undefined) return;
    if (!Array.isArray(keys) || keys.length > LIMITS.filterListValues || keys.some((k) => typeof k !== 'string' || k.length > LIMITS.keyLength)) {
      throw invalid(`History keys must be a list of at most ${LIMITS.filterListValues} key names.`);
    }
  }

  /** Rows of the steps `from` to `to` (inclusive), at most `limit` of them, in step order. */
  async page(runId: string, q: RowQuery & { from?: Int64; to?: Int64; limit: number }): Promise<StepRow[]> {
    HistoryRows.checkKeys(q.keys);
    if (!Number.isSafeInteger(q.limit) || q.limit < 1 || q.limit > HISTORY_ROW_LIMITS.steps) {
      throw invalid(`A history page may ask for 1 to ${HISTORY_ROW_LIMITS.steps} rows; got ${String(q.limit)}.`);
    }
    await this.existing(runId);
    const scope: HistoryStepQuery = { system: q.system ?? false, keys: q.keys, from: q.from, to: q.to };
    const steps = await this.store.runHistorySteps(runId, { ...scope, limit: q.limit });
    return this.rowsAt(runId, scope, steps);
  }

  /** At most `samples` rows spread evenly over the run's steps, the first and the last among them. */
  async sampled(runId: string, q: RowQuery & { samples: number }): Promise<StepRow[]> {
    HistoryRows.checkKeys(q.keys);
    if (!Number.isSafeInteger(q.samples) || q.samples < 1) throw invalid(`samples must be a positive integer; got ${String(q.samples)}.`);
    const k = Math.min(q.samples, HISTORY_ROW_LIMITS.steps);
    await this.existing(runId);
    const scope: HistoryStepQuery = { system: q.system ?? false, keys: q.keys };
    const n = await this.store.runHistoryStepCount(runId, scope);
    const keep = sampledRanks(n, k);
    const kept: Int64[] = [];
    let after: Int64 | undefined;
    for (let rank = 0; rank < n;) {
      const steps = await this.store.runHistorySteps(runId, { ...scope, after, limit: HISTORY_ROW_LIMITS.sampleScan });
      if (steps.length === 0) break;
      for (const s of steps) if (keep(rank++)) kept.push(s);
      after = steps[steps.length - 1];
    }
    return this.rowsAt(runId, scope, kept);
  }

  private async rowsAt(runId: string, scope: HistoryStepQuery, steps: Int64[]): Promise<StepRow[]> {
    const rows: StepRow[] = [];
    let points = 0, chars = 0;
    for (let i = 0; i < steps.length;) {
      const part = steps.slice(i, i + HISTORY_ROW_LIMITS.stepsPerRead);
      const at = await this.store.runHistoryAt(runId, {
        ...scope, steps: part,
        maxPoints: HISTORY_ROW_LIMITS.points - points, maxChars: HISTORY_ROW_LIMITS.valueChars - chars,
      });
      const byStep = new Map<Int64, StepRow>();
      const rowOf = (step: Int64, timestamp: Int64) => {
        let row = byStep.get(step);
        if (!row) byStep.set(step, (row = { step, timestamp, values: new Map() }));
        if (timestamp > row.timestamp) row.timestamp = timestamp;
        return row;
      };
      // Points come in (step, key, timestamp) order: the last one of a key at a step is its latest.
      for (const p of at.points) rowOf(p.step, p.timestamp).values.set(p.key, p.value);
      for (const v of at.values) {
        rowOf(v.step, v.timestamp).values.set(v.key, parseJson(v.valueJson, LIMITS.jsonNesting, 'history value'));
        chars += v.valueJson.length;
      }
      points += at.points.length;
      for (const s of part) {
        if (s > at.through) break;
        const row = byStep.get(s);
        if (row) rows.push(row);
        i++;
      }
      if (at.through < part[part.length - 1]) {
        throw invalid(`These history rows hold more than one answer may (${HISTORY_ROW_LIMITS.points} points, ${HISTORY_ROW_LIMITS.valueChars} characters of values): ask for fewer rows or keys.`);
      }
    }
    return rows;
  }

  /** The run's history keys with their counts, how many steps (rows) it has, and its last step. */
  async keys(runId: string, q: { system?: boolean } = {}): Promise<{ keys: HistoryKeyCount[]; steps: number; lastStep?: Int64 }> {
    await this.existing(runId);
    const system = q.system ?? false;
    const [found, steps] = await Promise.all([this.store.runHistoryKeys(runId, system), this.store.runHistoryStepCount(runId, { system })]);
    return { ...found, steps };
  }
}
