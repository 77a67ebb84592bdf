/**
 * How many body bytes each rpc may send: what its message can legitimately need under the
 * core's limits, and no more. A text field is counted at two bytes a character, room for the
 * escaped quotes of embedded JSON (a dataset profile or schema is JSON text) and for most
 * non-ASCII text.
 */
import { LIMITS } from '../../core/limits';

const KiB = 1024;
const MiB = 1024 * KiB;
const BYTES_PER_CHAR = 2;

/** Ids, one key and one value: a tag of an experiment is the largest (20,000 characters). */
export const SMALL_BODY = 64 * KiB;

/** MLflow's own cap for log-batch, which also covers every list-carrying call (tags, params, searches). */
export const LIST_BODY = 1_000_000;

/** One dataset at MLflow's limits (profile, schema, source, names) with its tags, in one log-inputs call. */
export const LOG_INPUTS_BODY = BYTES_PER_CHAR * (LIMITS.datasetProfile + LIMITS.datasetSchema + LIMITS.datasetSource
  + LIMITS.datasetName + LIMITS.datasetDigest + LIMITS.datasetSourceType) + 64 * KiB;

const CAPS: Record<string, number> = {
  logBatch: LIST_BODY,
  logInputs: LOG_INPUTS_BODY,
  createExperiment: LIST_BODY,
  createRun: LIST_BODY,
  searchRuns: LIST_BODY,
  searchExperiments: LIST_BODY,
  searchLoggedModels: LIST_BODY,
  createLoggedModel: LIST_BODY,
  setLoggedModelTags: LIST_BODY,
  logLoggedModelParams: LIST_BODY,
  logOutputs: LIST_BODY,
  // The MLmodel file of one model, signature included.
  logModel: LIST_BODY,
  // A param or tag value past its limit is truncated, not refused, and the client sends such a
  // value whole (a stringified config of a megabyte is not rare): these calls take 2 MiB.
  logParam: 2 * MiB,
  setTag: 2 * MiB,
};

/**
 * A file uploaded from the web UI (upload-artifact), MLflow's own cap. It is streamed to the
 * artifact store, so only a chunk at a time counts against the budget.
 */
export const UPLOAD_ARTIFACT_BODY = 10 * MiB;

export function bodyCapOf(rpc: string): number {
  return CAPS[rpc] ?? SMALL_BODY;
}

/**
 * Body bytes held at once across all requests of one server (measured raw; the parsed form
 * is a few times larger). Two log-inputs calls at the cap fit, with room for ordinary traffic.
 */
export const BODY_BUDGET = 96 * MiB;

if (BODY_BUDGET < 2 * LOG_INPUTS_BODY) throw new Error('the body budget must hold two of the largest bodies');
