/**
 * `upsertBucket`: how a W&B client creates its run and changes it. The first call of a run id
 * creates the run (its project, an experiment, too when missing); every later call carries only
 * what changed, null meaning "as it is", and names the run by the storage id it was given (`id`)
 * or else by its id (`name`). The config, when present, is the whole config.
 *
 * The client learns its entity only from `bucket.project.entity.name`, and adopts `bucket.name`
 * as its run id, so both are always answered.
 */
import { randomInt } from 'node:crypto';
import type { ClientRunWrite } from '../../../core/client-runs';
import { invalid } from '../../../core/errors';
import { isJsonObject, parseJson, type JsonObject } from '../../../core/json-value';
import { LIMITS } from '../../../core/limits';
import type { RunStatus, Tag } from '../../../core/model';
import type { WandbContext } from '../context';
import { DEFAULT_PROJECT, experimentNameOf, idOfStorageId } from '../mapping';
import { paramsOfConfig, RUN_TAGS } from '../mapping-config';
import type { GraphqlArea } from './area';
import { inputObject, optionalBoolean, optionalName, optionalString, optionalStringList } from './input-checks';
import { defaultEntityOf, entityOf, projectOfExperiment, type RunSource } from './sources';

/** W&B's own limit on one label is 64 characters; this leaves room without letting a list run away. */
const MAX_LABELS = 1000;
const MAX_LABEL_CHARS = 256;
/** Warnings logged per call: a config of thousands of bad keys must not flood the log. */
const MAX_LOGGED_WARNINGS = 10;

/** W&B's run states as a client may set them; `crashed` is a failure the client did not report. */
const STATUS_OF_STATE: Record<string, RunStatus> = {
  running: 'RUNNING', pending: 'SCHEDULED', preempting: 'RUNNING', preempted: 'RUNNING',
  finished: 'FINISHED', failed: 'FAILED', crashed: 'FAILED', killed: 'KILLED',
};

const RUN_ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** A client that names no run gets one, as W&B's server gives it: 8 lower-case letters and digits. */
const newRunId = () => Array.from({ length: 8 }, () => RUN_ID_CHARS[randomInt(RUN_ID_CHARS.length)]).join('');

/** A JSONString field (a JSON object as text; an object as is is taken too); undefined when null or absent. */
function jsonObjectField(o: Record<string, unknown>, field: string): JsonObject | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  let parsed: unknown = v;
  if (typeof v === 'string') {
    if (v.length > LIMITS.runDocumentBytes) throw invalid(`Invalid value for '${field}': its JSON text exceeds the maximum size of ${LIMITS.runDocumentBytes} bytes`);
    parsed = parseJson(v, LIMITS.jsonNesting, field);
  }
  if (!isJsonObject(parsed)) throw invalid(`Invalid value for '${field}': expected a JSON object`);
  return parsed;
}

function stateField(o: Record<string, unknown>): RunStatus | undefined {
  const state = optionalString(o, 'state', 100);
  if (state === undefined) return undefined;
  const status = STATUS_OF_STATE[state.toLowerCase()];
  if (!status) throw invalid(`Invalid value '${state}' for 'state': expected one of ${Object.keys(STATUS_OF_STATE).join(', ')}`);
  return status;
}

/** The run this call names: by storage id when given, else by the client's id, else a new one. */
function runIdOf(input: Record<string, unknown>): string {
  const storage = optionalString(input, 'id', 200);
  if (storage !== undefined && storage !== '') {
    const id = idOfStorageId('Run', storage);
    if (id === undefined) throw invalid(`Invalid value for 'id': '${storage.slice(0, 80)}' is not the id of a run of this server`);
    return id;
  }
  return optionalString(input, 'name', 200) || newRunId();
}

/** The run's tags this call sets; a field left null sets none. */
function tagsOf(input: Record<string, unknown>): Tag[] {
  const tags: Tag[] = [];
  const set = (key: string, value: string | undefined) => { if (value !== undefined) tags.push({ key, value }); };
  const labels = optionalStringList(input, 'tags', MAX_LABELS, MAX_LABEL_CHARS);
  if (labels !== undefined) {
    const text = JSON.stringify(labels);
    if (text.length > LIMITS.runTagValueLength) {
      throw invalid(`Invalid value for 'tags': together they take ${text.length} characters, over the limit of ${LIMITS.runTagValueLength}`);
    }
    set(RUN_TAGS.tags, text);
  }
  // Older clients send the notes as the description.
  set(RUN_TAGS.notes, optionalString(input, 'notes') ?? optionalString(input, 'description'));
  set(RUN_TAGS.group, optionalString(input, 'groupName'));
  set(RUN_TAGS.jobType, optionalString(input, 'jobType'));
  set(RUN_TAGS.host, optionalString(input, 'host'));
  const program = optionalString(input, 'jobProgram');
  set(RUN_TAGS.program, program);
  if (program !== undefined) set(RUN_TAGS.sourceType, 'LOCAL');
  set(RUN_TAGS.commit, optionalString(input, 'commit'));
  set(RUN_TAGS.repo, optionalString(input, 'jobRepo'));
  set(RUN_TAGS.sweep, optionalString(input, 'sweep'));
  return tags;
}

async function upsertBucket(_: unknown, args: { input?: unknown }, ctx: WandbContext) {
  const input = inputObject(args.input, 'upsertBucket input');
  const entity = entityOf(ctx, optionalName(input, 'entityName'));
  const named = optionalName(input, 'modelName');
  const project = named ?? DEFAULT_PROJECT;
  const runId = runIdOf(input);
  // The public API's Run.update() names the run by storage id alone: it stays in its own project.
  const inPlace = named === undefined && optionalString(input, 'id', 200) ? true : false;
  optionalBoolean(input, 'debug');
  const config = jsonObjectField(input, 'config');
  const write: ClientRunWrite = {
    runId,
    experimentName: inPlace ? undefined : experimentNameOf(entity, project, await defaultEntityOf(ctx)),
    writer: ctx.account,
    userId: ctx.account.userName,
    name: optionalString(input, 'displayName') || undefined,
    status: stateField(input),
    tags: tagsOf(input),
    creationTags: [{ key: RUN_TAGS.user, value: ctx.account.userName }],
    params: config && paramsOfConfig(config),
    config,
    summary: jsonObjectField(input, 'summaryMetrics'),
    origin: { system: 'wandb', id: `${entity}/${project}/${runId}` },
  };
  const result = await ctx.tracking.clientRuns.write(write);
  for (const w of result.warnings.slice(0, MAX_LOGGED_WARNINGS)) ctx.log(`upsertBucket: ${w}`);
  if (result.warnings.length > MAX_LOGGED_WARNINGS) ctx.log(`upsertBucket: and ${result.warnings.length - MAX_LOGGED_WARNINGS} more warnings for run ${runId}`);
  const bucket: RunSource = { project: await projectOfExperiment(ctx, result.experiment), run: result.run };
  return { bucket, inserted: result.created };
}

export const upsertBucketArea: GraphqlArea = {
  name: 'upsert-bucket',
  sdl: '',
  operations: ['UpsertBucket'],
  resolvers: { Mutation: { upsertBucket } },
};
