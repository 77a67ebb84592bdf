/**
 * Metric keys are interned into small integers: the point tables then hold ids, not strings.
 * A key's id never changes once committed, so the cache is shared by every transaction and
 * learns new ids only after their transaction commits.
 */
import type { Knex } from 'knex';
import { chunks, placeholders } from './chunks';
import { insertRows } from './insert';
import type { SqlExec } from './sql-exec';

export class MetricKeyCache {
  private ids = new Map<string, number>();
  private names = new Map<number, string>();

  learn(found: Map<string, number>): void {
    for (const [k, id] of found) {
      this.ids.set(k, id);
      this.names.set(id, k);
    }
  }

  /** Cached ids of `keys`, and the keys not cached yet. */
  private partition(keys: string[]): { out: Map<string, number>; missing: string[] } {
    const out = new Map<string, number>();
    const missing: string[] = [];
    for (const k of keys) {
      const id = this.ids.get(k);
      if (id !== undefined) out.set(k, id);
      else missing.push(k);
    }
    return { out, missing };
  }

  /** Keys of ids read from the point tables; ids another process created are read once. */
  async namesOf(db: SqlExec, ids: Iterable<number>): Promise<Map<number, string>> {
    const missing = [...new Set(ids)].filter((id) => !this.names.has(id));
    for (const part of chunks(missing, 500)) {
      const rows = await db.all(`SELECT "key_id", "key" FROM "metric_keys" WHERE "key_id" IN (${placeholders(part.length)})`, part);
      this.learn(new Map(rows.map((r) => [r.key, Number(r.key_id)])));
    }
    return this.names;
  }

  /** Ids of existing keys only (for reads); unknown keys are absent from the result. */
  async lookup(db: Knex, keys: string[]): Promise<Map<string, number>> {
    const { out, missing } = this.partition(keys);
    for (const part of chunks(missing, 500)) {
      const rows = await db('metric_keys').select('key_id', 'key').whereIn('key', part);
      for (const r of rows) out.set(r.key, Number(r.key_id));
    }
    if (missing.length > 0) this.learn(new Map(missing.filter((k) => out.has(k)).map((k) => [k, out.get(k)!])));
    return out;
  }

  /** Ids for keys, creating the missing ones inside trx; `created` collects what to learn after commit. */
  async resolve(sql: SqlExec, keys: string[], created: Map<string, number>): Promise<Map<string, number>> {
    const split = this.partition(keys);
    const out = split.out;
    let missing = split.missing;
    for (let round = 0; round < 2 && missing.length > 0; round++) {
      // Second round: insert what the first lookup did not find, then read the ids back. The
      // inserted keys stay locked until commit; insertRows writes them in one order for every writer.
      if (round === 1) await insertRows(sql, 'metric_keys', ['key'], missing.map((k) => [k]), { ignore: ['key'] });
      for (const part of chunks(missing, 500)) {
        const rows = await sql.all(`SELECT "key_id", "key" FROM "metric_keys" WHERE "key" IN (${placeholders(part.length)})`, part);
        for (const r of rows) out.set(r.key, Number(r.key_id));
      }
      missing = missing.filter((k) => !out.has(k));
    }
    for (const k of keys) created.set(k, out.get(k)!);
    return out;
  }
}
