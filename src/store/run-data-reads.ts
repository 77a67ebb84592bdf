/** Store reads of a run's W&B data (tx/run-data.ts writes it). */
import type { ConsoleLine, HistoryValueKind, StreamOffset } from '../core/model';
import type { RunDocumentKind, StoredHistoryValueRead } from '../core/store';
import { int64Of } from './rows';
import type { SqlExec } from './sql-exec';

const RID = `(SELECT "rid" FROM "runs" WHERE "run_uuid" = ?)`;

export async function runDocument(db: SqlExec, runId: string, kind: RunDocumentKind): Promise<string | undefined> {
  const [row] = await db.all(`SELECT "body" FROM "run_documents" WHERE "rid" = ${RID} AND "kind" = ?`, [runId, kind]);
  return row?.body;
}

export async function runStreamOffsets(db: SqlExec, runId: string): Promise<StreamOffset[]> {
  const rows = await db.all(`SELECT "name", "next_offset" FROM "run_streams" WHERE "rid" = ${RID} ORDER BY "name"`, [runId]);
  return rows.map((r) => ({ stream: r.name, nextOffset: Number(r.next_offset) }));
}

export async function runHistoryValues(db: SqlExec, runId: string, q: { key?: string; offset: number; limit: number }): Promise<StoredHistoryValueRead[]> {
  const select = `SELECT s."name" AS "stream", v."line_no", v."key", v."step", v."timestamp", v."kind", v."value_json"
    FROM "run_history_values" v JOIN "run_streams" s ON s."stream_id" = v."stream_id"
    WHERE v."rid" = ${RID}`;
  const rows = q.key === undefined
    ? await db.all(`${select} ORDER BY s."name", v."line_no", v."key" LIMIT ? OFFSET ?`, [runId, q.limit, q.offset])
    : await db.all(`${select} AND v."key" = ? ORDER BY v."step", s."name", v."line_no" LIMIT ? OFFSET ?`, [runId, q.key, q.limit, q.offset]);
  return rows.map((r) => ({
    stream: r.stream,
    line: Number(r.line_no),
    key: r.key,
    step: int64Of(r.step),
    timestamp: int64Of(r.timestamp),
    kind: r.kind as HistoryValueKind,
    valueJson: r.value_json,
  }));
}

export async function runConsoleLines(db: SqlExec, runId: string, stream: string, from: number, limit: number): Promise<ConsoleLine[]> {
  const rows = await db.all(`SELECT c."line_no", c."content" FROM "run_console_lines" c JOIN "run_streams" s ON s."stream_id" = c."stream_id"
    WHERE s."rid" = ${RID} AND s."name" = ? AND c."line_no" >= ? ORDER BY c."line_no" LIMIT ?`, [runId, stream, from, limit]);
  return rows.map((r) => ({ line: Number(r.line_no), text: r.content }));
}
