/**
 * Group commit for SQLite's single writer. Concurrent write requests queue here; the writer
 * takes everything waiting, runs each in its own savepoint inside one transaction, and commits
 * once. A failing request rolls back to its savepoint only, so it never takes its neighbours
 * down; every promise settles after the COMMIT, so an acknowledged write is a committed write.
 *
 * The writer is held by one unit at a time, so both ends are bounded. A unit may spend only so
 * long holding the writer while not in a statement (awaiting anything but the database, say);
 * past that it is rolled back and refused, and its statements fail from then on, so none can
 * land in a later group. Time inside statements and in WriteTx.pause() does not count: a large
 * write that keeps the database busy, and lets the event loop turn between its statements, is
 * doing what the writer is for. Past a number of waiting units, new writes
 * are refused at once rather than queued behind them.
 */
import { TrackbridgeError } from '../core/errors';
import type { SqlDialect } from './dialect';
import { nextTurn, type RunResult, type SqlExec, type SqliteExec } from './sql-exec';

export interface WriteLimits {
  /** Wall time a unit may hold the writer outside its statements. */
  deadlineMs: number;
  /** Units waiting for the writer beyond which new writes are refused. */
  maxWaiting: number;
  /** Units committed together at most. */
  maxGroup: number;
}

export const WRITE_LIMITS: WriteLimits = { deadlineMs: 5000, maxWaiting: 10_000, maxGroup: 256 };

interface Pending<T = unknown> {
  fn: (exec: SqlExec) => Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** What a unit gets: the writer's statements while it holds the writer, errors once it no longer does. */
class UnitExec implements SqlExec {
  readonly dialect: SqlDialect;
  /** Set when the unit's turn is over: its deadline passed or it settled. */
  private ended?: TrackbridgeError;
  private readonly started = Date.now();
  /** Wall time spent inside statements (synchronous on this connection, so measured exactly) and in pauses. */
  private inStatements = 0;
  private inPauses = 0;

  constructor(private readonly exec: SqliteExec, private readonly limitMs: number) {
    this.dialect = exec.dialect;
  }

  /** Wall time the unit has held the writer outside its statements and its pauses. */
  idleMs(): number {
    return Date.now() - this.started - this.inStatements - this.inPauses;
  }

  /** A pause lets other requests run while the unit holds the writer; it is part of the work, not waiting on something else. */
  async pause(): Promise<void> {
    const refused = this.refusal();
    if (refused) throw refused;
    const t0 = Date.now();
    try {
      await nextTurn();
    } finally {
      this.inPauses += Date.now() - t0;
    }
  }

  end(error: TrackbridgeError): void {
    this.ended ??= error;
  }

  /** The error to refuse statements with, once the unit has had its turn or overrun it. */
  private refusal(): TrackbridgeError | undefined {
    if (!this.ended && this.idleMs() > this.limitMs) this.end(overran(this.limitMs));
    return this.ended;
  }

  async all<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    const refused = this.refusal();
    if (refused) throw refused;
    const t0 = Date.now();
    try {
      return await this.exec.all<T>(sql, params);
    } finally {
      this.inStatements += Date.now() - t0;
    }
  }

  async run(sql: string, params?: readonly unknown[]): Promise<RunResult> {
    const refused = this.refusal();
    if (refused) throw refused;
    const t0 = Date.now();
    try {
      return await this.exec.run(sql, params);
    } finally {
      this.inStatements += Date.now() - t0;
    }
  }
}

const overran = (ms: number) =>
  new TrackbridgeError('UNAVAILABLE', `The write did not finish within ${ms / 1000} s of holding the database writer; nothing of it was stored. Retry it.`);
/** A unit that issues statements after it settled has a bug; they would otherwise run in someone else's transaction. */
const finished = () =>
  new TrackbridgeError('INTERNAL', 'A statement came after its write unit had finished; it was not run.');

export class WriteQueue {
  private queue: Pending[] = [];
  private running = false;
  private idle: Array<() => void> = [];
  private closed = false;
  private readonly limits: WriteLimits;

  constructor(private readonly exec: SqliteExec, limits: Partial<WriteLimits> = {}) {
    this.limits = { ...WRITE_LIMITS, ...limits };
  }

  run<T>(fn: (exec: SqlExec) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    if (this.queue.length >= this.limits.maxWaiting) {
      return Promise.reject(new TrackbridgeError('UNAVAILABLE', `${this.queue.length} writes are waiting for the database already; retry shortly.`));
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve, reject } as Pending);
      if (!this.running) void this.drain();
    });
  }

  /** Resolves once every queued write has settled; new writes are refused afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.running && this.queue.length === 0) return;
    await new Promise<void>((r) => this.idle.push(r));
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      // Let requests that arrived in the same tick join the first group.
      await new Promise<void>((r) => setImmediate(r));
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.limits.maxGroup);
        await this.commitGroup(group);
      }
    } finally {
      this.running = false;
      for (const r of this.idle.splice(0)) r();
    }
  }

  /** Runs one unit until it settles or its time outside statements runs out, whichever comes first. */
  private async runUnit(p: Pending): Promise<Outcome> {
    const { deadlineMs } = this.limits;
    const unit = new UnitExec(this.exec, deadlineMs);
    let timer: NodeJS.Timeout | undefined;
    // The timer fires at the earliest moment the unit could be out of time, and again while it is not.
    const late = new Promise<'late'>((resolve) => {
      const check = () => {
        const left = deadlineMs - unit.idleMs();
        if (left < 0) resolve('late');
        else timer = setTimeout(check, left + 1);
      };
      timer = setTimeout(check, deadlineMs + 1);
    });
    // Whatever the unit does after losing the race is settled here, never left unhandled.
    const settled = Promise.resolve().then(() => p.fn(unit))
      .then((value): Outcome => ({ ok: true, value }), (error): Outcome => ({ ok: false, error }));
    try {
      const outcome = await Promise.race([settled, late]);
      if (outcome === 'late' || unit.idleMs() > deadlineMs) {
        const error = overran(deadlineMs);
        unit.end(error);
        return { ok: false, error };
      }
      unit.end(finished());
      return outcome;
    } finally {
      clearTimeout(timer);
    }
  }

  private async commitGroup(group: Pending[]): Promise<void> {
    const outcomes: Outcome[] = [];
    const single = group.length === 1;
    try {
      this.exec.exec('BEGIN IMMEDIATE');
      for (const p of group) {
        // A lone write needs no savepoint: its failure rolls the whole transaction back.
        if (!single) this.exec.exec('SAVEPOINT w');
        const outcome = await this.runUnit(p);
        if (outcome.ok) {
          if (!single) this.exec.exec('RELEASE w');
        } else {
          if (single) throw outcome.error;
          this.exec.exec('ROLLBACK TO w');
          this.exec.exec('RELEASE w');
        }
        outcomes.push(outcome);
      }
      this.exec.exec('COMMIT');
    } catch (error) {
      try { this.exec.exec('ROLLBACK'); } catch { /* no transaction left to roll back */ }
      // Either the lone write failed, or the commit itself did: nothing of this group was written.
      for (const p of group) p.reject(error);
      return;
    }
    group.forEach((p, i) => {
      const o = outcomes[i];
      if (o.ok) p.resolve(o.value);
      else p.reject(o.error);
    });
  }
}
