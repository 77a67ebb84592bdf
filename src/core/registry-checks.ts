/**
 * The model registry's rules for names, version numbers, aliases, tags and stages, in MLflow's
 * words (its clients and tests match them). Prompts live in the registry too; the tags that
 * mark one are named here.
 */
import { invalid } from './errors';
import { MODEL_VERSION_STAGES, type ModelVersionStage, type Tag } from './model';
import { assertStorableText, clip } from './text';
import { validateKey } from './validation';

export const REGISTRY_LIMITS = {
  /** MLflow's registry keeps names in 256 characters. */
  nameLength: 256,
  tagKeyLength: 250,
  tagValueLength: 100_000,
  aliasLength: 255,
  descriptionLength: 100_000,
  /** A source or storage location: an artifact location (2,048) and a path below it (1,024), with room for a scheme. */
  sourceLength: 4096,
  runLinkLength: 4096,
  /** MLflow sets no limit; its own column holds 256 characters, as ours does. */
  deploymentJobIdLength: 256,
  /** Tags given with one create. */
  tagsPerRequest: 1000,
  searchModelsDefault: 100,
  searchModelsMax: 1000,
  searchVersionsDefault: 200_000,
  searchVersionsMax: 200_000,
} as const;

/** The registered-model tag that makes a registered model (and its versions) a prompt. */
export const IS_PROMPT_TAG = 'mlflow.prompt.is_prompt';
/** A prompt version's template text. */
export const PROMPT_TEXT_TAG = 'mlflow.prompt.text';
/** A prompt version's kind (text or chat); MLflow leaves it out of the events it publishes. */
export const PROMPT_TYPE_TAG = '_mlflow_prompt_type';
/** The only sources a prompt version may have: MLflow's clients send one of these placeholders. */
export const PROMPT_SOURCES: ReadonlySet<string> = new Set(['prompt-template', 'dummy-source']);

const ALIAS_CHARS = /^[\p{L}\p{N}_-]*$/u;
const VERSION_ALIAS = /^[vV]\d+$/;

const missing = (param: string) => invalid(`Missing value for required parameter '${param}'.`);

/** Tags mark a prompt as MLflow reads them: the last value of the key wins, compared without case. */
export function hasPromptTag(tags: readonly Tag[]): boolean {
  let value: string | undefined;
  for (const t of tags) if (t.key === IS_PROMPT_TAG) value = t.value;
  return value?.toLowerCase() === 'true';
}

/** Non-blank, no '/' or ':', already in normal form as a path (it names folders in MLflow's file store). */
export function checkModelName(name: unknown, param = 'name'): string {
  if (typeof name !== 'string' || name.trim() === '') throw missing(param);
  if (name.includes('/') || name.includes(':')) throw invalid(`Invalid model name '${clip(name)}'. Names cannot contain '/' or ':'.`);
  if (name === '.' || name.startsWith('..') || name.startsWith('/')) {
    throw invalid(`Invalid value "${clip(name)}" for parameter '${param}' supplied: Names may be treated as files in certain cases, and must not resolve to other names when treated as such.`);
  }
  assertStorableText(name, param);
  if (name.length > REGISTRY_LIMITS.nameLength) throw invalid(`'${param}' exceeds the maximum length of ${REGISTRY_LIMITS.nameLength} characters`);
  return name;
}

/** A version as the wire carries it (a decimal string) to its number. */
export function checkVersion(version: unknown, param = 'version'): number {
  const text = typeof version === 'number' ? String(version) : version;
  if (typeof text !== 'string' || !/^\s*[+-]?\d+\s*$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw invalid(`Parameter '${param}' must be an integer, got '${clip(String(version ?? ''))}'.`);
  }
  return Number(text);
}

export function checkAliasName(alias: unknown): string {
  if (typeof alias !== 'string' || alias === '') throw invalid('Registered model alias name cannot be empty.');
  if (!ALIAS_CHARS.test(alias)) {
    throw invalid(`Invalid alias name: '${clip(alias)}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`);
  }
  if (alias.length > REGISTRY_LIMITS.aliasLength) {
    throw invalid(`'Registered model alias name' exceeds the maximum length of ${REGISTRY_LIMITS.aliasLength} characters`);
  }
  return alias;
}

/** `latest` and `v<N>` name versions by themselves, so no alias may take them. */
export function checkAliasNotReserved(alias: string): void {
  if (alias.toLowerCase() === 'latest') throw invalid("'latest' alias name (case insensitive) is reserved.");
  if (VERSION_ALIAS.test(alias)) throw invalid(`Version alias name '${alias}' is reserved.`);
}

export function isLatestAlias(alias: string): boolean {
  return alias.toLowerCase() === 'latest';
}

export function checkRegistryTag(t: { key?: string; value?: string }, isVersion: boolean): Tag {
  const key = t.key ?? '';
  validateKey(key, 'key');
  if (typeof t.value !== 'string' && isVersion) throw invalid('Tag value cannot be None');
  const value = t.value ?? '';
  assertStorableText(value, 'value');
  if (value.length > REGISTRY_LIMITS.tagValueLength) {
    if (isVersion && key === PROMPT_TEXT_TAG) throw invalid(`Prompt text exceeds max length of ${REGISTRY_LIMITS.tagValueLength} characters.`);
    throw invalid(`'value' exceeds the maximum length of ${REGISTRY_LIMITS.tagValueLength} characters`);
  }
  return { key, value };
}

/** A create's tags, checked; a key given twice keeps its last value, as MLflow stores it. */
export function checkRegistryTags(tags: ReadonlyArray<{ key?: string; value?: string }>, isVersion: boolean): Tag[] {
  if (tags.length > REGISTRY_LIMITS.tagsPerRequest) {
    throw invalid(`A registry create takes at most ${REGISTRY_LIMITS.tagsPerRequest} tags, got ${tags.length}.`);
  }
  const byKey = new Map<string, string>();
  for (const t of tags) {
    const checked = checkRegistryTag(t, isVersion);
    byKey.delete(checked.key);
    byKey.set(checked.key, checked.value);
  }
  return [...byKey].map(([key, value]) => ({ key, value }));
}

export function checkDescription(description: string | undefined): string | undefined {
  if (description === undefined) return undefined;
  assertStorableText(description, 'description');
  if (description.length > REGISTRY_LIMITS.descriptionLength) {
    throw invalid(`'description' exceeds the maximum length of ${REGISTRY_LIMITS.descriptionLength} characters`);
  }
  return description;
}

export function checkDeploymentJobId(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  assertStorableText(id, 'deployment_job_id');
  if (id.length > REGISTRY_LIMITS.deploymentJobIdLength) {
    throw invalid(`'deployment_job_id' exceeds the maximum length of ${REGISTRY_LIMITS.deploymentJobIdLength} characters`);
  }
  return id;
}

const CANONICAL = new Map(MODEL_VERSION_STAGES.map((s) => [s.toLowerCase(), s]));

/** A stage in any case to its canonical spelling (`staging` → `Staging`); undefined when it names none. */
export function stageNamed(stage: string): ModelVersionStage | undefined {
  return CANONICAL.get(stage.toLowerCase());
}

/** A stage in any case to its canonical spelling, refused when it names none. */
export function canonicalStage(stage: string): ModelVersionStage {
  const found = stageNamed(stage);
  if (!found) throw invalid(`Invalid Model Version stage: ${clip(stage)}. Value must be one of ${MODEL_VERSION_STAGES.join(', ')}.`);
  return found;
}

/** The stages whose versions `archive_existing_versions` may archive. */
export const ACTIVE_STAGES: readonly ModelVersionStage[] = ['Staging', 'Production'];

/** A search's max_results: its default when absent, refused past its bound or below 1. */
export function checkMaxResults(value: number | undefined, fallback: number, max: number): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) throw invalid(`Invalid value ${String(n)} for parameter 'max_results' supplied.`);
  return n;
}
