/** The domain objects, as the core hands them to front-ends and adapters. Times are ms since epoch. */
import type { Int64 } from './int64';
import type { JsonValue } from './json-value';

export type LifecycleStage = 'active' | 'deleted';
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];

/** Which registry or tool an object was born in or imported from. */
export interface Origin { system: string; id: string; url?: string }

/** What an origin can be recorded for. */
export type OriginKind = 'experiment' | 'run';

/** An origin as the store keeps it: the local object it became and when it was first and last ingested. */
export interface OriginRecord extends Origin {
  kind: OriginKind;
  localId: string;
  firstIngestTime: number;
  lastIngestTime: number;
}

export interface Tag { key: string; value: string }
export type Param = Tag;

export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  creationTime: number;
  lastUpdateTime: number;
  tags: Tag[];
}

/** One point of a metric's history. NaN and ±Infinity are kept as such; steps and times are exact int64. */
export interface MetricPoint {
  key: string;
  value: number;
  timestamp: Int64;
  step: Int64;
  datasetName?: string;
  datasetDigest?: string;
  modelId?: string;
}

export interface RunInfo {
  runId: string;
  experimentId: string;
  runName: string;
  userId: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  artifactUri: string;
  lifecycleStage: LifecycleStage;
}

export interface Dataset {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema?: string;
  profile?: string;
}
export interface DatasetInput { dataset: Dataset; tags: Tag[] }
export interface ModelInput { modelId: string }
export interface ModelOutput { modelId: string; step: number }

export interface Run {
  info: RunInfo;
  /** Latest value per key. */
  metrics: MetricPoint[];
  params: Param[];
  tags: Tag[];
  datasetInputs: DatasetInput[];
  modelInputs: ModelInput[];
  modelOutputs: ModelOutput[];
}

export interface DatasetSummary { experimentId: string; name: string; digest: string; context?: string }

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface Page<T> { items: T[]; nextPageToken?: string }

export type LoggedModelStatus = 'LOGGED_MODEL_PENDING' | 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED';

export interface ModelMetricPoint extends MetricPoint { runId: string }

/** An MLflow 3 logged model: a model's artifacts, its params and metrics, apart from any run. */
export interface LoggedModel {
  modelId: string;
  experimentId: string;
  name: string;
  artifactLocation: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  status: LoggedModelStatus;
  statusMessage?: string;
  modelType?: string;
  sourceRunId?: string;
  tags: Tag[];
  params: Param[];
  metrics: ModelMetricPoint[];
}

/**
 * What a history value that is not a plain number holds: the `_type` objects W&B logs are
 * media (image-file, audio-file, …), tables (table-file, joined-table, …) or histograms; an
 * integer is one beyond 2^53, which no metric (a double) holds exactly. A number is one no metric
 * can hold: its key is one MLflow refuses (W&B allows any key: `acc@1`, `top-1 (%)`), or the
 * front-end keeps it apart from the metrics (a W&B history key under `system/`, which is not a system metric).
 */
export type HistoryValueKind = 'string' | 'bool' | 'null' | 'list' | 'object' | 'integer' | 'number' | 'media' | 'table' | 'histogram';

/** One history line (of `wandb-history.jsonl`, `wandb-events.jsonl`, …) in core terms. */
export interface HistoryRow {
  step: Int64;
  /** ms since epoch. */
  timestamp: Int64;
  /** Numeric leaves: they become the run's metrics, which MLflow reads as any other. */
  metrics: Array<{ key: string; value: number }>;
  /** Every other leaf; a plain number here is kept as a value of kind `number`, not as a metric. */
  values: Array<{ key: string; value: JsonValue }>;
}

/** A non-numeric history value as read back: which stream line it came from, and its kind. */
export interface HistoryValue {
  key: string;
  step: Int64;
  timestamp: Int64;
  kind: HistoryValueKind;
  value: JsonValue;
  stream: string;
  line: number;
}

/** How many lines of a run's stream (a file name such as `wandb-history.jsonl`) are applied. */
export interface StreamOffset { stream: string; nextOffset: number }

/** One console line, by its line number in its stream (`output.log`). */
export interface ConsoleLine { line: number; text: string }

// ------------------------------------------------------------------ the model registry

/** A version's stage; MLflow canonicalises the spelling (`staging` → `Staging`). */
export type ModelVersionStage = 'None' | 'Staging' | 'Production' | 'Archived';
export const MODEL_VERSION_STAGES: readonly ModelVersionStage[] = ['None', 'Staging', 'Production', 'Archived'];

export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';

export interface RegisteredModelAlias { alias: string; version: string }

/**
 * A registered model: a name that versions are registered under. Prompts are registered models
 * too, told apart by their `mlflow.prompt.is_prompt` tag.
 */
export interface RegisteredModel {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  userId?: string;
  description?: string;
  deploymentJobId?: string;
  /** The newest live version of each stage that has one, in stage order. */
  latestVersions: ModelVersion[];
  tags: Tag[];
  aliases: RegisteredModelAlias[];
}

/** One registered version of a model. Numbers are per model, from 1, never reused. */
export interface ModelVersion {
  name: string;
  /** The version number as MLflow writes it: a decimal string. */
  version: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  userId?: string;
  currentStage: ModelVersionStage;
  description?: string;
  /** As the client gave it (`runs:/…`, `models:/m-…`, a location). */
  source: string;
  runId?: string;
  runLink?: string;
  modelId?: string;
  status: ModelVersionStatus;
  statusMessage?: string;
  tags: Tag[];
  /** The aliases pointing at this version, sorted. */
  aliases: string[];
  /** Where the version's files are: what `get-download-uri` answers and `models:/name/N` loads from. */
  storageLocation: string;
}
