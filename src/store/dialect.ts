/**
 * What differs between the databases the store runs on, in one object per database. The rest
 * of store/ asks the object and never tests a database's name. Each entry is either a short
 * text or points at the module that explains it.
 */
import type { Knex } from 'knex';
import { type KnexConfigs, mysqlKnexConfigs, postgresKnexConfigs, type SqliteOptions, sqliteKnexConfigs, usePostgresTypes } from './connect';
import { SQLITE_TABLES_SQL } from './schema/catalog';
import { mysqlSchemaLock, postgresSchemaLock, sqliteSchemaLock } from './schema/lock';
import { likePattern, likeToGlob, SQLITE_LOWER } from './search/like';
import { NUMERIC_TEXT_SQL_PATTERN, SQLITE_NUMBER } from './search/numeric-text';
import type { RunResult, SqlExec } from './sql-exec';
import { TrackbridgeError } from '../core/errors';
import { checkSqliteFile } from './sqlite-file';
import { mysqlReplayable, mysqlUniqueViolation, postgresReplayable, postgresUniqueViolation, sqliteUniqueViolation } from './write-retry';

export type DialectName = 'sqlite' | 'postgres' | 'mysql';

/** A raw WHERE condition: SQL with `??` for the column and `?` for the value, and that value. */
export interface RawCondition { sql: string; value: string }

export interface SqlDialect {
  /** For messages and tests; nothing branches on it. */
  readonly name: DialectName;

  // ---- connections ----
  /** Checks and process-wide settings before the first connection. */
  beforeConnect(location: string, url: string, opts: { createParentDir: boolean }): void;
  knexConfigs(location: string, sqlite: SqliteOptions): KnexConfigs;
  /**
   * This dialect as the server behind `k` speaks it, asked once on the setup connection: the
   * same object where servers do not differ; for MySQL the NO PAD binary collation of the
   * server's flavour (see textCollation).
   */
  forServer(k: Knex): Promise<SqlDialect>;
  /**
   * The database is a file this process opens itself: writes go through one raw connection
   * behind the group-commit queue (write-queue.ts), plain-SQL reads through raw prepared
   * statements; knex only runs the setup and the built queries' text.
   */
  readonly inProcess: boolean;

  // ---- statement text ----
  /** SQL written once with "double-quoted" identifiers, in this database's quoting. Values are always bound, never quoted. */
  text(sql: string): string;
  /** One identifier, quoted. */
  quote(name: string): string;
  /** INSERT of `values` that skips the rows whose `keys` exist already, and fails on any other error. */
  insertIgnore(table: string, columns: string[], values: string, keys: string[]): string;
  /** INSERT of `values` that overwrites the `update` columns of rows whose `keys` exist already. */
  upsert(table: string, columns: string[], values: string, keys: string[], update: string[]): string;
  /** `rows` rows of bound values, one `?` per column, as a derived table with these column names. */
  valuesTable(columns: string[], rows: number): string;

  // ---- results ----
  /** Runs a one-row INSERT and returns the `column` the database generated for it. */
  insertId(exec: SqlExec, sql: string, params: readonly unknown[], column: string): Promise<number>;
  /** The rows of a knex raw() query result. */
  rows(raw: any): any[];
  /** The counts of a knex raw() statement result. */
  runResult(raw: any): RunResult;

  // ---- concurrency ----
  /** Appended to a SELECT to lock its rows until commit; empty where there is a single writer. */
  readonly forUpdate: string;
  /**
   * Concurrent writers lock rows, so a multi-row write takes its keys in one order (insert.ts)
   * instead of deadlocking with another taking them in the opposite one.
   */
  readonly ordersLocks: boolean;
  /** The database rolled the whole transaction back as a deadlock victim or serialization failure (write-retry.ts). */
  isReplayable(error: unknown): boolean;
  /** The statement broke a unique index or primary key (a create that lost a race for a name, say). */
  isUniqueViolation(error: unknown): boolean;

  // ---- search ----
  /** `column LIKE pattern` with the meaning like.ts gives it. */
  like(pattern: string): RawCondition;
  /** `column ILIKE pattern` with the meaning like.ts gives it. */
  ilike(pattern: string): RawCondition;
  /** SQL for the number a text column holds, NULL when it holds none (search/numeric-text.ts); `column` is ours, never a client's. */
  numberOfText(column: string): string;
  /** A run's entries come back as one JSON array per kind rather than as rows (run-hydration.ts). */
  readonly hydratesAsJson: boolean;

  // ---- schema ----
  /** Catalog queries: the tables and views of the connection's schema, and the indexes of one table (bound). */
  readonly catalog: { tables: string; indexes: string };
  /** Runs `fn` holding the schema lock, on the single connection `k` must be limited to (schema/lock.ts). */
  withSchemaLock<T>(k: Knex, fn: (k: Knex) => Promise<T>): Promise<T>;
  /** DDL runs inside the setup's transaction; otherwise each statement commits on its own (schema/steps.ts). */
  readonly transactionalDdl: boolean;
  /** Declared text lengths are enforced. */
  readonly enforcesLengths: boolean;
  /** A table may be stored as its primary key's B-tree alone (WITHOUT ROWID). */
  readonly withoutRowid: boolean;
  /** Sets the table's text to compare case- and accent-sensitively, as MLflow's semantics are. */
  binaryCollation(t: Knex.CreateTableBuilder): void;
  /**
   * Where text has a collation chosen per table (MySQL), the one binaryCollation sets, and how a
   * table made with another is found and converted (migration 0009); undefined elsewhere.
   */
  readonly textCollation?: TextCollation;
}

export interface TextCollation {
  name: string;
  /** Rows when the table (bound twice) or one of its text columns has another collation. */
  mismatchedSql: string;
  /** One statement converting the table and every text column in it. */
  convertSql(table: string): string;
}

const quoteWith = (q: string) => (name: string) => `${q}${name}${q}`;
const doubleQuote = quoteWith('"');

/** The standard's forms (PostgreSQL and SQLite): ON CONFLICT on the key columns. */
const onConflict = {
  insertIgnore(table: string, columns: string[], values: string, keys: string[]): string {
    return `INSERT INTO ${doubleQuote(table)} (${columns.map(doubleQuote).join(', ')}) VALUES ${values} ON CONFLICT (${keys.map(doubleQuote).join(', ')}) DO NOTHING`;
  },
  upsert(table: string, columns: string[], values: string, keys: string[], update: string[]): string {
    return `INSERT INTO ${doubleQuote(table)} (${columns.map(doubleQuote).join(', ')}) VALUES ${values} ON CONFLICT (${keys.map(doubleQuote).join(', ')}) DO UPDATE SET ${update.map((c) => `${doubleQuote(c)} = excluded.${doubleQuote(c)}`).join(', ')}`;
  },
  /** VALUES names its columns column1, column2, … on both. */
  valuesTable(columns: string[], rows: number): string {
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    return `SELECT ${columns.map((c, i) => `column${i + 1} AS ${c}`).join(', ')} FROM (VALUES ${new Array(rows).fill(tuple).join(', ')}) AS v`;
  },
};

const lastIdOf = async (exec: SqlExec, sql: string, params: readonly unknown[]) => Number((await exec.run(sql, params)).lastId);

/**
 * The backslash as LIKE's escape is always named rather than left to the default: MySQL's
 * sql_mode NO_BACKSLASH_ESCAPES drops the default, and a '\\' literal means one or two
 * characters there depending on that mode, so MySQL gets CHAR(92); PostgreSQL's E'' literal
 * reads the same whatever standard_conforming_strings says.
 */
const SQLITE_ESCAPE = "ESCAPE '\\'";
const POSTGRES_ESCAPE = "ESCAPE E'\\\\'";
const MYSQL_ESCAPE = 'ESCAPE CHAR(92 USING utf8mb4)';
/** A MySQL/MariaDB collation whose case tables know every letter ILIKE folds. */
const MYSQL_FOLD = 'utf8mb4_unicode_520_ci';

export const sqlite: SqlDialect = {
  name: 'sqlite',
  beforeConnect: (file, url, opts) => checkSqliteFile(file, url, opts.createParentDir),
  knexConfigs: sqliteKnexConfigs,
  forServer: async () => sqlite,
  inProcess: true,
  text: (sql) => sql,
  quote: doubleQuote,
  ...onConflict,
  insertId: lastIdOf,
  rows: (raw) => raw,
  // better-sqlite3 through knex: a query's rows, or a statement's run() result.
  runResult: (raw) => (Array.isArray(raw) ? { changes: 0 } : { changes: raw.changes, lastId: Number(raw.lastInsertRowid) }),
  forUpdate: '',
  ordersLocks: false,
  // One writer, nothing to replay: a busy database waits out busy_timeout instead.
  isReplayable: () => false,
  isUniqueViolation: sqliteUniqueViolation,
  // GLOB is case-sensitive and keeps the index use of a prefix pattern.
  like: (pattern) => ({ sql: '?? GLOB ?', value: likeToGlob(pattern) }),
  // Both sides folded by the registered function (sqlite-functions.ts): LOWER() folds ASCII only.
  ilike: (pattern) => ({ sql: `${SQLITE_LOWER}(??) LIKE ${SQLITE_LOWER}(?) ${SQLITE_ESCAPE}`, value: likePattern(pattern) }),
  numberOfText: (column) => `${SQLITE_NUMBER}(${column})`,
  hydratesAsJson: true,
  catalog: {
    tables: SQLITE_TABLES_SQL,
    indexes: `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?`,
  },
  withSchemaLock: sqliteSchemaLock,
  transactionalDdl: true,
  enforcesLengths: false,
  withoutRowid: true,
  binaryCollation: () => {},
};

export const postgres: SqlDialect = {
  name: 'postgres',
  beforeConnect: () => usePostgresTypes(),
  knexConfigs: (url) => postgresKnexConfigs(url),
  forServer: async () => postgres,
  inProcess: false,
  text: (sql) => sql,
  quote: doubleQuote,
  ...onConflict,
  // PostgreSQL reports generated keys only through RETURNING.
  insertId: async (exec, sql, params, column) => Number((await exec.all(`${sql} RETURNING ${doubleQuote(column)}`, params))[0][column]),
  rows: (raw) => raw.rows,
  runResult: (raw) => ({ changes: raw.rowCount ?? 0 }),
  forUpdate: ' FOR UPDATE',
  ordersLocks: true,
  isReplayable: postgresReplayable,
  isUniqueViolation: postgresUniqueViolation,
  like: (pattern) => ({ sql: `?? LIKE ? ${POSTGRES_ESCAPE}`, value: likePattern(pattern) }),
  ilike: (pattern) => ({ sql: `?? ILIKE ? ${POSTGRES_ESCAPE}`, value: likePattern(pattern) }),
  numberOfText: (column) => `CASE WHEN ${column} ~ '${NUMERIC_TEXT_SQL_PATTERN}' THEN CAST(${column} AS double precision) END`,
  hydratesAsJson: false,
  catalog: {
    tables: 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()',
    indexes: 'SELECT indexname AS name FROM pg_indexes WHERE tablename = ? AND schemaname = current_schema()',
  },
  withSchemaLock: postgresSchemaLock,
  transactionalDdl: true,
  enforcesLengths: true,
  withoutRowid: false,
  binaryCollation: () => {},
};

const backquote = quoteWith('`');
/** Backtick copies of the shared statement texts, made once per text. */
const mysqlTexts = new Map<string, string>();

/**
 * MySQL's and MariaDB's `_bin` collations are PAD SPACE: 'k' and 'k ' compare equal, so names
 * and keys differing only by trailing spaces collide in every unique index and lookup, which
 * PostgreSQL and SQLite keep apart. Each flavour has a binary NO PAD collation under its own name.
 */
const NO_PAD_BINARY = { mysql: 'utf8mb4_0900_bin', mariadb: 'utf8mb4_nopad_bin' } as const;

function textCollation(name: string): TextCollation {
  const quoted = `'${name}'`;
  return {
    name,
    mismatchedSql: `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ? AND table_collation <> ${quoted}
      UNION ALL SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?
        AND collation_name IS NOT NULL AND collation_name <> ${quoted}`,
    convertSql: (table) => `ALTER TABLE ${backquote(table)} CONVERT TO CHARACTER SET utf8mb4 COLLATE ${name}`,
  };
}

/** The server's NO PAD binary collation: by its flavour, and refused when it has none (MySQL 5.7, MariaDB before 10.2). */
async function serverCollation(k: Knex): Promise<string> {
  const [rows] = await k.raw('SELECT VERSION() AS v');
  const version = String(rows[0].v);
  const name = /mariadb/i.test(version) ? NO_PAD_BINARY.mariadb : NO_PAD_BINARY.mysql;
  const [found] = await k.raw('SHOW COLLATION WHERE Collation = ?', [name]);
  if (found.length === 0) {
    throw new TrackbridgeError('INVALID_ARGUMENT', `the MySQL server (${version}) has no ${name} collation: trackbridge needs MySQL 8 or MariaDB 10.2 and later`);
  }
  return name;
}

/** The MySQL dialect whose text is stored in `collation`. */
function mysqlWith(collation: string): SqlDialect {
  const self: SqlDialect = {
    ...mysqlCommon,
    forServer: async (k) => {
      const name = await serverCollation(k);
      return name === collation ? self : mysqlWith(name);
    },
    // utf8mb4_bin's LOWER() keeps ẞ; the Unicode 5.2 tables (MySQL and MariaDB alike) fold it.
    // Both sides are compared in binary again, so the ci collation never makes é equal e.
    ilike: (pattern) => ({
      sql: `LOWER(?? COLLATE ${MYSQL_FOLD}) COLLATE ${collation} LIKE LOWER(CONVERT(? USING utf8mb4) COLLATE ${MYSQL_FOLD}) COLLATE ${collation} ${MYSQL_ESCAPE}`,
      value: likePattern(pattern),
    }),
    // MySQL compares text case-insensitively by default.
    binaryCollation: (t) => {
      t.charset('utf8mb4');
      t.collate(collation);
    },
    textCollation: textCollation(collation),
  };
  return self;
}

const mysqlCommon: Omit<SqlDialect, 'forServer' | 'ilike' | 'binaryCollation' | 'textCollation'> = {
  name: 'mysql',
  beforeConnect: () => {},
  knexConfigs: (url) => mysqlKnexConfigs(url),
  inProcess: false,
  text(sql) {
    let out = mysqlTexts.get(sql);
    if (out === undefined) {
      out = sql.replace(/"/g, '`');
      mysqlTexts.set(sql, out);
    }
    return out;
  },
  quote: backquote,
  insertIgnore(table, columns, values, keys) {
    // Not INSERT IGNORE: that downgrades every error (a value too long, a NULL, a bad foreign
    // key) to a warning and stores the row mangled or not at all. A no-op update on a duplicate
    // key ignores duplicates only; a duplicate leaves its row as it was (0 rows affected).
    const first = backquote(keys[0]);
    return `INSERT INTO ${backquote(table)} (${columns.map(backquote).join(', ')}) VALUES ${values} ON DUPLICATE KEY UPDATE ${first} = ${first}`;
  },
  upsert(table, columns, values, _keys, update) {
    return `INSERT INTO ${backquote(table)} (${columns.map(backquote).join(', ')}) VALUES ${values} ON DUPLICATE KEY UPDATE ${update.map((c) => `${backquote(c)} = VALUES(${backquote(c)})`).join(', ')}`;
  },
  // MySQL's VALUES differs from the standard's (ROW()), and MariaDB names its columns by the
  // first row's values, so a list of one-row SELECTs instead.
  valuesTable(columns, rows) {
    const first = `SELECT ${columns.map((c) => `? AS ${c}`).join(', ')}`;
    const rest = `SELECT ${columns.map(() => '?').join(', ')}`;
    return Array.from({ length: rows }, (_, i) => (i === 0 ? first : rest)).join(' UNION ALL ');
  },
  insertId: lastIdOf,
  rows: (raw) => raw[0],
  runResult: (raw) => ({ changes: raw[0].affectedRows ?? 0, lastId: raw[0].insertId }),
  forUpdate: ' FOR UPDATE',
  ordersLocks: true,
  isReplayable: mysqlReplayable,
  isUniqueViolation: mysqlUniqueViolation,
  like: (pattern) => ({ sql: `?? LIKE ? ${MYSQL_ESCAPE}`, value: likePattern(pattern) }),
  // REGEXP on a binary-collated column is case-sensitive, and `+ 0e0` reads the text as a double on MySQL and MariaDB alike.
  numberOfText: (column) => `CASE WHEN ${column} REGEXP '${NUMERIC_TEXT_SQL_PATTERN}' THEN (${column} + 0e0) END`,
  hydratesAsJson: false,
  catalog: {
    tables: 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()',
    indexes: 'SELECT DISTINCT index_name AS name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ?',
  },
  withSchemaLock: mysqlSchemaLock,
  transactionalDdl: false,
  enforcesLengths: true,
  withoutRowid: false,
};

/** MySQL 8's form until forServer has asked the server (SqlStore.open always does). */
export const mysql: SqlDialect = mysqlWith(NO_PAD_BINARY.mysql);

export const DIALECTS: Record<DialectName, SqlDialect> = { sqlite, postgres, mysql };
