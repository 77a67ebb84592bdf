/**
 * Multipart uploads into the proxy (`mlflow-artifacts:` locations): a large file sent as
 * numbered parts, possibly in parallel and through different server processes, then assembled
 * in order into one file. The rules live here; the store stages the parts.
 *
 * The client names the upload by a folder (checked as any requested path) and its local file's
 * path, of which only the last name counts, as MLflow's own server takes it: the client sends
 * the path it read the file from (absolute, relative, with '..' or Windows separators), so the
 * folders in it say nothing about where the file goes. That name is held to the artifact-name
 * rules.
 */
import { checkArtifactPath, checkRequestedPath } from './artifact-paths';
import type { ArtifactStore } from './artifact-store';
import { invalid, notFound } from './errors';
import { clip } from './text';

/** S3's limit, which MLflow's client is written against. */
export const MAX_UPLOAD_PARTS = 10_000;
/** One part's bytes at most (S3's limit); the client sends 10 MiB parts by default. */
export const MAX_PART_BYTES = 5 * 1024 ** 3;

const UPLOAD_ID = /^[0-9a-f]{32}$/;

export interface CompletedPart { partNumber: number; etag: string }

/** The last name of a client's local file path, split at either separator. */
export function uploadedFileName(localPath: string): string {
  if (localPath.includes('\0')) throw invalid('Invalid path');
  const name = localPath.split(/[\\/]/).pop() ?? '';
  if (name === '') throw invalid(`Invalid path: '${clip(localPath)}' names no file`);
  return checkRequestedPath(name);
}

/** An etag as a client echoes it: HTTP quotes and a weak marker dropped. */
const bareEtag = (etag: string) => etag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');

export class MultipartUploads {
  constructor(private readonly store: ArtifactStore) {}

  /** Opens an upload of `parts` parts into `<folder>/<file name>`; resolves with its id. */
  async begin(folder: string, localPath: string, parts: number): Promise<string> {
    const target = targetOf(folder, localPath);
    if (!Number.isSafeInteger(parts) || parts < 1 || parts > MAX_UPLOAD_PARTS) {
      throw invalid(`num_parts must be between 1 and ${MAX_UPLOAD_PARTS}, got ${clip(String(parts))}`);
    }
    return this.store.beginUpload(target, parts);
  }

  /** Stages part `part` of an upload; resolves with its etag. */
  async putPart(id: string, part: number, body: AsyncIterable<Uint8Array>): Promise<string> {
    const upload = await this.upload(id);
    checkPartNumber(part, upload.parts);
    return this.store.putPart(id, part, body);
  }

  /**
   * Assembles the upload into its file: every part from 1 to the count it was opened with,
   * listed in that order, each with the etag its upload was answered with.
   */
  async complete(folder: string, localPath: string, id: string, parts: readonly CompletedPart[]): Promise<void> {
    const target = targetOf(folder, localPath);
    const upload = await this.upload(id, target);
    if (parts.length !== upload.parts) {
      throw invalid(`Upload '${id}' was opened for ${upload.parts} parts, but ${parts.length} were listed to complete it`);
    }
    parts.forEach((p, i) => {
      checkPartNumber(p.partNumber, upload.parts);
      if (p.partNumber !== i + 1) throw invalid(`Parts must be listed in order 1 to ${upload.parts}: part ${p.partNumber} is listed ${i + 1}th`);
    });
    await this.store.completeUpload(id, parts.map((p) => ({ part: p.partNumber, etag: bareEtag(p.etag) })));
  }

  /** Removes the upload's staged parts. */
  async abort(folder: string, localPath: string, id: string): Promise<void> {
    await this.upload(id, targetOf(folder, localPath));
    await this.store.abortUpload(id);
  }

  private async upload(id: string, target?: string) {
    if (!UPLOAD_ID.test(id)) throw invalid(`Invalid upload id: '${clip(id)}'`);
    const upload = await this.store.stagedUpload(id);
    if (!upload) throw notFound(`Multipart upload '${id}' does not exist (it was completed, aborted or abandoned)`);
    if (upload.completing) throw notFound(`Multipart upload '${id}' is being completed by another request`);
    if (target !== undefined && upload.target !== target) {
      throw invalid(`Upload '${id}' is an upload of '${clip(upload.target)}', not of '${clip(target)}'`);
    }
    return upload;
  }
}

function targetOf(folder: string, localPath: string): string {
  const dir = checkRequestedPath(folder);
  return checkArtifactPath(dir === '' ? uploadedFileName(localPath) : `${dir}/${uploadedFileName(localPath)}`);
}

function checkPartNumber(part: number, parts: number): void {
  if (!Number.isSafeInteger(part) || part < 1 || part > parts) {
    throw invalid(`Invalid part number ${clip(String(part))}: this upload has parts 1 to ${parts}`);
  }
}
