/**
 * The MLflow front-end: every rpc of the service, mounted under /api/<since>.0 and
 * /ajax-api/<since>.0 as its .proto declares, plus the artifact proxy and the probes.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Handler, MlflowContext } from './context';
import { routesOf, type RouteSpec } from './schema';
import { checkRequired, decodeMessage, encodeMessage, writeJson } from './codec';
import { parseJsonBody } from './json-body';
import { invalid, TrackbridgeError } from '../../core/errors';
import { sendError } from './respond';
import { StreamedMessage, writeStreamed } from './streaming';
import { experimentHandlers } from './experiments';
import { runHandlers } from './runs';
import { metricHandlers } from './metrics';
import { artifactHandlers, artifactProxyRouter } from './artifacts';
import { loggedModelHandlers } from './logged-models';

/** The MLflow version we answer to `/version`; the client enables span upload for ≥ 3.4. */
export const MLFLOW_COMPAT_VERSION = '3.17.2';

const HANDLERS: Record<string, Handler> = { ...experimentHandlers, ...runHandlers, ...metricHandlers, ...artifactHandlers, ...loggedModelHandlers };

/** MLflow rejects log-batch bodies over 1 MB; other bodies may carry dataset profiles of up to 16 MB. */
const BATCH_BODY_LIMIT = 1_000_000;
const BODY_LIMIT = 64 * 1024 * 1024;

function readJsonBody(limit: number) {
  const raw = express.raw({ type: () => true, limit });
  return (req: Request, res: Response, next: NextFunction) => {
    raw(req, res, (err?: any) => {
      if (err) {
        if (err.type === 'entity.too.large') {
          return sendError(res, invalid(`Request body is too large: at most ${limit} bytes are accepted here.`));
        }
        return sendError(res, invalid(`Could not read the request body: ${err.message}`));
      }
      next();
    });
  };
}

function parseBody(req: Request): Record<string, unknown> {
  const buf = req.body as Buffer | undefined;
  if (!buf || buf.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = parseJsonBody(buf.toString('utf8'));
  } catch {
    throw invalid('Malformed JSON in the request body.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid('The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

function routeHandler(spec: RouteSpec, handler: Handler, ctx: MlflowContext) {
  return async (req: Request, res: Response) => {
    try {
      let input: Record<string, unknown>;
      if (spec.verb === 'get') {
        input = req.query as Record<string, unknown>;
      } else {
        if ((spec.verb === 'post' || spec.verb === 'put') && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
          throw invalid("Bad Request. Content-Type must be one of ['application/json'].");
        }
        input = parseBody(req);
      }
      // Path parameters ({model_id}) join the body or query fields.
      input = { ...input, ...(req.params as Record<string, string>) };
      const msg = decodeMessage(spec.request, input, spec.verb === 'get');
      checkRequired(spec.request, msg);
      const out = await handler(msg, ctx);
      if (out instanceof StreamedMessage) return await writeStreamed(res, spec.response, out);
      res.type('application/json').send(writeJson(encodeMessage(spec.response, out)));
    } catch (e) {
      sendError(res, e);
    }
  };
}

export function mlflowRouter(ctx: MlflowContext): express.Router {
  const r = express.Router();
  const known = new Set<string>();
  for (const spec of routesOf('mlflow.MlflowService')) {
    const handler = HANDLERS[spec.rpc];
    if (!handler) throw new TrackbridgeError('INTERNAL', `no handler for rpc ${spec.rpc}`);
    const prefixes = spec.ajaxOnly ? ['/ajax-api'] : ['/api', '/ajax-api'];
    const middleware = spec.verb === 'get' ? [] : [readJsonBody(spec.rpc === 'logBatch' ? BATCH_BODY_LIMIT : BODY_LIMIT)];
    for (const prefix of prefixes) {
      const p = `${prefix}/${spec.since}.0${spec.path.replace(/\{(\w+)\}/g, ':$1')}`;
      r[spec.verb](p, ...middleware, routeHandler(spec, handler, ctx));
      known.add(p);
    }
  }
  // A known path with the wrong method is a 405, as MLflow's server answers it.
  for (const p of known) r.all(p, (_req, res) => { res.status(405).type('text/html').send('<h1>Method Not Allowed</h1>'); });

  r.use(artifactProxyRouter(ctx));

  r.get('/health', (_req, res) => { res.type('text/html').send('OK'); });
  r.get('/version', (_req, res) => { res.type('text/html').send(MLFLOW_COMPAT_VERSION); });
  for (const p of ['/api/3.0/mlflow/server-info', '/ajax-api/3.0/mlflow/server-info']) {
    r.get(p, (_req, res) => { res.json({ store_type: 'SqlStore', workspaces_enabled: false }); });
  }
  return r;
}
