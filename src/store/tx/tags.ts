/** Key/value tags of experiments, runs and logged models: one table each, the same writes. */
import type { Tag } from '../../core/model';
import { insertRows } from '../insert';
import type { SqlExec } from '../sql-exec';

/** Where one kind of owner keeps its tags: `table`, keyed by (`owner`, key). */
export interface TagTable { table: string; owner: string }

/** Inserts or overwrites; later entries win, as when the same key is set twice in one request. */
export async function setTags(sql: SqlExec, t: TagTable, owner: string | number, tags: Tag[]): Promise<void> {
  const byKey = new Map(tags.map((tag) => [tag.key, tag.value]));
  await insertRows(sql, t.table, [t.owner, 'key', 'value'], [...byKey].map(([key, value]) => [owner, key, value]),
    { keys: [t.owner, 'key'], update: ['value'] });
}

/** Returns false when the key did not exist. */
export async function deleteTag(sql: SqlExec, t: TagTable, owner: string | number, key: string): Promise<boolean> {
  return (await sql.run(`DELETE FROM "${t.table}" WHERE "${t.owner}" = ? AND "key" = ?`, [owner, key])).changes > 0;
}

export async function getTag(sql: SqlExec, t: TagTable, owner: string | number, key: string): Promise<string | undefined> {
  const [row] = await sql.all(`SELECT "value" FROM "${t.table}" WHERE "${t.owner}" = ? AND "key" = ?`, [owner, key]);
  return row?.value;
}
