/**
 * Group commit for SQLite's single writer. Concurrent write requests queue here; the writer
 * takes everything waiting, runs each in its own savepoint inside one transaction, and commits
 * once. A failing request rolls back to its savepoint only, so it never takes its neighbours
 * down; every promise settles after the COMMIT, so an acknowledged write is a committed write.
 */
import type { Knex } from 'knex';

interface Pending<T = unknown> {
  fn: (trx: Knex.Transaction) => Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

export class WriteQueue {
  private queue: Pending[] = [];
  private running = false;
  private idle: Array<() => void> = [];
  private closed = false;

  constructor(private readonly db: Knex, private readonly maxGroup = 256) {}

  run<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
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
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      await this.db.transaction(async (trx) => {
        for (const p of group) {
          if (group.length === 1) {
            // A lone write needs no savepoint: its failure rolls the whole transaction back.
            outcomes.push({ ok: true, value: await p.fn(trx) });
            continue;
          }
          try {
            const value = await trx.transaction((sp) => p.fn(sp));
            outcomes.push({ ok: true, value });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      if (group.length === 1 && outcomes.length === 0) return group[0].reject(error);
      // The commit itself failed: nothing of this group was written.
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
