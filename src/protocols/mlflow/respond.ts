/** Writing MLflow answers: JSON bodies shaped by the response message, errors in MLflow's shape. */
import type { Response } from 'express';
import { TrackbridgeError } from '../../core/errors';
import { toWireError } from './errors';

export function sendError(res: Response, err: unknown): void {
  if (!(err instanceof TrackbridgeError)) console.error('trackbridge: unexpected error', err);
  const wire = toWireError(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(wire.status).json(wire.body);
}
