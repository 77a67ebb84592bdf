/** What every section of the store conformance suite shares: the open store and small helpers. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { TrackbridgeError, type ErrorCode } from '../../src/core/errors';
import type { Tracking } from '../../src/core/tracking';
import type { MetricPoint, Run, Tag } from '../../src/core/model';
import type { SqlStore } from '../../src/store/sql-store';
import type { Dialect, TestDatabase } from '../support/databases';

/** Filled in by the suite's `before` hook; sections read it inside their tests. */
export interface Ctx {
  dialect: Dialect;
  db: TestDatabase;
  store: SqlStore;
  tracking: Tracking;
}

export const uniq = () => randomBytes(4).toString('hex');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Awaits `p` and asserts it fails with a TrackbridgeError of `code` (and a matching message). */
export async function expectError(p: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<TrackbridgeError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, `expected ${code}, but the call succeeded`);
  assert.ok(caught instanceof TrackbridgeError, `expected a TrackbridgeError ${code}, got: ${String((caught as Error)?.stack ?? caught)}`);
  assert.equal(caught.code, code, `expected ${code}, got ${caught.code}: ${caught.message}`);
  if (message) assert.match(caught.message, message);
  return caught;
}

/**
 * For inputs a store may either accept or refuse: the call must succeed, or fail with
 * INVALID_ARGUMENT. A driver error (which the front-end turns into a 500) fails the test.
 */
export async function acceptedOrInvalid<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    assert.ok(e instanceof TrackbridgeError, `expected success or INVALID_ARGUMENT, got a raw error: ${brief(String((e as Error)?.message ?? e))}`);
    assert.equal(e.code, 'INVALID_ARGUMENT', `expected INVALID_ARGUMENT, got ${e.code}: ${e.message}`);
    return { ok: false };
  }
}

/** Driver messages start with the whole SQL statement; keep its head and the error at its tail. */
export function brief(message: string): string {
  return message.length <= 400 ? message : `${message.slice(0, 150)} … ${message.slice(-250)}`;
}

export async function newExperiment(ctx: Ctx, label = 'exp', tags: Tag[] = []): Promise<string> {
  return ctx.tracking.experiments.create(`${label}-${uniq()}`, undefined, tags);
}

export async function newRun(ctx: Ctx, experimentId: string, opts: { runName?: string; startTime?: number; userId?: string; tags?: Tag[] } = {}): Promise<string> {
  const run = await ctx.tracking.runs.create({ experimentId, tags: opts.tags ?? [], runName: opts.runName, startTime: opts.startTime, userId: opts.userId });
  return run.info.runId;
}

export const point = (key: string, value: number, step = 0, timestamp = 1_000): MetricPoint => ({ key, value, step, timestamp });

export async function logMetrics(ctx: Ctx, runId: string, metrics: MetricPoint[]): Promise<void> {
  await ctx.tracking.runs.logBatch(runId, { metrics, params: [], tags: [] });
}

export const tagsOf = (run: Run) => Object.fromEntries(run.tags.map((t) => [t.key, t.value]));
export const paramsOf = (run: Run) => Object.fromEntries(run.params.map((p) => [p.key, p.value]));
export const latestOf = (run: Run, key: string) => run.metrics.find((m) => m.key === key);

/** Values compared with Object.is, so NaN equals NaN and -0 is told apart. */
export function sameNumbers(actual: number[], expected: number[], what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: expected ${expected.length} values, got ${actual.length} (${actual.join(', ')})`);
  actual.forEach((v, i) => assert.ok(Object.is(v, expected[i]), `${what}[${i}]: expected ${expected[i]}, got ${v}`));
}
