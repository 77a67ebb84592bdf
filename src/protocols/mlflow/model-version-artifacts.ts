/**
 * The web UI's download of one file of a model version (`/model-versions/get-artifact`), which
 * MLflow writes by hand rather than in its .proto: an attachment from the version's storage
 * location, with the path judged before anything is looked up.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { MlflowContext } from './context';
import { checkRequestedPath } from '../../core/artifact-paths';
import { sendError } from './respond';
import { sendArtifact } from './artifact-download';
import { methodNotAllowed, missingParameter as missing, queryText } from './plain-routes';

/** MLflow's UI and tests reach it with one slash or, joining a base URL that ends in one, two. */
const PATH = /^\/\/?model-versions\/get-artifact$/;

export function modelVersionArtifactRouter(ctx: MlflowContext): express.Router {
  const r = express.Router();
  r.get(PATH, (req: Request, res: Response, _next: NextFunction) => {
    (async () => {
      const p = queryText(req, 'path');
      if (p === undefined) throw missing('path');
      checkRequestedPath(p);
      const name = queryText(req, 'name');
      const version = queryText(req, 'version');
      if (!name) throw missing('name');
      if (!version) throw missing('version');
      const root = await ctx.tracking.registry.artifactRoot(name, version);
      sendArtifact(res, await ctx.tracking.artifacts.open(root, p));
    })().catch((e) => sendError(res, e));
  });
  r.all(PATH, methodNotAllowed);
  return r;
}
