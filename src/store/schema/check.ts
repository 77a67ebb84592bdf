/**
 * The schema on open: refuse databases that are not ours or are newer than this code, bring ours
 * up to date, and check the indexes the queries rely on. All of it under the schema lock, so
 * servers starting together take turns, and the first finds everything done for the others.
 */
import type { Knex } from 'knex';
import type { SqlDialect } from '../dialect';
import { notOurDatabase, refusedDatabase } from '../open-errors';
import { indexNames, tableNames } from './catalog';
import { EXPECTED_INDEXES, MIGRATION_TABLE, MIGRATIONS, OWN_TABLES } from './migrations';
import { SchemaSteps } from './steps';

export interface SchemaSetup {
  /** The database's URL, for messages. */
  url: string;
  /** Called after each schema statement has run; see SchemaSteps. */
  afterStatement?: (sql: string) => void;
}

/**
 * Tables that show the database belongs to someone else. Without our bookkeeping table every
 * table counts: a first start always makes that table before any other.
 */
export function foreignTables(tables: string[]): string[] {
  if (!tables.includes(MIGRATION_TABLE)) return tables;
  const own = new Set(OWN_TABLES);
  return tables.filter((t) => !own.has(t));
}

/** `k` must hold a single connection: the lock is that connection's. */
export async function prepareSchema(k: Knex, dialect: SqlDialect, setup: SchemaSetup): Promise<void> {
  await dialect.withSchemaLock(k, async (k) => {
    const tables = await tableNames(k, dialect);
    const foreign = foreignTables(tables);
    if (foreign.length) throw notOurDatabase(setup.url, foreign);

    const applied = new Set<string>(tables.includes(MIGRATION_TABLE) ? (await k(MIGRATION_TABLE).select('name')).map((r: any) => r.name) : []);
    const known = new Set(MIGRATIONS.map((m) => m.name));
    const unknown = [...applied].filter((n) => !known.has(n));
    if (unknown.length) {
      throw refusedDatabase(setup.url, `it has schema migrations this version does not know (${unknown.join(', ')})`,
        'It was written by a newer trackbridge: run that version, or point --db at another database.');
    }

    const pending = MIGRATIONS.filter((m) => !applied.has(m.name));
    if (pending.length) {
      const steps = new SchemaSteps(k, dialect, setup.afterStatement);
      // The columns knex's migrator gave this table, so databases made before and after match.
      await steps.createTable(MIGRATION_TABLE, (t) => {
        t.increments();
        t.string('name');
        t.integer('batch');
        t.timestamp('migration_time');
      });
      const last = await k(MIGRATION_TABLE).max({ batch: 'batch' }).first();
      const batch = Number(last?.batch ?? 0) + 1;
      for (const m of pending) {
        await m.up(steps);
        await steps.insertMissing(MIGRATION_TABLE, { name: m.name, batch, migration_time: new Date() }, ['name']);
      }
    }
    await checkIndexes(k, dialect, setup.url);
  });
}

/** Every index the queries rely on must exist: a missing one turns lookups into full scans. */
async function checkIndexes(k: Knex, dialect: SqlDialect, url: string): Promise<void> {
  const missing: string[] = [];
  for (const [table, expected] of Object.entries(EXPECTED_INDEXES)) {
    const have = new Set(await indexNames(k, dialect, table));
    for (const name of expected) if (!have.has(name)) missing.push(`${table}.${name}`);
  }
  if (missing.length) {
    throw refusedDatabase(url, `it is missing indexes: ${missing.join(', ')}`,
      'Recreate them as the schema migrations define them, or restore a backup.');
  }
}
