/** The origin part of a write transaction: where ingested objects came from (see core/ingest.ts). */
import type { Origin, OriginKind, OriginRecord } from '../../core/model';
import type { OriginWrites } from '../../core/store';
import { insertRows } from '../insert';
import { originFromRow } from '../rows';
import type { SqlExec } from '../sql-exec';

const COLUMNS = ['kind', 'system', 'origin_id', 'local_id', 'url', 'first_ingest_time', 'last_ingest_time'];

/** Shared with the store's reads. */
export const ORIGINS_OF_SQL = `SELECT * FROM "origins" WHERE "kind" = ? AND "local_id" = ? ORDER BY "first_ingest_time", "system", "origin_id"`;
export const LOCAL_ID_SQL = `SELECT "local_id" FROM "origins" WHERE "kind" = ? AND "system" = ? AND "origin_id" = ?`;

/**
 * Not a TrackbridgeError: the ingest runs the whole write again, and the second attempt finds
 * the origin and refuses the other id in the domain's words (core/ingest.ts writeIdempotent).
 */
export class OriginTaken extends Error {
  constructor(kind: OriginKind, origin: Origin, localId: string) {
    super(`${origin.system} ${kind} ${origin.id} was ingested concurrently as ${localId}`);
  }
}

export class SqlOriginWrites implements OriginWrites {
  constructor(private readonly sql: SqlExec) {}

  async localId(kind: OriginKind, system: string, originId: string): Promise<string | undefined> {
    // Locked to commit when the row exists. A row that does not exist yet locks nothing on
    // PostgreSQL, so two first ingests of one origin can both get here; record() catches that.
    const [row] = await this.sql.all(`${LOCAL_ID_SQL}${this.sql.dialect.forUpdate}`, [kind, system, originId]);
    return row ? String(row.local_id) : undefined;
  }

  async of(kind: OriginKind, localId: string): Promise<OriginRecord[]> {
    return (await this.sql.all(ORIGINS_OF_SQL, [kind, localId])).map(originFromRow);
  }

  async record(kind: OriginKind, localId: string, origin: Origin, time: number): Promise<void> {
    // The first ingest time stays; the URL and the last ingest time follow the latest ingest.
    await insertRows(this.sql, 'origins', COLUMNS, [[kind, origin.system, origin.id, localId, origin.url ?? null, time, time]],
      { keys: ['kind', 'system', 'origin_id'], update: ['url', 'last_ingest_time'] });
    // A concurrent first ingest of this origin under another id committed while this one ran
    // (its upsert waited on that row and kept its local id): this transaction must not commit.
    const [row] = await this.sql.all(LOCAL_ID_SQL, [kind, origin.system, origin.id]);
    if (String(row.local_id) !== localId) throw new OriginTaken(kind, origin, String(row.local_id));
  }
}
