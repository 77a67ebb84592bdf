/**
 * A run's files as W&B clients move them: `CreateRunFiles` hands out a signed PUT URL per file
 * (output.log, wandb-metadata.json, requirements.txt, config.yaml, wandb-summary.json, media/…,
 * `run.save()` files), and `run.files()` / `file.download()` read them back through signed GET
 * URLs. Either way the file is one of the run's artifacts, at the same relative path, so MLflow
 * lists and serves it too. The path rules are the artifact service's (core/artifacts.ts).
 */
import { pipeline, type Readable } from 'node:stream';
import type { Claims } from '../../core/capabilities';
import { invalid, unauthenticated } from '../../core/errors';
import type { Tracking } from '../../core/tracking';
import type { SignedTarget } from './signed-urls';

/** Purposes of the tokens in run-file URLs; claims `{r: run id, f: path below the run's artifact root}`. */
export const RUN_FILE_PUT = 'run-file-put';
export const RUN_FILE_GET = 'run-file-get';

/** The largest run file taken in one PUT (W&B's own single-PUT limit); the body is streamed, never held. */
export const RUN_FILE_MAX_BYTES = 5 * 1024 * 1024 * 1024;

export const runFileClaims = (runId: string, path: string): Claims => ({ r: runId, f: path });

function claimed(claims: Claims): { runId: string; path: string } {
  const { r, f } = claims;
  // Signed by this server, so a malformed claim is a token of another shape, not a client's mistake.
  if (typeof r !== 'string' || r === '' || typeof f !== 'string') throw unauthenticated('The URL does not name a run file.');
  return { runId: r, path: f };
}

const tooLarge = () => invalid(`A run file can be at most ${RUN_FILE_MAX_BYTES} bytes.`);

/** The body's chunks, refused as soon as they pass the cap (and before a byte when Content-Length says so). */
async function* bounded(body: Readable, cap: number): AsyncGenerator<Uint8Array> {
  let seen = 0;
  for await (const chunk of body) {
    seen += (chunk as Uint8Array).length;
    if (seen > cap) throw tooLarge();
    yield chunk as Uint8Array;
  }
}

export const runFilePut: SignedTarget = {
  purpose: RUN_FILE_PUT,
  maxBytes: RUN_FILE_MAX_BYTES,
  async put(claims, body, tracking: Tracking) {
    const { runId, path } = claimed(claims);
    const artifacts = tracking.artifacts;
    // Live files (output.log, wandb-summary.json) are uploaded again as they change: a write replaces.
    await artifacts.write(await artifacts.ofRun(runId), path, bounded(body, RUN_FILE_MAX_BYTES));
  },
};

export const runFileGet: SignedTarget = {
  purpose: RUN_FILE_GET,
  async get(claims, res, tracking: Tracking) {
    const { runId, path } = claimed(claims);
    const artifacts = tracking.artifacts;
    const file = await artifacts.open(await artifacts.ofRun(runId), path);
    res.status(200);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(file.size));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // A client that hangs up closes the file too; a read error cuts the answer short.
    pipeline(file.stream, res, () => {});
  },
};
