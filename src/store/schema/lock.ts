/**
 * The lock that lets one process at a time set up the schema. Each dialect's lock belongs to a
 * connection or a transaction, so a process that dies (kill -9, power loss) takes its lock with
 * it; knex's migrator kept a flag in a table instead, which a crash left set for good.
 */
import type { Knex } from 'knex';
import { MIGRATION_TABLE } from './migrations';

/** How long a start waits for another process's setup before giving up. */
export const LOCK_WAIT_SECONDS = 300;

/*
 * Each runs `fn` holding the lock, on the single connection `k` must be limited to (the
 * dialect objects in ../dialect.ts pick one).
 */

/** PostgreSQL: one transaction under pg_advisory_xact_lock; a crash rolls all of it back. */
export function postgresSchemaLock<T>(k: Knex, fn: (k: Knex) => Promise<T>): Promise<T> {
  return k.transaction(async (trx) => {
    await trx.raw(`SET LOCAL lock_timeout = '${LOCK_WAIT_SECONDS}s'`);
    await trx.raw(`SELECT pg_advisory_xact_lock(hashtext(?), hashtext(coalesce(current_schema(), '')))`, [MIGRATION_TABLE]);
    return fn(trx);
  });
}

/** SQLite: one BEGIN IMMEDIATE transaction, which takes the write lock before reading anything. */
export async function sqliteSchemaLock<T>(k: Knex, fn: (k: Knex) => Promise<T>): Promise<T> {
  await k.raw('BEGIN IMMEDIATE');
  try {
    const out = await fn(k);
    await k.raw('COMMIT');
    return out;
  } catch (e) {
    await k.raw('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/**
 * MySQL: GET_LOCK, held by the session of one pinned connection (DDL commits as it goes; see
 * steps.ts). User locks are server-wide: the name carries the database's, hashed to stay
 * within 64 characters. The lock is its session's: a knex transaction keeps every statement
 * on that one connection, so losing it fails the setup instead of carrying on, unlocked, on a
 * new one from the pool. Only the pinning is wanted: the transaction is committed at once,
 * and each statement then commits on its own, as the steps expect.
 */
export function mysqlSchemaLock<T>(k: Knex, fn: (k: Knex) => Promise<T>): Promise<T> {
  const name = 'SHA1(CONCAT(?, DATABASE()))';
  const prefix = `${MIGRATION_TABLE}.`;
  return k.transaction(async (trx) => {
    await trx.raw('COMMIT');
    const [[row]] = await trx.raw(`SELECT GET_LOCK(${name}, ?) AS got`, [prefix, LOCK_WAIT_SECONDS]);
    if (Number(row?.got) !== 1) throw new SchemaLockTimeout();
    try {
      return await fn(trx);
    } finally {
      await trx.raw(`SELECT RELEASE_LOCK(${name})`, [prefix]).catch(() => undefined);
    }
  });
}

export class SchemaLockTimeout extends Error {
  constructor() {
    super(`timed out after ${LOCK_WAIT_SECONDS} s waiting for the schema lock`);
    this.name = 'SchemaLockTimeout';
  }
}
