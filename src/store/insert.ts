/**
 * Multi-row INSERTs written once for every dialect. knex renders SQLite multi-row inserts as
 * a compound SELECT, which SQLite caps at 500 terms; plain VALUES lists have no such cap and
 * are what the hot logging path wants anyway.
 */
import type { SqlDialect } from './dialect';
import type { SqlExec } from './sql-exec';

export type OnConflict =
  | { ignore: string[] }
  | { keys: string[]; update: string[] };

/** Rows per statement: keeps bound parameters well under every driver's limit. */
const MAX_PARAMS = 30000;

/** Statement texts by shape: the hot path logs the same shapes over and over. */
const texts = new Map<string, string>();

function statementText(dialect: SqlDialect, table: string, columns: string[], rows: number, conflict?: OnConflict): string {
  const id = `${dialect.name}|${table}|${columns.join(',')}|${rows}|${conflict ? JSON.stringify(conflict) : ''}`;
  let sql = texts.get(id);
  if (sql !== undefined) return sql;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const values = new Array(rows).fill(tuple).join(', ');
  if (!conflict) {
    sql = `INSERT INTO ${dialect.quote(table)} (${columns.map(dialect.quote).join(', ')}) VALUES ${values}`;
  } else if ('ignore' in conflict) {
    sql = dialect.insertIgnore(table, columns, values, conflict.ignore);
  } else {
    sql = dialect.upsert(table, columns, values, conflict.keys, conflict.update);
  }
  // Row counts vary; keep the cache bounded like the statement cache beneath it.
  if (texts.size > 2000) texts.delete(texts.keys().next().value as string);
  texts.set(id, sql);
  return sql;
}

/** Strings by UTF-16 unit, numbers and bigints by value (one column holds one type), NULL first. */
function compareValues(a: any, b: any): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Rows in the order of their conflict key. Each row's key is locked as it is written and held
 * to commit; two writers taking the same new keys in opposite orders would wait on each other
 * (a deadlock). In one order, one of them simply waits for the other. The sort is stable, so
 * rows sharing a key keep their order (an ignoring insert keeps the first everywhere, a MySQL upsert the last).
 */
function inKeyOrder(columns: string[], rows: unknown[][], conflict: OnConflict): unknown[][] {
  const keyIndexes = ('ignore' in conflict ? conflict.ignore : conflict.keys).map((c) => columns.indexOf(c));
  return [...rows].sort((r, q) => {
    for (const i of keyIndexes) {
      const c = compareValues(r[i], q[i]);
      if (c !== 0) return c;
    }
    return 0;
  });
}

export async function insertRows(
  db: SqlExec,
  table: string,
  columns: string[],
  rows: unknown[][],
  conflict?: OnConflict,
): Promise<void> {
  if (rows.length === 0) return;
  if (conflict && rows.length > 1 && db.dialect.ordersLocks) rows = inKeyOrder(columns, rows, conflict);
  const width = columns.length;
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / width));
  for (let i = 0; i < rows.length; i += perStatement) {
    const end = Math.min(rows.length, i + perStatement);
    const params = new Array((end - i) * width);
    let p = 0;
    for (let r = i; r < end; r++) {
      const row = rows[r];
      for (let c = 0; c < width; c++) params[p++] = row[c];
    }
    await db.run(statementText(db.dialect, table, columns, end - i, conflict), params);
  }
}
