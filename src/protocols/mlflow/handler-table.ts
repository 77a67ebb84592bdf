/** The handlers of every service, keyed '<package.Service>/<method>' so two services may share a method name. */
import { TrackbridgeError } from '../../core/errors';
import type { Handler, HandlerGroup } from './context';

export const methodKey = (service: string, method: string) => `${service}/${method}`;

/** Refuses a method given twice: merged objects would let the later one win without a word. */
export function handlerTable(groups: readonly HandlerGroup[]): Map<string, Handler> {
  const table = new Map<string, Handler>();
  for (const group of groups) {
    for (const [method, handler] of Object.entries(group.handlers)) {
      if (handler === undefined) continue;
      const key = methodKey(group.service, method);
      if (table.has(key)) throw new TrackbridgeError('INTERNAL', `two handlers are registered for ${key}`);
      table.set(key, handler as Handler);
    }
  }
  return table;
}
