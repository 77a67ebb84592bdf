/**
 * Reading a request body under three bounds: the route's own cap, refused from Content-Length
 * before a byte is read (or as soon as a chunked body passes it); a budget of body bytes held
 * at once across all requests, so many large bodies together cannot exhaust the heap; and a
 * least pace, so that a client trickling its bodies cannot hold that budget forever.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalid, TrackbridgeError } from '../core/errors';

/**
 * Body bytes held at once across all requests of one server, every front-end together (measured
 * raw; the parsed form is a few times larger). MLflow's body caps check that two of their largest fit.
 */
export const BODY_BUDGET = 256 * 1024 * 1024;

/** Body bytes held at once by every request of one server; a refused request may retry. */
export class BodyBudget {
  private held = 0;

  constructor(readonly total: number) {}

  get inFlight(): number {
    return this.held;
  }

  tryTake(n: number): boolean {
    if (this.held + n > this.total) return false;
    this.held += n;
    return true;
  }

  give(n: number): void {
    this.held -= n;
  }
}

/**
 * The budget is the server's, not one client's: a 503 (TEMPORARILY_UNAVAILABLE) says so, and
 * the MLflow client retries it with backoff and honours Retry-After, as it would a 429.
 */
export const RETRY_AFTER_SECONDS = 1;
export const busy = () =>
  new TrackbridgeError('UNAVAILABLE', 'The server is reading too many request bodies at once; retry shortly.');

/** The refusal of a body past its cap; `size` is the declared one, when there is one. */
export type TooLarge = (cap: number, size?: number) => TrackbridgeError;

const tooLarge: TooLarge = (cap, size) =>
  invalid(`Request bodies here must be at most ${cap} bytes, got a request of ${size === undefined ? `more than ${cap} bytes` : `size ${size}`}.`);

/**
 * Refuses a compressed body unless the route inflates that encoding itself (then the cap and the
 * budget count the bytes as sent); answers the declared size when a Content-Length frames the body.
 */
function declaredSize(req: IncomingMessage, encodings: readonly string[] = []): number | undefined {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== '' && !encodings.includes(encoding)) {
    throw invalid(`Content-Encoding '${encoding.slice(0, 40)}' is not accepted; send the body uncompressed.`);
  }
  const declared = req.headers['content-length'];
  return declared !== undefined && req.headers['transfer-encoding'] === undefined ? Number(declared) : undefined;
}

/**
 * How fast a held body must arrive. Past `graceMs` the body must have averaged at least
 * `minBytesPerSecond` since the grace ended, or it is refused and its budget given back. Ten
 * seconds and 64 KiB/s (half a megabit) let a slow uplink send the largest log-inputs body
 * (about 102 MiB) in under half an hour, while a body trickled a byte at a time is cut ten
 * seconds in. `lingerMs` is how long a refused request's connection stays open after the
 * answer, its further bytes dropped, so a client that sends before it reads still sees the
 * answer; then the connection is cut, however much more the client means to send.
 */
export interface BodyPace {
  graceMs: number;
  minBytesPerSecond: number;
  lingerMs: number;
}

export const BODY_PACE: BodyPace = { graceMs: 10_000, minBytesPerSecond: 64 * 1024, lingerMs: 2_000 };

const tooSlow = (pace: BodyPace) =>
  invalid(`The request body arrived too slowly; send at least ${pace.minBytesPerSecond} bytes a second.`);

/**
 * A refused body is not read on: the answer says `Connection: close`, and the connection is cut
 * `lingerMs` after the answer is written, instead of draining a body that may never end.
 */
function closeAfterAnswer(req: IncomingMessage, res: ServerResponse, pace: BodyPace): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
  req.resume();
  const socket = req.socket;
  const cut = () => { setTimeout(() => socket.destroy(), pace.lingerMs).unref(); };
  if (res.writableFinished) cut();
  else res.once('finish', cut);
  // An answer that never finishes (the client stopped reading) must not keep the drain open either.
  res.once('close', cut);
}

/**
 * Resolves with the whole body; its bytes stay counted against the budget until the response
 * is finished or the connection closed, since the request holds them until then.
 */
export function readBody(
  req: IncomingMessage, res: ServerResponse, cap: number, budget: BodyBudget, pace: BodyPace = BODY_PACE, encodings: readonly string[] = [],
): Promise<Buffer> {
  let size: number | undefined;
  try {
    size = declaredSize(req, encodings);
  } catch (e) {
    return Promise.reject(e);
  }
  if (size !== undefined && size > cap) {
    closeAfterAnswer(req, res, pace);
    return Promise.reject(tooLarge(cap, size));
  }
  if (size === 0) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    let taken = 0;
    let settled = false;
    const chunks: Buffer[] = [];
    res.once('close', () => { budget.give(taken); taken = 0; });
    const started = Date.now();
    const checkPace = () => {
      const owed = pace.minBytesPerSecond * (Date.now() - started - pace.graceMs) / 1000;
      if (owed > taken) stop(tooSlow(pace));
    };
    const pacer = setInterval(checkPace, Math.min(1000, Math.max(10, pace.graceMs / 4)));
    pacer.unref();
    const stop = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearInterval(pacer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (!err) {
        const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, taken);
        // The close handler's closure keeps this scope alive to the end of the response: without
        // this, the pieces stayed held beside the whole body, twice its size for the request's life.
        chunks.length = 0;
        resolve(body);
        return;
      }
      chunks.length = 0;
      budget.give(taken);
      taken = 0;
      closeAfterAnswer(req, res, pace);
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      if (taken + chunk.length > cap) return stop(tooLarge(cap));
      if (!budget.tryTake(chunk.length)) return stop(busy());
      taken += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = () => stop();
    const onError = (err: Error) => stop(invalid(`Could not read the request body: ${err.message}`));
    const onAborted = () => stop(invalid('The request body was not sent whole.'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/** A body passed on as it arrives; `release` gives back what it holds and drops what is unread. */
export interface StreamedBody {
  chunks: AsyncIterable<Buffer>;
  release(): void;
}

/**
 * Opens a body that is streamed on (to the artifact store) rather than held: refused past the
 * cap, from Content-Length before a byte is read or as soon as the bytes pass it, and each chunk
 * counted against the budget from when it is read off the connection until the consumer asks for
 * the next one. Resolves once the first chunk is in, undefined for an empty body. A route that
 * fails calls `release` before it answers, so that a client sending its whole body first reads
 * the answer; `done` fires it too, when the response is over.
 *
 * With a `pace`, the body must arrive at least that fast, counting only the time spent waiting for
 * the client (not the time the consumer takes to store a chunk): an upload of any size that keeps
 * sending is taken whole, one that trickles is refused, and its connection cut `lingerMs` later.
 */
export async function streamBody(
  req: IncomingMessage, cap: number, budget: BodyBudget, done: (release: () => void) => void, refuse: TooLarge = tooLarge, pace?: BodyPace,
): Promise<StreamedBody | undefined> {
  const size = declaredSize(req);
  if (size !== undefined && size > cap) throw refuse(cap, size);
  if (size === 0) return undefined;
  // Not destroyed when left early: the connection must live on to carry the answer.
  const source = req.iterator({ destroyOnReturn: false });
  let received = 0;
  let held = 0;
  let open = true;
  // Time spent waiting for the client's bytes, and since when the current wait lasts.
  let waited = 0;
  let waitingSince: number | undefined;
  let failPace: (e: Error) => void = () => {};
  const paceFailed = new Promise<never>((_, reject) => { failPace = reject; });
  paceFailed.catch(() => {});
  const pacer = pace && setInterval(() => {
    const now = Date.now();
    const spent = waited + (waitingSince === undefined ? 0 : now - waitingSince);
    if (pace.minBytesPerSecond * (spent - pace.graceMs) / 1000 > received) failPace(tooSlow(pace));
  }, Math.min(1000, Math.max(10, pace.graceMs / 4)));
  pacer?.unref();
  const release = () => {
    budget.give(held);
    held = 0;
    if (pacer) clearInterval(pacer);
    if (!open) return;
    open = false;
    void source.return?.();
    req.resume();
  };
  done(release);
  const next = async (): Promise<Buffer | undefined> => {
    budget.give(held);
    held = 0;
    let step: IteratorResult<Buffer>;
    waitingSince = Date.now();
    try {
      step = await (pacer ? Promise.race([source.next(), paceFailed]) : source.next());
    } catch (e) {
      if (e instanceof TrackbridgeError) {
        release();
        // A trickling body is not drained for ever: the answer gets a moment, then the connection goes.
        setTimeout(() => req.socket.destroy(), pace!.lingerMs).unref();
        throw e;
      }
      open = false;
      if (pacer) clearInterval(pacer);
      throw invalid('The request body was not sent whole.');
    } finally {
      waited += Date.now() - waitingSince;
      waitingSince = undefined;
    }
    if (step.done) {
      open = false;
      if (pacer) clearInterval(pacer);
      return undefined;
    }
    const chunk = step.value;
    received += chunk.length;
    if (received > cap) {
      release();
      throw refuse(cap);
    }
    if (!budget.tryTake(chunk.length)) {
      release();
      throw busy();
    }
    held = chunk.length;
    return chunk;
  };
  const first = await next();
  if (first === undefined) return undefined;
  return {
    release,
    chunks: {
      async *[Symbol.asyncIterator]() {
        try {
          for (let chunk: Buffer | undefined = first; chunk !== undefined; chunk = await next()) yield chunk;
        } finally {
          budget.give(held);
          held = 0;
        }
      },
    },
  };
}
