/** MLflow's error shape: {"error_code", "message"} with the status its clients expect. */
import type { ErrorCode } from '../../core/errors';
import { TrackbridgeError } from '../../core/errors';

const WIRE: Record<ErrorCode, string> = {
  INVALID_ARGUMENT: 'INVALID_PARAMETER_VALUE',
  NOT_FOUND: 'RESOURCE_DOES_NOT_EXIST',
  ALREADY_EXISTS: 'RESOURCE_ALREADY_EXISTS',
  CONFLICT: 'BAD_REQUEST',
  // MLflow answers some lifecycle violations with INVALID_STATE (HTTP 500), which its client
  // retries for minutes; a client error is a 400 here.
  INVALID_STATE: 'INVALID_PARAMETER_VALUE',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  NOT_IMPLEMENTED: 'NOT_IMPLEMENTED',
  UNAVAILABLE: 'TEMPORARILY_UNAVAILABLE',
  INTERNAL: 'INTERNAL_ERROR',
};

const STATUS: Record<string, number> = {
  INVALID_PARAMETER_VALUE: 400, BAD_REQUEST: 400, RESOURCE_ALREADY_EXISTS: 400, MALFORMED_REQUEST: 400,
  UNAUTHENTICATED: 401, PERMISSION_DENIED: 403,
  RESOURCE_DOES_NOT_EXIST: 404, ENDPOINT_NOT_FOUND: 404, NOT_FOUND: 404,
  RESOURCE_CONFLICT: 409, REQUEST_LIMIT_EXCEEDED: 429, RESOURCE_EXHAUSTED: 429,
  INTERNAL_ERROR: 500, NOT_IMPLEMENTED: 501, TEMPORARILY_UNAVAILABLE: 503,
};

export interface WireError { status: number; body: { error_code: string; message: string } }

export function toWireError(err: unknown): WireError {
  if (err instanceof TrackbridgeError) {
    const code = err.wireCode ?? WIRE[err.code];
    return { status: STATUS[code] ?? 500, body: { error_code: code, message: err.message } };
  }
  return { status: 500, body: { error_code: 'INTERNAL_ERROR', message: 'Internal server error' } };
}
