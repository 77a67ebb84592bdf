/** What every MLflow route handler receives besides its decoded request, and the shape it must answer in. */
import type { Tracking } from '../../core/tracking';
import { invalid } from '../../core/errors';
import type { Int64 } from '../../core/int64';
import type { StreamedMessage } from './streaming';
import type { MlflowServiceMethods, Services } from './messages';

export interface MlflowContext {
  tracking: Tracking;
  /** Where clients reach the server (config.ts publicUrl); URLs handed out start with it when set. */
  publicUrl?: string;
}

/**
 * One handler per method of a service: it gets the decoded request (snake_case, already
 * type-checked by the codec) and answers with the response message, or a StreamedMessage for
 * one too large to build in memory.
 */
export type ServiceHandlers<S> = {
  [M in keyof S]: S[M] extends { request: infer Q; response: infer R } ? (req: Q, ctx: MlflowContext) => Promise<R | (R extends object ? StreamedMessage<R> : never)> : never;
};

export type MlflowHandlers = ServiceHandlers<MlflowServiceMethods>;
export type Res<M extends keyof MlflowServiceMethods> = MlflowServiceMethods[M]['response'];

/** A handler as the router calls it, once its types have been checked where it was written. */
export type Handler = (req: any, ctx: MlflowContext) => Promise<object | StreamedMessage>;

/** Some of one service's handlers, as a module contributes them. */
export interface HandlerGroup<S extends keyof Services = keyof Services> {
  service: S;
  handlers: Partial<ServiceHandlers<Services[S]>>;
}

/** Types a module's handlers against its service's messages. */
export function handlersOf<S extends keyof Services>(service: S, handlers: Partial<ServiceHandlers<Services[S]>>): HandlerGroup<S> {
  return { service, handlers };
}

/**
 * An int64 field the core declares as a number. The core has always been handed the codec's
 * Int64 here: beyond 2^53 a bigint reaches it unchanged. Typed, not converted, so that stays so.
 */
export const coreNumber = <T extends Int64 | undefined>(v: T) => v as Extract<T, undefined> | number;

/** MLflow accepts run_id or its deprecated twin run_uuid; run_id wins. */
export function runIdOf(msg: { run_id?: string; run_uuid?: string }): string {
  const id = msg.run_id || msg.run_uuid;
  if (!id) throw invalid("Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.");
  return id;
}

export const viewTypeOf = (v: unknown, fallback: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL' = 'ACTIVE_ONLY') =>
  (v === 'ACTIVE_ONLY' || v === 'DELETED_ONLY' || v === 'ALL' ? v : fallback);
