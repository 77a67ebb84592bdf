/**
 * A request whose body is one JSON object, as MLflow's server reads it: the Content-Type it must
 * name, and the body parsed (exact int64s, see json-body.ts) and proven an object.
 */
import type { Request } from 'express';
import { invalid } from '../../core/errors';
import { parseJsonBody } from './json-body';
import type { RouteSpec } from './schema';

/**
 * POST and PUT must say their body is JSON, as MLflow's server demands; a PATCH or DELETE that
 * names a type must name this one. The media type is compared whole (`application/jsonx` and
 * `application/json-patch+json` are other types); parameters such as a UTF-8 charset are fine.
 */
export function checkContentType(req: Request, verb: RouteSpec['verb']): void {
  const header = req.headers['content-type'];
  if (header === undefined || header.trim() === '') {
    if (verb === 'post' || verb === 'put') throw invalid('Bad Request. Content-Type header is missing.');
    return;
  }
  const [type, ...params] = header.split(';');
  if (type.trim().toLowerCase() !== 'application/json') {
    throw invalid("Bad Request. Content-Type must be one of ['application/json'].");
  }
  for (const param of params) {
    const [name, value = ''] = param.split('=');
    if (name.trim().toLowerCase() !== 'charset') continue;
    const charset = value.trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii') {
      throw invalid(`Bad Request. JSON bodies are read as UTF-8, not '${charset.slice(0, 40)}'.`);
    }
  }
}

/** An empty body is an empty message. */
export function parseBody(text: string): Record<string, unknown> {
  if (text.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = parseJsonBody(text);
  } catch {
    throw invalid('Malformed JSON in the request body.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid('The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}
