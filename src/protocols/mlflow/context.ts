/** What every MLflow route handler receives besides its decoded request. */
import type { Tracking } from '../../core/tracking';
import { invalid } from '../../core/errors';
import type { StreamedMessage } from './streaming';

export interface MlflowContext {
  tracking: Tracking;
}

/** A decoded request: snake_case fields, already type-checked by the codec. */
export type Msg = Record<string, any>;
/** The answer as a plain object, or a StreamedMessage for one too large to build in memory. */
export type Handler = (msg: Msg, ctx: MlflowContext) => Promise<Record<string, unknown> | StreamedMessage>;

/** MLflow accepts run_id or its deprecated twin run_uuid; run_id wins. */
export function runIdOf(msg: Msg): string {
  const id = msg.run_id || msg.run_uuid;
  if (!id) throw invalid("Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.");
  return id;
}

export const viewTypeOf = (v: unknown, fallback: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL' = 'ACTIVE_ONLY') =>
  (v === 'ACTIVE_ONLY' || v === 'DELETED_ONLY' || v === 'ALL' ? v : fallback);
