/**
 * Database URLs and the connections made from them: each database's knex configurations
 * (schema setup, one writer, for SQLite a reader pool) and SQLite's raw connections.
 */
import path from 'node:path';
import os from 'node:os';
import type { Knex } from 'knex';
import { invalid } from '../core/errors';
import type { DialectName } from './dialect';
import { withSqliteFunctions } from './sqlite-functions';
import { int64Of } from './rows';

export interface DbTarget {
  dialect: DialectName;
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

/**
 * The SQLite write connection for request writes: raw better-sqlite3, with cached prepared
 * statements (sql-exec.ts SqliteExec) behind the group-commit queue.
 */
export function openSqliteWriter(file: string, opts: SqliteOptions): any {
  const Database = require('better-sqlite3');
  const db = new Database(file);
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous}`);
  return db;
}

/** A knex pool's afterCreate that sets pragmas on each new better-sqlite3 connection. */
const withPragmas = (pragmas: string[]) => (conn: any, done: (err: Error | null, conn: any) => void) => {
  try {
    for (const p of pragmas) conn.pragma(p);
  } catch (e) {
    return done(e as Error, conn);
  }
  return done(null, conn);
};

export interface KnexConfigs {
  /** One connection, for the schema setup: the schema lock belongs to it (see schema/lock.ts). */
  setup: Knex.Config;
  writer: Knex.Config;
  reader?: Knex.Config;
}

/**
 * The setup's single connection. A failure to connect reaches open() and becomes one line there;
 * knex would also print it, with the driver's stack, so that one warning is dropped.
 */
const setupConfig = (cfg: Knex.Config): Knex.Config => ({
  ...cfg,
  pool: { ...(cfg.pool ?? {}), min: 0, max: 1 },
  log: { warn: (m: unknown) => { if (!String(m).startsWith('Acquire connection error')) console.warn(m); } },
});

/** The SQLite file's folder must exist by now (see sqlite-file.ts); nothing here creates it. */
export function sqliteKnexConfigs(file: string, sqlite: SqliteOptions): KnexConfigs {
  const common = ['busy_timeout = 10000'];
  // Every SQLite connection in the process uses better-sqlite3's copy of SQLite: two copies of
  // the library in one process do not see each other's POSIX locks, so closing one copy's
  // connection drops the other's locks and deletes the WAL under it (README "Databases").
  const base = { client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true };
  // Migrations and maintenance only; request writes go through openSqliteWriter's connection.
  // The busy timeout comes first: switching to WAL waits for a lock too.
  const writer = withSqliteFunctions({
    ...base,
    pool: { min: 0, max: 1, afterCreate: withPragmas([...common, 'journal_mode = WAL', `synchronous = ${sqlite.synchronous}`]) },
  });
  return {
    setup: setupConfig(writer),
    writer,
    reader: withSqliteFunctions({ ...base, pool: { min: 1, max: sqlite.readers, afterCreate: withPragmas([...common, 'query_only = ON']) } }),
  };
}

export function postgresKnexConfigs(url: string): KnexConfigs {
  const writer: Knex.Config = { client: 'pg', connection: withDefaultPgUser(url), pool: { min: 0, max: 10 } };
  return { setup: setupConfig(writer), writer };
}

let pgTypesSet = false;
/** Process-wide: int8 arrives as a string by default; our int64s (times, steps) come back as numbers, or exact bigints past 2^53. */
export function usePostgresTypes(): void {
  if (pgTypesSet) return;
  const pg = require('pg');
  pg.types.setTypeParser(20, (v: string) => int64Of(v));
  pgTypesSet = true;
}

export function mysqlKnexConfigs(url: string): KnexConfigs {
  const writer: Knex.Config = {
    client: 'mysql2',
    connection: { uri: url, supportBigNumbers: true, charset: 'utf8mb4' } as any,
    pool: {
      min: 0, max: 10,
      // InnoDB's default REPEATABLE READ would hide rows another writer committed after our
      // snapshot (a metric key inserted concurrently); the run row lock already serialises
      // what must be serialised.
      afterCreate: (conn: any, done: any) =>
        conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', (err: Error | null) => done(err, conn)),
    },
  };
  return { setup: setupConfig(writer), writer };
}
