/** One line per request, written when its response is done: method, path, status and milliseconds. */
import type { NextFunction, Request, Response } from 'express';

export type AccessLogFormat = 'text' | 'json';

export interface AccessLogOptions {
  format: AccessLogFormat;
  /** Where each line goes (without its newline); stdout by default. */
  write?: (line: string) => void;
}

// Paths are logged without the query string (filters can be long and carry values);
// bytes outside printable ASCII are percent-encoded so one request stays one line.
const printable = (path: string) => path.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c));

/**
 * A route whose path carries a secret (a signed URL's capability token) sets this on
 * `res.locals` to the path to log in its place; the log is read by more people than the secret may be.
 */
export const LOGGED_PATH = 'accessLogPath';

export function accessLog(options: AccessLogOptions) {
  const write = options.write ?? ((line: string) => { process.stdout.write(`${line}\n`); });
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const method = req.method;
    const sent = req.originalUrl.split('?', 1)[0];
    res.once('close', () => {
      const shown = res.locals[LOGGED_PATH];
      const path = printable(typeof shown === 'string' ? shown : sent);
      const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      // A response that never finished (the client went away, or the socket was cut) says so.
      const aborted = !res.writableFinished;
      const time = new Date().toISOString();
      write(options.format === 'json'
        ? JSON.stringify({ time, method, path, status: res.statusCode, ms, ...(aborted ? { aborted } : {}) })
        : `${time} ${method} ${path} ${res.statusCode} ${ms}ms${aborted ? ' aborted' : ''}`);
    });
    next();
  };
}
