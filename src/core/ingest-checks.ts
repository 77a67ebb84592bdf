/**
 * What an ingest takes, and the checks it passes before anything is written: ids and origins
 * as they must be to be kept, times and statuses as every path requires, and text within
 * MLflow's limits (clipped and reported, or refused; see clipping.ts).
 */
import { Clipper, type IngestWarning, type TruncateMode } from './clipping';
import { experimentArtifactLocation } from './experiments';
import { invalid } from './errors';
import { LIMITS } from './limits';
import type { DatasetInput, LifecycleStage, MetricPoint, Origin, Param, RunStatus, Tag } from './model';
import { validateDatasetInputs } from './datasets';
import { RUN_NAME_TAG } from './runs';
import { assertMaxLength, assertNoNul, clip } from './text';
import {
  duplicateKeys, validateExperimentName, validateKey, validateLifecycleStage, validateMetric, validateRunStatus, validateTime,
} from './validation';

export interface IngestOptions {
  /** Over-long text: clipped with a warning per value (the default), or the whole ingest refused. */
  truncate?: TruncateMode;
}

export interface IngestExperiment {
  /** Kept as is; without one (a W&B offline run names its project only by name) the store assigns the next id. */
  experimentId?: string;
  name: string;
  /** Without one, the server's default root and the id, as for a created experiment. */
  artifactLocation?: string;
  lifecycleStage: LifecycleStage;
  creationTime: number;
  lastUpdateTime: number;
  tags: Tag[];
  origin?: Origin;
}

/** A run's experiment: by its local id, or by the origin it was ingested from. */
export type ExperimentRef = { experimentId: string } | { origin: Pick<Origin, 'system' | 'id'> };

export interface IngestRun {
  runId: string;
  experiment: ExperimentRef;
  name: string;
  userId: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  lifecycleStage: LifecycleStage;
  deletedTime: number | null;
  /** Without one, under the experiment's location, as for a created run. */
  artifactUri?: string;
  tags: Tag[];
  params: Param[];
  /** Every point with its own timestamp and step; exact duplicates of stored points are dropped. */
  metrics: MetricPoint[];
  datasetInputs?: DatasetInput[];
  origin?: Origin;
}

// The store's column widths: ids and origins are identities, never clipped.
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const ORIGIN_SYSTEM_LENGTH = 64;
const ORIGIN_ID_LENGTH = 255;

export function originText(o: Pick<Origin, 'system' | 'id'>): string {
  return `${o.system} object '${clip(o.id, 80)}'`;
}

function checkId(id: unknown, param: string): string {
  if (typeof id !== 'string' || !ID.test(id)) {
    throw invalid(`Invalid value '${clip(String(id), 80)}' for parameter '${param}' supplied: an ingested id is 1 to 64 letters, digits, '_' or '-'`);
  }
  return id;
}

function checkOrigin(o: Origin | undefined, param = 'origin'): Origin | undefined {
  if (o === undefined) return undefined;
  const text = (v: unknown, max: number, field: string) => {
    if (typeof v !== 'string' || v === '') throw invalid(`Missing value for required parameter '${param}.${field}'.`);
    assertNoNul(v, `${param}.${field}`);
    assertMaxLength(v, max, `${param}.${field}`);
    return v;
  };
  const out: Origin = { system: text(o.system, ORIGIN_SYSTEM_LENGTH, 'system'), id: text(o.id, ORIGIN_ID_LENGTH, 'id') };
  if (o.url !== undefined) out.url = text(o.url, LIMITS.artifactLocationLength, 'url');
  return out;
}

function optionalTime(v: number | null, param: string): number | null {
  if (v !== null) validateTime(v, param);
  return v;
}

/** A key clipped to MLflow's length, then held to MLflow's key rules. */
function key(c: Clipper, k: string, field: string): string {
  const clipped = c.text(k, LIMITS.keyLength, field);
  validateKey(clipped, field);
  return clipped;
}

/** Keys the source told apart must stay apart: clipping two keys to one is refused. */
function distinctAfterClipping(items: Array<{ original: string; key: string }>, what: string): void {
  const seen = new Map<string, string>();
  for (const { original, key: k } of items) {
    const first = seen.get(k);
    if (first !== undefined && first !== original) {
      throw invalid(`Two ${what} keys become the same key '${clip(k, 80)}' when clipped to ${LIMITS.keyLength} characters; nothing was stored`);
    }
    seen.set(k, original);
  }
}

function tags(c: Clipper, list: Tag[], valueLimit: number): Tag[] {
  const out = list.map((t, i) => ({ original: t.key, key: key(c, t.key, `tags[${i}].key`), value: c.text(t.value ?? '', valueLimit, `tags[${i}].value`) }));
  distinctAfterClipping(out, 'tag');
  return out.map(({ key: k, value }) => ({ key: k, value }));
}

export type CheckedExperiment = Omit<IngestExperiment, 'artifactLocation'> & { artifactLocation?: string };

export function checkedExperiment(e: IngestExperiment, opts: IngestOptions, workingDir: string | undefined): { value: CheckedExperiment; warnings: IngestWarning[] } {
  const experimentId = e.experimentId === undefined ? undefined : checkId(e.experimentId, 'experiment_id');
  const c = new Clipper('experiment', experimentId ?? clip(String(e.name), 80), opts.truncate ?? 'warn');
  const name = validateExperimentName(c.text(e.name, LIMITS.experimentNameLength, 'name'));
  validateLifecycleStage(e.lifecycleStage);
  validateTime(e.creationTime, 'creation_time');
  validateTime(e.lastUpdateTime, 'last_update_time');
  const value: CheckedExperiment = {
    experimentId,
    name,
    artifactLocation: e.artifactLocation ? experimentArtifactLocation(e.artifactLocation, workingDir) : undefined,
    lifecycleStage: e.lifecycleStage,
    creationTime: e.creationTime,
    lastUpdateTime: e.lastUpdateTime,
    tags: tags(c, e.tags, LIMITS.experimentTagValueLength),
    origin: checkOrigin(e.origin),
  };
  return { value, warnings: c.warnings };
}

export type CheckedRun = Required<Omit<IngestRun, 'artifactUri' | 'origin'>> & Pick<IngestRun, 'artifactUri' | 'origin'>;

export function checkedRun(r: IngestRun, opts: IngestOptions): { value: CheckedRun; warnings: IngestWarning[] } {
  const runId = checkId(r.runId, 'run_id');
  const c = new Clipper('run', runId, opts.truncate ?? 'warn');
  const experiment: ExperimentRef = r.experiment && 'experimentId' in r.experiment
    ? { experimentId: checkId(r.experiment.experimentId, 'experiment_id') }
    : { origin: checkOrigin(r.experiment?.origin as Origin, 'experiment.origin')! };
  if (!('experimentId' in experiment) && !experiment.origin) throw invalid("Missing value for required parameter 'experiment'.");
  validateRunStatus(r.status);
  validateLifecycleStage(r.lifecycleStage);
  validateTime(r.startTime, 'start_time');
  if (typeof r.artifactUri === 'string') {
    assertNoNul(r.artifactUri, 'artifact_uri');
    assertMaxLength(r.artifactUri, LIMITS.artifactLocationLength, 'artifact_uri');
  }
  const runTags = tags(c, r.tags, LIMITS.runTagValueLength);
  // The name and the mlflow.runName tag are one thing to MLflow's readers; the name wins.
  const tagName = runTags.find((t) => t.key === RUN_NAME_TAG)?.value;
  const name = c.text(r.name || tagName || '', LIMITS.runNameLength, 'name');
  const withName = name ? [...runTags.filter((t) => t.key !== RUN_NAME_TAG), { key: RUN_NAME_TAG, value: name }] : runTags;

  const params = r.params.map((p, i) => ({ original: p.key, key: key(c, p.key, `params[${i}].key`), value: c.text(p.value ?? '', LIMITS.paramValueLength, `params[${i}].value`) }));
  distinctAfterClipping(params, 'param');
  const dups = duplicateKeys(params);
  if (dups.length) throw invalid(`Duplicate parameter keys have been submitted: [${dups.map((d) => `'${clip(d, 80)}'`).join(', ')}]; nothing was stored`);

  return {
    value: {
      runId,
      experiment,
      name,
      userId: c.text(r.userId ?? '', LIMITS.userIdLength, 'user_id'),
      status: r.status,
      startTime: r.startTime,
      endTime: optionalTime(r.endTime, 'end_time'),
      lifecycleStage: r.lifecycleStage,
      deletedTime: optionalTime(r.deletedTime, 'deleted_time'),
      artifactUri: r.artifactUri || undefined,
      tags: withName,
      params: params.map(({ key: k, value }) => ({ key: k, value })),
      metrics: pointsAsStored(c, r.metrics),
      datasetInputs: checkedInputs(r.datasetInputs ?? []),
      origin: checkOrigin(r.origin),
    },
    warnings: c.warnings,
  };
}

/**
 * Each distinct key is clipped and checked once (a run may bring a million points under a few
 * keys, and one warning per key, not per point); points are copied only when a key changed.
 */
function pointsAsStored(c: Clipper, points: MetricPoint[]): MetricPoint[] {
  const keys = new Map<string, string>();
  points.forEach((p, i) => {
    if (!keys.has(p.key)) keys.set(p.key, key(c, p.key, `metrics[${i}].key`));
  });
  distinctAfterClipping([...keys].map(([original, k]) => ({ original, key: k })), 'metric');
  const renamed = [...keys].some(([original, k]) => original !== k);
  const out = renamed ? points.map((p) => ({ ...p, key: keys.get(p.key)! })) : points;
  out.forEach((p, i) => validateMetric(p, `metrics[${i}]`));
  return out;
}

export function checkedPoints(runId: string, points: MetricPoint[], opts: IngestOptions): { value: MetricPoint[]; warnings: IngestWarning[] } {
  const c = new Clipper('run', checkId(runId, 'run_id'), opts.truncate ?? 'warn');
  return { value: pointsAsStored(c, points), warnings: c.warnings };
}

function checkedInputs(inputs: DatasetInput[]): DatasetInput[] {
  validateDatasetInputs(inputs);
  return inputs;
}
