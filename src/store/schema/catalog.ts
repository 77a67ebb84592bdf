/** What a database already holds: its tables and their indexes, read from each dialect's catalog. */
import type { Knex } from 'knex';
import type { Dialect } from '../connect';

/** SQLite's own tables (sqlite_sequence, sqlite_stat1, …) are left out. */
export const SQLITE_TABLES_SQL = `SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`;

/** The rows of a raw query, whatever shape the driver returns them in. */
export function rowsOf(dialect: Dialect, result: any): any[] {
  if (dialect === 'sqlite') return result;
  if (dialect === 'postgres') return result.rows;
  return result[0];
}

async function names(k: Knex, dialect: Dialect, sql: string, bindings: string[] = []): Promise<string[]> {
  const rows = rowsOf(dialect, await k.raw(sql, bindings));
  return rows.map((r: any) => String(r.name ?? r.NAME));
}

/** Tables and views in the schema the connection works in. */
export function tableNames(k: Knex, dialect: Dialect): Promise<string[]> {
  if (dialect === 'sqlite') return names(k, dialect, SQLITE_TABLES_SQL);
  if (dialect === 'postgres') {
    return names(k, dialect, 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()');
  }
  return names(k, dialect, 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()');
}

export function indexNames(k: Knex, dialect: Dialect, table: string): Promise<string[]> {
  if (dialect === 'sqlite') return names(k, dialect, `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?`, [table]);
  if (dialect === 'postgres') {
    return names(k, dialect, 'SELECT indexname AS name FROM pg_indexes WHERE tablename = ? AND schemaname = current_schema()', [table]);
  }
  return names(k, dialect, 'SELECT DISTINCT index_name AS name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ?', [table]);
}
