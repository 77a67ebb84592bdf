/**
 * The storage interface the core owns. store/ implements it for every SQL dialect;
 * the core never sees SQL. Writes run inside `write()`: everything done through one
 * WriteTx commits together or not at all, and the promise settles only after commit. A write
 * unit awaits nothing but its WriteTx: a store may refuse (UNAVAILABLE) one that holds its
 * writer too long, and may replay one the database aborted.
 */
import type { ArtifactVersionReads, ArtifactVersionWrites } from './artifact-versions';
import type {
  ConsoleLine, HistoryValueKind, StreamOffset,
  DatasetInput, DatasetSummary, Experiment, LifecycleStage, LoggedModel, LoggedModelStatus, MetricPoint, ModelMetricPoint,
  ModelOutput, Origin, OriginKind, OriginRecord, Run, RunInfo, RunStatus, Tag, ViewType,
  ModelVersion, ModelVersionStage, ModelVersionStatus, RegisteredModel,
} from './model';
import type { Filter, OrderTerm } from './query/ast';
import type { Int64 } from './int64';
import type { StoredWebhook, Webhook, WebhookEvent, WebhookStatus } from './webhooks/types';

/** A run as locked for writing: the store's row handle plus what the rules need. */
export interface LockedRun {
  handle: number;
  runId: string;
  experimentId: string;
  lifecycleStage: LifecycleStage;
  name: string;
}

export interface NewExperiment {
  name: string;
  /** Given the new id, the artifact location to store (MLflow derives it from the id). */
  artifactLocation: (experimentId: string) => string;
  tags: Tag[];
  time: number;
  /** Kept as is when importing; otherwise the store assigns the next id. */
  experimentId?: string;
}

export interface NewRun {
  runId: string;
  experimentId: string;
  name: string;
  userId: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  artifactUri: string;
  tags: Tag[];
}

export interface RunUpdate {
  status?: RunStatus;
  startTime?: number;
  endTime?: number | null;
  name?: string;
  userId?: string;
  lifecycleStage?: LifecycleStage;
  deletedTime?: number | null;
}

export interface ExperimentUpdate {
  name?: string;
  lifecycleStage?: LifecycleStage;
  creationTime?: number;
  lastUpdateTime?: number;
}

/** A W&B run's documents: each kept whole, as one JSON text (json-value.ts), and replaced whole. */
export type RunDocumentKind = 'config' | 'summary' | 'heartbeat';

/** A run's line stream (a file_stream file name) as locked for writing, with how many lines it has applied. */
export interface LockedStream {
  handle: number;
  name: string;
  nextOffset: number;
}

/** A non-numeric history value as the store keeps it: the value as its JSON text (json-value.ts). */
export interface StoredHistoryValue {
  key: string;
  step: Int64;
  timestamp: Int64;
  kind: HistoryValueKind;
  valueJson: string;
  line: number;
}

export interface StoredHistoryValueRead extends StoredHistoryValue { stream: string }

/** Which of a run's history keys a step read covers: system metrics (`system/…`, W&B's events) or the rest; only `keys` when given. */
export interface HistoryStepQuery {
  system: boolean;
  keys?: string[];
  /** Inclusive step bounds. */
  from?: Int64;
  to?: Int64;
}

/** A run's points and values at some steps (see Store.runHistoryAt). */
export interface HistoryAt {
  points: MetricPoint[];
  values: StoredHistoryValueRead[];
  /** The last step read whole; nothing past it is included. */
  through: Int64;
}

export interface HistoryKeyCount { key: string; kind: 'number' | HistoryValueKind; count: number }

/** Writes of a run's W&B data; the run is locked first, which serialises every writer of its streams. */
export interface RunDataWrites {
  /** The document's JSON text; undefined when it was never set. */
  document(run: LockedRun, kind: RunDocumentKind): Promise<string | undefined>;
  setDocument(run: LockedRun, kind: RunDocumentKind, json: string): Promise<void>;
  /** The stream of that name, made (at offset 0) when the run has none yet. */
  lockStream(run: LockedRun, name: string): Promise<LockedStream>;
  setStreamOffset(stream: LockedStream, nextOffset: number): Promise<void>;
  insertHistoryValues(run: LockedRun, stream: LockedStream, values: StoredHistoryValue[]): Promise<void>;
  /** A line number the stream already holds is overwritten. */
  upsertConsoleLines(run: LockedRun, stream: LockedStream, lines: ConsoleLine[]): Promise<void>;
}

/**
 * Everything one write unit may do, in one part per area; each part's methods are named
 * without the area (`tx.runs.lock`, `tx.experiments.setTags`). A new area is one more part.
 */
export interface WriteTx {
  /**
   * Lets the event loop serve other requests between the statements of a long write unit. It is
   * the one thing a unit may await besides its parts: on SQLite the time spent here does not
   * count against the writer's deadline (store/write-queue.ts).
   */
  pause(): Promise<void>;
  experiments: ExperimentWrites;
  runs: RunWrites;
  /**
   * Run metrics are a part of their own, not of runs: they are the one write that interns keys
   * (the metric-key cache learns them after commit) and keeps a derived table (latest values)
   * current, and the highest-volume write, which other protocols' history streams add to.
   */
  metrics: MetricWrites;
  loggedModels: LoggedModelWrites;
  runData: RunDataWrites;
  origins: OriginWrites;
  registry: RegistryWrites;
  webhooks: WebhookWrites;
  accounts: AccountWrites;
  artifactVersions: ArtifactVersionWrites;
}

/** A registered model as locked for writing: the store's row handle and the highest version number it ever gave. */
export interface LockedRegisteredModel {
  handle: number;
  name: string;
  lastVersion: number;
}

export interface NewRegisteredModel {
  name: string;
  time: number;
  userId?: string;
  description?: string;
  deploymentJobId?: string;
  tags: Tag[];
}

export interface RegisteredModelUpdate {
  /** A rename: versions, tags and aliases follow the model. */
  name?: string;
  description?: string;
  deploymentJobId?: string;
  lastUpdatedTimestamp: number;
}

export interface NewModelVersion {
  version: number;
  time: number;
  userId?: string;
  description?: string;
  source: string;
  runId?: string;
  runLink?: string;
  modelId?: string;
  status: ModelVersionStatus;
  statusMessage?: string;
  storageLocation: string;
  tags: Tag[];
}

export interface ModelVersionUpdate {
  description?: string;
  stage?: ModelVersionStage;
  status?: ModelVersionStatus;
  statusMessage?: string;
  lastUpdatedTimestamp: number;
}

/**
 * Writes of the model registry. Every write of a model or its versions locks the model first
 * (`lockModel`), which serialises them: version numbers are reserved under that lock, so two
 * concurrent registrations get consecutive numbers on every database.
 */
export interface RegistryWrites {
  lockModel(name: string): Promise<LockedRegisteredModel | undefined>;
  /** ALREADY_EXISTS when the name is taken, by a concurrent create too. */
  insertModel(m: NewRegisteredModel): Promise<LockedRegisteredModel>;
  /** A rename onto a taken name is ALREADY_EXISTS. */
  updateModel(model: LockedRegisteredModel, u: RegisteredModelUpdate): Promise<void>;
  /** The model with its versions, tags and aliases; the name is free again. */
  deleteModel(model: LockedRegisteredModel): Promise<void>;
  setModelTag(model: LockedRegisteredModel, tag: Tag): Promise<void>;
  /** Returns false when the key did not exist. */
  deleteModelTag(model: LockedRegisteredModel, key: string): Promise<boolean>;
  /** The next version number (the highest ever given + 1, deleted versions counted), now taken. */
  reserveVersion(model: LockedRegisteredModel): Promise<number>;
  insertVersion(model: LockedRegisteredModel, v: NewModelVersion): Promise<void>;
  /** A live version; a deleted one is undefined. */
  lockVersion(model: LockedRegisteredModel, version: number): Promise<ModelVersion | undefined>;
  /**
   * The model as this transaction has written it, read by its handle: what a write answers, so
   * that a rename committed meanwhile cannot make an acknowledged write answer "not found".
   */
  readModel(model: LockedRegisteredModel): Promise<RegisteredModel>;
  /** A live version as this transaction has written it, by its model's handle. */
  readVersion(model: LockedRegisteredModel, version: number): Promise<ModelVersion | undefined>;
  updateVersion(model: LockedRegisteredModel, version: number, u: ModelVersionUpdate): Promise<void>;
  /** Hides the version for good (its number stays taken) and drops the aliases that named it. */
  deleteVersion(model: LockedRegisteredModel, version: number, time: number): Promise<void>;
  /** Moves every live version in one of `stages` but `except` to Archived; returns the numbers moved. */
  archiveVersions(model: LockedRegisteredModel, stages: ModelVersionStage[], except: number, time: number): Promise<number[]>;
  setVersionTag(model: LockedRegisteredModel, version: number, tag: Tag): Promise<void>;
  deleteVersionTag(model: LockedRegisteredModel, version: number, key: string): Promise<boolean>;
  /** Points the alias at the version, moving it when it named another. */
  setAlias(model: LockedRegisteredModel, alias: string, version: number): Promise<void>;
  deleteAlias(model: LockedRegisteredModel, alias: string): Promise<boolean>;
}

/** A registry search: the filter and order are those core/query/targets.ts parses for the target. */
export interface RegistrySearch {
  filter: Filter;
  orderBy: OrderTerm[];
  offset: number;
  limit: number;
}

export interface NewWebhook {
  webhookId: string;
  name: string;
  description?: string;
  url: string;
  secret?: string;
  status: WebhookStatus;
  events: WebhookEvent[];
  time: number;
}

/** Fields left undefined keep their value; a null secret removes it. */
export interface WebhookUpdate {
  name?: string;
  description?: string;
  url?: string;
  secret?: string | null;
  status?: WebhookStatus;
  lastUpdatedTimestamp: number;
}

export interface WebhookWrites {
  /** Whether the webhook exists; its row stays locked until commit. */
  lock(webhookId: string): Promise<boolean>;
  insert(w: NewWebhook): Promise<void>;
  update(webhookId: string, u: WebhookUpdate): Promise<void>;
  /** Replaces the events it subscribes to, kept in the order given. */
  setEvents(webhookId: string, events: WebhookEvent[]): Promise<void>;
  /** The webhook and its events; false when there was none. */
  delete(webhookId: string): Promise<boolean>;
}

/** An API key as stored: its hash, never the key. */
export interface StoredKey {
  keyId: string;
  userName: string;
  /** The user's entity. */
  entity: string;
  createdAt: number;
  revokedAt?: number;
  hint: string;
}

export interface NewKey {
  keyId: string;
  userName: string;
  /** SHA-256 of the key, hex. */
  keyHash: string;
  hint: string;
  time: number;
}

/** Users, API keys and the server's write-once settings (core/accounts.ts, core/capabilities.ts). */
export interface AccountWrites {
  /** Makes the user (with its entity) unless it exists; returns the user's entity. */
  ensureUser(userName: string, entity: string, time: number): Promise<string>;
  insertKey(k: NewKey): Promise<void>;
  /** Marks the key revoked (a revoked key keeps its first time); false when no key has that id. */
  revokeKey(keyId: string, time: number): Promise<boolean>;
  /**
   * Stores the setting unless it is set and returns the value it holds afterwards: of concurrent
   * first writers, on any process, every one gets the value that was committed first.
   */
  settingOnce(name: string, value: string): Promise<string>;
}

export interface AccountReads {
  keyByHash(keyHash: string): Promise<StoredKey | undefined>;
  /** Every key, oldest first. */
  listKeys(): Promise<StoredKey[]>;
  setting(name: string): Promise<string | undefined>;
}

/** Where ingested objects came from, one row per (kind, system, origin id); see core/ingest.ts. */
export interface OriginWrites {
  /** The local id an origin was ingested as; the row is locked until commit. */
  localId(kind: OriginKind, system: string, originId: string): Promise<string | undefined>;
  /** The origins recorded for a local object, first ingested first. */
  of(kind: OriginKind, localId: string): Promise<OriginRecord[]>;
  /**
   * Records that `localId` came from `origin`; recorded again, it keeps its first ingest time and
   * takes the new URL and last ingest time. When the origin was recorded for another local id
   * meanwhile (a concurrent first ingest), it fails with an error that is not a TrackbridgeError,
   * so the whole write is rolled back and may be run again.
   */
  record(kind: OriginKind, localId: string, origin: Origin, time: number): Promise<void>;
}

export interface ExperimentWrites {
  insert(e: NewExperiment): Promise<string>;
  lock(experimentId: string): Promise<Experiment | undefined>;
  idByName(name: string): Promise<string | undefined>;
  update(experimentId: string, u: ExperimentUpdate): Promise<void>;
  setTags(experimentId: string, tags: Tag[]): Promise<void>;
  /** Returns false when the key did not exist. */
  deleteTag(experimentId: string, key: string): Promise<boolean>;
  /** Cascades lifecycle to every run of the experiment. */
  setRunsLifecycle(experimentId: string, stage: LifecycleStage, deletedTime: number | null): Promise<void>;
}

export interface RunWrites {
  insert(r: NewRun): Promise<void>;
  lock(runId: string): Promise<LockedRun | undefined>;
  update(run: LockedRun, u: RunUpdate): Promise<void>;
  /** The values already stored for these param keys. */
  getParams(run: LockedRun, keys: string[]): Promise<Map<string, string>>;
  insertParams(run: LockedRun, params: Tag[]): Promise<void>;
  /** Inserts or overwrites: for a source whose values are authoritative (ingest). */
  setParams(run: LockedRun, params: Tag[]): Promise<void>;
  /** Inserts or overwrites; of a key given twice the later value wins. */
  setTags(run: LockedRun, tags: Tag[]): Promise<void>;
  getTag(run: LockedRun, key: string): Promise<string | undefined>;
  deleteTag(run: LockedRun, key: string): Promise<boolean>;
  insertDatasetInputs(run: LockedRun, inputs: DatasetInput[]): Promise<void>;
  insertModelIo(run: LockedRun, kind: 'input' | 'output', models: ModelOutput[]): Promise<void>;
}

export interface MetricWrites {
  /** Appends points (exact duplicates are dropped) and keeps the latest value per key current. */
  insert(run: LockedRun, points: MetricPoint[]): Promise<void>;
  /**
   * Makes sure these metric keys exist. A new key stays locked until its transaction commits, so
   * a long write names its keys in a short one of their own first and holds up no other writer.
   */
  internKeys(keys: string[]): Promise<void>;
}

export interface LoggedModelWrites {
  insert(m: NewLoggedModel): Promise<void>;
  lock(modelId: string): Promise<{ modelId: string; experimentId: string; lifecycleStage: LifecycleStage } | undefined>;
  update(modelId: string, u: LoggedModelUpdate): Promise<void>;
  setTags(modelId: string, tags: Tag[]): Promise<void>;
  /** A tag's value as this transaction sees it: read after `lock`, no concurrent write can change it before commit. */
  getTag(modelId: string, key: string): Promise<string | undefined>;
  deleteTag(modelId: string, key: string): Promise<boolean>;
  /** Params are write-once like run params; existing keys keep their value. */
  insertParams(modelId: string, params: Tag[]): Promise<void>;
  insertMetrics(modelId: string, points: ModelMetricPoint[]): Promise<void>;
}

export interface NewLoggedModel {
  modelId: string;
  experimentId: string;
  name: string;
  artifactLocation: string;
  time: number;
  modelType?: string;
  sourceRunId?: string;
  tags: Tag[];
  params: Tag[];
}

export interface LoggedModelUpdate {
  status?: LoggedModelStatus;
  statusMessage?: string;
  lastUpdatedTimestamp?: number;
  lifecycleStage?: LifecycleStage;
}

/** A dataset a model's metrics were logged against; without a digest, only metrics logged with none match. */
export interface MetricDataset {
  name: string;
  digest?: string;
}

/** Ordering by a metric may look only at the values logged against one dataset name and/or digest. */
export interface LoggedModelOrderTerm extends OrderTerm {
  datasetName?: string;
  datasetDigest?: string;
}

export interface LoggedModelSearch {
  experimentIds: string[];
  filter: Filter;
  /** When not empty, only models with a metric logged against one of these; metric filters look only there. */
  datasets?: MetricDataset[];
  orderBy: LoggedModelOrderTerm[];
  offset: number;
  limit: number;
}

export interface RunSearch {
  experimentIds: string[];
  filter: Filter;
  orderBy: OrderTerm[];
  viewType: ViewType;
  offset: number;
  limit: number;
}

export interface ExperimentSearch {
  filter: Filter;
  orderBy: OrderTerm[];
  viewType: ViewType;
  offset: number;
  limit: number;
}

export interface HistoryPoint extends MetricPoint { runId: string }

export interface Store {
  write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T>;
  accounts: AccountReads;
  /** W&B artifact versions (artifact-versions.ts). */
  readonly artifactVersions: ArtifactVersionReads;

  getExperiment(experimentId: string): Promise<Experiment | undefined>;
  /** The active experiment of that name if there is one, else the deleted one. */
  getExperimentByName(name: string): Promise<Experiment | undefined>;
  searchExperiments(q: ExperimentSearch): Promise<Experiment[]>;

  getRun(runId: string): Promise<Run | undefined>;
  getRunInfo(runId: string): Promise<RunInfo | undefined>;
  /** Returns up to limit+1 runs so the caller can tell whether another page exists. */
  searchRuns(q: RunSearch): Promise<Run[]>;
  /** How many runs a search's filter matches (its order and page ignored). */
  countRuns(q: Pick<RunSearch, 'experimentIds' | 'filter' | 'viewType'>): Promise<number>;

  /** A run's history in (timestamp, step, value) order, from offset, at most limit points, a chunk at a time. */
  metricHistoryChunks(runId: string, key: string, offset: number, limit: number): AsyncIterable<MetricPoint[]>;
  metricHistoryBulk(runIds: string[], key: string, limit: number): Promise<HistoryPoint[]>;
  /** Up to maxResults points per run, sampled as mlflow server samples them (first and last included), runs in the order asked. */
  metricHistorySampled(runIds: string[], key: string, maxResults: number, startStep?: number, endStep?: number): Promise<HistoryPoint[]>;
  searchDatasets(experimentIds: string[]): Promise<DatasetSummary[]>;

  /** A run's W&B data, for a run that exists (nothing is read for one that does not). */
  runDocument(runId: string, kind: RunDocumentKind): Promise<string | undefined>;
  runStreamOffsets(runId: string): Promise<StreamOffset[]>;
  /**
   * A page of values of one key in (step, stream, line) order, or of every key in (stream, line,
   * key) order: at most `limit` rows, and no more than fit in `maxChars` characters of value text
   * (at least one); `more` when rows follow.
   */
  runHistoryValues(runId: string, q: { key?: string; offset: number; limit: number; maxChars: number }): Promise<{ rows: StoredHistoryValueRead[]; more: boolean }>;
  /** How many distinct steps the run's history (metric points and values) has within the query. */
  runHistoryStepCount(runId: string, q: HistoryStepQuery): Promise<number>;
  /** The distinct steps within the query past `after`, ascending, at most `limit`. */
  runHistorySteps(runId: string, q: HistoryStepQuery & { after?: Int64; limit: number }): Promise<Int64[]>;
  /**
   * Every point and value at these steps (ascending), in step order: at most `maxPoints` of each
   * and `maxChars` of value text; when a bound cuts the read, what lies past the last step read
   * whole is left out (`through`).
   */
  runHistoryAt(runId: string, q: HistoryStepQuery & { steps: Int64[]; maxPoints: number; maxChars: number }): Promise<HistoryAt>;
  /** The run's history keys (system ones, or the others) with their counts, and the last step any of them has. */
  runHistoryKeys(runId: string, system: boolean): Promise<{ keys: HistoryKeyCount[]; lastStep?: Int64 }>;
  /** The stream's lines from line number `from` up, in order: at most `limit`, within `maxChars` characters (at least one line). */
  runConsoleLines(runId: string, stream: string, from: number, limit: number, maxChars: number): Promise<ConsoleLine[]>;

  /** Active logged models only. */
  getLoggedModel(modelId: string): Promise<LoggedModel | undefined>;
  searchLoggedModels(q: LoggedModelSearch): Promise<LoggedModel[]>;

  getRegisteredModel(name: string): Promise<RegisteredModel | undefined>;
  /** Up to limit+1 models, each with its latest versions, tags and aliases. */
  searchRegisteredModels(q: RegistrySearch): Promise<RegisteredModel[]>;
  /** A live version. */
  getModelVersion(name: string, version: number): Promise<ModelVersion | undefined>;
  modelVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined>;
  /** The model's live version with the highest number. */
  newestModelVersion(name: string): Promise<ModelVersion | undefined>;
  /** The newest live version of each of these stages (every stage when undefined), in stage order. */
  latestModelVersions(name: string, stages?: ModelVersionStage[]): Promise<ModelVersion[]>;
  /** Up to limit+1 live versions. */
  searchModelVersions(q: RegistrySearch): Promise<ModelVersion[]>;
  /** The live versions registered from a logged model, by model name then number. */
  loggedModelRegistrations(modelId: string): Promise<Array<{ name: string; version: string }>>;
  /** With its secret, for signing; front-ends get a Webhook without it. */
  getWebhook(webhookId: string): Promise<StoredWebhook | undefined>;
  /** Newest first (ties by id), up to limit+1 from offset. */
  listWebhooks(offset: number, limit: number): Promise<Webhook[]>;
  /** The ACTIVE webhooks subscribed to the event, newest first, at most `limit`, each with its secret. */
  webhooksForEvent(event: WebhookEvent, limit: number): Promise<StoredWebhook[]>;

  /** Where a local object came from, first ingested first; empty for one created here. */
  getOrigins(kind: OriginKind, localId: string): Promise<OriginRecord[]>;
  /** The local id an origin was ingested as. */
  localIdOfOrigin(kind: OriginKind, system: string, originId: string): Promise<string | undefined>;

  close(): Promise<void>;
}
