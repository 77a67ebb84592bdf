/** Logged-model rows: writes inside a transaction, and the reads and search over them. */
import type { Knex } from 'knex';
import type { LifecycleStage, LoggedModel, ModelMetricPoint, Tag } from '../core/model';
import type { LoggedModelSearch, LoggedModelUpdate, NewLoggedModel } from '../core/store';
import type { Dialect } from './connect';
import { chunks } from './chunks';
import { decodeValue, encodeValue, SPECIAL_NAN } from './metric-values';
import { compare } from './search/conditions';

export async function insertLoggedModel(trx: Knex.Transaction, m: NewLoggedModel): Promise<void> {
  await trx('logged_models').insert({
    model_id: m.modelId, experiment_id: m.experimentId, name: m.name, artifact_location: m.artifactLocation,
    creation_timestamp: m.time, last_updated_timestamp: m.time, status: 'LOGGED_MODEL_PENDING', status_message: null,
    model_type: m.modelType ?? null, source_run_id: m.sourceRunId ?? null, lifecycle_stage: 'active',
  });
  await setTags(trx, m.modelId, m.tags);
  await insertParams(trx, m.modelId, m.params);
}

export async function lockLoggedModel(trx: Knex.Transaction, dialect: Dialect, modelId: string) {
  const q = trx('logged_models').where({ model_id: modelId });
  const row = await (dialect === 'sqlite' ? q : q.forUpdate()).first('model_id', 'experiment_id', 'lifecycle_stage');
  return row ? { modelId: row.model_id as string, experimentId: String(row.experiment_id), lifecycleStage: row.lifecycle_stage as LifecycleStage } : undefined;
}

export async function updateLoggedModel(trx: Knex.Transaction, modelId: string, u: LoggedModelUpdate): Promise<void> {
  const set: Record<string, unknown> = {};
  if (u.status !== undefined) set.status = u.status;
  if (u.statusMessage !== undefined) set.status_message = u.statusMessage;
  if (u.lastUpdatedTimestamp !== undefined) set.last_updated_timestamp = u.lastUpdatedTimestamp;
  if (u.lifecycleStage !== undefined) set.lifecycle_stage = u.lifecycleStage;
  if (Object.keys(set).length) await trx('logged_models').where({ model_id: modelId }).update(set);
}

export async function setTags(trx: Knex.Transaction, modelId: string, tags: Tag[]): Promise<void> {
  const byKey = new Map(tags.map((t) => [t.key, t.value]));
  const rows = [...byKey].map(([key, value]) => ({ model_id: modelId, key, value }));
  for (const part of chunks(rows, 300)) await trx('logged_model_tags').insert(part).onConflict(['model_id', 'key']).merge(['value']);
}

export async function deleteTag(trx: Knex.Transaction, modelId: string, key: string): Promise<boolean> {
  return (await trx('logged_model_tags').where({ model_id: modelId, key }).delete()) > 0;
}

export async function insertParams(trx: Knex.Transaction, modelId: string, params: Tag[]): Promise<void> {
  const rows = params.map((p) => ({ model_id: modelId, key: p.key, value: p.value }));
  for (const part of chunks(rows, 300)) await trx('logged_model_params').insert(part).onConflict(['model_id', 'key']).ignore();
}

export async function insertMetrics(trx: Knex.Transaction, modelId: string, points: ModelMetricPoint[]): Promise<void> {
  for (const p of points) {
    const identity = {
      model_id: modelId, key: p.key, step: p.step, timestamp: p.timestamp, run_id: p.runId,
      dataset_name: p.datasetName ?? '', dataset_digest: p.datasetDigest ?? '',
    };
    const enc = encodeValue(p.value);
    // Exact repeats (autolog re-sends) are dropped, as for run metrics.
    const dup = await trx('logged_model_metrics').where({ ...identity, value: enc.value, special: enc.special }).first('model_id');
    if (!dup) await trx('logged_model_metrics').insert({ ...identity, ...enc });
  }
}

const ATTRIBUTE_COLUMNS: Record<string, string> = {
  model_id: 'lm.model_id', name: 'lm.name', status: 'lm.status', model_type: 'lm.model_type', source_run_id: 'lm.source_run_id',
  creation_timestamp: 'lm.creation_timestamp', last_updated_timestamp: 'lm.last_updated_timestamp',
};

export async function hydrateLoggedModels(db: Knex, rows: any[]): Promise<LoggedModel[]> {
  const models = new Map<string, LoggedModel>();
  for (const r of rows) {
    models.set(r.model_id, {
      modelId: r.model_id, experimentId: String(r.experiment_id), name: r.name, artifactLocation: r.artifact_location,
      creationTimestamp: Number(r.creation_timestamp), lastUpdatedTimestamp: Number(r.last_updated_timestamp), status: r.status,
      statusMessage: r.status_message ?? undefined, modelType: r.model_type ?? undefined, sourceRunId: r.source_run_id ?? undefined,
      tags: [], params: [], metrics: [],
    });
  }
  for (const part of chunks([...models.keys()], 500)) {
    const [tags, params, metrics] = await Promise.all([
      db('logged_model_tags').whereIn('model_id', part).orderBy('key').select(),
      db('logged_model_params').whereIn('model_id', part).orderBy('key').select(),
      db('logged_model_metrics').whereIn('model_id', part).orderBy([{ column: 'key' }, { column: 'timestamp' }, { column: 'step' }]).select(),
    ]);
    for (const t of tags) models.get(t.model_id)!.tags.push({ key: t.key, value: t.value });
    for (const p of params) models.get(p.model_id)!.params.push({ key: p.key, value: p.value });
    for (const m of metrics) {
      models.get(m.model_id)!.metrics.push({
        key: m.key, value: decodeValue(m.value, m.special), timestamp: Number(m.timestamp), step: Number(m.step), runId: m.run_id,
        ...(m.dataset_name ? { datasetName: m.dataset_name, datasetDigest: m.dataset_digest } : {}),
      });
    }
  }
  return [...models.values()];
}

/** The latest value of a model's metric: the point with the greatest (step, timestamp). */
function latestMetricValue(db: Knex, key: string) {
  return db('logged_model_metrics as mm').select('mm.value').whereRaw('mm.model_id = lm.model_id').where('mm.key', key)
    .whereNot('mm.special', SPECIAL_NAN).orderBy([{ column: 'mm.step', order: 'desc' }, { column: 'mm.timestamp', order: 'desc' }]).limit(1);
}

export function compileLoggedModelSearch(db: Knex, dialect: Dialect, q: LoggedModelSearch): Knex.QueryBuilder {
  let sql = db('logged_models as lm').select('lm.*').whereIn('lm.experiment_id', q.experimentIds).where('lm.lifecycle_stage', 'active');
  for (const c of q.filter) {
    if (c.entity === 'attribute') { sql = compare(sql, dialect, ATTRIBUTE_COLUMNS[c.key], c); continue; }
    if (c.entity === 'metric') {
      const op = c.op === '!=' ? '<>' : c.op;
      sql = sql.whereRaw(`(?) ${op} ?`, [latestMetricValue(db, c.key), c.value as number]);
      continue;
    }
    const table = c.entity === 'param' ? 'logged_model_params' : 'logged_model_tags';
    sql = sql.whereExists(function () {
      const sub = this.select(db.raw('1')).from(`${table} as kv`).whereRaw('kv.model_id = lm.model_id').where('kv.key', c.key);
      return compare(sub, dialect, 'kv.value', c);
    });
  }
  for (const t of q.orderBy) {
    const dir = t.ascending ? 'asc' : 'desc';
    if (t.entity === 'metric') {
      sql = sql.orderByRaw('CASE WHEN (?) IS NULL THEN 1 ELSE 0 END', [latestMetricValue(db, t.key)])
        .orderByRaw(`(?) ${dir}`, [latestMetricValue(db, t.key)]);
    } else {
      sql = sql.orderBy(ATTRIBUTE_COLUMNS[t.key], dir);
    }
  }
  return sql.orderBy('lm.creation_timestamp', 'desc').orderBy('lm.model_id', 'asc').offset(q.offset).limit(q.limit + 1);
}
