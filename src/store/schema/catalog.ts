/** What a database already holds: its tables and their indexes, read from each dialect's catalog. */
import type { Knex } from 'knex';
import type { SqlDialect } from '../dialect';

/** SQLite's own tables (sqlite_sequence, sqlite_stat1, …) are left out. */
export const SQLITE_TABLES_SQL = `SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`;

async function names(k: Knex, dialect: SqlDialect, sql: string, bindings: string[] = []): Promise<string[]> {
  const rows = dialect.rows(await k.raw(sql, bindings));
  return rows.map((r: any) => String(r.name ?? r.NAME));
}

/** Tables and views in the schema the connection works in. */
export function tableNames(k: Knex, dialect: SqlDialect): Promise<string[]> {
  return names(k, dialect, dialect.catalog.tables);
}

export function indexNames(k: Knex, dialect: SqlDialect, table: string): Promise<string[]> {
  return names(k, dialect, dialect.catalog.indexes, [table]);
}
