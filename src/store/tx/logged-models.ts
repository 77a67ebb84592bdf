/** The logged-model part of a write transaction (reads and search over them are in ../logged-models.ts). */
import type { LifecycleStage, ModelMetricPoint, Tag } from '../../core/model';
import type { LoggedModelUpdate, LoggedModelWrites, NewLoggedModel } from '../../core/store';
import { insertRows } from '../insert';
import { encodeValue } from '../metric-values';
import type { SqlExec } from '../sql-exec';
import { deleteTag, getTag, setTags, type TagTable } from './tags';
import { updateSql } from './update';

const TAGS: TagTable = { table: 'logged_model_tags', owner: 'model_id' };

export class SqlLoggedModelWrites implements LoggedModelWrites {
  constructor(private readonly sql: SqlExec) {}

  async insert(m: NewLoggedModel): Promise<void> {
    await insertRows(this.sql, 'logged_models',
      ['model_id', 'experiment_id', 'name', 'artifact_location', 'creation_timestamp', 'last_updated_timestamp', 'status', 'status_message', 'model_type', 'source_run_id', 'lifecycle_stage'],
      [[m.modelId, m.experimentId, m.name, m.artifactLocation, m.time, m.time, 'LOGGED_MODEL_PENDING', null, m.modelType ?? null, m.sourceRunId ?? null, 'active']]);
    await this.setTags(m.modelId, m.tags);
    await this.insertParams(m.modelId, m.params);
  }

  async lock(modelId: string): Promise<{ modelId: string; experimentId: string; lifecycleStage: LifecycleStage } | undefined> {
    const [row] = await this.sql.all(
      `SELECT "model_id", "experiment_id", "lifecycle_stage" FROM "logged_models" WHERE "model_id" = ?${this.sql.dialect.forUpdate}`, [modelId]);
    return row ? { modelId: row.model_id as string, experimentId: String(row.experiment_id), lifecycleStage: row.lifecycle_stage as LifecycleStage } : undefined;
  }

  async update(modelId: string, u: LoggedModelUpdate): Promise<void> {
    const q = updateSql('logged_models', {
      status: u.status, status_message: u.statusMessage, last_updated_timestamp: u.lastUpdatedTimestamp, lifecycle_stage: u.lifecycleStage,
    }, `"model_id" = ?`);
    if (q) await this.sql.run(q[0], [...q[1], modelId]);
  }

  setTags(modelId: string, tags: Tag[]): Promise<void> {
    return setTags(this.sql, TAGS, modelId, tags);
  }

  getTag(modelId: string, key: string): Promise<string | undefined> {
    return getTag(this.sql, TAGS, modelId, key);
  }

  deleteTag(modelId: string, key: string): Promise<boolean> {
    return deleteTag(this.sql, TAGS, modelId, key);
  }

  async insertParams(modelId: string, params: Tag[]): Promise<void> {
    await insertRows(this.sql, 'logged_model_params', ['model_id', 'key', 'value'], params.map((p) => [modelId, p.key, p.value]), { ignore: ['model_id', 'key'] });
  }

  async insertMetrics(modelId: string, points: ModelMetricPoint[]): Promise<void> {
    for (const p of points) {
      const identity = [modelId, p.key, p.step, p.timestamp, p.runId, p.datasetName ?? '', p.datasetDigest ?? ''];
      const enc = encodeValue(p.value);
      // Exact repeats (autolog re-sends) are dropped, as for run metrics.
      const dup = await this.sql.all(
        `SELECT 1 FROM "logged_model_metrics" WHERE "model_id" = ? AND "key" = ? AND "step" = ? AND "timestamp" = ? AND "run_id" = ? AND "dataset_name" = ? AND "dataset_digest" = ? AND "value" = ? AND "special" = ?`,
        [...identity, enc.value, enc.special]);
      if (dup.length === 0) {
        await insertRows(this.sql, 'logged_model_metrics', ['model_id', 'key', 'step', 'timestamp', 'run_id', 'dataset_name', 'dataset_digest', 'value', 'special'],
          [[...identity, enc.value, enc.special]]);
      }
    }
  }
}
