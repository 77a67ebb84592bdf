/** A database's schema as comparable text: tables, columns with their types, and indexes. */
import type { Knex } from 'knex';
import type { Dialect } from './databases';

export interface SchemaShape {
  tables: string[];
  /** `table.column type null default` per column (SQLite: each table's CREATE statement). */
  columns: string[];
  /** `table.index definition` per index. */
  indexes: string[];
}

export async function schemaShape(db: Knex, dialect: Dialect): Promise<SchemaShape> {
  if (dialect === 'sqlite') {
    const rows: any[] = await db.raw(`SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`);
    return {
      tables: rows.filter((r) => r.type === 'table').map((r) => r.name),
      columns: rows.filter((r) => r.type === 'table').map((r) => `${r.name}: ${r.sql}`),
      indexes: rows.filter((r) => r.type === 'index').map((r) => `${r.tbl_name}.${r.name}: ${r.sql}`),
    };
  }
  if (dialect === 'postgres') {
    const tables = await db.raw(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`);
    const columns = await db.raw(`SELECT table_name || '.' || column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', '')
        || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS c
      FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`);
    const indexes = await db.raw(`SELECT tablename || '.' || indexname || ': ' || indexdef AS i FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1`);
    return { tables: tables.rows.map((r: any) => r.t), columns: columns.rows.map((r: any) => r.c), indexes: indexes.rows.map((r: any) => r.i) };
  }
  const [tables] = await db.raw(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1`);
  const [columns] = await db.raw(`SELECT CONCAT(table_name, '.', column_name, ' ', column_type, ' ', is_nullable, ' ', coalesce(column_default, ''), ' ',
        coalesce(collation_name, ''), ' ', extra) AS c
      FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position`);
  const [indexes] = await db.raw(`SELECT CONCAT(table_name, '.', index_name, ': ', IF(non_unique = 0, 'unique ', ''),
        GROUP_CONCAT(column_name ORDER BY seq_in_index)) AS i
      FROM information_schema.statistics WHERE table_schema = DATABASE() GROUP BY table_name, index_name, non_unique ORDER BY 1`);
  return { tables: tables.map((r: any) => r.t), columns: columns.map((r: any) => r.c), indexes: indexes.map((r: any) => r.i) };
}
