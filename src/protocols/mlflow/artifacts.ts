/**
 * Artifacts: the run-scoped list route and the mlflow-artifacts proxy that the client uses
 * whenever a run's artifact_uri starts with `mlflow-artifacts:`.
 */
import express, { type Request, type Response, type NextFunction } from 'express';
import path from 'node:path';
import { pipeline } from 'node:stream';
import type { Handler, MlflowContext } from './context';
import { runIdOf } from './context';
import { checkArtifactPath, proxiedPath } from '../../core/artifact-paths';
import { invalid, notFound, TrackbridgeError } from '../../core/errors';
import { sendError } from './respond';

const MIME: Record<string, string> = {
  '.txt': 'text/plain', '.log': 'text/plain', '.md': 'text/markdown', '.json': 'application/json', '.yaml': 'text/yaml', '.yml': 'text/yaml',
  '.csv': 'text/csv', '.html': 'text/html', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif',
  '.svg': 'image/svg+xml', '.pdf': 'application/pdf', '.py': 'text/x-python',
};

const join = (...parts: string[]) => parts.filter((p) => p !== '').join('/');

export const artifactHandlers: Record<string, Handler> = {
  async listArtifacts(m, { tracking, artifacts }) {
    const info = (await tracking.runs.get(runIdOf(m))).info;
    const sub = checkArtifactPath(m.path ?? '');
    const root = proxiedPath(info.artifactUri);
    if (root === undefined) return { root_uri: info.artifactUri };
    const entries = await artifacts.list(join(root, sub));
    return {
      root_uri: info.artifactUri,
      files: entries.map((e) => ({ path: join(sub, e.name), is_dir: e.isDir, file_size: e.isDir ? undefined : e.size })),
    };
  },
};

/** The path after `/artifacts/`, percent-decoded exactly once. */
function pathFrom(req: Request, prefix: string): string {
  const raw = req.path.slice(prefix.length);
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw invalid(`Invalid artifact path: '${raw}'`);
  }
  return checkArtifactPath(decoded);
}

const wrap = (fn: (req: Request, res: Response) => Promise<void>) =>
  (req: Request, res: Response, _next: NextFunction) => { fn(req, res).catch((e) => sendError(res, e)); };

export function artifactProxyRouter(ctx: MlflowContext): express.Router {
  const r = express.Router();
  for (const api of ['/api/2.0', '/ajax-api/2.0']) {
    const base = `${api}/mlflow-artifacts/artifacts`;

    r.get(base, wrap(async (req, res) => {
      const p = checkArtifactPath(typeof req.query.path === 'string' ? req.query.path : '');
      const entries = await ctx.artifacts.list(p);
      res.json(entries.length ? { files: entries.map((e) => (e.isDir ? { path: e.name, is_dir: true } : { path: e.name, is_dir: false, file_size: e.size })) } : {});
    }));

    r.get(`${base}/*splat`, wrap(async (req, res) => {
      const p = pathFrom(req, `${base}/`);
      const found = await ctx.artifacts.get(p);
      if (!found) throw notFound(`Artifact '${p}' does not exist`);
      res.setHeader('Content-Type', MIME[path.extname(p).toLowerCase()] ?? 'application/octet-stream');
      res.setHeader('Content-Length', String(found.size));
      res.setHeader('Content-Disposition', `attachment; filename="${path.basename(p).replace(/"/g, '')}"`);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      // Unlike pipe(), a client that hangs up mid-download closes the file too; a read error cuts the answer short.
      pipeline(found.stream, res, () => {});
    }));

    r.put(`${base}/*splat`, wrap(async (req, res) => {
      const p = pathFrom(req, `${base}/`);
      await ctx.artifacts.put(p, req);
      res.json({});
    }));

    r.delete(`${base}/*splat`, wrap(async (req, res) => {
      await ctx.artifacts.delete(pathFrom(req, `${base}/`));
      res.json({});
    }));

    // Multipart and presigned transfers only make sense for cloud stores; the client falls back to PUT/GET.
    r.all([`${api}/mlflow-artifacts/mpu/*splat`, `${api}/mlflow-artifacts/presigned/*splat`], wrap(async () => {
      throw new TrackbridgeError('NOT_IMPLEMENTED', 'Multipart upload is not supported for the current artifact repository');
    }));
  }
  return r;
}
