/**
 * What the routes MLflow's server writes by hand rather than in its .proto (artifact files,
 * multipart uploads, the UI's downloads) answer alike: query parameters read as Flask reads
 * them, the missing-parameter message, and Flask's 405 page for a method the route lacks.
 */
import type { Request, Response } from 'express';
import { invalid } from '../../core/errors';

/** A query parameter as MLflow's server reads it: the first of repeated values. */
export function queryText(req: Request, name: string): string | undefined {
  const v = (req.query as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v[0] : v;
}

export const missingParameter = (name: string) =>
  invalid(`Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`);

export const methodNotAllowed = (_req: Request, res: Response) => { res.status(405).type('text/html').send('<h1>Method Not Allowed</h1>'); };
