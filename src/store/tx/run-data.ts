/** The run-data part of a write transaction (tx.runData): a run's W&B documents, stream offsets, non-numeric history values and console lines. */
import type { ConsoleLine } from '../../core/model';
import type { LockedRun, LockedStream, RunDataWrites, RunDocumentKind, StoredHistoryValue } from '../../core/store';
import { isJsonObject, parseJson } from '../../core/json-value';
import { LIMITS } from '../../core/limits';
import { INDEXED_DOCUMENTS, runValueLeaves } from '../../core/run-values';
import { insertRows } from '../insert';
import type { SqlExec } from '../sql-exec';

/**
 * Bytes of text per INSERT: every row of a chunk may be large, and one statement must stay
 * well under the smallest packet a MySQL server is commonly set to (4 MiB).
 */
const STATEMENT_TEXT_BYTES = 2 * 1024 * 1024;

/** Rows in runs whose text columns together stay under STATEMENT_TEXT_BYTES (a larger row goes alone). */
function* byTextSize<T>(rows: T[], text: (r: T) => string): Generator<T[]> {
  let part: T[] = [], bytes = 0;
  for (const r of rows) {
    const n = Buffer.byteLength(text(r), 'utf8');
    if (part.length && bytes + n > STATEMENT_TEXT_BYTES) { yield part; part = []; bytes = 0; }
    part.push(r);
    bytes += n;
  }
  if (part.length) yield part;
}

export class SqlRunDataWrites implements RunDataWrites {
  constructor(private readonly sql: SqlExec) {}

  async document(run: LockedRun, kind: RunDocumentKind): Promise<string | undefined> {
    const [row] = await this.sql.all(`SELECT "body" FROM "run_documents" WHERE "rid" = ? AND "kind" = ?`, [run.handle, kind]);
    return row?.body;
  }

  async setDocument(run: LockedRun, kind: RunDocumentKind, json: string): Promise<void> {
    await insertRows(this.sql, 'run_documents', ['rid', 'kind', 'body'], [[run.handle, kind, json]], { keys: ['rid', 'kind'], update: ['body'] });
    if (INDEXED_DOCUMENTS.has(kind)) await this.indexValues(run, kind, json);
  }

  /** Replaces the document's rows in the value index (store/search compares config and summary there). */
  private async indexValues(run: LockedRun, kind: RunDocumentKind, json: string): Promise<void> {
    await this.sql.run(`DELETE FROM "run_values" WHERE "rid" = ? AND "doc" = ?`, [run.handle, kind]);
    const doc = parseJson(json, LIMITS.jsonNesting, kind);
    if (!isJsonObject(doc)) return;
    const leaves = runValueLeaves(kind, doc);
    for (const part of byTextSize(leaves, (l) => l.text ?? '')) {
      // Plain inserts: runValueLeaves gives each key once, and the key column compares bytes, so no two rows collide.
      await insertRows(this.sql, 'run_values', ['rid', 'doc', 'key', 'num', 'text'], part.map((l) => [run.handle, kind, l.key, l.num, l.text]));
    }
  }

  /** No row lock of its own: the caller holds the run's, which every writer of its streams takes first. */
  async lockStream(run: LockedRun, name: string): Promise<LockedStream> {
    const find = () => this.sql.all(`SELECT "stream_id", "next_offset" FROM "run_streams" WHERE "rid" = ? AND "name" = ?`, [run.handle, name]);
    let [row] = await find();
    if (!row) {
      await insertRows(this.sql, 'run_streams', ['rid', 'name', 'next_offset'], [[run.handle, name, 0]]);
      [row] = await find();
    }
    return { handle: Number(row.stream_id), name, nextOffset: Number(row.next_offset) };
  }

  async setStreamOffset(stream: LockedStream, nextOffset: number): Promise<void> {
    await this.sql.run(`UPDATE "run_streams" SET "next_offset" = ? WHERE "stream_id" = ?`, [nextOffset, stream.handle]);
  }

  /** Plain inserts: lines below the stream's offset never come here, so a row already stored is a fault, not a retry. */
  async insertHistoryValues(run: LockedRun, stream: LockedStream, values: StoredHistoryValue[]): Promise<void> {
    for (const part of byTextSize(values, (v) => v.valueJson)) {
      await insertRows(this.sql, 'run_history_values', ['rid', 'stream_id', 'line_no', 'key', 'step', 'timestamp', 'kind', 'value_json'],
        part.map((v) => [run.handle, stream.handle, v.line, v.key, v.step, v.timestamp, v.kind, v.valueJson]));
    }
  }

  async upsertConsoleLines(_run: LockedRun, stream: LockedStream, lines: ConsoleLine[]): Promise<void> {
    // A line number sent twice in one chunk: the later text is the one shown.
    const byLine = new Map<number, string>();
    for (const l of lines) byLine.set(l.line, l.text);
    const rows = [...byLine].map(([line, text]) => [stream.handle, line, text]);
    for (const part of byTextSize(rows, (r) => r[2] as string)) {
      await insertRows(this.sql, 'run_console_lines', ['stream_id', 'line_no', 'content'], part, { keys: ['stream_id', 'line_no'], update: ['content'] });
    }
  }
}
