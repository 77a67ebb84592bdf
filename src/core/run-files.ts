/**
 * A run's files as one flat list (every file below its artifact root, by path), for clients that
 * page through them (W&B's `run.files()`). The walk is bounded: past RUN_FILE_LIMITS.walk
 * entries the listing is refused rather than cut, so a page never silently misses files.
 */
import type { ArtifactEntry } from './artifact-store';
import type { Artifacts } from './artifacts';
import { invalid } from './errors';

export const RUN_FILE_LIMITS = {
  /** Files and folders one listing may visit. */
  walk: 100_000,
  /** Files one page may hold. */
  page: 1_000,
  /** Names one request may ask for. */
  names: 1_000,
  patternChars: 1_000,
} as const;

export interface RunFile { path: string; size: number }

/**
 * A MySQL LIKE pattern as a test, case-insensitive as MySQL's default collation compares:
 * `%` any run of characters, `_` one, a backslash takes the next character literally.
 */
export function likeMatcher(pattern: string): (name: string) => boolean {
  let re = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '\\' && i + 1 < chars.length) re += chars[++i].replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  const compiled = new RegExp(`^${re}$`, 'iu');
  return (name) => compiled.test(name);
}

export class RunFiles {
  constructor(private readonly artifacts: Artifacts) {}

  /** Every file of the run, sorted by path. */
  async all(runId: string): Promise<RunFile[]> {
    const root = await this.artifacts.ofRun(runId);
    const out: RunFile[] = [];
    const folders = [''];
    let visited = 0;
    while (folders.length > 0) {
      const folder = folders.pop()!;
      const { entries } = await this.artifacts.list(root, folder);
      for (const e of entries as ArtifactEntry[]) {
        if (++visited > RUN_FILE_LIMITS.walk) throw invalid(`The run has more than ${RUN_FILE_LIMITS.walk} files and folders; list them through the MLflow artifacts API.`);
        if (e.isDir) folders.push(e.name);
        else out.push({ path: e.name, size: e.size ?? 0 });
      }
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** The files named (exact paths), or matching a LIKE pattern, or all; then the page after `after` (a path). */
  async page(runId: string, q: { names?: string[]; pattern?: string; after?: string; limit: number }): Promise<{ files: RunFile[]; more: boolean; total: number }> {
    if (!Number.isSafeInteger(q.limit) || q.limit < 1 || q.limit > RUN_FILE_LIMITS.page) throw invalid(`A page of files may hold 1 to ${RUN_FILE_LIMITS.page} files.`);
    if (q.names && q.names.length > RUN_FILE_LIMITS.names) throw invalid(`At most ${RUN_FILE_LIMITS.names} file names may be asked for at once.`);
    if (q.pattern !== undefined && q.pattern.length > RUN_FILE_LIMITS.patternChars) throw invalid(`A file pattern may be at most ${RUN_FILE_LIMITS.patternChars} characters.`);
    let files = await this.all(runId);
    if (q.names && q.names.length) { const wanted = new Set(q.names); files = files.filter((f) => wanted.has(f.path)); }
    else if (q.pattern) { const matches = likeMatcher(q.pattern); files = files.filter((f) => matches(f.path)); }
    const total = files.length;
    if (q.after !== undefined) files = files.filter((f) => f.path > q.after!);
    return { files: files.slice(0, q.limit), more: files.length > q.limit, total };
  }
}
