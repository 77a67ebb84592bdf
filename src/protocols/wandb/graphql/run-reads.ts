/**
 * Reading runs through a project, as `wandb.Api()` does: `Runs` (a filtered, ordered page of a
 * project's runs and their count) and `Run` (one run by id). Every run of the experiment is
 * listed, MLflow-logged ones included. The run's own fields (state, config, summary, …) are the
 * runs area's; its history and files are history-reads.ts and files-reads.ts.
 */
import { invalid, TrackbridgeError } from '../../../core/errors';
import { RUN_OFFSET_MAX, RUN_PAGE_MAX } from '../../../core/run-queries';
import type { WandbContext } from '../context';
import { runFilterOf, runOrderOf } from '../filters';
import type { GraphqlArea } from './area';
import type { ProjectSource, RunSource } from './sources';

export const RUN_READS_SDL = /* GraphQL */ `
extend type Project {
  run(name: String): Run
  runs(filters: JSONString, after: String, first: Int, order: String): ProjectRunConnection
  runCount(filters: JSONString): Int
}

type ProjectRunConnection {
  edges: [ProjectRunEdge]
  pageInfo: ProjectRunPageInfo
}

type ProjectRunEdge {
  node: Run
  cursor: String
}

type ProjectRunPageInfo {
  endCursor: String
  hasNextPage: Boolean
}
`;

/** Runs a page holds when the client names no size (its own default). */
const DEFAULT_PAGE = 50;

/** Cursors are the offset of the run after which the page starts, opaque to the client. */
const cursorOf = (offset: number) => Buffer.from(`runs:${offset}`, 'utf8').toString('base64');

function offsetOf(cursor: unknown): number {
  if (cursor === undefined || cursor === null || cursor === '') return 0;
  if (typeof cursor !== 'string' || cursor.length > 100) throw invalid('Invalid runs cursor: pass back an endCursor this server gave.');
  const m = /^runs:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(n) || n > RUN_OFFSET_MAX) throw invalid('Invalid runs cursor: pass back an endCursor this server gave.');
  return n + 1;
}

function pageSize(first: unknown): number {
  if (first === undefined || first === null) return DEFAULT_PAGE;
  if (!Number.isSafeInteger(first) || (first as number) < 1 || (first as number) > RUN_PAGE_MAX) {
    throw invalid(`Invalid page size ${String(first).slice(0, 40)}: 'first' must be between 1 and ${RUN_PAGE_MAX}.`);
  }
  return first as number;
}

/** The run of that id when it belongs to the project; null otherwise (the client reports "could not find run"). */
async function runOfProject(p: ProjectSource, args: { name?: unknown }, ctx: WandbContext): Promise<RunSource | null> {
  if (typeof args.name !== 'string' || args.name === '' || args.name.length > 256) return null;
  try {
    const run = await ctx.tracking.runs.get(args.name);
    if (run.info.experimentId !== p.experiment.experimentId || run.info.lifecycleStage !== 'active') return null;
    return { project: p, run };
  } catch (e) {
    if (e instanceof TrackbridgeError && e.code === 'NOT_FOUND') return null;
    throw e;
  }
}

async function runsOfProject(p: ProjectSource, args: { filters?: unknown; after?: unknown; first?: unknown; order?: unknown }, ctx: WandbContext) {
  const limit = pageSize(args.first);
  ctx.cost.charge(limit, 'runs');
  const offset = offsetOf(args.after);
  const { runs, more } = await ctx.tracking.runQueries.search({
    experimentIds: [p.experiment.experimentId],
    filter: runFilterOf(args.filters),
    orderBy: runOrderOf(args.order),
    offset,
    limit,
  });
  const edges = runs.map((run, i): { node: RunSource; cursor: string } => ({ node: { project: p, run }, cursor: cursorOf(offset + i) }));
  return {
    edges,
    pageInfo: { endCursor: edges.length ? edges[edges.length - 1].cursor : (args.after ?? null), hasNextPage: more },
  };
}

export const runReadsArea: GraphqlArea = {
  name: 'run reads',
  sdl: RUN_READS_SDL,
  operations: ['Runs', 'Run'],
  resolvers: {
    Project: {
      run: runOfProject,
      runs: runsOfProject,
      runCount: (p: ProjectSource, args: { filters?: unknown }, ctx: WandbContext) =>
        ctx.tracking.runQueries.count({ experimentIds: [p.experiment.experimentId], filter: runFilterOf(args.filters) }),
    },
  },
};
