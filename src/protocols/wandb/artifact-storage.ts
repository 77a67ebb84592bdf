/**
 * The signed URLs of artifact bytes: file uploads (PUT, content-addressed by MD5, the bytes
 * checked against it), the manifest upload, and downloads of both. The token's claims say what
 * it reaches: `m` an MD5 (hex), `a` an artifact id.
 */
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import type { Claims } from '../../core/capabilities';
import { TrackbridgeError } from '../../core/errors';
import { ARTIFACT_LIMITS } from '../../core/artifact-version-rules';
import type { Tracking } from '../../core/tracking';
import { PURPOSE } from './graphql/artifacts-sources';
import type { SignedTarget } from './signed-urls';

function claim(claims: Claims, key: string): string {
  const v = claims[key];
  if (typeof v !== 'string') throw new TrackbridgeError('UNAUTHENTICATED', 'this URL does not name what it reaches');
  return v;
}

async function send(res: Response, found: { stream: NodeJS.ReadableStream; size: number }, type: string): Promise<void> {
  res.status(200).set({ 'Content-Type': type, 'Content-Length': String(found.size) });
  await pipeline(found.stream, res);
}

export const ARTIFACT_TARGETS: readonly SignedTarget[] = [
  {
    purpose: PURPOSE.fileUpload,
    maxBytes: ARTIFACT_LIMITS.fileBytes,
    put: (claims, body, tracking: Tracking) => tracking.artifactVersions.putFile(claim(claims, 'm'), body),
  },
  {
    purpose: PURPOSE.fileDownload,
    get: async (claims, res, tracking: Tracking) => send(res, await tracking.artifactVersions.openFile(claim(claims, 'm')), 'application/octet-stream'),
  },
  {
    purpose: PURPOSE.manifestUpload,
    maxBytes: ARTIFACT_LIMITS.manifestBytes,
    put: (claims, body, tracking: Tracking) => tracking.artifactVersions.putManifest(claim(claims, 'a'), body),
  },
  {
    purpose: PURPOSE.manifestDownload,
    get: async (claims, res, tracking: Tracking) => send(res, await tracking.artifactVersions.openManifest(claim(claims, 'a')), 'application/json'),
  },
];
