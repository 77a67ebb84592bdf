/**
 * The query-string parser every front-end reads `req.query` through. Node's querystring stops
 * at 1,000 parameters by default and silently drops the rest (a 1,001st `run_id`, or the
 * `metric_key` after 1,000 of them); here every parameter is read, and a query string past the
 * bound below is refused whole rather than read in part.
 */
import querystring from 'node:querystring';
import { invalid } from '../core/errors';

export const QUERY_LIMITS = { bytes: 64 * 1024, params: 10_000 } as const;

/** Repeated keys become arrays; the result has no prototype, so `__proto__` is just a key. */
export function parseQueryString(query: string | null | undefined): Record<string, string | string[]> {
  const text = query ?? '';
  if (text.length > QUERY_LIMITS.bytes) {
    throw invalid(`The query string is ${text.length} bytes long; at most ${QUERY_LIMITS.bytes} bytes are accepted.`);
  }
  let params = text.length > 0 ? 1 : 0;
  for (let i = text.indexOf('&'); i !== -1; i = text.indexOf('&', i + 1)) params++;
  if (params > QUERY_LIMITS.params) {
    throw invalid(`The query string has ${params} parameters; at most ${QUERY_LIMITS.params} are accepted.`);
  }
  return querystring.parse(text, '&', '=', { maxKeys: 0 }) as Record<string, string | string[]>;
}
