/** ArtifactStore on the local filesystem. */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { ArtifactEntry, ArtifactStore } from '../core/artifact-store';
import { checkArtifactPath } from '../core/artifact-paths';
import { invalid } from '../core/errors';

export class LocalArtifactStore implements ArtifactStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    fs.mkdirSync(this.root, { recursive: true });
  }

  /** Second line of defence after checkArtifactPath: the resolved path must stay under the root. */
  private resolve(p: string): string {
    const rel = checkArtifactPath(p);
    const full = path.resolve(this.root, rel);
    if (full !== this.root && !full.startsWith(this.root + path.sep)) throw invalid(`Invalid artifact path: '${p}'`);
    return full;
  }

  async put(p: string, body: Readable): Promise<void> {
    const full = this.resolve(p);
    if (full === this.root) throw invalid('An artifact needs a file name');
    await fsp.mkdir(path.dirname(full), { recursive: true });
    // Write beside, fsync, then rename: a reader never sees half a file, a crash leaves the old one.
    const tmp = `${full}.${randomUUID()}.part`;
    try {
      const out = fs.createWriteStream(tmp);
      await pipeline(body, out);
      const fd = await fsp.open(tmp, 'r+');
      try { await fd.sync(); } finally { await fd.close(); }
      await fsp.rename(tmp, full);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
  }

  async get(p: string) {
    const full = this.resolve(p);
    try {
      const st = await fsp.stat(full);
      if (!st.isFile()) return undefined;
      return { stream: fs.createReadStream(full), size: st.size };
    } catch {
      return undefined;
    }
  }

  async list(p: string): Promise<ArtifactEntry[]> {
    const full = this.resolve(p);
    let entries: fs.Dirent[];
    try {
      entries = await fsp.readdir(full, { withFileTypes: true });
    } catch {
      return [];
    }
    const out: ArtifactEntry[] = [];
    for (const e of entries) {
      if (e.name.endsWith('.part')) continue;
      if (e.isDirectory()) out.push({ name: e.name, isDir: true });
      else if (e.isFile()) out.push({ name: e.name, isDir: false, size: (await fsp.stat(path.join(full, e.name))).size });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async delete(p: string): Promise<void> {
    const full = this.resolve(p);
    if (full === this.root) throw invalid('Refusing to delete the artifact root');
    await fsp.rm(full, { recursive: true, force: true });
  }
}
