/** The core's Store over knex, for SQLite, PostgreSQL and MySQL alike. */
import knexFactory, { type Knex } from 'knex';
import type { DatasetSummary, Experiment, MetricPoint, Run, RunInfo, Tag } from '../core/model';
import type { ExperimentSearch, HistoryPoint, RunSearch, Store, WriteTx } from '../core/store';
import { TrackbridgeError } from '../core/errors';
import { openSqliteReader, openSqliteWriter, parseDbUrl, type SqliteOptions } from './connect';
import { DIALECTS, type SqlDialect } from './dialect';
import { prepareSchema } from './schema/check';
import { openError } from './open-errors';
import { type WriteLimits, WriteQueue } from './write-queue';
import { KnexExec, SqliteExec, type SqlExec } from './sql-exec';
import { addSqliteFunctions } from './sqlite-functions';
import { type HistoryReads, type HistoryScope, KnexHistoryReads, SqliteHistoryReads } from './history-reads';
import { SqlWriteTx } from './write-tx';
import { replayDelay, WRITE_ATTEMPTS } from './write-retry';
import { MetricKeyCache } from './metric-keys';
import { experimentFromRows, originFromRow, runInfoFromRow } from './rows';
import { LOCAL_ID_SQL, ORIGINS_OF_SQL } from './tx/origins';
import { chunks } from './chunks';
import { compileMetricOrderProbe, compileRunSearch, DEFAULT_PROBE_WINDOW, type ProbeWindow } from './search/runs';
import { hydrateRuns } from './run-hydration';
import { compileExperimentSearch } from './search/experiments';
import { compileLoggedModelSearch, hydrateLoggedModels } from './logged-models';
import type { LoggedModel, OriginKind, OriginRecord } from '../core/model';
import type { LoggedModelSearch, RunDocumentKind, StoredHistoryValueRead } from '../core/store';
import type { ConsoleLine, StreamOffset } from '../core/model';
import * as runData from './run-data-reads';
import { SqlArtifactVersionReads } from './artifact-versions-reads';
import * as historyRows from './run-history-rows';
import type { HistoryAt, HistoryKeyCount, HistoryStepQuery } from '../core/store';
import type { Int64 } from '../core/int64';
import { RegistryReads } from './registry-reads';
import type { ModelVersion, ModelVersionStage, RegisteredModel } from '../core/model';
import type { RegistrySearch } from '../core/store';
import { checkFilterTree, comparisonsIn, foldConstants, matchesNone } from '../core/query/filter';
import type { StoredWebhook, Webhook, WebhookEvent } from '../core/webhooks/types';
import * as webhookReads from './webhooks';
import { SqlAccountReads } from './accounts';

export interface OpenOptions {
  sqlite?: Partial<SqliteOptions>;
  /** How many entries a metric-ordered search probes first (see search/runs.ts); tests shrink it. */
  searchProbe?: ProbeWindow;
  /**
   * SQLite: create the database file's folder when it is missing. For the default data folder
   * only; a path someone typed with a missing folder is more likely a typo than a wish.
   */
  createParentDir?: boolean;
  /** Called after each schema statement has run; tests stop the setup here to stand for a crash. */
  onSchemaStatement?: (sql: string) => void;
  /** SQLite: the bounds of the single writer's queue (write-queue.ts WRITE_LIMITS); tests shrink them. */
  writeLimits?: Partial<WriteLimits>;
}

export class SqlStore implements Store {
  private readonly keys = new MetricKeyCache();
  private closed = false;
  /** PostgreSQL/MySQL writes under way; close() lets them commit before the pools go. */
  private readonly inFlight = new Set<Promise<unknown>>();

  private constructor(
    readonly dialect: SqlDialect,
    private readonly writer: Knex,
    private readonly reader: Knex,
    /** SQLite only: the one writer connection (better-sqlite3) behind the group-commit queue. */
    private readonly sqlite: { exec: SqliteExec; queue: WriteQueue; close: () => void } | undefined,
    private readonly history: HistoryReads,
    /** Plain-SQL reads: SQLite's raw read connection (cached statements), else the knex reader. */
    private readonly reads: SqlExec,
    private readonly probeWindow: ProbeWindow,
  ) {
    this.registry = new RegistryReads(reader, dialect, reads, (q) => this.select(q));
    this.accounts = new SqlAccountReads(reads);
    this.artifactVersions = new SqlArtifactVersionReads(reads);
  }

  readonly accounts: SqlAccountReads;

  readonly artifactVersions: SqlArtifactVersionReads;

  private readonly registry: RegistryReads;

  /** How metric-ordered searches were answered: by the probe, or by the full search after it. */
  readonly searchStats = { probeAnswered: 0, probeDeclined: 0 };
  /** Write units run again after the database aborted them (see write()). */
  readonly writeStats = { replayed: 0 };

  /**
   * Opens the database at `url`, setting up or checking its schema first. Every failure is a
   * TrackbridgeError with a one-line message (the driver's error, if any, as its `cause`).
   */
  static async open(url: string, opts: OpenOptions = {}): Promise<SqlStore> {
    try {
      return await SqlStore.openChecked(url, opts);
    } catch (e) {
      throw openError(e, url);
    }
  }

  private static async openChecked(url: string, opts: OpenOptions): Promise<SqlStore> {
    const target = parseDbUrl(url);
    const generic = DIALECTS[target.dialect];
    // Before any connection: opening a SQLite one would create the file and switch it to WAL.
    generic.beforeConnect(target.location, url, { createParentDir: opts.createParentDir ?? false });
    // better-sqlite3 is synchronous: more than one read connection would add no concurrency.
    const sqliteOpts: SqliteOptions = { synchronous: 'FULL', readers: 1, ...opts.sqlite };
    const cfg = generic.knexConfigs(target.location, sqliteOpts);
    const setup = knexFactory(cfg.setup);
    let dialect: SqlDialect;
    try {
      dialect = await generic.forServer(setup);
      await prepareSchema(setup, dialect, { url, afterStatement: opts.onSchemaStatement });
    } finally {
      await setup.destroy();
    }
    const writer = knexFactory(cfg.writer);
    const reader = cfg.reader ? knexFactory(cfg.reader) : writer;
    const raw: Array<{ close(): void }> = [];
    try {
      let sqlite: SqlStore['sqlite'];
      let history: HistoryReads = new KnexHistoryReads(reader);
      let reads: SqlExec = new KnexExec(reader, dialect);
      if (dialect.inProcess) {
        const db = openSqliteWriter(target.location, sqliteOpts);
        raw.push(db);
        const historyDb = openSqliteReader(target.location);
        raw.push(historyDb);
        addSqliteFunctions(db);
        addSqliteFunctions(historyDb);
        const exec = new SqliteExec(db);
        sqlite = { exec, queue: new WriteQueue(exec, opts.writeLimits), close: () => { db.close(); historyDb.close(); } };
        history = new SqliteHistoryReads(historyDb);
        reads = new SqliteExec(historyDb);
      }
      return new SqlStore(dialect, writer, reader, sqlite, history, reads, opts.searchProbe ?? DEFAULT_PROBE_WINDOW);
    } catch (e) {
      for (const db of raw) db.close();
      if (reader !== writer) await reader.destroy();
      await writer.destroy();
      throw e;
    }
  }

  /** The knex handle for tests and the benchmark's in-process baseline. */
  get db(): Knex { return this.writer; }

  /**
   * Runs one write unit in one transaction. On PostgreSQL and MySQL a unit the database aborts
   * as a deadlock victim or serialization failure is replayed from the start (write-retry.ts):
   * `fn` only talks to the transaction, and the metric keys it saw are learned only from the
   * attempt that committed.
   * On SQLite it runs under the single writer's bounds (write-queue.ts): a unit still holding
   * the writer at its deadline (awaiting something else, say) is rolled back and refused.
   */
  async write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    if (this.closed) throw new TrackbridgeError('UNAVAILABLE', 'The server is shutting down');
    let seen: Map<string, number> | undefined;
    const body = async (exec: SqlExec) => {
      seen = undefined;
      const tx = new SqlWriteTx(exec, this.keys);
      const out = await fn(tx);
      seen = tx.keysSeen;
      return out;
    };
    if (this.sqlite) {
      const out = await this.sqlite.queue.run(body);
      if (seen) this.keys.learn(seen);
      return out;
    }
    const pending = this.replaying(() => this.writer.transaction((trx) => body(new KnexExec(trx, this.dialect))));
    this.inFlight.add(pending);
    try {
      const out = await pending;
      if (seen) this.keys.learn(seen);
      return out;
    } finally {
      this.inFlight.delete(pending);
    }
  }

  private async replaying<T>(attempt: () => Promise<T>): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (e) {
        if (!this.dialect.isReplayable(e)) throw e;
        if (n >= WRITE_ATTEMPTS) {
          throw new TrackbridgeError('UNAVAILABLE', `The database aborted this write ${n} times as a deadlock or serialization failure; retry it`);
        }
        this.writeStats.replayed++;
        await replayDelay(n);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.sqlite?.queue.close();
    await Promise.allSettled([...this.inFlight]);
    this.sqlite?.close();
    if (this.reader !== this.writer) await this.reader.destroy();
    await this.writer.destroy();
  }

  // ---- experiments ----

  async getExperiment(experimentId: string): Promise<Experiment | undefined> {
    const row = await this.reader('experiments').where({ experiment_id: experimentId }).first();
    return row ? (await this.withTags([row]))[0] : undefined;
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    const row = await this.reader('experiments').where({ name }).first();
    return row ? (await this.withTags([row]))[0] : undefined;
  }

  async searchExperiments(q: ExperimentSearch): Promise<Experiment[]> {
    checkFilterTree(q.filter);
    const rows = await compileExperimentSearch(this.reader, this.dialect, q);
    return this.withTags(rows);
  }

  private async withTags(rows: any[]): Promise<Experiment[]> {
    const byId = new Map<string, Tag[]>(rows.map((r) => [String(r.experiment_id), []]));
    for (const part of chunks([...byId.keys()], 500)) {
      const tags = await this.reader('experiment_tags').whereIn('experiment_id', part).orderBy('key').select('experiment_id', 'key', 'value');
      for (const t of tags) byId.get(String(t.experiment_id))!.push({ key: t.key, value: t.value });
    }
    return rows.map((r) => experimentFromRows(r, byId.get(String(r.experiment_id))!));
  }

  // ---- runs ----

  async getRunInfo(runId: string): Promise<RunInfo | undefined> {
    const row = await this.reader('runs').where({ run_uuid: runId }).first();
    return row ? runInfoFromRow(row) : undefined;
  }

  async getRun(runId: string): Promise<Run | undefined> {
    const [row] = await this.reads.all('SELECT * FROM "runs" WHERE "run_uuid" = ?', [runId]);
    return row ? (await hydrateRuns(this.reads, this.keys, [row]))[0] : undefined;
  }

  async searchRuns(q: RunSearch): Promise<Run[]> {
    // The compilers recurse over the tree, so its bounds are checked before anything else.
    checkFilterTree(q.filter);
    if (q.experimentIds.length === 0) return [];
    const metricKeys = [...comparisonsIn(q.filter), ...q.orderBy].filter((c) => c.entity === 'metric' || c.entity === 'summary').map((c) => c.key);
    const keyIds = await this.keys.lookup(this.reader, [...new Set(metricKeys)]);
    // A comparison on a metric no run ever logged holds for no run; when that settles the
    // whole filter (any conjunction naming one), no query is needed.
    const filter = foldConstants(q.filter, (c) => (c.entity === 'metric' && !keyIds.has(c.key) ? false : undefined));
    if (matchesNone(filter)) return [];
    const search = { ...q, filter };
    const probe = compileMetricOrderProbe(this.reader, this.dialect, search, keyIds, this.probeWindow);
    if (probe) {
      const rows = await this.select(probe.query);
      if (probe.accepts(rows)) {
        this.searchStats.probeAnswered++;
        return hydrateRuns(this.reads, this.keys, rows);
      }
      this.searchStats.probeDeclined++;
    }
    const rows = await this.select(compileRunSearch(this.reader, this.dialect, search, keyIds));
    return hydrateRuns(this.reads, this.keys, rows);
  }

  async countRuns(q: Pick<RunSearch, 'experimentIds' | 'filter' | 'viewType'>): Promise<number> {
    checkFilterTree(q.filter);
    if (q.experimentIds.length === 0) return 0;
    const metricKeys = comparisonsIn(q.filter).filter((c) => c.entity === 'metric' || c.entity === 'summary').map((c) => c.key);
    const keyIds = await this.keys.lookup(this.reader, [...new Set(metricKeys)]);
    const filter = foldConstants(q.filter, (c) => (c.entity === 'metric' && !keyIds.has(c.key) ? false : undefined));
    if (matchesNone(filter)) return 0;
    const search = compileRunSearch(this.reader, this.dialect, { ...q, filter, orderBy: [], offset: 0, limit: 0 }, keyIds)
      .clearSelect().clearOrder().clear('limit').clear('offset').select('runs.rid');
    const [row] = await this.select(this.reader.from(search.as('c')).count({ n: '*' }));
    return Number(row.n);
  }

  /** Runs a built query; on SQLite as a cached statement on the raw read connection. */
  private async select(query: Knex.QueryBuilder): Promise<any[]> {
    if (!this.sqlite) return query;
    const { sql, bindings } = query.toSQL();
    return this.reads.all(sql, bindings);
  }

  // ---- metric history ----

  private async runHandles(runIds: string[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (const part of chunks(runIds, 500)) {
      const rows = await this.reader('runs').whereIn('run_uuid', part).select('rid', 'run_uuid');
      for (const r of rows) out.set(Number(r.rid), r.run_uuid);
    }
    return out;
  }

  /** Resolves the runs and key a history read names; undefined when nothing can match. */
  private async historyScope(runIds: string[], key: string): Promise<HistoryScope | undefined> {
    const [runs, keyIds] = await Promise.all([this.runHandles(runIds), this.keys.lookup(this.reader, [key])]);
    const keyId = keyIds.get(key);
    if (runs.size === 0 || keyId === undefined) return undefined;
    return { key, keyId, runs };
  }

  /**
   * Rows per statement of a history read: about 160 KB of JSON, a few milliseconds of the event
   * loop on SQLite, between which other requests are served. Tests change it.
   */
  historyChunkRows = 2000;

  async *metricHistoryChunks(runId: string, key: string, offset: number, limit: number): AsyncGenerator<MetricPoint[]> {
    const scope = await this.historyScope([runId], key);
    if (scope) yield* this.history.chunks(scope, offset, limit, this.historyChunkRows);
  }

  async metricHistoryBulk(runIds: string[], key: string, limit: number): Promise<HistoryPoint[]> {
    const scope = await this.historyScope(runIds, key);
    return scope ? this.history.bulk(scope, limit) : [];
  }

  async metricHistorySampled(runIds: string[], key: string, maxResults: number, startStep?: number, endStep?: number): Promise<HistoryPoint[]> {
    const scope = await this.historyScope(runIds, key);
    if (!scope) return [];
    const byRun = new Map<string, HistoryPoint[]>();
    for (const p of await this.history.sampled(scope, maxResults, startStep, endStep)) {
      let list = byRun.get(p.runId);
      if (!list) byRun.set(p.runId, (list = []));
      list.push(p);
    }
    // Runs in the order asked; MLflow answers a run named twice twice.
    return runIds.flatMap((id) => byRun.get(id) ?? []);
  }

  async searchDatasets(experimentIds: string[]): Promise<DatasetSummary[]> {
    if (experimentIds.length === 0) return [];
    const rows = await this.reader('datasets as ds').join('run_inputs as ri', 'ri.dataset_id', 'ds.dataset_id')
      .whereIn('ds.experiment_id', experimentIds)
      .distinct('ds.experiment_id', 'ds.name', 'ds.digest', 'ri.context')
      .orderBy([{ column: 'ds.experiment_id' }, { column: 'ds.name' }, { column: 'ds.digest' }])
      .limit(1000);
    return rows.map((r: any) => ({ experimentId: String(r.experiment_id), name: r.name, digest: r.digest, ...(r.context ? { context: r.context } : {}) }));
  }

  // ---- a run's W&B data ----

  runDocument(runId: string, kind: RunDocumentKind): Promise<string | undefined> { return runData.runDocument(this.reads, runId, kind); }
  runStreamOffsets(runId: string): Promise<StreamOffset[]> { return runData.runStreamOffsets(this.reads, runId); }
  runHistoryValues(runId: string, q: { key?: string; offset: number; limit: number; maxChars: number }): Promise<{ rows: StoredHistoryValueRead[]; more: boolean }> {
    return runData.runHistoryValues(this.reads, runId, q);
  }
  runHistoryStepCount(runId: string, q: HistoryStepQuery): Promise<number> { return historyRows.runHistoryStepCount(this.reads, runId, q); }
  runHistorySteps(runId: string, q: HistoryStepQuery & { after?: Int64; limit: number }): Promise<Int64[]> { return historyRows.runHistorySteps(this.reads, runId, q); }
  runHistoryAt(runId: string, q: HistoryStepQuery & { steps: Int64[]; maxPoints: number; maxChars: number }): Promise<HistoryAt> { return historyRows.runHistoryAt(this.reads, runId, q); }
  runHistoryKeys(runId: string, system: boolean): Promise<{ keys: HistoryKeyCount[]; lastStep?: Int64 }> { return historyRows.runHistoryKeys(this.reads, runId, system); }
  runConsoleLines(runId: string, stream: string, from: number, limit: number, maxChars: number): Promise<ConsoleLine[]> {
    return runData.runConsoleLines(this.reads, runId, stream, from, limit, maxChars);
  }

  // ---- logged models ----

  async getLoggedModel(modelId: string): Promise<LoggedModel | undefined> {
    const row = await this.reader('logged_models').where({ model_id: modelId, lifecycle_stage: 'active' }).first();
    return row ? (await hydrateLoggedModels(this.reader, [row]))[0] : undefined;
  }

  async searchLoggedModels(q: LoggedModelSearch): Promise<LoggedModel[]> {
    checkFilterTree(q.filter);
    if (q.experimentIds.length === 0) return [];
    const rows = await compileLoggedModelSearch(this.reader, this.dialect, q);
    return hydrateLoggedModels(this.reader, rows);
  }

  // ---- the model registry ----

  getRegisteredModel(name: string): Promise<RegisteredModel | undefined> { return this.registry.getRegisteredModel(name); }
  searchRegisteredModels(q: RegistrySearch): Promise<RegisteredModel[]> { return this.registry.searchRegisteredModels(q); }
  getModelVersion(name: string, version: number): Promise<ModelVersion | undefined> { return this.registry.getModelVersion(name, version); }
  modelVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined> { return this.registry.modelVersionByAlias(name, alias); }
  newestModelVersion(name: string): Promise<ModelVersion | undefined> { return this.registry.newestModelVersion(name); }
  latestModelVersions(name: string, stages?: ModelVersionStage[]): Promise<ModelVersion[]> { return this.registry.latestModelVersions(name, stages); }
  searchModelVersions(q: RegistrySearch): Promise<ModelVersion[]> { return this.registry.searchModelVersions(q); }
  loggedModelRegistrations(modelId: string): Promise<Array<{ name: string; version: string }>> { return this.registry.loggedModelRegistrations(modelId); }
  // ---- webhooks ----

  getWebhook(webhookId: string): Promise<StoredWebhook | undefined> { return webhookReads.getWebhook(this.reads, webhookId); }
  listWebhooks(offset: number, limit: number): Promise<Webhook[]> { return webhookReads.listWebhooks(this.reads, offset, limit); }
  webhooksForEvent(event: WebhookEvent, limit: number): Promise<StoredWebhook[]> { return webhookReads.webhooksForEvent(this.reads, event, limit); }

  // ---- origins ----

  async getOrigins(kind: OriginKind, localId: string): Promise<OriginRecord[]> {
    return (await this.reads.all(ORIGINS_OF_SQL, [kind, localId])).map(originFromRow);
  }

  async localIdOfOrigin(kind: OriginKind, system: string, originId: string): Promise<string | undefined> {
    const [row] = await this.reads.all(LOCAL_ID_SQL, [kind, system, originId]);
    return row ? String(row.local_id) : undefined;
  }
}
