/** Turns a database URL into knex configurations: one writer and (for SQLite) a reader pool. */
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import type { Knex } from 'knex';
import { invalid } from '../core/errors';

export type Dialect = 'sqlite' | 'postgres' | 'mysql';

export interface DbTarget {
  dialect: Dialect;
  /** SQLite: the file path. Others: the connection URL. */
  location: string;
}

/**
 * `sqlite:///rel/path` is relative and `sqlite:////abs/path` absolute (SQLAlchemy's rule, which
 * MLflow users already write); `postgresql://…`, `postgres://…`, `mysql://…` go to the driver.
 */
export function parseDbUrl(url: string): DbTarget {
  if (url.startsWith('sqlite://')) {
    const rest = url.slice('sqlite://'.length);
    if (!rest.startsWith('/')) throw invalid(`Unsupported SQLite URL '${url}': expected sqlite:///relative or sqlite:////absolute`);
    const file = rest.slice(1);
    if (!file) throw invalid(`SQLite URL '${url}' names no file`);
    return { dialect: 'sqlite', location: path.resolve(file) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', location: url.replace(/^postgresql\+\w+:/, 'postgresql:') };
  if (/^mysql(\+\w+)?:\/\//.test(url)) return { dialect: 'mysql', location: url.replace(/^mysql\+\w+:/, 'mysql:') };
  throw invalid(`Unsupported database URL '${url}': use sqlite:///, postgresql:// or mysql://`);
}

/** Like libpq, a URL without a user name connects as PGUSER or the operating-system user. */
function withDefaultPgUser(url: string): string {
  const u = new URL(url);
  if (!u.username) u.username = process.env.PGUSER || os.userInfo().username;
  return u.toString();
}

export interface SqliteOptions {
  /** PRAGMA synchronous: FULL survives power loss, NORMAL only process crashes. */
  synchronous: 'FULL' | 'NORMAL';
  readers: number;
}

/**
 * The SQLite write connection: better-sqlite3, synchronous, with cached prepared statements.
 * A statement costs microseconds here against a thread-pool round trip through sqlite3 (see
 * README "Databases" for the measurement).
 */
/**
 * The connection for the history reads, which want raw rows and prepared statements. It is
 * opened read-write and made query-only: a SQLITE_OPEN_READONLY connection fails with
 * "disk I/O error" in WAL mode whenever it has to recreate the shared-memory index.
 */
export function openSqliteReader(file: string): any {
  const Database = require('better-sqlite3');
  const db = new Database(file);
  db.pragma('busy_timeout = 10000');
  db.pragma('query_only = ON');
  return db;
}

export function openSqliteWriter(file: string, opts: SqliteOptions): any {
  const Database = require('better-sqlite3');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous}`);
  db.pragma('busy_timeout = 10000');
  return db;
}

function sqlitePragmas(conn: any, pragmas: string[], done: (err: Error | null, conn: any) => void) {
  if (typeof conn.pragma === 'function') {
    // better-sqlite3 connections take pragmas synchronously.
    try {
      for (const p of pragmas) conn.pragma(p);
    } catch (e) {
      return done(e as Error, conn);
    }
    return done(null, conn);
  }
  const next = (i: number) => {
    if (i === pragmas.length) return done(null, conn);
    conn.run(`PRAGMA ${pragmas[i]}`, (err: Error | null) => (err ? done(err, conn) : next(i + 1)));
  };
  next(0);
}

export function knexConfigs(target: DbTarget, sqlite: SqliteOptions): { writer: Knex.Config; reader?: Knex.Config } {
  if (target.dialect === 'sqlite') {
    fs.mkdirSync(path.dirname(target.location), { recursive: true });
    const common = ['busy_timeout = 10000'];
    // Every SQLite connection in the process uses better-sqlite3's copy of SQLite: two copies of
    // the library in one process do not see each other's POSIX locks, so closing one copy's
    // connection drops the other's locks and deletes the WAL under it (README "Databases").
    const base = { client: 'better-sqlite3', connection: { filename: target.location }, useNullAsDefault: true };
    return {
      // Migrations and maintenance only; request writes go through openSqliteWriter's connection.
      writer: {
        ...base,
        pool: {
          min: 0, max: 1,
          afterCreate: (c: any, done: any) =>
            sqlitePragmas(c, ['journal_mode = WAL', `synchronous = ${sqlite.synchronous}`, ...common], done),
        },
      },
      reader: {
        ...base,
        pool: { min: 1, max: sqlite.readers, afterCreate: (c: any, done: any) => sqlitePragmas(c, [...common, 'query_only = ON'], done) },
      },
    };
  }
  if (target.dialect === 'postgres') {
    return { writer: { client: 'pg', connection: withDefaultPgUser(target.location), pool: { min: 0, max: 10 } } };
  }
  return {
    writer: {
      client: 'mysql2',
      connection: { uri: target.location, supportBigNumbers: true, charset: 'utf8mb4' } as any,
      pool: {
        min: 0, max: 10,
        // InnoDB's default REPEATABLE READ would hide rows another writer committed after our
        // snapshot (a metric key inserted concurrently); the run row lock already serialises
        // what must be serialised.
        afterCreate: (conn: any, done: any) =>
          conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', (err: Error | null) => done(err, conn)),
      },
    },
  };
}
