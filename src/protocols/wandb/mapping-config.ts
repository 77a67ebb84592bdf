/**
 * How a W&B run's own fields become the core's (ARCHITECTURE.md, "Identity across tools"):
 * config → params plus the whole config kept as a document, and the run's labels → tags.
 *
 * The config arrives as `{"key": {"value": v}, …}` (older clients add `"desc"`); each value
 * becomes params, nested objects flattened with '.', so `{"opt":{"value":{"lr":0.1}}}` is the
 * param `opt.lr = 0.1`. Strings are kept as they are, other values as their JSON text (`[1,2]`,
 * `true`, `NaN`); an empty object is the param `{}`. `_wandb` (the client's internals) and
 * `wandb_version` are no params.
 *
 * Tags: W&B's labels are one JSON array in `wandb.tags`; notes are MLflow's note; the host has
 * no MLflow tag of its own, so it is `wandb.host` rather than a made-up `mlflow.` one.
 */
import { encodeJson, isJsonObject, type JsonObject, type JsonValue } from '../../core/json-value';
import { LIMITS } from '../../core/limits';
import type { Param, Run } from '../../core/model';

export const RUN_TAGS = {
  tags: 'wandb.tags',
  notes: 'mlflow.note.content',
  group: 'wandb.group',
  jobType: 'wandb.job_type',
  host: 'wandb.host',
  program: 'mlflow.source.name',
  sourceType: 'mlflow.source.type',
  commit: 'mlflow.source.git.commit',
  repo: 'mlflow.source.git.repoURL',
  sweep: 'wandb.sweep',
  user: 'mlflow.user',
} as const;

/** Config keys that are the client's own, not the user's. */
const INTERNAL_KEYS = new Set(['_wandb', 'wandb_version']);

/** The value a config entry holds: `{"value": v}` as clients send it, or a bare value as some write it. */
function entryValue(entry: JsonValue): JsonValue {
  return isJsonObject(entry) && Object.prototype.hasOwnProperty.call(entry, 'value') ? entry.value : entry;
}

const paramText = (v: JsonValue): string => (typeof v === 'string' ? v : encodeJson(v, LIMITS.jsonNesting, 'config value'));

/** The params a config is: leaves of nested objects under their '.'-joined path. */
export function paramsOfConfig(config: JsonObject): Param[] {
  const out: Param[] = [];
  const walk = (prefix: string, v: JsonValue) => {
    if (isJsonObject(v) && Object.keys(v).length > 0) {
      for (const k of Object.keys(v)) walk(`${prefix}.${k}`, v[k]);
    } else {
      out.push({ key: prefix, value: paramText(v) });
    }
  };
  for (const key of Object.keys(config)) {
    if (INTERNAL_KEYS.has(key)) continue;
    walk(key, entryValue(config[key]));
  }
  return out;
}

/** A run's config as W&B clients read it: its document, or for a run with none (MLflow-logged) its params. */
export function configOfRun(document: JsonObject, run: Run): JsonObject {
  if (Object.keys(document).length > 0) return document;
  const out: JsonObject = {};
  // Defined, not assigned: a param named `__proto__` (legal in MLflow) would otherwise set the prototype.
  for (const p of run.params) Object.defineProperty(out, p.key, { value: { value: p.value }, enumerable: true, writable: true, configurable: true });
  return out;
}

/** `config._wandb.value.t`: the client's telemetry, which resuming requires to be there (as `{}` at least). */
export function telemetryOfConfig(config: JsonObject): JsonValue {
  const internal = entryValue(config._wandb ?? null);
  return isJsonObject(internal) && internal.t !== undefined ? internal.t : {};
}

/** W&B's labels as stored in `wandb.tags`; none when the tag is missing or not a list of strings. */
export function labelsOf(run: Run): string[] {
  const text = tagOf(run, RUN_TAGS.tags);
  if (text === undefined) return [];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export function tagOf(run: Run, key: string): string | undefined {
  return run.tags.find((t) => t.key === key)?.value;
}
