/**
 * The HTTP status of a refusal on W&B's plain routes (file_stream, signed URLs). Every code has
 * one, so a client error can never come back as a 500: the client retries a 5xx for days while
 * `wandb.finish()` waits, and ends its stream on these 4xx. Only INTERNAL is a 500 and only
 * UNAVAILABLE asks for a retry.
 */
import type { ErrorCode } from '../../core/errors';

export const WANDB_HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  // A deleted run takes no data: ending its stream is better than days of retries.
  INVALID_STATE: 409,
  NOT_IMPLEMENTED: 501,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};
