/**
 * A run's own fields as W&B clients read them: what upsertBucket and RunResumeStatus answer,
 * and what the public API's RunFragment reads (`wandb.Api().run(…)`). Every run in the store
 * has them, MLflow-logged ones too: a run with no config document shows its params as the
 * config, one with no summary its latest metrics, and its system metrics are its latest
 * `system/` metrics under W&B's `system.` names.
 */
import { encodeJson, type JsonObject } from '../../../core/json-value';
import { LIMITS } from '../../../core/limits';
import type { Run } from '../../../core/model';
import type { WandbContext } from '../context';
import { stateOfStatus } from '../mapping';
import { configOfRun, labelsOf, RUN_TAGS, tagOf } from '../mapping-config';
import type { GraphqlArea } from './area';
import type { RunSource } from './sources';
import { userNamed } from './viewer';

import { CONSOLE_STREAM, EVENTS_STREAM, HISTORY_STREAM } from '../streams';

/** A running run whose client has not been heard from this long has crashed: clients stream at least every 30 s. */
export const CRASHED_AFTER_MS = 5 * 60 * 1000;

const SYSTEM_METRIC = 'system/';

export const RUN_FIELDS_SDL = /* GraphQL */ `
extend type Run {
  tags: [String]
  state: String
  config: JSONString
  group: String
  jobType: String
  commit: String
  host: String
  sweepName: String
  readOnly: Boolean
  createdAt: DateTime
  heartbeatAt: DateTime
  description: String
  notes: String
  summaryMetrics: JSONString
  systemMetrics: JSONString
  user: User
  historyLineCount: Int
  eventsLineCount: Int
  logLineCount: Int
}
`;

/** W&B's time format: UTC to the second, without a zone (its server's own). */
export const wandbTime = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

const json = (v: JsonObject) => encodeJson(v, LIMITS.jsonNesting + 2, 'document');

/**
 * Lookups a run's fields share, made once per run source: a request's sources are its own, so
 * this holds only while the request does.
 */
const memo = new WeakMap<RunSource, Map<string, Promise<unknown>>>();
function once<T>(r: RunSource, key: string, load: () => Promise<T>): Promise<T> {
  let m = memo.get(r);
  if (!m) memo.set(r, (m = new Map()));
  let p = m.get(key) as Promise<T> | undefined;
  if (!p) m.set(key, (p = load()));
  return p;
}

export const streamLines = (r: RunSource, ctx: WandbContext, stream: string): Promise<number> =>
  once(r, 'offsets', () => ctx.tracking.runData.streamOffsets(r.run.info.runId))
    .then((offsets) => offsets.find((s) => s.stream === stream)?.nextOffset ?? 0);

export const heartbeatOf = (r: RunSource, ctx: WandbContext): Promise<number | undefined> =>
  once(r, 'heartbeat', () => ctx.tracking.runData.heartbeatAt(r.run.info.runId));

/** The config in W&B's `{"key": {"value": v}}` form. */
export const configOf = (r: RunSource, ctx: WandbContext): Promise<JsonObject> =>
  once(r, 'config', async () => configOfRun(await ctx.tracking.runData.config(r.run.info.runId), r.run));

/** The summary document; for a run without one, its latest metrics (system metrics aside). */
export const summaryOf = (r: RunSource, ctx: WandbContext): Promise<JsonObject> =>
  once(r, 'summary', async () => {
    const doc = await ctx.tracking.runData.summary(r.run.info.runId);
    if (Object.keys(doc).length > 0) return doc;
    const out: JsonObject = {};
    // Defined, not assigned: a metric named `__proto__` would otherwise set the prototype.
    for (const m of r.run.metrics) {
      if (!m.key.startsWith(SYSTEM_METRIC)) Object.defineProperty(out, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    }
    return out;
  });

async function stateOf(r: RunSource, _: unknown, ctx: WandbContext): Promise<string> {
  const { status } = r.run.info;
  if (status === 'RUNNING') {
    const heard = await heartbeatOf(r, ctx);
    if (heard !== undefined && Date.now() - heard > CRASHED_AFTER_MS) return 'crashed';
  }
  return stateOfStatus(status);
}

function systemMetricsOf(run: Run): JsonObject {
  const out: JsonObject = {};
  for (const m of run.metrics) if (m.key.startsWith(SYSTEM_METRIC)) out[`system.${m.key.slice(SYSTEM_METRIC.length)}`] = m.value;
  return out;
}

const tag = (key: string) => (r: RunSource) => tagOf(r.run, key) ?? null;

export const runFieldsArea: GraphqlArea = {
  name: 'run-fields',
  sdl: RUN_FIELDS_SDL,
  // 0.31's sweep scheduler polls a run's state; Project.run, which leads to it, is the run reads'.
  operations: ['RunState'],
  resolvers: {
    Run: {
      tags: (r: RunSource) => labelsOf(r.run),
      state: stateOf,
      config: async (r: RunSource, _: unknown, ctx: WandbContext) => json(await configOf(r, ctx)),
      group: tag(RUN_TAGS.group),
      jobType: tag(RUN_TAGS.jobType),
      commit: tag(RUN_TAGS.commit),
      host: tag(RUN_TAGS.host),
      sweepName: tag(RUN_TAGS.sweep),
      readOnly: () => false,
      createdAt: (r: RunSource) => wandbTime(r.run.info.startTime),
      heartbeatAt: async (r: RunSource, _: unknown, ctx: WandbContext) =>
        wandbTime((await heartbeatOf(r, ctx)) ?? r.run.info.endTime ?? r.run.info.startTime),
      description: tag(RUN_TAGS.notes),
      notes: tag(RUN_TAGS.notes),
      summaryMetrics: async (r: RunSource, _: unknown, ctx: WandbContext) => json(await summaryOf(r, ctx)),
      systemMetrics: (r: RunSource) => json(systemMetricsOf(r.run)),
      user: (r: RunSource) => (r.run.info.userId ? userNamed(r.run.info.userId) : null),
      historyLineCount: (r: RunSource, _: unknown, ctx: WandbContext) => streamLines(r, ctx, HISTORY_STREAM),
      eventsLineCount: (r: RunSource, _: unknown, ctx: WandbContext) => streamLines(r, ctx, EVENTS_STREAM),
      logLineCount: (r: RunSource, _: unknown, ctx: WandbContext) => streamLines(r, ctx, CONSOLE_STREAM),
    },
  },
};
