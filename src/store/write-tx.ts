/** The core's WriteTx as SQL statements, run through a SqlExec (see sql-exec.ts). */
import type { DatasetInput, Experiment, LifecycleStage, MetricPoint, ModelMetricPoint, ModelOutput, Tag } from '../core/model';
import type { ExperimentUpdate, LockedRun, LoggedModelUpdate, NewExperiment, NewLoggedModel, NewRun, RunUpdate, WriteTx } from '../core/store';
import { latestByKey, supersedes } from '../core/metrics';
import { type Int64, toInt64 } from '../core/int64';
import { chunks, placeholders } from './chunks';
import { insertRows } from './insert';
import { decodeValue, encodeValue } from './metric-values';
import type { MetricKeyCache } from './metric-keys';
import type { SqlExec } from './sql-exec';
import { experimentFromRows } from './rows';
import * as models from './logged-models';
import { SqlOriginWrites } from './tx/origins';
import type { ExperimentWrites, MetricWrites, OriginWrites, RunWrites } from '../core/store';


/** `UPDATE table SET a = ?, b = ? WHERE …` from the fields that are set; undefined means "leave". */
function updateSql(table: string, set: Record<string, unknown>, where: string): [string, unknown[]] | undefined {
  const cols = Object.keys(set).filter((k) => set[k] !== undefined);
  if (cols.length === 0) return undefined;
  return [`UPDATE "${table}" SET ${cols.map((c) => `"${c}" = ?`).join(', ')} WHERE ${where}`, cols.map((c) => set[c])];
}

export class SqlWriteTx implements WriteTx {
  /** Metric key ids this transaction resolved; the store caches them after commit. */
  readonly keysSeen = new Map<string, number>();
  /** Row locks only where several writers exist: SQLite has one writer, so it is serialised already. */
  private readonly forUpdate: string;

  constructor(private readonly sql: SqlExec, private readonly keys: MetricKeyCache) {
    this.forUpdate = sql.dialect === 'sqlite' ? '' : ' FOR UPDATE';
    this.origins = new SqlOriginWrites(sql);
  }

  // TEMP shim until the store-dialect split lands.
  readonly origins: OriginWrites;
  get experiments(): ExperimentWrites {
    return {
      insert: (e) => this.insertExperiment(e), lock: (id) => this.lockExperiment(id), idByName: (n) => this.experimentIdByName(n),
      update: (id, u) => this.updateExperiment(id, u), setTags: (id, t) => this.setExperimentTags(id, t),
    };
  }
  get runs(): RunWrites {
    return {
      insert: (r) => this.insertRun(r), lock: (id) => this.lockRun(id), update: (r, u) => this.updateRun(r, u), setTags: (r, t) => this.upsertTags(r, t),
      setParams: async (run, params) => {
        const rows = params.map((p) => [run.handle, p.key, p.value]);
        await insertRows(this.sql, 'params', ['rid', 'key', 'value'], rows, { keys: ['rid', 'key'], update: ['value'] });
      },
      insertDatasetInputs: (r, i) => this.insertDatasetInputs(r, i),
    };
  }
  get metrics(): MetricWrites {
    return { insert: (r, p) => this.insertMetrics(r, p) };
  }

  // ---- experiments ----

  async insertExperiment(e: NewExperiment): Promise<string> {
    let id = e.experimentId;
    while (id === undefined) {
      // The counter row is locked by the UPDATE until commit: concurrent creators queue on it.
      await this.sql.run(`UPDATE "counters" SET "value" = "value" + 1 WHERE "name" = ?`, ['experiment']);
      const [row] = await this.sql.all(`SELECT "value" FROM "counters" WHERE "name" = ?`, ['experiment']);
      const candidate = String(Number(row.value));
      const taken = await this.sql.all(`SELECT 1 FROM "experiments" WHERE "experiment_id" = ?`, [candidate]);
      if (taken.length === 0) id = candidate;
    }
    await this.sql.run(
      `INSERT INTO "experiments" ("experiment_id", "name", "artifact_location", "lifecycle_stage", "creation_time", "last_update_time") VALUES (?, ?, ?, ?, ?, ?)`,
      [id, e.name, e.artifactLocation(id), 'active', e.time, e.time],
    );
    if (e.tags.length) await this.setExperimentTags(id, e.tags);
    return id;
  }

  async lockExperiment(experimentId: string): Promise<Experiment | undefined> {
    const [row] = await this.sql.all(`SELECT * FROM "experiments" WHERE "experiment_id" = ?${this.forUpdate}`, [experimentId]);
    if (!row) return undefined;
    const tags = await this.sql.all(`SELECT "key", "value" FROM "experiment_tags" WHERE "experiment_id" = ?`, [experimentId]);
    return experimentFromRows(row, tags);
  }

  async experimentIdByName(name: string): Promise<string | undefined> {
    const [row] = await this.sql.all(`SELECT "experiment_id" FROM "experiments" WHERE "name" = ?`, [name]);
    return row ? String(row.experiment_id) : undefined;
  }

  async updateExperiment(experimentId: string, u: ExperimentUpdate): Promise<void> {
    const q = updateSql('experiments', {
      name: u.name, lifecycle_stage: u.lifecycleStage, creation_time: u.creationTime, last_update_time: u.lastUpdateTime,
    }, `"experiment_id" = ?`);
    if (q) await this.sql.run(q[0], [...q[1], experimentId]);
  }

  async setExperimentTags(experimentId: string, tags: Tag[]): Promise<void> {
    const rows = dedupeByKey(tags).map((t) => [experimentId, t.key, t.value]);
    await insertRows(this.sql, 'experiment_tags', ['experiment_id', 'key', 'value'], rows, { keys: ['experiment_id', 'key'], update: ['value'] });
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<boolean> {
    return (await this.sql.run(`DELETE FROM "experiment_tags" WHERE "experiment_id" = ? AND "key" = ?`, [experimentId, key])).changes > 0;
  }

  async setRunsLifecycleOfExperiment(experimentId: string, stage: LifecycleStage, deletedTime: number | null): Promise<void> {
    await this.sql.run(`UPDATE "runs" SET "lifecycle_stage" = ?, "deleted_time" = ? WHERE "experiment_id" = ?`, [stage, deletedTime, experimentId]);
  }

  // ---- runs ----

  async insertRun(r: NewRun): Promise<void> {
    const cols = ['run_uuid', 'experiment_id', 'name', 'user_id', 'status', 'start_time', 'end_time', 'artifact_uri', 'lifecycle_stage', 'deleted_time'];
    const text = `INSERT INTO "runs" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${placeholders(cols.length)})`;
    const values = [r.runId, r.experimentId, r.name, r.userId, r.status, r.startTime, r.endTime, r.artifactUri, 'active', null];
    let rid: number;
    if (this.sql.dialect === 'postgres') {
      // PostgreSQL reports generated keys only through RETURNING.
      rid = Number((await this.sql.all(`${text} RETURNING "rid"`, values))[0].rid);
    } else {
      rid = Number((await this.sql.run(text, values)).lastId);
    }
    const run: LockedRun = { handle: rid, runId: r.runId, experimentId: r.experimentId, lifecycleStage: 'active', name: r.name };
    if (r.tags.length) await this.upsertTags(run, r.tags);
  }

  async lockRun(runId: string): Promise<LockedRun | undefined> {
    const [row] = await this.sql.all(
      `SELECT "rid", "run_uuid", "experiment_id", "lifecycle_stage", "name" FROM "runs" WHERE "run_uuid" = ?${this.forUpdate}`, [runId]);
    if (!row) return undefined;
    return { handle: Number(row.rid), runId: row.run_uuid, experimentId: String(row.experiment_id), lifecycleStage: row.lifecycle_stage, name: row.name };
  }

  async updateRun(run: LockedRun, u: RunUpdate): Promise<void> {
    const q = updateSql('runs', {
      status: u.status, start_time: u.startTime, end_time: u.endTime, name: u.name, user_id: u.userId,
      lifecycle_stage: u.lifecycleStage, deleted_time: u.deletedTime,
    }, `"rid" = ?`);
    if (q) await this.sql.run(q[0], [...q[1], run.handle]);
  }

  async getParams(run: LockedRun, keys: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks(keys, 500)) {
      const rows = await this.sql.all(`SELECT "key", "value" FROM "params" WHERE "rid" = ? AND "key" IN (${placeholders(part.length)})`, [run.handle, ...part]);
      for (const r of rows) out.set(r.key, r.value);
    }
    return out;
  }

  async insertParams(run: LockedRun, params: Tag[]): Promise<void> {
    const rows = params.map((p) => [run.handle, p.key, p.value]);
    await insertRows(this.sql, 'params', ['rid', 'key', 'value'], rows, { ignore: ['rid', 'key'] });
  }

  async upsertTags(run: LockedRun, tags: Tag[]): Promise<void> {
    const rows = dedupeByKey(tags).map((t) => [run.handle, t.key, t.value]);
    await insertRows(this.sql, 'tags', ['rid', 'key', 'value'], rows, { keys: ['rid', 'key'], update: ['value'] });
  }

  async getTag(run: LockedRun, key: string): Promise<string | undefined> {
    const [row] = await this.sql.all(`SELECT "value" FROM "tags" WHERE "rid" = ? AND "key" = ?`, [run.handle, key]);
    return row?.value;
  }

  async deleteTag(run: LockedRun, key: string): Promise<boolean> {
    return (await this.sql.run(`DELETE FROM "tags" WHERE "rid" = ? AND "key" = ?`, [run.handle, key])).changes > 0;
  }

  async insertMetrics(run: LockedRun, points: MetricPoint[]): Promise<void> {
    if (points.length === 0) return;
    const ids = await this.keys.resolve(this.sql, [...new Set(points.map((p) => p.key))], this.keysSeen);
    const rows = points.map((p) => {
      const v = encodeValue(p.value);
      return [run.handle, ids.get(p.key)!, p.timestamp, p.step, v.value, v.special];
    });
    const columns = ['rid', 'key_id', 'timestamp', 'step', 'value', 'special'];
    await insertRows(this.sql, 'metrics', columns, rows, { ignore: columns });
    await this.raiseLatest(run, latestByKey(points), ids);
  }

  /** Keeps latest_metrics at the maximum (step, timestamp, value) per key; the run row lock makes read-then-write safe. */
  private async raiseLatest(run: LockedRun, candidates: Map<string, MetricPoint>, ids: Map<string, number>) {
    const keyIds = [...candidates.keys()].map((k) => ids.get(k)!);
    const current = new Map<number, { step: Int64; timestamp: Int64; value: number }>();
    for (const part of chunks(keyIds, 500)) {
      const rows = await this.sql.all(
        `SELECT "key_id", "step", "timestamp", "value", "special" FROM "latest_metrics" WHERE "rid" = ? AND "key_id" IN (${placeholders(part.length)})`,
        [run.handle, ...part]);
      for (const r of rows) current.set(Number(r.key_id), { step: toInt64(r.step)!, timestamp: toInt64(r.timestamp)!, value: decodeValue(r.value, r.special) });
    }
    const upserts: unknown[][] = [];
    for (const [key, p] of candidates) {
      const keyId = ids.get(key)!;
      const cur = current.get(keyId);
      if (cur && !supersedes(p, cur)) continue;
      const v = encodeValue(p.value);
      upserts.push([run.handle, keyId, p.step, p.timestamp, v.value, v.special]);
    }
    await insertRows(this.sql, 'latest_metrics', ['rid', 'key_id', 'step', 'timestamp', 'value', 'special'], upserts,
      { keys: ['rid', 'key_id'], update: ['step', 'timestamp', 'value', 'special'] });
  }

  async insertDatasetInputs(run: LockedRun, inputs: DatasetInput[]): Promise<void> {
    // An experiment's runs share its dataset rows, created here one statement each and locked
    // to commit: every writer takes them in (name, digest) order, so concurrent writers queue
    // instead of deadlocking. New datasets get their ids, and so their place in a run's inputs,
    // in that order (MLflow promises none). Stable: a repeated dataset's first entry still wins.
    const ordered = [...inputs].sort((a, b) => byText(a.dataset.name, b.dataset.name) || byText(a.dataset.digest, b.dataset.digest));
    for (const input of ordered) {
      const d = input.dataset;
      await insertRows(this.sql, 'datasets', ['experiment_id', 'name', 'digest', 'source_type', 'source', 'schema', 'profile'],
        [[run.experimentId, d.name, d.digest, d.sourceType, d.source, d.schema ?? null, d.profile ?? null]],
        { ignore: ['experiment_id', 'name', 'digest'] });
      const [row] = await this.sql.all(`SELECT "dataset_id" FROM "datasets" WHERE "experiment_id" = ? AND "name" = ? AND "digest" = ?`,
        [run.experimentId, d.name, d.digest]);
      const context = input.tags.find((t) => t.key === 'mlflow.data.context')?.value ?? null;
      await insertRows(this.sql, 'run_inputs', ['rid', 'dataset_id', 'tags_json', 'context'],
        [[run.handle, Number(row.dataset_id), JSON.stringify(input.tags), context]], { ignore: ['rid', 'dataset_id'] });
    }
  }

  async insertModelIo(run: LockedRun, kind: 'input' | 'output', items: ModelOutput[]): Promise<void> {
    const rows = items.map((m) => [run.handle, kind, m.modelId, m.step]);
    await insertRows(this.sql, 'run_models', ['rid', 'direction', 'model_id', 'step'], rows,
      { keys: ['rid', 'direction', 'model_id'], update: ['step'] });
  }

  // ---- logged models ----

  insertLoggedModel(m: NewLoggedModel) { return models.insertLoggedModel(this.sql, m); }
  lockLoggedModel(modelId: string) { return models.lockLoggedModel(this.sql, modelId, this.forUpdate); }
  updateLoggedModel(modelId: string, u: LoggedModelUpdate) { return models.updateLoggedModel(this.sql, modelId, u); }
  setLoggedModelTags(modelId: string, tags: Tag[]) { return models.setTags(this.sql, modelId, tags); }
  deleteLoggedModelTag(modelId: string, key: string) { return models.deleteTag(this.sql, modelId, key); }
  insertLoggedModelParams(modelId: string, params: Tag[]) { return models.insertParams(this.sql, modelId, params); }
  insertLoggedModelMetrics(modelId: string, points: ModelMetricPoint[]) { return models.insertMetrics(this.sql, modelId, points); }
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Later entries win, as when the same key is set twice in one request. */
function dedupeByKey(tags: Tag[]): Tag[] {
  const m = new Map<string, Tag>();
  for (const t of tags) m.set(t.key, t);
  return [...m.values()];
}
