/**
 * Functions SQLite lacks, registered on every SQLite connection the store opens: the knex pools
 * and the raw better-sqlite3 connections alike, so any statement may run on any of them (the
 * query-plan checks, for one, prepare reads on the writer).
 */
import type { Knex } from 'knex';
import { foldCase, SQLITE_LOWER } from './search/like';
import { numberOfText, SQLITE_NUMBER } from './search/numeric-text';

/** Registers the functions on one better-sqlite3 connection. */
export function addSqliteFunctions(db: any): void {
  db.function(SQLITE_LOWER, { deterministic: true }, (text: unknown) => (typeof text === 'string' ? foldCase(text) : text));
  db.function(SQLITE_NUMBER, { deterministic: true }, numberOfText);
}

/** The knex configuration with the functions added to each pooled connection, before its own setup. */
export function withSqliteFunctions(cfg: Knex.Config): Knex.Config {
  const pool = cfg.pool ?? {};
  const setup = pool.afterCreate;
  return {
    ...cfg,
    pool: {
      ...pool,
      afterCreate: (conn: any, done: (err: Error | null, conn: any) => void) => {
        try {
          addSqliteFunctions(conn);
        } catch (e) {
          return done(e as Error, conn);
        }
        return setup ? setup(conn, done) : done(null, conn);
      },
    },
  };
}
