/**
 * The staged parts of multipart uploads in a local artifact store. Each upload is a folder named
 * by its id inside a staging folder of the root that no artifact path can spell: a record of the
 * target and part count (`upload.json`), and its parts, each named by its number and etag (the
 * MD5 of its bytes), so that completing with the etags the client was given assembles exactly
 * the bytes it sent. Everything lives on disk, so any server process on the same root can take
 * the next part or complete the upload.
 *
 * Abandoned uploads: an upload folder untouched (no part written into it) for longer than the
 * expiry is removed whenever a new upload begins and when the store opens.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { StagedPartRef, StagedUpload } from '../core/artifact-store';
import { checkArtifactPath } from '../core/artifact-paths';
import { invalid, notFound, TrackbridgeError } from '../core/errors';
import { receive } from './receive';

/** An upload no part was written into for this long is abandoned. */
export const STALE_UPLOAD_MS = 24 * 60 * 60_000;

const RECORD = 'upload.json';
/** The record is a target path and a count: anything larger was not written by us. */
const MAX_RECORD_BYTES = 4096;
const ID = /^[0-9a-f]{32}$/;
const ETAG = /^[0-9a-f]{32}$/;

const errno = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code;
const partFile = (part: number, etag: string) => `part-${part}-${etag}`;
const partPrefix = (part: number) => `part-${part}-`;

export type PutFile = (target: string, body: AsyncIterable<Uint8Array>) => Promise<void>;

export class LocalStaging {
  constructor(
    /** The staging folder, already created and proven a real folder. */
    readonly dir: string,
    /** How the store writes a file into place (atomically, folders made as needed). */
    private readonly putFile: PutFile,
    private readonly staleMs: number = STALE_UPLOAD_MS,
  ) {}

  async begin(target: string, parts: number): Promise<string> {
    checkArtifactPath(target);
    await this.removeStale();
    const id = randomBytes(16).toString('hex');
    const folder = path.join(this.dir, id);
    await fsp.mkdir(folder);
    await fsp.writeFile(path.join(folder, RECORD), JSON.stringify({ target, parts }), { flag: 'wx' });
    return id;
  }

  async record(id: string): Promise<StagedUpload | undefined> {
    if (!ID.test(id)) return undefined;
    let text: string;
    try {
      const fh = await fsp.open(path.join(this.dir, id, RECORD), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      try {
        const st = await fh.stat();
        if (!st.isFile() || st.size > MAX_RECORD_BYTES) return undefined;
        text = await fh.readFile('utf8');
      } finally {
        await fh.close();
      }
    } catch (e) {
      if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR' || errno(e) === 'ELOOP') return undefined;
      throw e;
    }
    try {
      const r = JSON.parse(text) as StagedUpload;
      if (typeof r.target === 'string' && Number.isSafeInteger(r.parts)) return { target: r.target, parts: r.parts };
    } catch { /* a torn record reads as no upload */ }
    return undefined;
  }

  async putPart(id: string, part: number, body: AsyncIterable<Uint8Array>): Promise<string> {
    const folder = await this.folderOf(id);
    const tmp = path.join(folder, `.${part}.${randomUUID()}.tmp`);
    const md5 = createHash('md5');
    try {
      await receive(body, tmp, (chunk) => md5.update(chunk));
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      if (errno(e) === 'ENOENT') throw gone(id);
      throw e;
    }
    const etag = md5.digest('hex');
    const name = partFile(part, etag);
    try {
      await fsp.rename(tmp, path.join(folder, name));
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      if (errno(e) === 'ENOENT') throw gone(id);
      throw e;
    }
    // An earlier copy of this part with other bytes is superseded. Only an older one: of two
    // copies sent at once, the one written last stays, whichever process removes first.
    let ours: bigint;
    try {
      ours = (await fsp.stat(path.join(folder, name), { bigint: true })).mtimeNs;
    } catch (e) {
      // A newer copy sent at once already took its place.
      if (errno(e) === 'ENOENT') return etag;
      throw e;
    }
    for (const other of await this.partsIn(folder)) {
      if (!other.startsWith(partPrefix(part)) || other === name) continue;
      try {
        if ((await fsp.stat(path.join(folder, other), { bigint: true })).mtimeNs < ours) await fsp.rm(path.join(folder, other), { force: true });
      } catch (e) {
        if (errno(e) !== 'ENOENT') throw e;
      }
    }
    return etag;
  }

  async complete(id: string, parts: readonly StagedPartRef[]): Promise<void> {
    const upload = await this.record(id);
    if (!upload) throw gone(id);
    const folder = path.join(this.dir, id);
    const staged = new Set(await this.partsIn(folder));
    for (const { part, etag } of parts) {
      if (ETAG.test(etag) && staged.has(partFile(part, etag))) continue;
      const other = [...staged].some((n) => n.startsWith(partPrefix(part)));
      throw invalid(other
        ? `Part ${part} of upload '${id}' was staged with another etag than '${etag}'; upload it again or name the etag it was answered with`
        : `Part ${part} of upload '${id}' has not been uploaded`);
    }
    await this.putFile(upload.target, assembled(folder, id, parts));
    await fsp.rm(folder, { recursive: true, force: true });
  }

  async abort(id: string): Promise<void> {
    const folder = await this.folderOf(id);
    await fsp.rm(folder, { recursive: true, force: true });
  }

  /** Removes the uploads no part was written into for longer than the expiry. */
  async removeStale(): Promise<void> {
    const cutoff = Date.now() - this.staleMs;
    for (const name of await fsp.readdir(this.dir)) {
      const p = path.join(this.dir, name);
      try {
        if ((await fsp.lstat(p)).mtimeMs < cutoff) await fsp.rm(p, { recursive: true, force: true });
      } catch (e) {
        if (errno(e) !== 'ENOENT') throw e;
      }
    }
  }

  private async folderOf(id: string): Promise<string> {
    if (!(await this.record(id))) throw gone(id);
    return path.join(this.dir, id);
  }

  private async partsIn(folder: string): Promise<string[]> {
    try {
      return (await fsp.readdir(folder)).filter((n) => n.startsWith('part-'));
    } catch (e) {
      if (errno(e) === 'ENOENT') return [];
      throw e;
    }
  }
}

const gone = (id: string) => notFound(`Multipart upload '${id}' does not exist (it was completed, aborted or abandoned)`);

/** The parts' bytes in the order given, a chunk at a time. */
async function* assembled(folder: string, id: string, parts: readonly StagedPartRef[]): AsyncGenerator<Uint8Array> {
  for (const { part, etag } of parts) {
    let stream: fs.ReadStream;
    try {
      const fh = await fsp.open(path.join(folder, partFile(part, etag)), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      stream = fh.createReadStream({ highWaterMark: 1024 * 1024 });
    } catch (e) {
      if (errno(e) === 'ENOENT') throw invalid(`Part ${part} of upload '${id}' was removed while the upload was being completed`);
      throw e;
    }
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } catch (e) {
      if (e instanceof TrackbridgeError) throw e;
      throw invalid(`Part ${part} of upload '${id}' could not be read: ${(e as Error).message}`);
    } finally {
      stream.destroy();
    }
  }
}
