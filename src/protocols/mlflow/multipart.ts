/**
 * Multipart upload into the proxy, as MLflow's client drives it for a large file when
 * MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD is set: `mpu/create/<folder>` answers an upload id and
 * one URL per part; the client PUTs each part's bytes to its URL (a plain PUT, without the
 * tracking credentials, reading back the ETag header); `mpu/complete/<folder>` lists the parts
 * with their etags, and `mpu/abort/<folder>` gives up. The body's `path` is the client's local
 * file, whose last name the file takes.
 *
 * The part URLs point back at this server (`mpu/part/<upload id>/<part number>`), under the
 * configured public URL or else the scheme and Host the create call came in on: the unguessable
 * upload id is what lets a part in.
 */
import type express from 'express';
import type { Request, Response } from 'express';
import type { MlflowContext } from './context';
import { invalid, TrackbridgeError } from '../../core/errors';
import { MAX_PART_BYTES, type CompletedPart } from '../../core/multipart';
import { clip } from '../../core/text';
import { sendError } from './respond';
import { BODY_PACE, BodyBudget, readBody, RETRY_AFTER_SECONDS, streamBody, type StreamedBody } from '../../http/request-body';
import { MULTIPART_BODY } from './body-caps';
import { checkContentType, parseBody } from './json-request';
import { methodNotAllowed, missingParameter as missing } from './plain-routes';

/** The folder after `mpu/<verb>/`, percent-decoded exactly once (the core judges it). */
function folderFrom(req: Request, prefix: string): string {
  const raw = req.path.length > prefix.length ? req.path.slice(prefix.length + 1) : '';
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalid(`Invalid artifact path: '${clip(raw)}'`);
  }
}

const wrongType = (name: string, want: string, v: unknown) =>
  invalid(`Invalid value ${clip(JSON.stringify(v) ?? String(v))} for parameter '${name}' supplied: expected ${want}.`);

function text(body: Record<string, unknown>, name: string, required: boolean): string {
  const v = body[name];
  if (v === undefined || v === null || v === '') {
    if (required) throw missing(name);
    return '';
  }
  if (typeof v !== 'string') throw wrongType(name, 'a string', v);
  return v;
}

/** MLflow's "int-like": an integer, or a string of one. */
function integer(v: unknown, name: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && /^[+-]?\d{1,20}$/.test(v.trim())) return Number(v.trim());
  throw wrongType(name, 'an integer', v);
}

function partsOf(body: Record<string, unknown>): CompletedPart[] {
  const v = body.parts;
  if (v === undefined || v === null) throw missing('parts');
  if (!Array.isArray(v)) throw wrongType('parts', 'a list', v);
  return v.map((p, i) => {
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw wrongType(`parts[${i}]`, 'an object', p);
    const part = p as Record<string, unknown>;
    const etag = part.etag ?? '';
    if (typeof etag !== 'string') throw wrongType(`parts[${i}].etag`, 'a string', etag);
    if (part.part_number === undefined || part.part_number === null) throw missing(`parts[${i}].part_number`);
    return { partNumber: integer(part.part_number, `parts[${i}].part_number`), etag };
  });
}

/** An empty part: a body of no bytes. */
async function* nothing(): AsyncGenerator<Uint8Array> {}

export function multipartRoutes(r: express.Router, api: string, ctx: MlflowContext, budget: BodyBudget): void {
  const base = `${api}/mlflow-artifacts/mpu`;
  const uploads = () => ctx.tracking.artifacts.uploads;

  const jsonRoute = (verb: string, fn: (req: Request, res: Response, body: Record<string, unknown>, folder: string) => Promise<void>) => {
    const prefix = `${base}/${verb}`;
    r.post([prefix, `${prefix}/*splat`], async (req, res) => {
      try {
        // MLflow judges the folder before it reads the body.
        const folder = folderFrom(req, prefix);
        checkContentType(req, 'post');
        const body = parseBody((await readBody(req, res, MULTIPART_BODY, budget, BODY_PACE)).toString('utf8'));
        await fn(req, res, body, folder);
      } catch (e) {
        if (e instanceof TrackbridgeError && e.code === 'UNAVAILABLE') res.set('Retry-After', String(RETRY_AFTER_SECONDS));
        sendError(res, e);
      }
    });
  };

  jsonRoute('create', async (req, res, body, folder) => {
    const localPath = text(body, 'path', true);
    const numParts = body.num_parts === undefined || body.num_parts === null ? 0 : integer(body.num_parts, 'num_parts');
    const id = await uploads().begin(folder, localPath, numParts);
    // Behind a proxy the request's own scheme and Host are the proxy's view, not the client's.
    const origin = ctx.publicUrl ?? `${req.protocol}://${req.get('host')}`;
    const partBase = `${origin}${base}/part/${id}`;
    const credentials = Array.from({ length: numParts }, (_, i) => ({ url: `${partBase}/${i + 1}`, part_number: i + 1, headers: {} }));
    res.json({ upload_id: id, credentials });
  });

  jsonRoute('complete', async (_req, res, body, folder) => {
    const localPath = text(body, 'path', true);
    const id = text(body, 'upload_id', false);
    await uploads().complete(folder, localPath, id, partsOf(body));
    res.json({});
  });

  jsonRoute('abort', async (_req, res, body, folder) => {
    const localPath = text(body, 'path', true);
    await uploads().abort(folder, localPath, text(body, 'upload_id', false));
    res.json({});
  });

  r.put(`${base}/part/:upload_id/:part_number`, async (req, res) => {
    let body: StreamedBody | undefined;
    try {
      const raw = String(req.params.part_number);
      if (!/^\d{1,6}$/.test(raw)) throw invalid(`Invalid part number '${clip(raw)}'`);
      const id = String(req.params.upload_id);
      body = await streamBody(req, MAX_PART_BYTES, budget, (release) => res.once('close', release),
        (cap) => invalid(`A part may hold at most ${cap} bytes`));
      const etag = await uploads().putPart(id, Number(raw), body?.chunks ?? nothing());
      res.set('ETag', `"${etag}"`).json({});
    } catch (e) {
      body?.release();
      if (e instanceof TrackbridgeError && e.code === 'UNAVAILABLE') res.set('Retry-After', String(RETRY_AFTER_SECONDS));
      sendError(res, e);
    }
  });

  // Anything else under part/ is a part URL this server never gave out.
  r.put(`${base}/part/*splat`, (_req, res) => { sendError(res, invalid('Invalid part URL: expected mpu/part/<upload id>/<part number>')); });

  r.all([`${base}/create`, `${base}/create/*splat`, `${base}/complete`, `${base}/complete/*splat`, `${base}/abort`, `${base}/abort/*splat`,
    `${base}/part/:upload_id/:part_number`], methodNotAllowed);
}
