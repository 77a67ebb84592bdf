/** Writing MLflow answers: JSON bodies shaped by the response message, errors in MLflow's shape. */
import type { Response } from 'express';
import { TrackbridgeError } from '../../core/errors';
import { toWireError } from './errors';

export function sendError(res: Response, err: unknown): void {
  if (!(err instanceof TrackbridgeError)) {
    // Driver errors quote the whole statement; a 1000-row insert would flood the log.
    const text = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
    console.error(`trackbridge: unexpected error: ${text.length > 2000 ? `${text.slice(0, 2000)}…` : text}`);
  }
  const wire = toWireError(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(wire.status).json(wire.body);
}
