/**
 * `POST /files/<entity>/<project>/<run>/file_stream`: a run's data channel. Each request carries
 * chunks of the run's files, `{files: {name: {offset, content: [lines]}}}`, and the last one
 * `complete` and `exitcode`; an idle client sends `{}` every 30 s as a heartbeat.
 *
 * The client treats most 4xx answers (400, 401, 403, 404, 409, 410, 413, 422) as the end of its
 * stream for the rest of the run, and retries anything else for days, with `wandb.finish()`
 * blocked meanwhile. So a stream that is well formed is answered 200 `{}`: a line the mapping
 * cannot read or the core refuses is dropped with a log line, the rest of its chunk is applied,
 * and the offsets pass it. The stream ends only for a body that is no file_stream request at all
 * (400), a missing or wrong key (401), a run that does not exist (404) and a deleted run (409).
 * A body that cannot be taken now (the server's body budget spent, arriving too slowly, past the
 * size cap) is a 503 with Retry-After, retried; so is any failure of our own (500).
 * The answer is never `{"stopped": true}`: that interrupts the user's training process.
 */
import { WANDB_HTTP_STATUS } from './http-status';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type express from 'express';
import type { Request, Response } from 'express';
import { invalid, TrackbridgeError } from '../../core/errors';
import { LIMITS } from '../../core/limits';
import type { HistoryRow } from '../../core/model';
import { HISTORY_PIECE_ROWS } from '../../core/run-data';
import type { Tracking } from '../../core/tracking';
import { busy, type BodyBudget, BODY_PACE, type BodyPace, readBody, RETRY_AFTER_SECONDS } from '../../http/request-body';
import { authenticate } from './auth';
import { statusOfExitCode } from './mapping';
import {
  eventsRowOf, historyRowOf, placeholderRow, summaryOf, SUMMARY_KEPT_WHEN_ABSENT, UnreadableLine,
} from './mapping-history';
import { CONSOLE_STREAM, EVENTS_STREAM, HISTORY_STREAM, SUMMARY_FILE } from './streams';

/** A request as sent: the client stops at about 10 MiB, so this is room for one more than it ever sends. */
export const FILE_STREAM_BODY_CAP = 32 * 1024 * 1024;
/**
 * A gzip body, inflated: JSON compresses well, and what the client sends uncompressed stays well
 * under this. The client sends no gzip (FILESTREAM_GZIP is not advertised), so the whole cap is
 * taken from the body budget before inflating: a few bombs at once get 503s, not the heap.
 */
export const FILE_STREAM_INFLATED_CAP = 64 * 1024 * 1024;

/** Dropped lines logged one by one per request and file; the rest are counted in one line. */
export const MAX_LOGGED_DROPS = 10;

const inflate = promisify(gunzip);

export interface FileStreamOptions {
  tracking: Tracking;
  bodyBudget: BodyBudget;
  /** BODY_PACE unless a test asks for a quicker one. */
  bodyPace?: BodyPace;
  log(message: string): void;
}

/** One file's chunk: `content[i]` is line `offset + i`. */
interface Chunk { offset: number; content: unknown[] }

export interface FileStreamRequest {
  files: Map<string, Chunk>;
  complete: boolean;
  exitCode?: unknown;
}

const notAStream = (why: string) => invalid(`This is not a file_stream request: ${why}.`);

/**
 * The request a body holds. Only its outer shape is judged here: a file whose chunk is malformed
 * is left out (and logged), not the request refused. `uploaded`, `preempting` and the old
 * `dropped` are accepted and not used (uploads are stored when their PUT arrives; a preempted run
 * is not marked crashed here).
 */
export function fileStreamRequestOf(text: string, log: (m: string) => void): FileStreamRequest {
  let body: unknown;
  try {
    body = JSON.parse(text === '' ? '{}' : text);
  } catch {
    throw notAStream('the body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw notAStream('the body must be a JSON object');
  const { files, complete, exitcode } = body as Record<string, unknown>;
  if (files !== undefined && files !== null && (typeof files !== 'object' || Array.isArray(files))) {
    throw notAStream("'files' must be an object of file names");
  }
  const out: FileStreamRequest = { files: new Map(), complete: complete === true, exitCode: exitcode };
  for (const [name, chunk] of Object.entries((files ?? {}) as Record<string, unknown>)) {
    const c = chunk as Partial<Chunk> | null;
    if (typeof c !== 'object' || c === null || !Number.isSafeInteger(c.offset) || (c.offset as number) < 0 || !Array.isArray(c.content)) {
      log(`file_stream: the chunk of ${JSON.stringify(name.slice(0, 100))} is not {offset, content: [lines]}; left out`);
      continue;
    }
    out.files.set(name, { offset: c.offset as number, content: c.content });
  }
  return out;
}

/**
 * A body that could not be taken as sent (too slow, past the cap, cut short) may well be taken
 * when sent again: a 503, which the client retries, rather than a 400 that ends its stream.
 */
const retryable = (e: unknown) =>
  e instanceof TrackbridgeError && e.code === 'INVALID_ARGUMENT' ? new TrackbridgeError('UNAVAILABLE', e.message) : e;

/** The body's text: gzip inflated (bounded, and counted against the budget while the request lasts). */
async function bodyText(req: Request, res: Response, budget: BodyBudget, pace: BodyPace): Promise<string> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== '' && encoding !== 'gzip') {
    throw notAStream(`Content-Encoding '${encoding.slice(0, 40)}' is not accepted`);
  }
  let raw: Buffer;
  try {
    raw = await readBody(req, res, FILE_STREAM_BODY_CAP, budget, pace, ['gzip']);
  } catch (e) {
    throw retryable(e);
  }
  if (encoding !== 'gzip' || raw.length === 0) return raw.toString('utf8');
  if (!budget.tryTake(FILE_STREAM_INFLATED_CAP)) throw busy();
  let held = FILE_STREAM_INFLATED_CAP;
  res.once('close', () => budget.give(held));
  let inflated: Buffer;
  try {
    inflated = await inflate(raw, { maxOutputLength: FILE_STREAM_INFLATED_CAP });
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw code === 'ERR_BUFFER_TOO_LARGE'
      ? new TrackbridgeError('UNAVAILABLE', `The inflated file_stream body exceeds ${FILE_STREAM_INFLATED_CAP} bytes.`)
      : notAStream('the body is not valid gzip');
  }
  budget.give(held - inflated.length);
  held = inflated.length;
  return inflated.toString('utf8');
}

/** Splits work into pieces the core takes in one call. */
function* slices<T>(items: T[], size: number): Generator<[number, T[]]> {
  for (let i = 0; i < items.length; i += size) yield [i, items.slice(i, i + size)];
}

const isRefusal = (e: unknown) => e instanceof TrackbridgeError && e.code === 'INVALID_ARGUMENT';

/**
 * Writes `items` (line `offset` first); a piece the core refuses is split in halves and each half
 * retried, down to single lines, which are handed to `drop`. A few bad lines in a chunk of
 * thousands cost a few dozen writes, not one per line.
 */
async function writeSplitting<T>(
  items: T[], offset: number, write: (offset: number, piece: T[]) => Promise<unknown>, drop: (index: number, e: TrackbridgeError) => Promise<void>,
): Promise<void> {
  try {
    await write(offset, items);
  } catch (e) {
    if (!isRefusal(e)) throw e;
    if (items.length === 1) return drop(offset, e as TrackbridgeError);
    const mid = Math.ceil(items.length / 2);
    await writeSplitting(items.slice(0, mid), offset, write, drop);
    await writeSplitting(items.slice(mid), offset + mid, write, drop);
  }
}

/** Applies one request to a run, in the order a reader wants: the data, the summary, then the end. */
export class FileStreamApplier {
  /** Per run being applied: dropped lines by file, so that one request logs a bounded number of lines. */
  private readonly drops = new Map<string, { requests: number; byFile: Map<string, number> }>();

  constructor(private readonly tracking: Tracking, private readonly log: (m: string) => void) {}

  async apply(runId: string, r: FileStreamRequest, now: number): Promise<void> {
    const drops = this.drops.get(runId) ?? { requests: 0, byFile: new Map<string, number>() };
    drops.requests += 1;
    this.drops.set(runId, drops);
    try {
      await this.applyAll(runId, r, now);
    } finally {
      if (--drops.requests === 0) {
        this.drops.delete(runId);
        for (const [name, n] of drops.byFile) {
          if (n > MAX_LOGGED_DROPS) this.log(`file_stream: run ${runId}: ${name}: and ${n - MAX_LOGGED_DROPS} more lines dropped`);
        }
      }
    }
  }

  private async applyAll(runId: string, r: FileStreamRequest, now: number): Promise<void> {
    // Every request counts, the `{}` heartbeat too; it is also what finds an unknown run (404).
    await this.tracking.runData.heartbeat(runId, now);
    for (const [name, chunk] of r.files) {
      switch (name) {
        case HISTORY_STREAM: await this.rows(runId, name, chunk, now, historyRowOf); break;
        case EVENTS_STREAM: await this.rows(runId, name, chunk, now, eventsRowOf); break;
        case CONSOLE_STREAM: await this.console(runId, chunk); break;
        case SUMMARY_FILE: break;
        default: this.log(`file_stream: run ${runId}: file ${JSON.stringify(name.slice(0, 100))} is not one this server keeps; left out`);
      }
    }
    const summary = r.files.get(SUMMARY_FILE);
    if (summary) await this.summary(runId, summary);
    if (r.complete) await this.finish(runId, r.exitCode, now);
  }

  private dropped(runId: string, name: string, line: number, why: string): void {
    const byFile = this.drops.get(runId)?.byFile;
    const n = (byFile?.get(name) ?? 0) + 1;
    byFile?.set(name, n);
    if (n > MAX_LOGGED_DROPS) return;
    this.log(`file_stream: run ${runId}: ${name} line ${line} dropped: ${JSON.stringify(why.slice(0, 300)).slice(1, -1)}`);
  }

  private async rows(runId: string, name: string, chunk: Chunk, now: number, rowOf: (line: unknown, index: number, now: number) => HistoryRow) {
    const refusedEntry = (line: number, key: string, e: TrackbridgeError) =>
      this.dropped(runId, name, line, `key ${JSON.stringify(key.slice(0, 100))}: ${e.message}`);
    // A line's drop is told once, however often its rows are read (a replayed transaction, the fallback below).
    const told = new Set<number>();
    const rowsOf = (start: number, end: number): HistoryRow[] => {
      const rows: HistoryRow[] = new Array(end - start);
      for (let i = start; i < end; i++) {
        const index = chunk.offset + i;
        try {
          rows[i - start] = rowOf(chunk.content[i], index, now);
        } catch (e) {
          if (!(e instanceof UnreadableLine)) throw e;
          if (!told.has(index)) this.dropped(runId, name, index, e.message);
          told.add(index);
          rows[i - start] = placeholderRow(index, now);
        }
      }
      return rows;
    };
    try {
      // The whole chunk in one transaction, prepared a piece at a time: bounded memory, one commit.
      await this.tracking.runData.logHistoryPieces(runId, name, chunk.offset, chunk.content.length, rowsOf, refusedEntry);
      return;
    } catch (e) {
      if (!isRefusal(e)) throw e;
    }
    // A row refused whole: piece by piece, each its own transaction, halving down to the bad rows.
    // The offset moves with each piece, so a resent request applies only what is not yet committed.
    for (let start = 0; start < chunk.content.length; start += HISTORY_PIECE_ROWS) {
      await writeSplitting(rowsOf(start, Math.min(chunk.content.length, start + HISTORY_PIECE_ROWS)), chunk.offset + start,
        (offset, piece) => this.tracking.runData.logHistoryRows(runId, name, offset, piece, refusedEntry),
        async (index, e) => {
          this.dropped(runId, name, index, e.message);
          await this.tracking.runData.logHistoryRows(runId, name, index, [placeholderRow(index, now)]);
        });
    }
  }

  /** Console lines by line number; a line sent again replaces the one before. */
  private async console(runId: string, chunk: Chunk) {
    // Not judged here: the core refuses a line that is no string as it refuses any other bad line.
    const lines = chunk.content as string[];
    for (const [start, part] of slices(lines, LIMITS.historyChunkRows)) {
      await writeSplitting(part, chunk.offset + start,
        (offset, piece) => this.tracking.runData.logConsoleLines(runId, CONSOLE_STREAM, offset, piece),
        async (index, e) => this.dropped(runId, CONSOLE_STREAM, index, e.message));
    }
  }

  /** The summary's one line is the whole summary; the last line counts if a client ever sends more. */
  private async summary(runId: string, chunk: Chunk) {
    if (chunk.content.length === 0) return;
    const index = chunk.offset + chunk.content.length - 1;
    try {
      await this.tracking.runData.setSummary(runId, summaryOf(chunk.content[chunk.content.length - 1]), SUMMARY_KEPT_WHEN_ABSENT);
    } catch (e) {
      if (!(e instanceof UnreadableLine) && !isRefusal(e)) throw e;
      this.dropped(runId, SUMMARY_FILE, index, (e as Error).message);
    }
  }

  /** `complete` ends the run: its status from the exit code (none sent counts as success), ended now. */
  private async finish(runId: string, exitCode: unknown, now: number) {
    let status = statusOfExitCode(0);
    if (exitCode !== undefined && exitCode !== null) {
      if (typeof exitCode === 'number' && Number.isInteger(exitCode)) status = statusOfExitCode(exitCode);
      else {
        this.log(`file_stream: run ${runId}: exitcode ${JSON.stringify(exitCode).slice(0, 40)} is not an integer; the run is marked failed`);
        status = 'FAILED';
      }
    }
    await this.tracking.runs.update(runId, { status, endTime: now });
  }
}

/** The wire status of a refusal (http-status.ts). */
const statusOf = (e: TrackbridgeError): number => WANDB_HTTP_STATUS[e.code];

/** The run is found by its id alone: a client without an entity sends `/files/<project>/<run>/file_stream`. */
const FILE_STREAM_PATH = /^\/files\/(?:[^/]*\/){1,2}([^/]+)\/file_stream\/?$/;

export function fileStreamRoutes(r: express.Router, opts: FileStreamOptions): void {
  const applier = new FileStreamApplier(opts.tracking, opts.log);
  r.post(FILE_STREAM_PATH, async (req, res) => {
    try {
      const account = await authenticate(req, opts.tracking);
      const m = FILE_STREAM_PATH.exec(req.path);
      let runId: string;
      try {
        runId = decodeURIComponent(m![1]);
      } catch {
        throw notAStream('the run id in the path is not percent-encoded properly');
      }
      // A key writes only runs of entities it may write (a foreign run is a 403, which ends the client's stream).
      await opts.tracking.clientRuns.checkRunWrite(account, runId);
      const request = fileStreamRequestOf(await bodyText(req, res, opts.bodyBudget, opts.bodyPace ?? BODY_PACE), opts.log);
      await applier.apply(runId, request, Date.now());
      res.status(200).json({});
    } catch (e) {
      if (!(e instanceof TrackbridgeError)) {
        opts.log(`file_stream: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
        res.status(500).json({ error: 'internal server error' });
        return;
      }
      const status = statusOf(e);
      if (status === 500) opts.log(`file_stream: ${e.stack ?? e.message}`);
      if (status === 503) res.set('Retry-After', String(RETRY_AFTER_SECONDS));
      res.status(status).json({ error: status === 500 ? 'internal server error' : e.message });
    }
  });
}
