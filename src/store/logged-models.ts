/** Logged-model rows: the reads and search over them (their writes are tx/logged-models.ts). */
import type { Knex } from 'knex';
import type { LoggedModel } from '../core/model';
import type { LoggedModelOrderTerm, LoggedModelSearch, MetricDataset } from '../core/store';
import type { SqlDialect } from './dialect';
import { chunks } from './chunks';
import { decodeValue } from './metric-values';
import { conjuncts } from '../core/query/filter';
import { compare, doubleLiteral } from './search/conditions';
import { columnComparison, whereFilter } from './search/tree';
import { int64Of } from './rows';

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
      db('logged_model_metrics').whereIn('model_id', part).orderBy([{ column: 'key' }, { column: 'timestamp' }, { column: 'step' }]).select().options({ safeIntegers: true }),
    ]);
    for (const t of tags) models.get(t.model_id)!.tags.push({ key: t.key, value: t.value });
    for (const p of params) models.get(p.model_id)!.params.push({ key: p.key, value: p.value });
    for (const m of metrics) {
      models.get(m.model_id)!.metrics.push({
        key: m.key, value: decodeValue(m.value, m.special), timestamp: int64Of(m.timestamp), step: int64Of(m.step), runId: m.run_id,
        ...(m.dataset_name ? { datasetName: m.dataset_name, datasetDigest: m.dataset_digest } : {}),
      });
    }
  }
  return [...models.values()];
}

/** The name of the search's dataset list, bound once however many subqueries read it. */
const DATASETS = 'ds';

/**
 * The datasets as rows (ds_name, ds_digest; '' for no digest), for a WITH clause. Binding them
 * once keeps a filter with many metric comparisons inside every driver's bind limit, and a
 * list of rows does not nest like an OR chain (SQLite stops at an expression depth of 1,000).
 */
function datasetRows(db: Knex, dialect: SqlDialect, datasets: MetricDataset[]): Knex.Raw {
  const binds = datasets.flatMap((d) => [d.name, d.digest ?? '']);
  return db.raw(dialect.valuesTable(['ds_name', 'ds_digest'], datasets.length), binds);
}

/** Limits a logged_model_metrics row (as `mm`) to the datasets; a dataset without a digest matches rows logged without one. */
function onDatasets(db: Knex, q: Knex.QueryBuilder, datasets: MetricDataset[] = []): Knex.QueryBuilder {
  if (datasets.length === 0) return q;
  return q.whereExists(function () {
    this.select(db.raw('1')).from(DATASETS).whereRaw(`${DATASETS}.ds_name = mm.dataset_name AND ${DATASETS}.ds_digest = mm.dataset_digest`);
  });
}

/**
 * A model's latest value of a metric, among the points logged against the term's dataset name
 * and/or digest when it names them: the newest timestamp, then the highest step, then the lowest
 * run id. A NaN counts as its stored 0 here, as it does in MLflow's ordering.
 */
function latestMetricValue(db: Knex, t: LoggedModelOrderTerm) {
  const q = db('logged_model_metrics as mm').select('mm.value').whereRaw('mm.model_id = lm.model_id').where('mm.key', t.key);
  if (t.datasetName) q.where('mm.dataset_name', t.datasetName);
  if (t.datasetDigest) q.where('mm.dataset_digest', t.datasetDigest);
  return q.orderBy([{ column: 'mm.timestamp', order: 'desc' }, { column: 'mm.step', order: 'desc' }, { column: 'mm.run_id', order: 'asc' }]).limit(1);
}

export function compileLoggedModelSearch(db: Knex, dialect: SqlDialect, q: LoggedModelSearch): Knex.QueryBuilder {
  let sql = (q.datasets?.length ? db.with(DATASETS, datasetRows(db, dialect, q.datasets)) : db.queryBuilder()).from('logged_models as lm').select('lm.*').whereIn('lm.experiment_id', q.experimentIds).where('lm.lifecycle_stage', 'active');
  sql = whereFilter(sql, q.filter, (b, c, twoValued) => {
    if (c.entity === 'attribute') return columnComparison(b, dialect, ATTRIBUTE_COLUMNS[c.key], c, twoValued);
    if (c.entity === 'metric') {
      // Any logged value may match (not only the latest), on the requested datasets only.
      const op = c.op === '!=' ? '<>' : c.op;
      return b.whereExists(function () {
        const sub = this.select(db.raw('1')).from('logged_model_metrics as mm').whereRaw('mm.model_id = lm.model_id').where('mm.key', c.key)
          .whereRaw(`mm.value ${op} ?`, [doubleLiteral(c.value as number)]);
        return onDatasets(db, sub, q.datasets);
      });
    }
    const table = c.entity === 'param' ? 'logged_model_params' : 'logged_model_tags';
    return b.whereExists(function () {
      const sub = this.select(db.raw('1')).from(`${table} as kv`).whereRaw('kv.model_id = lm.model_id').where('kv.key', c.key);
      return compare(sub, dialect, 'kv.value', c);
    });
  });
  // A metric comparison every model must pass (a conjunct of the whole filter) looks only at the
  // datasets; without one, the datasets still require some metric logged against one of them.
  const metricFiltered = conjuncts(q.filter)?.some((c) => c.entity === 'metric') ?? false;
  if (q.datasets?.length && !metricFiltered) {
    sql = sql.whereExists(function () {
      return onDatasets(db, this.select(db.raw('1')).from('logged_model_metrics as mm').whereRaw('mm.model_id = lm.model_id'), q.datasets);
    });
  }
  for (const t of q.orderBy) {
    const dir = t.ascending ? 'asc' : 'desc';
    if (t.entity === 'metric') {
      // Models without a value sort last either way.
      sql = sql.orderByRaw('CASE WHEN (?) IS NULL THEN 1 ELSE 0 END', [latestMetricValue(db, t)])
        .orderByRaw(`(?) ${dir}`, [latestMetricValue(db, t)]);
    } else {
      sql = sql.orderBy(ATTRIBUTE_COLUMNS[t.key], dir);
    }
  }
  return sql.orderBy('lm.creation_timestamp', 'desc').orderBy('lm.model_id', 'asc').offset(q.offset).limit(q.limit + 1);
}
