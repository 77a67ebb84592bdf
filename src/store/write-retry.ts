/**
 * When a PostgreSQL or MySQL transaction is to be replayed. A deadlock victim or a serialization
 * failure has been rolled back whole by the database; the write unit touches nothing but the
 * database, so running it again from the start is safe and is what the server asks for.
 */
import type { Dialect } from './connect';

/** Attempts in all, the first included. */
export const WRITE_ATTEMPTS = 6;

/**
 * PostgreSQL: 40P01 deadlock_detected, 40001 serialization_failure. MySQL/MariaDB: 1213
 * ER_LOCK_DEADLOCK. A lock wait timeout (1205) is left alone: the client has already waited
 * innodb_lock_wait_timeout (50 s by default), and InnoDB rolled back only the statement.
 */
export function isReplayable(dialect: Dialect, error: unknown): boolean {
  const e = error as { code?: unknown; errno?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (dialect === 'postgres') return e.code === '40P01' || e.code === '40001';
  if (dialect === 'mysql') return e.errno === 1213;
  return false;
}

/** Jittered, doubling pause before attempt `attempt` (1 = the first replay): up to 10, 20, 40, … ms. */
export function replayDelay(attempt: number): Promise<void> {
  const ms = Math.random() * 10 * 2 ** (attempt - 1);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
