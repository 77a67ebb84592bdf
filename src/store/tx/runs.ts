/** The run part of a write transaction: the run row and what hangs off it, metrics aside (see metrics.ts). */
import type { DatasetInput, ModelOutput, Tag } from '../../core/model';
import type { LockedRun, NewRun, RunUpdate, RunWrites } from '../../core/store';
import { chunks, placeholders } from '../chunks';
import { insertRows } from '../insert';
import type { SqlExec } from '../sql-exec';
import { deleteTag, setTags, type TagTable } from './tags';
import { updateSql } from './update';

const TAGS: TagTable = { table: 'tags', owner: 'rid' };

export class SqlRunWrites implements RunWrites {
  constructor(private readonly sql: SqlExec) {}

  async insert(r: NewRun): Promise<void> {
    const cols = ['run_uuid', 'experiment_id', 'name', 'user_id', 'status', 'start_time', 'end_time', 'artifact_uri', 'lifecycle_stage', 'deleted_time'];
    const text = `INSERT INTO "runs" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${placeholders(cols.length)})`;
    const values = [r.runId, r.experimentId, r.name, r.userId, r.status, r.startTime, r.endTime, r.artifactUri, 'active', null];
    const rid = await this.sql.dialect.insertId(this.sql, text, values, 'rid');
    const run: LockedRun = { handle: rid, runId: r.runId, experimentId: r.experimentId, lifecycleStage: 'active', name: r.name };
    if (r.tags.length) await this.setTags(run, r.tags);
  }

  async lock(runId: string): Promise<LockedRun | undefined> {
    const [row] = await this.sql.all(
      `SELECT "rid", "run_uuid", "experiment_id", "lifecycle_stage", "name" FROM "runs" WHERE "run_uuid" = ?${this.sql.dialect.forUpdate}`, [runId]);
    if (!row) return undefined;
    return { handle: Number(row.rid), runId: row.run_uuid, experimentId: String(row.experiment_id), lifecycleStage: row.lifecycle_stage, name: row.name };
  }

  async update(run: LockedRun, u: RunUpdate): Promise<void> {
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
  async setParams(run: LockedRun, params: Tag[]): Promise<void> {
    const rows = params.map((p) => [run.handle, p.key, p.value]);
    await insertRows(this.sql, 'params', ['rid', 'key', 'value'], rows, { keys: ['rid', 'key'], update: ['value'] });
  }


  setTags(run: LockedRun, tags: Tag[]): Promise<void> {
    return setTags(this.sql, TAGS, run.handle, tags);
  }

  async getTag(run: LockedRun, key: string): Promise<string | undefined> {
    const [row] = await this.sql.all(`SELECT "value" FROM "tags" WHERE "rid" = ? AND "key" = ?`, [run.handle, key]);
    return row?.value;
  }

  deleteTag(run: LockedRun, key: string): Promise<boolean> {
    return deleteTag(this.sql, TAGS, run.handle, key);
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
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
