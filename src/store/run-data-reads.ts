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

/**
 * How many of the rows a page query would return fit in `maxChars` of text (at least one): the
 * lengths are read first, so no page holds more than that budget of values in memory.
 */
function rowsWithin(lengths: Array<{ n: unknown }>, maxChars: number): number {
  let total = 0;
  for (let i = 0; i < lengths.length; i++) {
    total += Number(lengths[i].n ?? 0);
    if (total > maxChars) return Math.max(1, i);
  }
  return lengths.length;
}

export async function runHistoryValues(
  db: SqlExec, runId: string, q: { key?: string; offset: number; limit: number; maxChars: number },
): Promise<{ rows: StoredHistoryValueRead[]; more: boolean }> {
  const from = `FROM "run_history_values" v JOIN "run_streams" s ON s."stream_id" = v."stream_id" WHERE v."rid" = ${RID}`;
  const [where, order, args] = q.key === undefined
    ? ['', `s."name", v."line_no", v."key"`, [runId]]
    : [` AND v."key" = ?`, `v."step", s."name", v."line_no"`, [runId, q.key]];
  // One row past the page tells whether another page follows.
  const lengths = await db.all(`SELECT LENGTH(v."value_json") AS "n" ${from}${where} ORDER BY ${order} LIMIT ? OFFSET ?`, [...args, q.limit + 1, q.offset]);
  if (lengths.length === 0) return { rows: [], more: false };
  const n = Math.min(q.limit, rowsWithin(lengths, q.maxChars));
  const rows = await db.all(
    `SELECT s."name" AS "stream", v."line_no", v."key", v."step", v."timestamp", v."kind", v."value_json" ${from}${where} ORDER BY ${order} LIMIT ? OFFSET ?`,
    [...args, n, q.offset]);
  return { more: lengths.length > n, rows: rows.map((r) => ({
    stream: r.stream,
    line: Number(r.line_no),
    key: r.key,
    step: int64Of(r.step),
    timestamp: int64Of(r.timestamp),
    kind: r.kind as HistoryValueKind,
    valueJson: r.value_json,
  })) };
}

export async function runConsoleLines(db: SqlExec, runId: string, stream: string, from: number, limit: number, maxChars: number): Promise<ConsoleLine[]> {
  const source = `FROM "run_console_lines" c JOIN "run_streams" s ON s."stream_id" = c."stream_id"
    WHERE s."rid" = ${RID} AND s."name" = ? AND c."line_no" >= ? ORDER BY c."line_no" LIMIT ?`;
  const lengths = await db.all(`SELECT LENGTH(c."content") AS "n" ${source}`, [runId, stream, from, limit]);
  if (lengths.length === 0) return [];
  const rows = await db.all(`SELECT c."line_no", c."content" ${source}`, [runId, stream, from, rowsWithin(lengths, maxChars)]);
  return rows.map((r) => ({ line: Number(r.line_no), text: r.content }));
}
