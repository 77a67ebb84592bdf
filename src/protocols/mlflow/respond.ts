/** Writing MLflow answers: JSON bodies shaped by the response message, errors in MLflow's shape. */
import type { NextFunction, Request, Response } from 'express';
import { invalid, TrackbridgeError } from '../../core/errors';
import { clip } from '../../core/query/lexer';
import { toWireError } from './errors';

export function sendError(res: Response, err: unknown): void {
  const wire = toWireError(err);
  // Refusals (a busy body budget, a store shutting down, an unsupported call) are not news.
  if (!(err instanceof TrackbridgeError) || err.code === 'INTERNAL') {
    // Driver errors quote the whole statement; a 1000-row insert would flood the log.
    const text = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
    console.error(`trackbridge: unexpected error: ${text.length > 2000 ? `${text.slice(0, 2000)}…` : text}`);
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(wire.status).json(wire.body);
}

/**
 * A path no route serves: MLflow's ENDPOINT_NOT_FOUND (404) in its JSON shape, which the
 * client reads as such, rather than an HTML page it would print raw.
 */
export function endpointNotFound(req: Request, res: Response): void {
  res.status(404).json({
    error_code: 'ENDPOINT_NOT_FOUND',
    message: `No API endpoint answers ${clip(req.method, 20)} ${clip(req.path, 200)}.`,
  });
}

/**
 * Errors raised outside a route's own handling (a path that is not valid percent-encoding, a
 * body parser of another middleware) in the same JSON shape: a client mistake is a 400.
 */
export function errorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  const status = (err as { status?: unknown; statusCode?: unknown })?.status ?? (err as { statusCode?: unknown })?.statusCode;
  if (!(err instanceof TrackbridgeError) && typeof status === 'number' && status >= 400 && status < 500) {
    const message = err instanceof Error && (err as { expose?: boolean }).expose !== false ? err.message : 'Malformed request';
    sendError(res, invalid(`Bad Request. ${clip(message, 200)}`));
    return;
  }
  sendError(res, err);
}
