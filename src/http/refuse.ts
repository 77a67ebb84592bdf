/**
 * The answer of the HTTP-level checks (host, origin, shutdown), which run before any front-end
 * reads the request: MLflow's error shape, which is what this server's clients parse.
 */
import type { Response } from 'express';

export function refuse(res: Response, status: number, errorCode: string, message: string): void {
  res.status(status).json({ error_code: errorCode, message });
}
