/**
 * ArtifactStore on a local folder.
 *
 * Every path is resolved on disk, links included, and refused when it leaves the root. A link
 * that stays inside the root is followed on the way to what is read, listed or written into; the
 * last name of a write or a delete is never followed: a write replaces a link, a delete removes
 * the link and leaves what it names alone. Uploads land in a temporary folder inside the root
 * whose name no artifact path can spell, and are renamed into place once complete; the parts of
 * multipart uploads are staged in a second such folder (see local-staging.ts).
 *
 * Against a local user swapping folders for links between the check and the use: reads open with
 * O_NOFOLLOW and check where the open file really is; writes and deletes resolve their folder
 * again right before they act, which narrows the window but cannot close it without openat().
 */
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { type ArtifactEntry, ArtifactPathRefusal, type ArtifactStore, type StagedPartRef, type StagedUpload } from '../core/artifact-store';
import { checkArtifactPath } from '../core/artifact-paths';
import { invalid, TrackbridgeError } from '../core/errors';
import { receive } from './receive';
import { LocalStaging, MAX_OPEN_UPLOADS, STALE_UPLOAD_MS } from './local-staging';

/** checkArtifactPath refuses ';' in every path, so no artifact can be named like this folder. */
const TEMP_DIR = '.trackbridge;uploads';
/** The staged parts of multipart uploads, as unreachable by artifact paths. */
const STAGING_DIR = '.trackbridge;multipart';
/** A temporary file untouched this long belongs to an upload whose process died; a live upload keeps writing. */
const STALE_TEMP_MS = 60 * 60_000;

const errno = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code;

/** What an operator reads when the root cannot be used, one line per cause. */
const CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file or link holds a name the store needs for a folder',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
  ENOENT: 'no folder can be created there',
};

export interface LocalArtifactStoreOptions {
  /** Temporary files older than this are removed when the store opens. */
  staleTempMs?: number;
  /** Multipart uploads no part was written into for this long are removed (STALE_UPLOAD_MS by default). */
  staleUploadMs?: number;
  /** How often a store opened with open() looks for them (SWEEP_INTERVAL_MS by default). */
  sweepIntervalMs?: number;
  /** Multipart uploads open at once in the root, across processes (MAX_OPEN_UPLOADS by default). */
  maxOpenUploads?: number;
}

export class LocalArtifactStore implements ArtifactStore {
  /** The root as configured. */
  readonly root: string;
  /** Where uploads are written before they are renamed into place. */
  readonly tempDir: string;
  /** The root with every link resolved: each path on disk is compared with it. */
  private readonly realRoot: string;
  private readonly rootPrefix: string;
  private readonly tempPrefix: string;
  /** The staged parts of multipart uploads. */
  readonly staging: LocalStaging;
  private readonly stagingPrefix: string;

  /** Creates the folders without proving them writable; a server opens its store with open(). */
  constructor(root: string, opts: LocalArtifactStoreOptions = {}) {
    this.root = path.resolve(root);
    makeFolderChain(this.root);
    this.realRoot = fs.realpathSync(this.root);
    this.rootPrefix = this.realRoot.endsWith(path.sep) ? this.realRoot : this.realRoot + path.sep;
    this.tempDir = path.join(this.realRoot, TEMP_DIR);
    this.tempPrefix = this.tempDir + path.sep;
    const stagingDir = path.join(this.realRoot, STAGING_DIR);
    this.stagingPrefix = stagingDir + path.sep;
    for (const dir of [this.tempDir, stagingDir]) {
      try {
        fs.mkdirSync(dir);
      } catch (e) {
        if (errno(e) !== 'EEXIST') throw e;
      }
      // A link planted in its place would send every upload elsewhere.
      if (!fs.lstatSync(dir).isDirectory()) throw Object.assign(new Error(`${dir} is not a folder`), { code: 'EEXIST' });
    }
    this.staging = new LocalStaging(stagingDir, (target, body) => this.put(target, body), opts.staleUploadMs ?? STALE_UPLOAD_MS,
      opts.maxOpenUploads ?? MAX_OPEN_UPLOADS);
  }

  /**
   * The store a server runs on: the root is created if missing and proven writable, and the
   * temporary files of uploads that died with their process are removed. Refuses with one line
   * naming the folder, the cause and the remedy.
   */
  static async open(root: string, opts: LocalArtifactStoreOptions = {}): Promise<LocalArtifactStore> {
    const wanted = path.resolve(root);
    try {
      const store = new LocalArtifactStore(wanted, opts);
      const probe = path.join(store.tempDir, `probe-${randomUUID()}`);
      await fsp.writeFile(probe, 'trackbridge', { flag: 'wx' });
      await fsp.unlink(probe);
      await store.removeStaleTemps(opts.staleTempMs ?? STALE_TEMP_MS);
      store.staging.startSweeping(opts.sweepIntervalMs);
      return store;
    } catch (e) {
      const code = errno(e);
      const cause = code ? `${code}${CAUSES[code] ? `, ${CAUSES[code]}` : ''}` : e instanceof Error ? e.message : String(e);
      throw invalid(
        `cannot store artifacts in ${wanted} (${cause.split('\n')[0]}): make that folder writable by this process, ` +
        'or choose another with --artifacts-root or TRACKBRIDGE_ARTIFACTS_ROOT',
      );
    }
  }

  /** Stops the background sweep of abandoned uploads. */
  close(): Promise<void> {
    return this.staging.stop();
  }

  private async removeStaleTemps(staleMs: number): Promise<void> {
    const cutoff = Date.now() - staleMs;
    for (const name of await fsp.readdir(this.tempDir)) {
      const p = path.join(this.tempDir, name);
      try {
        if ((await fsp.lstat(p)).mtimeMs < cutoff) await fsp.rm(p, { recursive: true, force: true });
      } catch (e) {
        if (errno(e) !== 'ENOENT') throw e;
      }
    }
  }

  async put(p: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    const { parent, name } = await this.checkWritable(p);
    const tmp = path.join(this.tempDir, randomUUID());
    try {
      await receive(body, tmp);
      // Folders are made only now, so an upload that fails midway leaves none behind.
      const dir = await this.makeFolders(p, parent);
      await fsp.rename(tmp, path.join(dir, name));
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw refusal(e, p);
    }
  }

  /** Refuses a write that is bound to fail, before a byte of its body is read. */
  private async checkWritable(p: string): Promise<{ parent: string[]; name: string }> {
    const segs = segmentsOf(p);
    if (segs.length === 0) throw invalid('An artifact needs a file name');
    const parent = segs.slice(0, -1);
    const name = segs[segs.length - 1];
    // A folder a concurrent upload makes between the resolve and the look that follows is resolved again.
    for (let attempt = 0; ; attempt++) {
      const { real, missing } = await this.resolve(p, parent);
      if (!(await fsp.stat(real)).isDirectory()) throw underFile(p);
      if (missing.length === 0) {
        if ((await lstatOrUndefined(path.join(real, name), p))?.isDirectory()) throw isFolder(p);
      } else if (await lstatOrUndefined(path.join(real, missing[0]), p)) {
        if (attempt < 3) continue;
        // A name that exists but did not resolve is a link leading nowhere.
        throw outside(p);
      }
      return { parent, name };
    }
  }

  async get(p: string) {
    const { real, missing } = await this.resolve(p, segmentsOf(p));
    if (missing.length) return undefined;
    let fh: FileHandle;
    try {
      // NOFOLLOW: the path was just resolved, a link in its place now is a swap. NONBLOCK: a FIFO must not hang us.
      fh = await fsp.open(real, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    } catch (e) {
      if (errno(e) === 'ENOENT') return undefined;
      throw refusal(e, p);
    }
    try {
      const st = await fh.stat();
      if (st.isDirectory()) throw isFolder(p);
      if (!st.isFile()) throw new ArtifactPathRefusal(p, ' is not a regular file');
      await this.checkOpened(fh, p);
      return { stream: fh.createReadStream(), size: st.size };
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  async list(p: string): Promise<ArtifactEntry[]> {
    const { real, missing } = await this.resolve(p, segmentsOf(p));
    if (missing.length) return [];
    let entries: fs.Dirent[];
    try {
      entries = await fsp.readdir(real, { withFileTypes: true });
    } catch (e) {
      if (errno(e) === 'ENOTDIR' || errno(e) === 'ENOENT') return [];
      throw refusal(e, p);
    }
    const out: ArtifactEntry[] = [];
    for (const e of entries) {
      if (real === this.realRoot && (e.name === TEMP_DIR || e.name === STAGING_DIR)) continue;
      const st = await this.entryStat(path.join(real, e.name));
      if (st?.isDirectory()) out.push({ name: e.name, isDir: true });
      else if (st?.isFile()) out.push({ name: e.name, isDir: false, size: st.size });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async delete(p: string): Promise<void> {
    const segs = segmentsOf(p);
    if (segs.length === 0) throw invalid('Refusing to delete the artifact root');
    const { real, missing } = await this.resolve(p, segs.slice(0, -1));
    if (missing.length) return;
    const target = path.join(real, segs[segs.length - 1]);
    const st = await lstatOrUndefined(target, p);
    if (!st) return;
    try {
      // A link is removed as a link; rm does not follow the links it meets inside a folder either.
      if (st.isDirectory()) await fsp.rm(target, { recursive: true, force: true });
      else await fsp.unlink(target);
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw refusal(e, p);
    }
  }

  /**
   * The deepest existing folder or file on the way to segs, every link resolved and checked to
   * stay inside the root (and out of the temporary folder), and the names below it that do not
   * exist yet.
   */
  private async resolve(p: string, segs: string[]): Promise<{ real: string; missing: string[] }> {
    for (let known = segs.length; ; known--) {
      let real: string;
      try {
        real = await fsp.realpath(path.join(this.realRoot, ...segs.slice(0, known)));
      } catch (e) {
        if (known > 0 && (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR')) continue;
        throw refusal(e, p);
      }
      if (!this.holds(real)) throw outside(p);
      return { real, missing: segs.slice(known) };
    }
  }

  private holds(real: string): boolean {
    const inRoot = real === this.realRoot || real.startsWith(this.rootPrefix);
    return inRoot && real !== this.tempDir && !real.startsWith(this.tempPrefix)
      && real !== this.staging.dir && !real.startsWith(this.stagingPrefix);
  }

  async beginUpload(target: string, parts: number): Promise<string> {
    // Refused now rather than after the client has sent every part.
    await this.checkWritable(target);
    return this.staging.begin(target, parts);
  }

  stagedUpload(id: string): Promise<StagedUpload | undefined> {
    return this.staging.record(id);
  }

  putPart(id: string, part: number, body: AsyncIterable<Uint8Array>): Promise<string> {
    return this.staging.putPart(id, part, body);
  }

  completeUpload(id: string, parts: readonly StagedPartRef[]): Promise<void> {
    return this.staging.complete(id, parts);
  }

  abortUpload(id: string): Promise<void> {
    return this.staging.abort(id);
  }

  async storePathOfLocal(absolute: string): Promise<string | undefined> {
    if (!absolute.startsWith('/') || absolute.includes('\0')) return undefined;
    const segs = absolute.split('/').filter((s) => s !== '');
    if (segs.some((s) => s === '.' || s === '..')) return undefined;
    for (let known = segs.length; known >= 0; known--) {
      let real: string;
      try {
        real = await fsp.realpath(`/${segs.slice(0, known).join('/')}`);
      } catch (e) {
        if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') continue;
        return undefined;
      }
      if (!this.holds(real)) return undefined;
      const rel = [...path.relative(this.realRoot, real).split(path.sep).filter((s) => s !== ''), ...segs.slice(known)].join('/');
      try {
        return checkArtifactPath(rel);
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  /** Creates the missing folders of parent one at a time, never through a link. */
  private async makeFolders(p: string, parent: string[]): Promise<string> {
    let { real, missing } = await this.resolve(p, parent);
    for (const name of missing) {
      const next = path.join(real, name);
      try {
        await fsp.mkdir(next);
      } catch (e) {
        if (errno(e) !== 'EEXIST') throw e;
      }
      // Made by us or by a concurrent upload: either way it must be a real folder, not a link.
      const st = await fsp.lstat(next);
      if (st.isSymbolicLink()) throw outside(p);
      if (!st.isDirectory()) throw underFile(p);
      real = next;
    }
    return real;
  }

  /** Where an open file really is (Linux names it under /proc): a parent swapped for a link after resolve shows here. */
  private async checkOpened(fh: FileHandle, p: string): Promise<void> {
    let where: string;
    try {
      where = await fsp.readlink(`/proc/self/fd/${fh.fd}`);
    } catch {
      return;
    }
    if (!this.holds(where)) throw outside(p);
  }

  /** An entry of a listing as what it is; a link only when it resolves inside the root. */
  private async entryStat(full: string): Promise<fs.Stats | undefined> {
    try {
      const st = await fsp.lstat(full);
      if (!st.isSymbolicLink()) return st;
      const real = await fsp.realpath(full);
      return this.holds(real) ? await fsp.stat(real) : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir never returns for a folder under /proc,
 * where mkdir answers ENOENT below a parent that exists.
 */
function makeFolderChain(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      fs.mkdirSync(d);
    } catch (e) {
      if (errno(e) === 'ENOENT' && path.dirname(d) !== d) {
        missing.push(d);
        continue;
      }
      if (errno(e) !== 'EEXIST') throw e;
    }
    break;
  }
  for (const d of missing.reverse()) fs.mkdirSync(d);
}

function segmentsOf(p: string): string[] {
  const rel = checkArtifactPath(p);
  return rel === '' ? [] : rel.split('/');
}

async function lstatOrUndefined(full: string, p: string): Promise<fs.Stats | undefined> {
  try {
    return await fsp.lstat(full);
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return undefined;
    throw refusal(e, p);
  }
}

const outside = (p: string) => new ArtifactPathRefusal(p, ' resolves outside the artifact root');
const isFolder = (p: string) => new ArtifactPathRefusal(p, ' is a folder; list it to see its files');
const underFile = (p: string) => new ArtifactPathRefusal(p, ': a part of it is a file, not a folder');

/** Failures the client's path caused become its error; anything else stays the server's. */
function refusal(e: unknown, p: string): unknown {
  if (e instanceof TrackbridgeError) return e;
  switch (errno(e)) {
    case 'ENAMETOOLONG': return new ArtifactPathRefusal(p, ' is too long for this artifact store');
    case 'ENOTDIR': return underFile(p);
    case 'EISDIR': return isFolder(p);
    case 'ELOOP': return outside(p);
    default: return e;
  }
}
