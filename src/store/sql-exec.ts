/**
 * The statement runner under a write transaction. Hot write paths use plain SQL text, written
 * once with "double-quoted" identifiers and `?` placeholders, which the dialect turns into its
 * own quoting (dialect.ts). SQLite runs it on better-sqlite3 prepared statements (cached by
 * text); PostgreSQL and MySQL run it through the knex transaction.
 */
import type { Knex } from 'knex';
import { sqlite, type SqlDialect } from './dialect';

export interface RunResult { changes: number; lastId?: number }

export interface SqlExec {
  readonly dialect: SqlDialect;
  all<T = any>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  run(sql: string, params?: readonly unknown[]): Promise<RunResult>;
  /** One turn of the event loop (see WriteTx.pause). */
  pause(): Promise<void>;
}

export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class KnexExec implements SqlExec {
  constructor(private readonly trx: Knex | Knex.Transaction, readonly dialect: SqlDialect) {}

  pause(): Promise<void> { return nextTurn(); }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.dialect.rows(await this.trx.raw(this.dialect.text(sql), params as Knex.RawBinding[]));
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    return this.dialect.runResult(await this.trx.raw(this.dialect.text(sql), params as Knex.RawBinding[]));
  }
}

/** better-sqlite3: synchronous, so a statement costs microseconds instead of a thread-pool round trip. */
/**
 * The prepared statements kept per connection. A log-batch of 1,000 metrics is about 20,000
 * characters of SQL; a filter tree of 1,000 terms can be 150,000, and each distinct one would
 * otherwise stay prepared.
 */
export const STATEMENT_CACHE = { entries: 2000, maxTextChars: 64 * 1024, totalChars: 16 * 1024 * 1024 };

export class SqliteExec implements SqlExec {
  readonly dialect = sqlite;
  private readonly statements = new Map<string, any>();
  private cachedChars = 0;
  /** Sees every statement with its arguments (tests check their query plans). */
  trace?: (sql: string, params: readonly unknown[]) => void;

  constructor(private readonly db: any) {}

  pause(): Promise<void> { return nextTurn(); }

  private prepare(sql: string) {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      // Integers come back as bigints so int64 steps and times stay exact; callers convert.
      if (st.reader) st.safeIntegers(true);
      // Insert texts vary with the row count and filter trees with their shape: the cache is
      // bounded by count and by text, and a statement larger than a hot insert is not kept.
      if (sql.length <= STATEMENT_CACHE.maxTextChars) {
        this.statements.set(sql, st);
        this.cachedChars += sql.length;
        while (this.statements.size > STATEMENT_CACHE.entries || this.cachedChars > STATEMENT_CACHE.totalChars) {
          const oldest = this.statements.keys().next().value as string;
          this.statements.delete(oldest);
          this.cachedChars -= oldest.length;
        }
      }
    }
    return st;
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    this.trace?.(sql, params);
    return this.prepare(sql).all(...params);
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    this.trace?.(sql, params);
    const r = this.prepare(sql).run(...params);
    return { changes: r.changes, lastId: Number(r.lastInsertRowid) };
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }
}
