/** The core's WriteTx over one knex transaction. */
import type { Knex } from 'knex';
import type { DatasetInput, Experiment, LifecycleStage, MetricPoint, ModelOutput, Tag } from '../core/model';
import type { ExperimentUpdate, LockedRun, NewExperiment, NewRun, RunUpdate, WriteTx } from '../core/store';
import { latestByKey, supersedes } from '../core/metrics';
import { chunks } from './chunks';
import { insertRows } from './insert';
import { decodeValue, encodeValue } from './metric-values';
import type { MetricKeyCache } from './metric-keys';
import type { Dialect } from './connect';
import { experimentFromRows } from './rows';
import * as models from './logged-models';
import type { LoggedModelUpdate, NewLoggedModel } from '../core/store';
import type { ModelMetricPoint } from '../core/model';

export class SqlWriteTx implements WriteTx {
  /** Metric key ids this transaction resolved; the store caches them after commit. */
  readonly keysSeen = new Map<string, number>();

  constructor(private readonly trx: Knex.Transaction, private readonly dialect: Dialect, private readonly keys: MetricKeyCache) {}

  private lockable<T extends {}>(q: Knex.QueryBuilder<T>) {
    // SQLite has one writer, so its transactions are already serialised.
    return this.dialect === 'sqlite' ? q : q.forUpdate();
  }

  // ---- experiments ----

  async insertExperiment(e: NewExperiment): Promise<string> {
    let id = e.experimentId;
    while (id === undefined) {
      // The counter row is locked by the UPDATE until commit: concurrent creators queue on it.
      await this.trx('counters').where({ name: 'experiment' }).increment('value', 1);
      const row = await this.trx('counters').where({ name: 'experiment' }).first('value');
      const candidate = String(Number(row.value));
      const taken = await this.trx('experiments').where({ experiment_id: candidate }).first('experiment_id');
      if (!taken) id = candidate;
    }
    await this.trx('experiments').insert({
      experiment_id: id,
      name: e.name,
      artifact_location: e.artifactLocation(id),
      lifecycle_stage: 'active',
      creation_time: e.time,
      last_update_time: e.time,
    });
    if (e.tags.length) await this.setExperimentTags(id, e.tags);
    return id;
  }

  async lockExperiment(experimentId: string): Promise<Experiment | undefined> {
    const row = await this.lockable(this.trx('experiments').where({ experiment_id: experimentId })).first();
    if (!row) return undefined;
    const tags = await this.trx('experiment_tags').where({ experiment_id: experimentId }).select('key', 'value');
    return experimentFromRows(row, tags);
  }

  async experimentIdByName(name: string): Promise<string | undefined> {
    const row = await this.trx('experiments').where({ name }).first('experiment_id');
    return row?.experiment_id;
  }

  async updateExperiment(experimentId: string, u: ExperimentUpdate): Promise<void> {
    const set: Record<string, unknown> = {};
    if (u.name !== undefined) set.name = u.name;
    if (u.lifecycleStage !== undefined) set.lifecycle_stage = u.lifecycleStage;
    if (u.lastUpdateTime !== undefined) set.last_update_time = u.lastUpdateTime;
    if (Object.keys(set).length) await this.trx('experiments').where({ experiment_id: experimentId }).update(set);
  }

  async setExperimentTags(experimentId: string, tags: Tag[]): Promise<void> {
    const rows = dedupeByKey(tags).map((t) => [experimentId, t.key, t.value]);
    await insertRows(this.trx, this.dialect, 'experiment_tags', ['experiment_id', 'key', 'value'], rows, { keys: ['experiment_id', 'key'], update: ['value'] });
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<boolean> {
    return (await this.trx('experiment_tags').where({ experiment_id: experimentId, key }).delete()) > 0;
  }

  async setRunsLifecycleOfExperiment(experimentId: string, stage: LifecycleStage, deletedTime: number | null): Promise<void> {
    await this.trx('runs').where({ experiment_id: experimentId }).update({ lifecycle_stage: stage, deleted_time: deletedTime });
  }

  // ---- runs ----

  async insertRun(r: NewRun): Promise<void> {
    const insert = this.trx('runs').insert(
      {
        run_uuid: r.runId,
        experiment_id: r.experimentId,
        name: r.name,
        user_id: r.userId,
        status: r.status,
        start_time: r.startTime,
        end_time: r.endTime,
        artifact_uri: r.artifactUri,
        lifecycle_stage: 'active',
        deleted_time: null,
      },
    );
    // PostgreSQL reports generated keys only through RETURNING; SQLite and MySQL return the row id.
    const res: any[] = this.dialect === 'postgres' ? await insert.returning('rid') : await insert;
    const rid = Number(typeof res[0] === 'object' ? res[0].rid : res[0]);
    const run: LockedRun = { handle: rid, runId: r.runId, experimentId: r.experimentId, lifecycleStage: 'active', name: r.name };
    if (r.tags.length) await this.upsertTags(run, r.tags);
  }

  async lockRun(runId: string): Promise<LockedRun | undefined> {
    const row = await this.lockable(this.trx('runs').where({ run_uuid: runId }))
      .first('rid', 'run_uuid', 'experiment_id', 'lifecycle_stage', 'name');
    if (!row) return undefined;
    return { handle: Number(row.rid), runId: row.run_uuid, experimentId: row.experiment_id, lifecycleStage: row.lifecycle_stage, name: row.name };
  }

  async updateRun(run: LockedRun, u: RunUpdate): Promise<void> {
    const set: Record<string, unknown> = {};
    if (u.status !== undefined) set.status = u.status;
    if (u.endTime !== undefined) set.end_time = u.endTime;
    if (u.name !== undefined) set.name = u.name;
    if (u.lifecycleStage !== undefined) set.lifecycle_stage = u.lifecycleStage;
    if (u.deletedTime !== undefined) set.deleted_time = u.deletedTime;
    if (Object.keys(set).length) await this.trx('runs').where({ rid: run.handle }).update(set);
  }

  async getParams(run: LockedRun, keys: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks(keys, 500)) {
      const rows = await this.trx('params').where({ rid: run.handle }).whereIn('key', part).select('key', 'value');
      for (const r of rows) out.set(r.key, r.value);
    }
    return out;
  }

  async insertParams(run: LockedRun, params: Tag[]): Promise<void> {
    const rows = params.map((p) => [run.handle, p.key, p.value]);
    await insertRows(this.trx, this.dialect, 'params', ['rid', 'key', 'value'], rows, { ignore: ['rid', 'key'] });
  }

  async upsertTags(run: LockedRun, tags: Tag[]): Promise<void> {
    const rows = dedupeByKey(tags).map((t) => [run.handle, t.key, t.value]);
    await insertRows(this.trx, this.dialect, 'tags', ['rid', 'key', 'value'], rows, { keys: ['rid', 'key'], update: ['value'] });
  }

  async getTag(run: LockedRun, key: string): Promise<string | undefined> {
    const row = await this.trx('tags').where({ rid: run.handle, key }).first('value');
    return row?.value;
  }

  async deleteTag(run: LockedRun, key: string): Promise<boolean> {
    return (await this.trx('tags').where({ rid: run.handle, key }).delete()) > 0;
  }

  async insertMetrics(run: LockedRun, points: MetricPoint[]): Promise<void> {
    if (points.length === 0) return;
    const ids = await this.keys.resolve(this.trx, this.dialect, [...new Set(points.map((p) => p.key))], this.keysSeen);
    const rows = points.map((p) => {
      const v = encodeValue(p.value);
      return [run.handle, ids.get(p.key)!, p.timestamp, p.step, v.value, v.special];
    });
    const columns = ['rid', 'key_id', 'timestamp', 'step', 'value', 'special'];
    await insertRows(this.trx, this.dialect, 'metrics', columns, rows, { ignore: columns });
    await this.raiseLatest(run, latestByKey(points), ids);
  }

  /** Keeps latest_metrics at the maximum (step, timestamp, value) per key; the run row lock makes read-then-write safe. */
  private async raiseLatest(run: LockedRun, candidates: Map<string, MetricPoint>, ids: Map<string, number>) {
    const keyIds = [...candidates.keys()].map((k) => ids.get(k)!);
    const current = new Map<number, { step: number; timestamp: number; value: number }>();
    for (const part of chunks(keyIds, 500)) {
      const rows = await this.trx('latest_metrics').where({ rid: run.handle }).whereIn('key_id', part).select('key_id', 'step', 'timestamp', 'value', 'special');
      for (const r of rows) current.set(Number(r.key_id), { step: Number(r.step), timestamp: Number(r.timestamp), value: decodeValue(r.value, r.special) });
    }
    const upserts: unknown[][] = [];
    for (const [key, p] of candidates) {
      const keyId = ids.get(key)!;
      const cur = current.get(keyId);
      if (cur && !supersedes(p, cur)) continue;
      const v = encodeValue(p.value);
      upserts.push([run.handle, keyId, p.step, p.timestamp, v.value, v.special]);
    }
    await insertRows(this.trx, this.dialect, 'latest_metrics', ['rid', 'key_id', 'step', 'timestamp', 'value', 'special'], upserts,
      { keys: ['rid', 'key_id'], update: ['step', 'timestamp', 'value', 'special'] });
  }

  async insertDatasetInputs(run: LockedRun, inputs: DatasetInput[]): Promise<void> {
    for (const input of inputs) {
      const d = input.dataset;
      const identity = { experiment_id: run.experimentId, name: d.name, digest: d.digest };
      await this.trx('datasets')
        .insert({ ...identity, source_type: d.sourceType, source: d.source, schema: d.schema ?? null, profile: d.profile ?? null })
        .onConflict(['experiment_id', 'name', 'digest']).ignore();
      const row = await this.trx('datasets').where(identity).first('dataset_id');
      const context = input.tags.find((t) => t.key === 'mlflow.data.context')?.value ?? null;
      await this.trx('run_inputs')
        .insert({ rid: run.handle, dataset_id: Number(row.dataset_id), tags_json: JSON.stringify(input.tags), context })
        .onConflict(['rid', 'dataset_id']).ignore();
    }
  }

  async insertModelIo(run: LockedRun, kind: 'input' | 'output', models: ModelOutput[]): Promise<void> {
    const rows = models.map((m) => [run.handle, kind, m.modelId, m.step]);
    await insertRows(this.trx, this.dialect, 'run_models', ['rid', 'direction', 'model_id', 'step'], rows,
      { keys: ['rid', 'direction', 'model_id'], update: ['step'] });
  }

  // ---- logged models ----

  insertLoggedModel(m: NewLoggedModel) { return models.insertLoggedModel(this.trx, m); }
  lockLoggedModel(modelId: string) { return models.lockLoggedModel(this.trx, this.dialect, modelId); }
  updateLoggedModel(modelId: string, u: LoggedModelUpdate) { return models.updateLoggedModel(this.trx, modelId, u); }
  setLoggedModelTags(modelId: string, tags: Tag[]) { return models.setTags(this.trx, modelId, tags); }
  deleteLoggedModelTag(modelId: string, key: string) { return models.deleteTag(this.trx, modelId, key); }
  insertLoggedModelParams(modelId: string, params: Tag[]) { return models.insertParams(this.trx, modelId, params); }
  insertLoggedModelMetrics(modelId: string, points: ModelMetricPoint[]) { return models.insertMetrics(this.trx, modelId, points); }
}

/** Later entries win, as when the same key is set twice in one request. */
function dedupeByKey(tags: Tag[]): Tag[] {
  const m = new Map<string, Tag>();
  for (const t of tags) m.set(t.key, t);
  return [...m.values()];
}
