/**
 * Driver errors read by their codes: when a PostgreSQL or MySQL transaction is to be replayed,
 * and when a statement broke a unique key. A deadlock victim or a serialization failure has been
 * rolled back whole by the database; the write unit touches nothing but the database, so running
 * it again from the start is safe and is what the server asks for.
 */
/** Attempts in all, the first included. */
export const WRITE_ATTEMPTS = 6;

type DriverError = { code?: unknown; errno?: unknown } | null | undefined;

/** PostgreSQL: 40P01 deadlock_detected, 40001 serialization_failure. */
export function postgresReplayable(error: unknown): boolean {
  const code = (error as DriverError)?.code;
  return code === '40P01' || code === '40001';
}

/**
 * MySQL/MariaDB: 1213 ER_LOCK_DEADLOCK. A lock wait timeout (1205) is left alone: the client
 * has already waited innodb_lock_wait_timeout (50 s by default), and InnoDB rolled back only
 * the statement.
 */
export function mysqlReplayable(error: unknown): boolean {
  return (error as DriverError)?.errno === 1213;
}

/** PostgreSQL 23505 unique_violation. */
export function postgresUniqueViolation(error: unknown): boolean {
  return (error as DriverError)?.code === '23505';
}

/** MySQL/MariaDB 1062 ER_DUP_ENTRY. */
export function mysqlUniqueViolation(error: unknown): boolean {
  return (error as DriverError)?.errno === 1062;
}

/** better-sqlite3 names the constraint kind in the code. */
export function sqliteUniqueViolation(error: unknown): boolean {
  const code = (error as DriverError)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Jittered, doubling pause before attempt `attempt` (1 = the first replay): up to 10, 20, 40, … ms. */
export function replayDelay(attempt: number): Promise<void> {
  const ms = Math.random() * 10 * 2 ** (attempt - 1);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
