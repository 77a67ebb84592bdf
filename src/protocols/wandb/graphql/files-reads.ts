/**
 * A run's files as `run.files()` pages through them (`RunFiles`): the run's artifacts, by path,
 * each with a signed download URL (purpose `run-file-get`, claims `{r: run id, f: path}`,
 * served by the run-files target). md5 is not kept for artifacts, so it is null; the client
 * reads only the size to download.
 */
import { invalid } from '../../../core/errors';
import type { RunFile } from '../../../core/run-files';
import { storageId } from '../mapping';
import { RUN_FILE_GET } from '../run-files';
import { signedUrl } from '../signed-urls';
import type { WandbContext } from '../context';
import type { GraphqlArea } from './area';
import type { RunSource } from './sources';

export const FILES_READS_SDL = /* GraphQL */ `
extend type Run {
  files(names: [String], after: String, first: Int, pattern: String): RunFileConnection
  fileCount: Int
}

type RunFileConnection {
  edges: [RunFileEdge]
  pageInfo: RunFilePageInfo
}

type RunFileEdge {
  node: RunFile
  cursor: String
}

type RunFilePageInfo {
  endCursor: String
  hasNextPage: Boolean
}

type RunFile {
  id: ID
  name: String
  url(upload: Boolean): String
  directUrl: String
  sizeBytes: Int64
  mimetype: String
  updatedAt: DateTime
  md5: String
}
`;

const DEFAULT_PAGE = 50;

interface FileSource { run: RunSource; file: RunFile }

const cursorOf = (path: string) => Buffer.from(`file:${path}`, 'utf8').toString('base64');
function afterOf(cursor: unknown): string | undefined {
  if (cursor === undefined || cursor === null || cursor === '') return undefined;
  const text = typeof cursor === 'string' && cursor.length <= 4000 ? Buffer.from(cursor, 'base64').toString('utf8') : '';
  if (!text.startsWith('file:')) throw invalid('Invalid files cursor: pass back an endCursor this server gave.');
  return text.slice(5);
}

function namesOf(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const list = Array.isArray(v) ? v : [v];
  if (list.some((n) => typeof n !== 'string')) throw invalid('File names must be strings.');
  return list as string[];
}

const MIME: Record<string, string> = { json: 'application/json', yaml: 'text/plain', yml: 'text/plain', txt: 'text/plain', log: 'text/plain', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml', html: 'text/html', csv: 'text/csv' };
const mimeOf = (path: string) => MIME[path.slice(path.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';

async function files(r: RunSource, args: { names?: unknown; after?: unknown; first?: unknown; pattern?: unknown }, ctx: WandbContext) {
  const first = args.first ?? DEFAULT_PAGE;
  if (!Number.isSafeInteger(first)) throw invalid("'first' must be an integer.");
  ctx.cost.charge(first as number, 'files');
  if (args.pattern !== undefined && args.pattern !== null && typeof args.pattern !== 'string') throw invalid('The file pattern must be a string.');
  const page = await ctx.tracking.runFiles.page(r.run.info.runId, {
    names: namesOf(args.names), pattern: (args.pattern as string | null) ?? undefined, after: afterOf(args.after), limit: first as number,
  });
  const edges = page.files.map((file) => ({ node: { run: r, file }, cursor: cursorOf(file.path) }));
  return { edges, pageInfo: { endCursor: edges.length ? edges[edges.length - 1].cursor : null, hasNextPage: page.more } };
}

async function fileCount(r: RunSource, _args: unknown, ctx: WandbContext): Promise<number> {
  return (await ctx.tracking.runFiles.all(r.run.info.runId)).length;
}

const url = (s: FileSource, _args: unknown, ctx: WandbContext) => signedUrl(ctx, RUN_FILE_GET, { r: s.run.run.info.runId, f: s.file.path });

export const filesReadsArea: GraphqlArea = {
  name: 'file reads',
  sdl: FILES_READS_SDL,
  operations: ['RunFiles'],
  resolvers: {
    Run: { files, fileCount },
    RunFile: {
      id: (s: FileSource) => storageId('File', `${s.run.run.info.runId}/${s.file.path}`),
      name: (s: FileSource) => s.file.path,
      url,
      directUrl: url,
      sizeBytes: (s: FileSource) => s.file.size,
      mimetype: (s: FileSource) => mimeOf(s.file.path),
      updatedAt: (s: FileSource) => new Date(s.run.run.info.endTime ?? s.run.run.info.startTime).toISOString().replace(/\.\d+Z$/, ''),
      md5: () => null,
    },
  },
};
