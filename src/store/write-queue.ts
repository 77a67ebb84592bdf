/**
 * Group commit for SQLite's single writer. Concurrent write requests queue here; the writer
 * takes everything waiting, runs each in its own savepoint inside one transaction, and commits
 * once. A failing request rolls back to its savepoint only, so it never takes its neighbours
 * down; every promise settles after the COMMIT, so an acknowledged write is a committed write.
 */
import type { SqliteExec } from './sql-exec';

interface Pending<T = unknown> {
  fn: (exec: SqliteExec) => Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class WriteQueue {
  private queue: Pending[] = [];
  private running = false;
  private idle: Array<() => void> = [];
  private closed = false;

  constructor(private readonly exec: SqliteExec, private readonly maxGroup = 256) {}

  run<T>(fn: (exec: SqliteExec) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
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
        const group = this.queue.splice(0, this.maxGroup);
        await this.commitGroup(group);
      }
    } finally {
      this.running = false;
      for (const r of this.idle.splice(0)) r();
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
        try {
          const value = await p.fn(this.exec);
          if (!single) this.exec.exec('RELEASE w');
          outcomes.push({ ok: true, value });
        } catch (error) {
          if (single) throw error;
          this.exec.exec('ROLLBACK TO w');
          this.exec.exec('RELEASE w');
          outcomes.push({ ok: false, error });
        }
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
