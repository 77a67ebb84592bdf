/**
 * The statement runner under a write transaction. Hot write paths use plain SQL text, written
 * once with "double-quoted" identifiers and `?` placeholders; MySQL's copy swaps the quotes for
 * backticks. SQLite runs it on better-sqlite3 prepared statements (cached by text); PostgreSQL
 * and MySQL run it through the knex transaction.
 */
import type { Knex } from 'knex';
import type { Dialect } from './connect';

export interface RunResult { changes: number; lastId?: number }

export interface SqlExec {
  readonly dialect: Dialect;
  all<T = any>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  run(sql: string, params?: readonly unknown[]): Promise<RunResult>;
}

const mysqlText = new Map<string, string>();

/** SQL text in the dialect's quoting. Only identifiers are ever quoted: values are always bound. */
export function dialectSql(dialect: Dialect, sql: string): string {
  if (dialect !== 'mysql') return sql;
  let out = mysqlText.get(sql);
  if (out === undefined) {
    out = sql.replace(/"/g, '`');
    mysqlText.set(sql, out);
  }
  return out;
}

export class KnexExec implements SqlExec {
  constructor(private readonly trx: Knex | Knex.Transaction, readonly dialect: Dialect) {}

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const res = await this.trx.raw(dialectSql(this.dialect, sql), params as Knex.RawBinding[]);
    if (this.dialect === 'postgres') return res.rows;
    if (this.dialect === 'mysql') return res[0];
    return res;
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    const res = await this.trx.raw(dialectSql(this.dialect, sql), params as Knex.RawBinding[]);
    if (this.dialect === 'postgres') return { changes: res.rowCount ?? 0 };
    if (this.dialect === 'mysql') return { changes: res[0].affectedRows ?? 0, lastId: res[0].insertId };
    // knex's sqlite3 raw() resolves to rows and drops run() statistics; SQLite writes go through SqliteExec.
    return { changes: Array.isArray(res) ? res.length : 0 };
  }
}

/** better-sqlite3: synchronous, so a statement costs microseconds instead of a thread-pool round trip. */
export class SqliteExec implements SqlExec {
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, any>();
  /** Sees every statement with its arguments (tests check their query plans). */
  trace?: (sql: string, params: readonly unknown[]) => void;

  constructor(private readonly db: any) {}

  private prepare(sql: string) {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      // Integers come back as bigints so int64 steps and times stay exact; callers convert.
      if (st.reader) st.safeIntegers(true);
      this.statements.set(sql, st);
      // Insert texts vary with the row count; keep the cache from growing without bound.
      if (this.statements.size > 2000) this.statements.delete(this.statements.keys().next().value as string);
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
