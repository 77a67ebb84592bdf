/** The domain objects, as the core hands them to front-ends and adapters. Times are ms since epoch. */
import type { Int64 } from './int64';

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
