/**
 * A run's console output (`output.log`, as the run's file stream wrote it) as
 * `run.console_logs()` reads it: the last lines (`RunConsoleLogTail`) or a page after a cursor
 * (`RunConsoleLogPage`). Lines are kept as the client sent them: `<ISO time> text` for stdout and
 * `ERROR <ISO time> text` for stderr; the time and level are read back off the line (a line
 * without them is INFO with no time). `label` is null.
 */
import { invalid } from '../../../core/errors';
import type { ConsoleLine } from '../../../core/model';
import type { WandbContext } from '../context';
import { CONSOLE_STREAM } from '../streams';
import type { GraphqlArea } from './area';
import type { RunSource } from './sources';

export const CONSOLE_READS_SDL = /* GraphQL */ `
# Run.logLineCount is the run fields' (run-fields.ts).
extend type Run {
  logLines(first: Int, after: String, last: Int, useImprovedPagination: Boolean): RunLogLineConnection
}

type RunLogLineConnection {
  edges: [RunLogLineEdge]
  pageInfo: RunLogLinePageInfo
}

type RunLogLineEdge { node: RunLogLine cursor: String }
type RunLogLinePageInfo { endCursor: String hasNextPage: Boolean }

type RunLogLine {
  number: Int
  timestamp: DateTime
  level: String
  label: String
  line: String
}
`;

const LINE = /^(ERROR )?(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)Z? ([\s\S]*)$/;

function parsed(l: ConsoleLine) {
  const m = LINE.exec(l.text);
  if (!m) return { number: l.line, timestamp: null, level: 'INFO', label: null, line: l.text };
  return { number: l.line, timestamp: `${m[2]}Z`, level: m[1] ? 'ERROR' : 'INFO', label: null, line: m[3] };
}
/** Lines one answer may hold (W&B caps its pages too). */
const MAX_LINES = 10_000;
const DEFAULT_LINES = 1_000;

function count(v: unknown, name: string, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (!Number.isSafeInteger(v) || (v as number) < 1 || (v as number) > MAX_LINES) throw invalid(`'${name}' must be between 1 and ${MAX_LINES}.`);
  return v as number;
}

async function lineCount(r: RunSource, ctx: WandbContext): Promise<number> {
  const offsets = await ctx.tracking.runData.streamOffsets(r.run.info.runId);
  return offsets.find((s) => s.stream === CONSOLE_STREAM)?.nextOffset ?? 0;
}

async function logLines(r: RunSource, args: { first?: unknown; after?: unknown; last?: unknown }, ctx: WandbContext) {
  const runId = r.run.info.runId;
  let from: number, limit: number;
  if (args.last !== undefined && args.last !== null) {
    limit = count(args.last, 'last', DEFAULT_LINES);
    from = Math.max(0, (await lineCount(r, ctx)) - limit);
  } else {
    limit = count(args.first, 'first', DEFAULT_LINES);
    from = 0;
    if (args.after !== undefined && args.after !== null && args.after !== '') {
      if (typeof args.after !== 'string' || !/^\d{1,15}$/.test(args.after)) throw invalid('Invalid log cursor: pass back an endCursor this server gave.');
      from = Number(args.after) + 1;
    }
  }
  const lines: ConsoleLine[] = await ctx.tracking.runData.consoleLines(runId, CONSOLE_STREAM, from, limit);
  const total = await lineCount(r, ctx);
  const edges = lines.map((l) => ({ node: parsed(l), cursor: String(l.line) }));
  const end = edges.length ? edges[edges.length - 1].cursor : null;
  return { edges, pageInfo: { endCursor: end, hasNextPage: end !== null && Number(end) + 1 < total } };
}

export const consoleReadsArea: GraphqlArea = {
  name: 'console reads',
  sdl: CONSOLE_READS_SDL,
  operations: ['RunConsoleLogTail', 'RunConsoleLogPage'],
  resolvers: {
    Run: { logLines },
  },
};
