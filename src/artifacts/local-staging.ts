/**
 * The staged parts of multipart uploads in a local artifact store. Each upload is a folder named
 * by its id inside a staging folder of the root that no artifact path can spell: a record of the
 * target and part count (`upload.json`), and its parts, each named by its number and etag (the
 * MD5 of its bytes), so that completing with the etags the client was given assembles exactly
 * the bytes it sent. Everything lives on disk, so any server process on the same root can take
 * the next part or complete the upload.
 *
 * Completing or aborting first claims the upload: its folder is renamed (`<id>.completing`,
 * `<id>.aborting`), which one caller alone can do, so of two completes sent at once one assembles
 * the file and the other is told the upload is being completed, and an abort cannot pull the
 * parts from under a complete. A complete that fails gives its claim back.
 *
 * Abandoned uploads: an upload folder untouched (no part written into it) for longer than the
 * expiry is removed by a sweep that runs in the background when the store opens and then at
 * most once a minute, never on the request path.
 *
 * Open uploads are bounded: beginning one counts the upload folders in the staging folder
 * (one stat; see openUploads), so every process sharing the root counts the same uploads. Two
 * processes beginning at once may both pass at the cap, so it can be overshot by one per process.
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
/** How often the abandoned uploads are looked for. */
export const SWEEP_INTERVAL_MS = 60_000;
/** Uploads open at once in one root, across every process sharing it. */
export const MAX_OPEN_UPLOADS = 1000;

const RECORD = 'upload.json';
/** The record is a target path and a count: anything larger was not written by us. */
const MAX_RECORD_BYTES = 4096;
const ID = /^[0-9a-f]{32}$/;
const ETAG = /^[0-9a-f]{32}$/;

const errno = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code;
const partFile = (part: number, etag: string) => `part-${part}-${etag}`;
const partPrefix = (part: number) => `part-${part}-`;
const COMPLETING = '.completing';
const ABORTING = '.aborting';

export type PutFile = (target: string, body: AsyncIterable<Uint8Array>) => Promise<void>;

export class LocalStaging {
  constructor(
    /** The staging folder, already created and proven a real folder. */
    readonly dir: string,
    /** How the store writes a file into place (atomically, folders made as needed). */
    private readonly putFile: PutFile,
    private readonly staleMs: number = STALE_UPLOAD_MS,
    private readonly maxOpen: number = MAX_OPEN_UPLOADS,
  ) {}

  private timer: NodeJS.Timeout | undefined;
  private sweep: Promise<void> | undefined;

  /** Sweeps now, in the background, and then every intervalMs until stop(). */
  startSweeping(intervalMs: number = SWEEP_INTERVAL_MS): void {
    this.sweepInBackground();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.sweepInBackground(), intervalMs);
    this.timer.unref();
  }

  /** Stops the sweeps; resolves when one under way has finished. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweep;
  }

  /** The sweep under way, if any (tests wait for it). */
  get sweeping(): Promise<void> { return this.sweep ?? Promise.resolve(); }

  private sweepInBackground(): void {
    if (this.sweep) return;
    this.sweep = this.removeStale()
      .catch((e) => { console.error(`trackbridge: removing abandoned multipart uploads in ${this.dir} failed: ${(e as Error).message}`); })
      .finally(() => { this.sweep = undefined; });
  }

  async begin(target: string, parts: number): Promise<string> {
    checkArtifactPath(target);
    if (await this.openUploads() >= this.maxOpen) {
      throw new TrackbridgeError('INVALID_STATE',
        `Too many multipart uploads are open (${this.maxOpen}): complete or abort some, or wait for abandoned ones to expire`, 'BAD_REQUEST');
    }
    const id = randomBytes(16).toString('hex');
    const folder = path.join(this.dir, id);
    await fsp.mkdir(folder);
    await fsp.writeFile(path.join(folder, RECORD), JSON.stringify({ target, parts }), { flag: 'wx' });
    return id;
  }

  /**
   * The uploads in the staging folder, each a folder of its own. Where the file system counts a
   * folder's subfolders in its link count (ext4, XFS, tmpfs: 2 + subfolders) that is one stat;
   * elsewhere (btrfs says 1) the names are counted, no more than the cap.
   */
  private async openUploads(): Promise<number> {
    const links = (await fsp.stat(this.dir)).nlink;
    if (links >= 2) return links - 2;
    let n = 0;
    for await (const _ of await fsp.opendir(this.dir, { bufferSize: 256 })) {
      if (++n >= this.maxOpen) break;
    }
    return n;
  }

  /** An upload's record; `completing` when a complete has claimed it and is assembling its file. */
  async record(id: string): Promise<StagedUpload | undefined> {
    if (!ID.test(id)) return undefined;
    const open = await this.recordIn(id);
    if (open) return open;
    const claimed = await this.recordIn(id + COMPLETING);
    return claimed && { ...claimed, completing: true };
  }

  private async recordIn(folderName: string): Promise<StagedUpload | undefined> {
    let text: string;
    try {
      const fh = await fsp.open(path.join(this.dir, folderName, RECORD), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
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
    // Judged before the claim too, so that a refused complete changes nothing on disk.
    try {
      await this.checkParts(id, await this.folderOf(id), parts);
    } catch (e) {
      // Its parts went away because another call took the upload meanwhile.
      if (e instanceof TrackbridgeError && e.code === 'INVALID_ARGUMENT' && !(await this.recordIn(id))) throw await this.unavailable(id);
      throw e;
    }
    const folder = await this.claim(id, COMPLETING);
    try {
      // Fresh, so that a sweep does not take an old upload's folder while its file is assembled.
      const now = new Date();
      await fsp.utimes(folder, now, now);
      const upload = await this.recordIn(id + COMPLETING);
      if (!upload) throw gone(id);
      // A part sent again between the check and the claim.
      await this.checkParts(id, folder, parts);
      await this.putFile(upload.target, assembled(folder, id, parts));
    } catch (e) {
      // The upload stays open as it was, for the client to fix and complete again.
      await fsp.rename(folder, path.join(this.dir, id)).catch(() => {});
      throw e;
    }
    await fsp.rm(folder, { recursive: true, force: true });
  }

  async abort(id: string): Promise<void> {
    await fsp.rm(await this.claim(id, ABORTING), { recursive: true, force: true });
  }

  /** Every part listed is staged with the etag named. */
  private async checkParts(id: string, folder: string, parts: readonly StagedPartRef[]): Promise<void> {
    const staged = new Set(await this.partsIn(folder));
    for (const { part, etag } of parts) {
      if (ETAG.test(etag) && staged.has(partFile(part, etag))) continue;
      const other = [...staged].some((n) => n.startsWith(partPrefix(part)));
      throw invalid(other
        ? `Part ${part} of upload '${id}' was staged with another etag than '${etag}'; upload it again or name the etag it was answered with`
        : `Part ${part} of upload '${id}' has not been uploaded`);
    }
  }

  /** Renames the upload's folder out of every other caller's reach; resolves with its new place. */
  private async claim(id: string, suffix: string): Promise<string> {
    if (!ID.test(id) || !(await this.recordIn(id))) throw await this.unavailable(id);
    const claimed = path.join(this.dir, id + suffix);
    try {
      await fsp.rename(path.join(this.dir, id), claimed);
    } catch (e) {
      // Claimed by another caller since the record was read; a folder left by a crash under the
      // claimed name is refused (ENOTEMPTY) rather than replaced.
      if (errno(e) === 'ENOENT' || errno(e) === 'ENOTEMPTY' || errno(e) === 'EEXIST') throw await this.unavailable(id);
      throw e;
    }
    return claimed;
  }

  /** Why an upload cannot be taken: another call is completing it, or it is gone. */
  private async unavailable(id: string): Promise<TrackbridgeError> {
    if (ID.test(id) && (await this.recordIn(id + COMPLETING))) return beingCompleted(id);
    return gone(id);
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
    if (!ID.test(id) || !(await this.recordIn(id))) throw await this.unavailable(id);
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
export const beingCompleted = (id: string) => notFound(`Multipart upload '${id}' is being completed by another request`);

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
