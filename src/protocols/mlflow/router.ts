/**
 * The MLflow front-end: every rpc of the service, mounted under /api/<since>.0 and
 * /ajax-api/<since>.0 as its .proto declares, plus the artifact proxy and the probes.
 */
import express, { type Request, type Response } from 'express';
import type { Handler, HandlerGroup, MlflowContext } from './context';
import { handlerTable, methodKey } from './handler-table';
import { routesOf, type RouteSpec } from './schema';
import { checkRequired, decodeMessage, encodeMessage, writeJson, type NumberLiteralAt } from './codec';
import { numberLiteralIn } from './json-body';
import { checkContentType, parseBody } from './json-request';
import { methodNotAllowed } from './plain-routes';
import { BODY_PACE, BodyBudget, readBody, RETRY_AFTER_SECONDS, type BodyPace } from '../../http/request-body';
import { BODY_BUDGET, bodyCapOf } from './body-caps';
import { TrackbridgeError } from '../../core/errors';
import { sendError } from './respond';
import { StreamedMessage, writeStreamed } from './streaming';
import { experimentHandlers } from './experiments';
import { runHandlers } from './runs';
import { metricHandlers } from './metrics';
import { artifactHandlers, artifactRouter } from './artifacts';
import { loggedModelHandlers } from './logged-models';
import { registeredModelHandlers } from './registered-models';
import { modelVersionHandlers } from './model-versions';
import { modelVersionArtifactRouter } from './model-version-artifacts';
import { webhookHandlers } from './webhooks';

/** The MLflow version we answer to `/version`; the client enables span upload for ≥ 3.4. */
export const MLFLOW_COMPAT_VERSION = '3.17.2';

/** Every handler the server registers; each module types its own against its service's messages. */
export const MLFLOW_HANDLERS: readonly HandlerGroup[] = [
  experimentHandlers, runHandlers, metricHandlers, artifactHandlers, loggedModelHandlers, registeredModelHandlers, modelVersionHandlers, webhookHandlers,
];

/** The services whose routes the .proto declares and this front-end serves. */
const SERVICES = ['mlflow.MlflowService', 'mlflow.ModelRegistryService', 'mlflow.WebhookService'] as const;

function routeHandler(spec: RouteSpec, handler: Handler, ctx: MlflowContext, budget: BodyBudget, pace: BodyPace, strict: boolean) {
  const cap = bodyCapOf(spec.rpc);
  return async (req: Request, res: Response) => {
    try {
      let input: Record<string, unknown>;
      let numberLiteralAt: NumberLiteralAt | undefined;
      if (spec.verb === 'get') {
        input = req.query as Record<string, unknown>;
      } else {
        checkContentType(req, spec.verb);
        const text = (await readBody(req, res, cap, budget, pace)).toString('utf8');
        input = parseBody(text);
        numberLiteralAt = (keys) => numberLiteralIn(text, keys);
      }
      // Path parameters ({model_id}) join the body or query fields.
      input = { ...input, ...(req.params as Record<string, string>) };
      const msg = decodeMessage(spec.request, input, { fromQuery: spec.verb === 'get', numberLiteralAt });
      // The body's text served error messages only; a large one need not live through the call.
      numberLiteralAt = undefined;
      checkRequired(spec.request, msg);
      const out = await handler(msg, ctx);
      if (out instanceof StreamedMessage) return await writeStreamed(res, spec.response, out, strict);
      res.type('application/json').send(writeJson(encodeMessage(spec.response, out as Record<string, unknown>, strict)));
    } catch (e) {
      if (e instanceof TrackbridgeError && e.code === 'UNAVAILABLE') res.set('Retry-After', String(RETRY_AFTER_SECONDS));
      sendError(res, e);
    }
  };
}

export interface MlflowRouterOptions {
  /** Body bytes all requests together may hold; one per server by default. */
  bodyBudget?: BodyBudget;
  /** How fast a held body must arrive; BODY_PACE by default. */
  bodyPace?: BodyPace;
  /**
   * A response key its message does not define fails the request (INTERNAL) instead of being
   * dropped: tests run this way so a misspelt field cannot vanish unnoticed.
   */
  strictResponses?: boolean;
  /** The handlers to serve; MLFLOW_HANDLERS by default. */
  handlers?: readonly HandlerGroup[];
}

export function mlflowRouter(ctx: MlflowContext, opts: MlflowRouterOptions = {}): express.Router {
  const r = express.Router();
  const budget = opts.bodyBudget ?? new BodyBudget(BODY_BUDGET);
  const strict = opts.strictResponses === true;
  // Every route needs its handler and every handler its route, or the server does not start.
  const table = handlerTable(opts.handlers ?? MLFLOW_HANDLERS);
  const unrouted = new Set(table.keys());
  const known = new Set<string>();
  for (const service of SERVICES) {
    for (const spec of routesOf(service)) {
      const key = methodKey(service, spec.rpc);
      const handler = table.get(key);
      if (!handler) throw new TrackbridgeError('INTERNAL', `no handler is registered for ${key}`);
      unrouted.delete(key);
      const prefixes = spec.ajaxOnly ? ['/ajax-api'] : ['/api', '/ajax-api'];
      for (const prefix of prefixes) {
        const p = `${prefix}/${spec.since}.0${spec.path.replace(/\{(\w+)\}/g, ':$1')}`;
        r[spec.verb](p, routeHandler(spec, handler, ctx, budget, opts.bodyPace ?? BODY_PACE, strict));
        known.add(p);
      }
    }
  }
  if (unrouted.size > 0) throw new TrackbridgeError('INTERNAL', `handlers are registered for methods no route serves: ${[...unrouted].join(', ')}`);
  // A known path with the wrong method is a 405, as MLflow's server answers it.
  for (const p of known) r.all(p, methodNotAllowed);

  r.use(artifactRouter(ctx, budget));
  r.use(modelVersionArtifactRouter(ctx));

  r.get('/health', (_req, res) => { res.type('text/html').send('OK'); });
  r.get('/version', (_req, res) => { res.type('text/html').send(MLFLOW_COMPAT_VERSION); });
  for (const p of ['/api/3.0/mlflow/server-info', '/ajax-api/3.0/mlflow/server-info']) {
    r.get(p, (_req, res) => { res.json({ store_type: 'SqlStore', workspaces_enabled: false }); });
  }
  return r;
}
