/**
 * The W&B front-end: `/graphql` (dispatched on operationName), the run's data stream at
 * `/files/<entity>/<project>/<run>/file_stream`, signed upload and download URLs under `/storage/`,
 * and 404 on the client's telemetry routes (only a 404 or 405 turns its exporters off).
 */
import { WANDB_HTTP_STATUS } from './http-status';
import { Readable } from 'node:stream';
import express, { type Request, type Response } from 'express';
import { TrackbridgeError } from '../../core/errors';
import type { Tracking } from '../../core/tracking';
import { BODY_PACE, BodyBudget, type BodyPace, readBody, RETRY_AFTER_SECONDS, streamBody } from '../../http/request-body';
import { LOGGED_PATH } from '../../http/access-log';
import { authenticate } from './auth';
import { GRAPHQL_AREAS, SIGNED_TARGETS } from './areas';
import type { WandbContext } from './context';
import { fileStreamRoutes } from './file-stream';
import { GraphqlEngine } from './graphql/engine';
import { RequestCost } from './graphql/request-cost';
import type { SignedTarget } from './signed-urls';

export interface WandbRouterOptions {
  tracking: Tracking;
  /** Where clients reach the server (config.ts publicUrl). */
  publicUrl?: string;
  /** Shared with the other front-ends: body bytes all requests together may hold. */
  bodyBudget: BodyBudget;
  /** How fast file_stream and upload bodies must arrive; BODY_PACE unless a test asks for a quicker one. */
  bodyPace?: BodyPace;
  log?: (message: string) => void;
}

/** A GraphQL body: UpsertBucket carries the whole config, which W&B lets grow to megabytes. */
export const GRAPHQL_BODY_CAP = 16 * 1024 * 1024;

export function baseUrlOf(req: Request, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  return `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`;
}

/** A GraphQL-shaped refusal; a 401 is what makes `wandb login` report a wrong key. */
function sendGraphqlError(res: Response, e: unknown, log: (m: string) => void): void {
  if (e instanceof TrackbridgeError) {
    const status = e.code === 'UNAUTHENTICATED' ? 401 : e.code === 'UNAVAILABLE' ? 503 : e.code === 'INTERNAL' ? 500 : 400;
    res.status(status).json({ data: null, errors: [{ message: e.message }] });
    return;
  }
  log(`graphql: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  res.status(500).json({ data: null, errors: [{ message: 'internal server error' }] });
}

export function wandbRouter(opts: WandbRouterOptions): express.Router {
  const r = express.Router();
  const log = opts.log ?? ((m: string) => console.error(`trackbridge: wandb: ${m}`));
  const engine = new GraphqlEngine(GRAPHQL_AREAS);
  const targets = new Map<string, SignedTarget>();
  for (const t of SIGNED_TARGETS) {
    if (targets.has(t.purpose)) throw new TrackbridgeError('INTERNAL', `two signed-URL targets for purpose ${t.purpose}`);
    targets.set(t.purpose, t);
  }

  const context = async (req: Request): Promise<WandbContext> => ({
    tracking: opts.tracking,
    account: await authenticate(req, opts.tracking),
    baseUrl: baseUrlOf(req, opts.publicUrl),
    log,
    cost: new RequestCost(),
  });

  r.post('/graphql', async (req, res) => {
    try {
      const ctx = await context(req);
      const text = (await readBody(req, res, GRAPHQL_BODY_CAP, opts.bodyBudget)).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new TrackbridgeError('INVALID_ARGUMENT', 'the GraphQL request body is not JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new TrackbridgeError('INVALID_ARGUMENT', 'the GraphQL request body must be a JSON object (batches are not served)');
      }
      const answer = await engine.run(body, ctx);
      res.status(answer.status).json(answer.body);
    } catch (e) {
      sendGraphqlError(res, e, log);
    }
  });

  const signed = (verb: 'put' | 'get') => async (req: Request, res: Response) => {
    // The token is the permission itself: the access log gets its purpose, never the token.
    res.locals[LOGGED_PATH] = '/storage/<token>';
    try {
      const { purpose, claims } = await opts.tracking.capabilities.verify(String(req.params.token));
      res.locals[LOGGED_PATH] = `/storage/<${purpose}>`;
      const target = targets.get(purpose);
      const handler = verb === 'put' ? target?.put : target?.get;
      if (!target || !handler) throw new TrackbridgeError('NOT_FOUND', 'this URL does not allow that');
      if (verb === 'put') {
        // Streamed under the shared body budget and the least pace: a large upload that keeps
        // sending takes as long as it needs (the server has no whole-request timeout), a trickle is cut.
        const body = await streamBody(req, target.maxBytes ?? 0, opts.bodyBudget, (release) => res.once('close', release), undefined, opts.bodyPace ?? BODY_PACE);
        await target.put!(claims, Readable.from(body ? body.chunks : []), opts.tracking);
        res.status(200).end();
      } else {
        await target.get!(claims, res, opts.tracking);
      }
    } catch (e) {
      if (res.headersSent) { res.destroy(); return; }
      // A token that does not verify is a forbidden URL, not a missing login.
      const status = !(e instanceof TrackbridgeError) ? 500 : e.code === 'UNAUTHENTICATED' ? 403 : WANDB_HTTP_STATUS[e.code];
      if (status === 503) res.set('Retry-After', String(RETRY_AFTER_SECONDS));
      if (status === 500) log(`storage: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      res.status(status).type('text/plain').send(status === 500 ? 'internal server error' : (e as Error).message);
    }
  };
  fileStreamRoutes(r, { tracking: opts.tracking, bodyBudget: opts.bodyBudget, bodyPace: opts.bodyPace, log });

  r.put('/storage/:token', signed('put'));
  r.get('/storage/:token', signed('get'));

  r.all(/^\/sdk\/otel(\/.*)?$/, (_req, res) => { res.status(404).type('text/plain').send('telemetry is not collected here'); });
  return r;
}
