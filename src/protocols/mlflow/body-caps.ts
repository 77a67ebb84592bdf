/**
 * How many body bytes each rpc may send: what its message can legitimately need under the
 * core's limits, and no more. A text field is counted at six bytes a character, the most JSON
 * spends on one: the MLflow client sends through `requests`' `json=`, which writes every
 * non-ASCII character as `\uXXXX` (six bytes; a character outside the BMP is two such escapes,
 * and two UTF-16 units against the core's limits, which count units), and embedded JSON (a
 * dataset profile or schema) is mostly escaped quotes. The framing allowance covers field
 * names, ids and numbers around the texts.
 */
import { LIMITS } from '../../core/limits';
import { MAX_UPLOAD_PARTS } from '../../core/multipart';
import { REGISTRY_LIMITS as R } from '../../core/registry-checks';
import { BODY_BUDGET } from '../../http/request-body';

const KiB = 1024;
const MiB = 1024 * KiB;
const BYTES_PER_CHAR = 6;
const FRAMING = 8 * KiB;

/** Ids, one key and one value: a tag of an experiment is the largest (20,000 characters). */
export const SMALL_BODY = BYTES_PER_CHAR * (LIMITS.keyLength + LIMITS.experimentTagValueLength) + FRAMING;

/**
 * MLflow's own figure for log-batch, also used by every list-carrying call (tags, params,
 * searches): a list has no length limit of its own, so no string limit derives its size.
 */
export const LIST_BODY = 1_000_000;

/** One dataset at MLflow's limits (profile, schema, source, names) with its tags, in one log-inputs call. */
export const LOG_INPUTS_BODY = BYTES_PER_CHAR * (LIMITS.datasetProfile + LIMITS.datasetSchema + LIMITS.datasetSource
  + LIMITS.datasetName + LIMITS.datasetDigest + LIMITS.datasetSourceType) + 64 * KiB;

/**
 * A param or tag value past its limit is truncated, not refused, and the client sends such a
 * value whole (a stringified config of a million characters is not rare).
 */
const TRUNCATED_VALUE_CHARS = 1 * MiB;
export const LONG_VALUE_BODY = BYTES_PER_CHAR * (LIMITS.keyLength + TRUNCATED_VALUE_CHARS) + FRAMING;

/** A registry tag at its limits: a prompt's template is a version tag of 100,000 characters. */
const REGISTRY_TAG_CHARS = R.tagKeyLength + R.tagValueLength;

/**
 * A registry create: every text of the message at its limit (name, description, source, run link,
 * deployment job id), one tag at its limit, and a list's worth of further tags. All 1,000 tags
 * a create may carry, each at its limit, would be 600 MB, more than the server holds for all
 * requests at once; MLflow's clients send a handful (a prompt: its marker, type and template).
 */
export const REGISTRY_CREATE_BODY = BYTES_PER_CHAR * (R.nameLength + R.descriptionLength + R.sourceLength + R.runLinkLength
  + R.deploymentJobIdLength + REGISTRY_TAG_CHARS) + LIST_BODY + FRAMING;

/** A registered model's or version's update: its name and a description (and job id) at their limits. */
export const REGISTRY_UPDATE_BODY = BYTES_PER_CHAR * (R.nameLength + R.descriptionLength + R.deploymentJobIdLength) + FRAMING;

/** One tag of a registered model or version, at its limits, with the model's name. */
export const REGISTRY_TAG_BODY = BYTES_PER_CHAR * (R.nameLength + REGISTRY_TAG_CHARS) + FRAMING;

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
  logParam: LONG_VALUE_BODY,
  setTag: LONG_VALUE_BODY,
  createRegisteredModel: REGISTRY_CREATE_BODY,
  createModelVersion: REGISTRY_CREATE_BODY,
  updateRegisteredModel: REGISTRY_UPDATE_BODY,
  updateModelVersion: REGISTRY_UPDATE_BODY,
  setRegisteredModelTag: REGISTRY_TAG_BODY,
  setModelVersionTag: REGISTRY_TAG_BODY,
};

/**
 * A file uploaded from the web UI (upload-artifact), MLflow's own cap. It is streamed to the
 * artifact store, so only a chunk at a time counts against the budget.
 */
export const UPLOAD_ARTIFACT_BODY = 10 * MiB;

/**
 * The JSON of a multipart upload's create, complete or abort call: completing lists every part
 * (at most 10,000) with its etag and URL, each well under a KiB.
 */
export const MULTIPART_BODY = MAX_UPLOAD_PARTS * KiB + FRAMING;

export function bodyCapOf(rpc: string): number {
  return CAPS[rpc] ?? SMALL_BODY;
}

export { BODY_BUDGET };

if (BODY_BUDGET < 2 * LOG_INPUTS_BODY) throw new Error('the body budget must hold two of the largest bodies');
