/** Brings the schema up to date and refuses databases this code does not understand. */
import type { Knex } from 'knex';
import { TrackbridgeError } from '../../core/errors';
import type { Dialect } from '../connect';
import { EXPECTED_INDEXES, MIGRATIONS, migrationSource } from './migrations';

const MIGRATION_TABLE = 'trackbridge_migrations';

export async function migrate(db: Knex): Promise<void> {
  const known = new Set(MIGRATIONS.map((m) => m.name));
  if (await db.schema.hasTable(MIGRATION_TABLE)) {
    const applied: Array<{ name: string }> = await db(MIGRATION_TABLE).select('name');
    const unknown = applied.map((r) => r.name).filter((n) => !known.has(n));
    if (unknown.length) {
      throw new TrackbridgeError('INVALID_STATE',
        `The database has schema migrations this version does not know (${unknown.join(', ')}); it was written by a newer trackbridge. Refusing to start.`);
    }
  }
  await db.migrate.latest({ migrationSource, tableName: MIGRATION_TABLE });
}

async function indexNames(db: Knex, dialect: Dialect, table: string): Promise<string[]> {
  if (dialect === 'sqlite') {
    const rows = await db.raw(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?`, [table]);
    return rows.map((r: any) => r.name);
  }
  if (dialect === 'postgres') {
    const res = await db.raw(`SELECT indexname AS name FROM pg_indexes WHERE tablename = ? AND schemaname = current_schema()`, [table]);
    return res.rows.map((r: any) => r.name);
  }
  const [rows] = await db.raw(`SELECT DISTINCT index_name AS name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ?`, [table]);
  return rows.map((r: any) => r.name ?? r.NAME);
}

/** Every index the queries rely on must exist: a missing one turns lookups into full scans. */
export async function checkIndexes(db: Knex, dialect: Dialect): Promise<void> {
  const missing: string[] = [];
  for (const [table, expected] of Object.entries(EXPECTED_INDEXES)) {
    const have = new Set(await indexNames(db, dialect, table));
    for (const name of expected) if (!have.has(name)) missing.push(`${table}.${name}`);
  }
  if (missing.length) {
    throw new TrackbridgeError('INVALID_STATE', `The database is missing indexes: ${missing.join(', ')}. Refusing to start.`);
  }
}
