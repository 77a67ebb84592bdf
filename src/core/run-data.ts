/**
 * A run's W&B data: its config and summary (each one JSON object, replaced whole), history
 * values that are not numbers, console lines, and how far each of its line streams has been
 * applied. Numeric history values become ordinary metrics, so MLflow reads them unchanged; a number
 * under a key MLflow cannot hold is a history value of kind `number` (see prepareRow), which MLflow never sees.
 *
 * A stream chunk is a run of consecutive lines starting at an offset (the 0-based index of its
 * first line). The run's lock is taken before its stream's offset is read, so writers of one
 * run queue; lines below the stored offset were applied before and are skipped, which makes
 * a resent chunk a no-op and an overlapping one apply only its new lines.
 */
import { invalid, TrackbridgeError } from './errors';
import { LIMITS } from './limits';
import { encodeJson, isJsonObject, type JsonObject, type JsonValue, parseJson } from './json-value';
import type { ConsoleLine, HistoryRow, HistoryValue, HistoryValueKind, MetricPoint, Page, StreamOffset } from './model';
import type { RunDocumentKind, Store, StoredHistoryValue } from './store';
import { decodePageToken, encodePageToken } from './query/page-token';
import { lockActiveRun, runNotFound } from './runs';
import { assertStorableText } from './text';
import { isMetricKey, validateMetric } from './validation';
import { isInt64 } from './int64';

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** The kind a history value is filed under. */
export function historyValueKind(v: JsonValue): HistoryValueKind {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'bigint': return 'integer';
    case 'number': return 'number';
  }
  if (Array.isArray(v)) return 'list';
  const type = (v as JsonObject)._type;
  if (typeof type !== 'string') return 'object';
  if (type === 'histogram') return 'histogram';
  return type.includes('table') ? 'table' : 'media';
}

/** Keys of history values, summary entries and stream names: as long as a metric key, and storable. */
function checkName(name: unknown, param: string): asserts name is string {
  if (typeof name !== 'string' || name === '') throw invalid(`Missing value for required parameter '${param}'.`);
  assertStorableText(name, param);
  if (name.length > LIMITS.keyLength) throw invalid(`'${param}' exceeds the maximum length of ${LIMITS.keyLength} characters`);
}

function checkOffset(offset: unknown): asserts offset is number {
  if (!Number.isSafeInteger(offset) || (offset as number) < 0) {
    throw invalid(`Invalid value ${String(offset)} for parameter 'offset' supplied: it must be a non-negative integer`);
  }
}

/** A document's store text, within the size a document may have. */
function documentText(doc: JsonObject, what: RunDocumentKind): string {
  if (!isJsonObject(doc)) throw invalid(`Invalid ${what}: it must be a JSON object`);
  const text = encodeJson(doc, LIMITS.jsonNesting, what);
  if (utf8Bytes(text) > LIMITS.runDocumentBytes) {
    throw invalid(`Invalid ${what}: its JSON text exceeds the maximum size of ${LIMITS.runDocumentBytes} bytes`);
  }
  return text;
}

const readDocument = (text: string | undefined, what: RunDocumentKind): JsonObject =>
  (text === undefined ? {} : parseJson(text, LIMITS.jsonNesting, what) as JsonObject);

interface PreparedRow { metrics: MetricPoint[]; values: Omit<StoredHistoryValue, 'line'>[] }

/** Told of each entry a lenient write leaves out of its row, with the reason. */
export type RefusedEntry = (line: number, key: string, reason: TrackbridgeError) => void;

/** Runs check; with `refused`, an INVALID_ARGUMENT drops the entry (told) instead of the write. */
function kept(check: () => void, refused: ((e: TrackbridgeError) => void) | undefined): boolean {
  if (!refused) { check(); return true; }
  try {
    check();
    return true;
  } catch (e) {
    if (!(e instanceof TrackbridgeError) || e.code !== 'INVALID_ARGUMENT') throw e;
    refused(e);
    return false;
  }
}

function prepareRow(row: HistoryRow, param: string, refused?: (key: string, e: TrackbridgeError) => void): PreparedRow {
  const { step, timestamp } = row;
  if (!isInt64(step)) throw invalid(`Invalid value ${String(step)} for parameter '${param}.step' supplied: it must be an int64`);
  if (!isInt64(timestamp) || timestamp < 0) {
    throw invalid(`Invalid value ${String(timestamp)} for parameter '${param}.timestamp' supplied: it must be a non-negative int64`);
  }
  const seen = new Set<string>();
  const once = (key: string, p: string) => {
    if (seen.has(key)) throw invalid(`Invalid value for parameter '${p}': the key '${key}' appears more than once in the row`);
    seen.add(key);
  };
  const metrics: MetricPoint[] = [];
  const values: Omit<StoredHistoryValue, 'line'>[] = [];
  const value = (v: { key: string; value: JsonValue }, p: string) => {
    let stored: Omit<StoredHistoryValue, 'line'> | undefined;
    kept(() => {
      checkName(v.key, `${p}.key`);
      // Encoded first: it refuses what is not a JSON value at all.
      const valueJson = encodeJson(v.value, LIMITS.jsonNesting, `${p}.value`);
      const kind = historyValueKind(v.value);
      if (utf8Bytes(valueJson) > LIMITS.historyValueBytes) {
        throw invalid(`Invalid value for parameter '${p}.value': its JSON text exceeds the maximum size of ${LIMITS.historyValueBytes} bytes`);
      }
      once(v.key, `${p}.key`);
      stored = { key: v.key, step, timestamp, kind, valueJson };
    }, refused && ((e) => refused(String(v.key), e)));
    if (stored) values.push(stored);
  };
  row.metrics.forEach((m, j) => {
    // A number under a key MLflow refuses (`acc@1`, `loss[0]`) cannot be a metric, so MLflow never
    // sees it; it is kept as a history value of kind `number`, which W&B's history reads return as is.
    if (typeof m.value === 'number' && typeof m.key === 'string' && !isMetricKey(m.key)) {
      value(m, `${param}.metrics[${j}]`);
      return;
    }
    const point = { key: m.key, value: m.value, step, timestamp };
    const ok = kept(() => {
      validateMetric(point, `${param}.metrics[${j}]`);
      once(m.key, `${param}.metrics[${j}].key`);
    }, refused && ((e) => refused(String(m.key), e)));
    if (ok) metrics.push(point);
  });
  row.values.forEach((v, j) => value(v, `${param}.values[${j}]`));
  return { metrics, values };
}

export interface StreamWrite {
  /** Lines of the chunk that were new, and so written. */
  applied: number;
  /** The stream's offset afterwards: the index its next new line will have. */
  nextOffset: number;
}

/**
 * Lines of a long history chunk prepared and inserted together: a 10 MiB W&B chunk holds tens of
 * thousands, and prepared whole their rows, points and statement parameters took hundreds of MB.
 */
export const HISTORY_PIECE_ROWS = 500;

export class RunData {
  constructor(private readonly store: Store) {}

  private async existing(runId: string): Promise<void> {
    if (!(await this.store.getRunInfo(runId))) throw runNotFound(runId);
  }

  /** Replaces the run's config with this one, whole. */
  async setConfig(runId: string, config: JsonObject): Promise<void> {
    await this.setDocument(runId, 'config', config);
  }

  async config(runId: string): Promise<JsonObject> {
    await this.existing(runId);
    return readDocument(await this.store.runDocument(runId, 'config'), 'config');
  }

  /**
   * Replaces the run's summary with this one, whole; the entries named in `keepWhenAbsent` that
   * the new summary lacks keep their stored values (read and written in one transaction).
   */
  async setSummary(runId: string, summary: JsonObject, keepWhenAbsent: readonly string[] = []): Promise<void> {
    if (keepWhenAbsent.length === 0) {
      await this.setDocument(runId, 'summary', summary);
      return;
    }
    if (!isJsonObject(summary)) throw invalid('Invalid summary: it must be a JSON object');
    documentText(summary, 'summary');
    await this.store.write(async (tx) => {
      const run = await lockActiveRun(tx, runId);
      const stored = readDocument(await tx.runData.document(run, 'summary'), 'summary');
      const next: JsonObject = { ...summary };
      for (const k of keepWhenAbsent) {
        if (!Object.hasOwn(summary, k) && Object.hasOwn(stored, k)) {
          Object.defineProperty(next, k, { value: stored[k], enumerable: true, writable: true, configurable: true });
        }
      }
      await tx.runData.setDocument(run, 'summary', documentText(next, 'summary'));
    });
  }

  /** Sets and removes single summary entries, keeping the rest. */
  async updateSummary(runId: string, set: JsonObject, remove: string[] = []): Promise<void> {
    if (!isJsonObject(set)) throw invalid('Invalid summary: it must be a JSON object');
    Object.keys(set).forEach((k) => checkName(k, 'summary key'));
    remove.forEach((k) => checkName(k, 'summary key'));
    await this.store.write(async (tx) => {
      const run = await lockActiveRun(tx, runId);
      const summary = readDocument(await tx.runData.document(run, 'summary'), 'summary');
      for (const k of remove) delete summary[k];
      for (const k of Object.keys(set)) {
        if (k === '__proto__') Object.defineProperty(summary, k, { value: set[k], enumerable: true, writable: true, configurable: true });
        else summary[k] = set[k];
      }
      await tx.runData.setDocument(run, 'summary', documentText(summary, 'summary'));
    });
  }

  async summary(runId: string): Promise<JsonObject> {
    await this.existing(runId);
    return readDocument(await this.store.runDocument(runId, 'summary'), 'summary');
  }

  /**
   * Notes that the run's client was heard from at `time` (ms): W&B clients stream at least every
   * 30 s while running, so a running run not heard from for long has crashed.
   */
  async heartbeat(runId: string, time: number): Promise<void> {
    await this.setDocument(runId, 'heartbeat', { at: time });
  }

  /** When the run's client was last heard from (ms); undefined when never. */
  async heartbeatAt(runId: string): Promise<number | undefined> {
    const text = await this.store.runDocument(runId, 'heartbeat');
    if (text === undefined) return undefined;
    const at = (readDocument(text, 'heartbeat') as { at?: unknown }).at;
    return typeof at === 'number' ? at : undefined;
  }

  private async setDocument(runId: string, kind: RunDocumentKind, doc: JsonObject): Promise<void> {
    const text = documentText(doc, kind);
    await this.store.write(async (tx) => {
      await tx.runData.setDocument(await lockActiveRun(tx, runId), kind, text);
    });
  }

  /**
   * One chunk of a history-like stream (`wandb-history.jsonl`, `wandb-events.jsonl`): `rows[i]`
   * is line `offset + i`. Every row is checked before anything is written, so a chunk with one
   * bad row stores nothing; of the rest, only lines the stream has not applied yet are written.
   * A chunk that starts past the stream's offset is applied whole and the lines between stay
   * empty: a resumed W&B run numbers its lines from the count it was given, and refusing would
   * end its stream.
   *
   * With `refused`, the write is lenient instead: an entry (metric or value) the checks refuse is
   * left out of its row and told, and the rest of the chunk is written. A W&B client cannot be told
   * a line was refused (any 4xx ends its stream), so dropping one bad key beats losing the chunk.
   */
  async logHistoryRows(runId: string, stream: string, offset: number, rows: HistoryRow[], refused?: RefusedEntry): Promise<StreamWrite> {
    checkName(stream, 'stream');
    checkOffset(offset);
    if (rows.length > LIMITS.historyChunkRows) {
      throw invalid(`A history chunk can contain at most ${LIMITS.historyChunkRows} rows. Got ${rows.length} rows.`);
    }
    const prepared = rows.map((r, i) => prepareRow(r, `rows[${i}]`, refused && ((key, e) => refused(offset + i, key, e))));
    if (prepared.length === 0) return this.unchanged(runId, stream);
    return this.store.write(async (tx) => {
      const run = await lockActiveRun(tx, runId);
      const s = await tx.runData.lockStream(run, stream);
      const from = Math.max(0, s.nextOffset - offset);
      const fresh = prepared.slice(from);
      const end = offset + prepared.length;
      if (fresh.length === 0) return { applied: 0, nextOffset: s.nextOffset };
      const metrics = fresh.flatMap((r) => r.metrics);
      const values = fresh.flatMap((r, i) => r.values.map((v) => ({ ...v, line: offset + from + i })));
      if (metrics.length) await tx.metrics.insert(run, metrics);
      if (values.length) await tx.runData.insertHistoryValues(run, s, values);
      await tx.runData.setStreamOffset(s, end);
      return { applied: fresh.length, nextOffset: end };
    });
  }

  /**
   * A long chunk of a history-like stream, `count` lines from `offset`, written in one transaction
   * but read and prepared HISTORY_PIECE_ROWS lines at a time: `rowsOf(start, end)` gives the rows of
   * lines `offset + start` to `offset + end` (end excluded), and may be asked again if the
   * transaction is replayed. Only one piece's rows and points are alive at once, and the chunk
   * costs one commit. Lenient (`refused`) as logHistoryRows; a row the checks refuse whole (its
   * step or time) refuses the chunk, and nothing is written.
   */
  async logHistoryPieces(
    runId: string, stream: string, offset: number, count: number, rowsOf: (start: number, end: number) => HistoryRow[], refused?: RefusedEntry,
  ): Promise<StreamWrite> {
    checkName(stream, 'stream');
    checkOffset(offset);
    if (!Number.isSafeInteger(count) || count < 0 || count > LIMITS.historyChunkRows) {
      throw invalid(`A history chunk can contain at most ${LIMITS.historyChunkRows} rows. Got ${count} rows.`);
    }
    if (count === 0) return this.unchanged(runId, stream);
    return this.store.write(async (tx) => {
      const run = await lockActiveRun(tx, runId);
      const s = await tx.runData.lockStream(run, stream);
      const end = offset + count;
      if (end <= s.nextOffset) return { applied: 0, nextOffset: s.nextOffset };
      const first = Math.max(0, s.nextOffset - offset);
      for (let start = first; start < count; start += HISTORY_PIECE_ROWS) {
        const rows = rowsOf(start, Math.min(count, start + HISTORY_PIECE_ROWS));
        const base = offset + start;
        const prepared = rows.map((r, i) => prepareRow(r, `rows[${start + i}]`, refused && ((key, e) => refused(base + i, key, e))));
        const metrics = prepared.flatMap((r) => r.metrics);
        const values = prepared.flatMap((r, i) => r.values.map((v) => ({ ...v, line: base + i })));
        if (metrics.length) await tx.metrics.insert(run, metrics);
        if (values.length) await tx.runData.insertHistoryValues(run, s, values);
      }
      await tx.runData.setStreamOffset(s, end);
      return { applied: count - first, nextOffset: end };
    });
  }

  /**
   * Console lines (`output.log`): `lines[i]` is line `offset + i`, and a line number sent again
   * overwrites the one before (a progress bar redrawn in place). The offset is the highest line
   * number seen, plus one.
   */
  async logConsoleLines(runId: string, stream: string, offset: number, lines: string[]): Promise<StreamWrite> {
    checkName(stream, 'stream');
    checkOffset(offset);
    if (lines.length > LIMITS.historyChunkRows) {
      throw invalid(`A console chunk can contain at most ${LIMITS.historyChunkRows} lines. Got ${lines.length} lines.`);
    }
    lines.forEach((text, i) => {
      if (typeof text !== 'string') throw invalid(`Invalid value for parameter 'lines[${i}]': expected a string`);
      assertStorableText(text, `lines[${i}]`);
      if (utf8Bytes(text) > LIMITS.consoleLineBytes) {
        throw invalid(`Invalid value for parameter 'lines[${i}]': it exceeds the maximum size of ${LIMITS.consoleLineBytes} bytes`);
      }
    });
    if (lines.length === 0) return this.unchanged(runId, stream);
    return this.store.write(async (tx) => {
      const run = await lockActiveRun(tx, runId);
      const s = await tx.runData.lockStream(run, stream);
      await tx.runData.upsertConsoleLines(run, s, lines.map((text, i) => ({ line: offset + i, text })));
      const nextOffset = Math.max(s.nextOffset, offset + lines.length);
      if (nextOffset !== s.nextOffset) await tx.runData.setStreamOffset(s, nextOffset);
      return { applied: lines.length, nextOffset };
    });
  }

  /** An empty chunk writes nothing, not even its stream. */
  private async unchanged(runId: string, stream: string): Promise<StreamWrite> {
    const offsets = await this.streamOffsets(runId);
    return { applied: 0, nextOffset: offsets.find((s) => s.stream === stream)?.nextOffset ?? 0 };
  }

  /** Every stream of the run and its offset, by name. */
  async streamOffsets(runId: string): Promise<StreamOffset[]> {
    await this.existing(runId);
    return this.store.runStreamOffsets(runId);
  }

  /**
   * A page of the run's non-numeric history values: of one key by step, else every key by line.
   * A page stops early at LIMITS.runDataPageChars of value text, so large values come a few at a time.
   */
  async historyValues(runId: string, q: { key?: string; pageToken?: string; maxResults?: number } = {}): Promise<Page<HistoryValue>> {
    if (q.key !== undefined) checkName(q.key, 'key');
    await this.existing(runId);
    const max = q.maxResults ?? LIMITS.historyPageMax;
    if (!Number.isInteger(max) || max < 1 || max > LIMITS.historyPageMax) {
      throw invalid(`Invalid value ${max} for parameter 'max_results' supplied. It must be between 1 and ${LIMITS.historyPageMax}.`);
    }
    const offset = decodePageToken(q.pageToken);
    const { rows, more } = await this.store.runHistoryValues(runId, { key: q.key, offset, limit: max, maxChars: LIMITS.runDataPageChars });
    const items = rows.map((r): HistoryValue => ({
      key: r.key, step: r.step, timestamp: r.timestamp, kind: r.kind,
      value: parseJson(r.valueJson, LIMITS.jsonNesting, 'history value'), stream: r.stream, line: r.line,
    }));
    return more ? { items, nextPageToken: encodePageToken(offset + items.length) } : { items };
  }

  /** Lines from `from` up; fewer than `limit` when they pass LIMITS.runDataPageChars (ask again from the next line). */
  async consoleLines(runId: string, stream: string, from = 0, limit: number = LIMITS.historyPageMax): Promise<ConsoleLine[]> {
    checkName(stream, 'stream');
    checkOffset(from);
    if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.historyPageMax) {
      throw invalid(`Invalid value ${limit} for parameter 'max_results' supplied. It must be between 1 and ${LIMITS.historyPageMax}.`);
    }
    await this.existing(runId);
    return this.store.runConsoleLines(runId, stream, from, limit, LIMITS.runDataPageChars);
  }
}
