/**
 * `RunResumeStatus`: what a client resuming a run (`wandb.init(resume=…)`) reads of it. An
 * unknown run is a null bucket: `resume="allow"` then creates it and `resume="must"` fails,
 * as with W&B. For a known run the client needs every field: the three line counts (where its
 * streams go on), the history and events tails (a JSON list of JSON lines, the last giving
 * `_step` and `_runtime`), the summary and config as JSON text, and `wandbConfig` holding "t";
 * a missing one makes it treat the run as unknown or fail.
 */
import { notFound } from '../../../core/errors';
import { encodeJson, type JsonObject, type JsonValue } from '../../../core/json-value';
import { LIMITS } from '../../../core/limits';
import { clip } from '../../../core/text';
import type { WandbContext } from '../context';
import { telemetryOfConfig } from '../mapping-config';
import type { GraphqlArea } from './area';
import { optionalBoolean, optionalStringList, requiredString } from './input-checks';
import { configOf, streamLines, summaryOf } from './run-fields';
import { EVENTS_STREAM, HISTORY_STREAM } from '../streams';
import type { ProjectSource, RunSource } from './sources';

const RESUME_SDL = /* GraphQL */ `
extend type Project {
  # A run of the project by its id; null when there is none and missingOk. Arguments are JSON:
  # the resolver checks them, so a wrong type is a clear error rather than a coercion failure.
  bucket(name: JSON, missingOk: JSON): Run
}

extend type Run {
  historyTail: String
  eventsTail: String
  wandbConfig(keys: JSON): JSONString
}
`;

const text = (v: JsonValue) => encodeJson(v, LIMITS.jsonNesting + 2, 'document');

async function bucket(p: ProjectSource, args: Record<string, unknown>, ctx: WandbContext): Promise<RunSource | null> {
  const name = requiredString(args, 'name', 200);
  const missingOk = optionalBoolean(args, 'missingOk') ?? false;
  const run = await ctx.tracking.runs.find(name);
  // A deleted run cannot be written to again, so it is not one to resume.
  if (run && run.info.experimentId === p.experiment.experimentId && run.info.lifecycleStage === 'active') {
    // The client asks this only to resume: its next upsert reopens the run if it has ended.
    ctx.tracking.clientRuns.resumeAsked(ctx.account, run.info.runId);
    return { project: p, run };
  }
  if (missingOk) return null;
  throw notFound(`Run ${p.entity}/${p.name}/${clip(name, 80)} not found`);
}

/**
 * The last history line as far as resuming needs it: the step and runtime the run got to, from
 * its summary (which keeps them), else from its metrics.
 */
async function historyTail(r: RunSource, _: unknown, ctx: WandbContext): Promise<string> {
  if ((await streamLines(r, ctx, HISTORY_STREAM)) === 0) return '[]';
  const summary = await summaryOf(r, ctx);
  const line: JsonObject = {};
  const step = typeof summary._step === 'number' ? summary._step
    : r.run.metrics.reduce((max, m) => Math.max(max, Number(m.step)), 0);
  line._step = step;
  if (typeof summary._runtime === 'number') line._runtime = summary._runtime;
  if (typeof summary._timestamp === 'number') line._timestamp = summary._timestamp;
  return JSON.stringify([text(line)]);
}

async function eventsTail(r: RunSource, _: unknown, ctx: WandbContext): Promise<string> {
  if ((await streamLines(r, ctx, EVENTS_STREAM)) === 0) return '[]';
  const summary = await summaryOf(r, ctx);
  const line: JsonObject = typeof summary._runtime === 'number' ? { _runtime: summary._runtime } : {};
  return JSON.stringify([text(line)]);
}

/** The client's internals (`_wandb`) of the config, by key; "t" is always there, resuming needs it. */
async function wandbConfig(r: RunSource, args: Record<string, unknown>, ctx: WandbContext): Promise<string> {
  const keys = optionalStringList(args, 'keys', 100, 200) ?? ['t'];
  const config = await configOf(r, ctx);
  const internal = config._wandb;
  const values = internal !== null && typeof internal === 'object' && !Array.isArray(internal) && typeof internal.value === 'object'
    ? internal.value as JsonObject | null : null;
  const out: JsonObject = { t: telemetryOfConfig(config) };
  for (const k of keys) {
    if (k !== 't' && k !== '__proto__' && values && Object.prototype.hasOwnProperty.call(values, k)) out[k] = values[k];
  }
  return text(out);
}

export const runResumeArea: GraphqlArea = {
  name: 'run-resume',
  sdl: RESUME_SDL,
  operations: ['RunResumeStatus'],
  resolvers: {
    Project: { bucket },
    Run: { historyTail, eventsTail, wandbConfig },
  },
};
