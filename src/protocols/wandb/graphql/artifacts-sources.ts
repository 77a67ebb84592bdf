/** What artifact resolvers pass each other, and the ids and URLs they hand out. */
import type { ArtifactCollection, ArtifactFileEntry, ArtifactVersion } from '../../../core/artifact-versions';
import { md5HexOf } from '../../../core/artifact-version-rules';
import { invalid } from '../../../core/errors';
import type { WandbContext } from '../context';
import { idOfStorageId } from '../mapping';
import { signedUrl } from '../signed-urls';
import { projectOfExperiment, type ProjectSource } from './sources';

export interface ArtifactSource { version: ArtifactVersion; project: ProjectSource }
export interface CollectionSource { __typename: 'ArtifactSequence'; collection: ArtifactCollection; project: ProjectSource }
export interface ArtifactTypeSource { project: ProjectSource; typeName: string; createdAt?: number }
export interface MembershipSource { artifact: ArtifactSource; collection: CollectionSource }

/** The signed-URL purposes of artifact bytes (artifact-storage.ts serves them). */
export const PURPOSE = {
  fileUpload: 'wandb-artifact-file-upload',
  fileDownload: 'wandb-artifact-file',
  manifestUpload: 'wandb-artifact-manifest-upload',
  manifestDownload: 'wandb-artifact-manifest',
} as const;

/** Opaque ids as W&B hands them out: base64 of `Kind:id`. */
export const opaqueId = (kind: string, id: string) => Buffer.from(`${kind}:${id}`, 'utf8').toString('base64');

/** The artifact id inside a client's `Artifact:` id; INVALID_ARGUMENT when it is none. */
export function artifactIdOf(text: unknown, param: string): string {
  const id = typeof text === 'string' && text.length <= 200 ? idOfStorageId('Artifact', text) : undefined;
  if (id === undefined || !/^\d{1,18}$/.test(id)) throw invalid(`Invalid ${param}: it is not an artifact id this server gave out`);
  return id;
}

export function manifestIdOf(text: unknown, param: string): string {
  const id = typeof text === 'string' && text.length <= 200 ? idOfStorageId('ArtifactManifest', text) : undefined;
  if (id === undefined || !/^\d{1,18}$/.test(id)) throw invalid(`Invalid ${param}: it is not a manifest id this server gave out`);
  return id;
}

/** A version as a resolver source, with the project it belongs to. */
export async function artifactSource(ctx: WandbContext, version: ArtifactVersion, project?: ProjectSource): Promise<ArtifactSource | null> {
  if (project && project.experiment.experimentId === version.experimentId) return { version, project };
  const experiment = await ctx.tracking.experiments.find(version.experimentId);
  return experiment ? { version, project: await projectOfExperiment(ctx, experiment) } : null;
}

export const collectionSource = (collection: ArtifactCollection, project: ProjectSource): CollectionSource =>
  ({ __typename: 'ArtifactSequence', collection, project });

export const downloadUrl = (ctx: WandbContext, digestB64: string) =>
  signedUrl(ctx, PURPOSE.fileDownload, { m: md5HexOf(digestB64, 'digest') });

/** A file as the `File` type reads it. */
export async function fileNode(ctx: WandbContext, a: ArtifactSource, f: ArtifactFileEntry) {
  const directUrl = f.ref !== null ? f.ref : await downloadUrl(ctx, f.digest);
  return {
    id: opaqueId('File', `${a.version.artifactId}:${f.position ?? 0}`),
    // The client reads a file's path from displayName (`name: displayName`).
    name: f.path, displayName: f.path, updatedAt: new Date(a.version.updatedAt).toISOString(),
    digest: f.digest, md5: f.digest, sizeBytes: f.size, mimetype: null,
    directUrl, url: directUrl, storagePath: null, uploadUrl: null, uploadHeaders: [], uploadMultipartUrls: null, artifact: a,
  };
}

/** `first`/`after` of a connection: at most max, offset from a cursor this server gave out. */
export function pageArgs(args: { first?: unknown; after?: unknown }, def: number, max: number): { limit: number; after?: string } {
  const first = args.first === null || args.first === undefined ? def : args.first;
  if (!Number.isSafeInteger(first) || (first as number) < 0) throw invalid('Invalid first: it must be a non-negative integer');
  const after = args.after === null || args.after === undefined ? undefined : args.after;
  if (after !== undefined && (typeof after !== 'string' || !/^\d{1,9}$/.test(after))) throw invalid('Invalid after: it is not a cursor this server gave out');
  return { limit: Math.min(first as number, max), after: after as string | undefined };
}
