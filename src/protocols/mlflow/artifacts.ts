/**
 * Artifacts: the lists of a run's and a logged model's files, the mlflow-artifacts proxy that the
 * client uses whenever a root starts with `mlflow-artifacts:` (multipart uploads in multipart.ts), and the single-file routes of the
 * web UI (download a run's or a logged model's file, upload one into a run), which MLflow writes
 * by hand rather than in its .proto.
 */
import express, { type Request, type Response, type NextFunction } from 'express';
import type { MlflowContext } from './context';
import { handlersOf, runIdOf } from './context';
import { checkRequestedPath } from '../../core/artifact-paths';
import type { ArtifactListing } from '../../core/artifacts';
import { invalid, TrackbridgeError } from '../../core/errors';
import { sendError } from './respond';
import { sendArtifact } from './artifact-download';
import { BodyBudget, RETRY_AFTER_SECONDS, streamBody, type StreamedBody } from '../../http/request-body';
import { UPLOAD_ARTIFACT_BODY } from './body-caps';
import { multipartRoutes } from './multipart';
import { methodNotAllowed, missingParameter as missing, queryText } from './plain-routes';
import type { ListArtifacts_Response, ListLoggedModelArtifacts_Response } from './messages';

/** MLflow's list answer: a root the store does not hold, or an empty folder, has no `files`. */
function listingJson(l: ArtifactListing): ListArtifacts_Response & ListLoggedModelArtifacts_Response {
  return {
    root_uri: l.rootUri,
    files: l.entries.map((e) => ({ path: e.name, is_dir: e.isDir, file_size: e.isDir ? undefined : e.size })),
  };
}

export const artifactHandlers = handlersOf('mlflow.MlflowService', {
  async listArtifacts(m, { tracking }) {
    const runId = runIdOf(m);
    // MLflow judges the path before it looks for the run.
    const sub = checkRequestedPath(m.path ?? '');
    return listingJson(await tracking.artifacts.list(await tracking.artifacts.ofRun(runId), sub));
  },

  async listLoggedModelArtifacts(m, { tracking }) {
    const sub = checkRequestedPath(m.artifact_directory_path ?? '');
    return listingJson(await tracking.artifacts.list(await tracking.artifacts.ofLoggedModel(m.model_id), sub));
  },
});

/** The path after `/artifacts/`, percent-decoded exactly once (the core judges it). */
function pathFrom(req: Request, prefix: string): string {
  const raw = req.path.slice(prefix.length);
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalid(`Invalid artifact path: '${raw}'`);
  }
}

const uploadTooLarge = (cap: number) => () => invalid(`Artifact size is too large. Max size is ${cap / (1024 * 1024)}MB.`);

const wrap = (fn: (req: Request, res: Response) => Promise<void>) =>
  (req: Request, res: Response, _next: NextFunction) => { fn(req, res).catch((e) => sendError(res, e)); };

export function artifactRouter(ctx: MlflowContext, budget: BodyBudget): express.Router {
  const r = express.Router();
  for (const api of ['/api/2.0', '/ajax-api/2.0']) {
    const base = `${api}/mlflow-artifacts/artifacts`;

    r.get(base, wrap(async (req, res) => {
      const entries = await ctx.tracking.artifacts.listProxied(queryText(req, 'path') ?? '');
      res.json(entries.length ? { files: entries.map((e) => (e.isDir ? { path: e.name, is_dir: true } : { path: e.name, is_dir: false, file_size: e.size })) } : {});
    }));

    r.get(`${base}/*splat`, wrap(async (req, res) => {
      sendArtifact(res, await ctx.tracking.artifacts.openProxied(pathFrom(req, `${base}/`)));
    }));

    r.put(`${base}/*splat`, wrap(async (req, res) => {
      await ctx.tracking.artifacts.writeProxied(pathFrom(req, `${base}/`), req);
      res.json({});
    }));

    r.delete(`${base}/*splat`, wrap(async (req, res) => {
      await ctx.tracking.artifacts.deleteProxied(pathFrom(req, `${base}/`));
      res.json({});
    }));

    multipartRoutes(r, api, ctx, budget);
    // Presigned URLs hand a client straight to a cloud store; the client downloads through the proxy instead.
    r.all(`${api}/mlflow-artifacts/presigned/*splat`, wrap(async () => {
      throw new TrackbridgeError('NOT_IMPLEMENTED', 'Multipart download is not supported for the current artifact repository');
    }));
  }

  // The UI fetches a run's file with a URL relative to its page, outside /ajax-api.
  r.get('/get-artifact', wrap(async (req, res) => {
    const runId = queryText(req, 'run_id') || queryText(req, 'run_uuid');
    const p = queryText(req, 'path');
    if (p === undefined) throw missing('path');
    // MLflow judges the path before it asks for the run.
    checkRequestedPath(p);
    if (!runId) throw missing('run_id');
    const artifacts = ctx.tracking.artifacts;
    sendArtifact(res, await artifacts.open(await artifacts.ofRun(runId), p));
  }));

  r.get('/ajax-api/2.0/mlflow/logged-models/:model_id/artifacts/files', wrap(async (req, res) => {
    const p = queryText(req, 'artifact_file_path');
    if (!p) throw invalid('Request must include the "artifact_file_path" query parameter.', 'BAD_REQUEST');
    checkRequestedPath(p);
    const artifacts = ctx.tracking.artifacts;
    sendArtifact(res, await artifacts.open(await artifacts.ofLoggedModel(String(req.params.model_id)), p));
  }));

  // A raw body of any type, checked in MLflow's order: the query, the size, then the run.
  r.post('/ajax-api/2.0/mlflow/upload-artifact', async (req, res) => {
    let body: StreamedBody | undefined;
    try {
      const runId = queryText(req, 'run_uuid');
      if (!runId) throw invalid('Request must specify run_uuid.');
      const p = queryText(req, 'path');
      if (!p) throw invalid('Request must specify path.');
      // MLflow's order: the query, the path, the size, then the run.
      checkRequestedPath(p);
      body = await streamBody(req, UPLOAD_ARTIFACT_BODY, budget, (release) => res.once('close', release), uploadTooLarge(UPLOAD_ARTIFACT_BODY));
      if (!body) throw invalid('Request must specify data.');
      const artifacts = ctx.tracking.artifacts;
      await artifacts.write(await artifacts.ofRun(runId), p, body.chunks);
      res.status(200).setHeader('Content-Type', 'application/json');
      res.end();
    } catch (e) {
      body?.release();
      if (e instanceof TrackbridgeError && e.code === 'UNAVAILABLE') res.set('Retry-After', String(RETRY_AFTER_SECONDS));
      sendError(res, e);
    }
  });

  r.all(['/get-artifact', '/ajax-api/2.0/mlflow/logged-models/:model_id/artifacts/files', '/ajax-api/2.0/mlflow/upload-artifact'], methodNotAllowed);
  return r;
}
