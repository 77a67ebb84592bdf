/**
 * Multi-row INSERTs written once for every dialect. knex renders SQLite multi-row inserts as
 * a compound SELECT, which SQLite caps at 500 terms; plain VALUES lists have no such cap and
 * are what the hot logging path wants anyway.
 */
import type { Dialect } from './connect';
import type { SqlExec } from './sql-exec';

export type OnConflict =
  | { ignore: string[] }
  | { keys: string[]; update: string[] };

const quote = (dialect: Dialect, name: string) => (dialect === 'mysql' ? `\`${name}\`` : `"${name}"`);

/** Rows per statement: keeps bound parameters well under every driver's limit. */
const MAX_PARAMS = 30000;

export async function insertRows(
  db: SqlExec,
  table: string,
  columns: string[],
  rows: unknown[][],
  conflict?: OnConflict,
): Promise<void> {
  if (rows.length === 0) return;
  const dialect = db.dialect;
  const q = (n: string) => quote(dialect, n);
  const cols = columns.map(q).join(', ');
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  for (let i = 0; i < rows.length; i += perStatement) {
    const part = rows.slice(i, i + perStatement);
    const values = part.map(() => tuple).join(', ');
    let sql: string;
    if (!conflict) {
      sql = `INSERT INTO ${q(table)} (${cols}) VALUES ${values}`;
    } else if ('ignore' in conflict) {
      sql = dialect === 'mysql'
        ? `INSERT IGNORE INTO ${q(table)} (${cols}) VALUES ${values}`
        : `INSERT INTO ${q(table)} (${cols}) VALUES ${values} ON CONFLICT (${conflict.ignore.map(q).join(', ')}) DO NOTHING`;
    } else {
      sql = dialect === 'mysql'
        ? `INSERT INTO ${q(table)} (${cols}) VALUES ${values} ON DUPLICATE KEY UPDATE ${conflict.update.map((c) => `${q(c)} = VALUES(${q(c)})`).join(', ')}`
        : `INSERT INTO ${q(table)} (${cols}) VALUES ${values} ON CONFLICT (${conflict.keys.map(q).join(', ')}) DO UPDATE SET ${conflict.update.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}`;
    }
    await db.run(sql, part.flat());
  }
}
