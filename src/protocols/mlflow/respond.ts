/** Writing MLflow answers: JSON bodies shaped by the response message, errors in MLflow's shape. */
import type { Response } from 'express';
import { TrackbridgeError } from '../../core/errors';
import { toWireError } from './errors';

export function sendError(res: Response, err: unknown): void {
  const wire = toWireError(err);
  if (!(err instanceof TrackbridgeError) || wire.status >= 500) {
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
