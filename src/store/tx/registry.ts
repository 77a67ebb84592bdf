/**
 * The model-registry part of a write transaction (reads and search are in ../registry-reads.ts).
 * Everything below a model names it by its handle; the core locks the model first, so the
 * writes of one model never interleave and version numbers are reserved one at a time.
 */
import type { ModelVersion, ModelVersionStage, RegisteredModel, Tag } from '../../core/model';
import type {
  LockedRegisteredModel, ModelVersionUpdate, NewModelVersion, NewRegisteredModel, RegisteredModelUpdate, RegistryWrites,
} from '../../core/store';
import { alreadyExists } from '../../core/errors';
import { placeholders } from '../chunks';
import { insertRows } from '../insert';
import { hydrateModels, hydrateVersions, VERSION_SELECT } from '../registry-rows';
import type { SqlExec } from '../sql-exec';
import { deleteTag, setTags, type TagTable } from './tags';
import { updateSql } from './update';

const MODEL_TAGS: TagTable = { table: 'registered_model_tags', owner: 'handle' };

const nameTaken = (name: string) => alreadyExists(`Registered Model (name=${name}) already exists.`);

const lockedOf = (row: any): LockedRegisteredModel => ({ handle: Number(row.handle), name: row.name, lastVersion: Number(row.last_version) });

export class SqlRegistryWrites implements RegistryWrites {
  constructor(private readonly sql: SqlExec) {}

  /** Maps the unique index's verdict (a concurrent create or rename that lost) to ALREADY_EXISTS. */
  private async claimingName<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (e) {
      if (this.sql.dialect.isUniqueViolation(e)) throw nameTaken(name);
      throw e;
    }
  }

  async lockModel(name: string): Promise<LockedRegisteredModel | undefined> {
    const [row] = await this.sql.all(
      `SELECT "handle", "name", "last_version" FROM "registered_models" WHERE "name" = ?${this.sql.dialect.forUpdate}`, [name]);
    return row ? lockedOf(row) : undefined;
  }

  async insertModel(m: NewRegisteredModel): Promise<LockedRegisteredModel> {
    // The unique index decides between concurrent creators: the loser waits for the winner's
    // commit and then breaks the index.
    const handle = await this.claimingName(m.name, () => this.sql.dialect.insertId(this.sql,
      `INSERT INTO "registered_models" ("name", "creation_timestamp", "last_updated_timestamp", "user_id", "description", "deployment_job_id", "last_version") VALUES (?, ?, ?, ?, ?, ?, 0)`,
      [m.name, m.time, m.time, m.userId ?? null, m.description ?? null, m.deploymentJobId ?? null], 'handle'));
    await setTags(this.sql, MODEL_TAGS, handle, m.tags);
    return { handle, name: m.name, lastVersion: 0 };
  }

  async updateModel(model: LockedRegisteredModel, u: RegisteredModelUpdate): Promise<void> {
    const q = updateSql('registered_models', {
      name: u.name, description: u.description, deployment_job_id: u.deploymentJobId, last_updated_timestamp: u.lastUpdatedTimestamp,
    }, `"handle" = ?`);
    if (!q) return;
    if (u.name !== undefined && u.name !== model.name) {
      const [taken] = await this.sql.all(`SELECT 1 AS "x" FROM "registered_models" WHERE "name" = ?`, [u.name]);
      if (taken) throw nameTaken(u.name);
    }
    await this.claimingName(u.name ?? model.name, () => this.sql.run(q[0], [...q[1], model.handle]));
    if (u.name !== undefined) model.name = u.name;
  }

  async deleteModel(model: LockedRegisteredModel): Promise<void> {
    for (const table of ['registered_model_aliases', 'model_version_tags', 'model_versions', 'registered_model_tags', 'registered_models']) {
      await this.sql.run(`DELETE FROM "${table}" WHERE "handle" = ?`, [model.handle]);
    }
  }

  setModelTag(model: LockedRegisteredModel, tag: Tag): Promise<void> {
    return setTags(this.sql, MODEL_TAGS, model.handle, [tag]);
  }

  deleteModelTag(model: LockedRegisteredModel, key: string): Promise<boolean> {
    return deleteTag(this.sql, MODEL_TAGS, model.handle, key);
  }

  async reserveVersion(model: LockedRegisteredModel): Promise<number> {
    await this.sql.run(`UPDATE "registered_models" SET "last_version" = "last_version" + 1 WHERE "handle" = ?`, [model.handle]);
    const [row] = await this.sql.all(`SELECT "last_version" FROM "registered_models" WHERE "handle" = ?`, [model.handle]);
    model.lastVersion = Number(row.last_version);
    return model.lastVersion;
  }

  async insertVersion(model: LockedRegisteredModel, v: NewModelVersion): Promise<void> {
    await insertRows(this.sql, 'model_versions',
      ['handle', 'version', 'creation_timestamp', 'last_updated_timestamp', 'user_id', 'current_stage', 'description', 'source',
        'run_id', 'run_link', 'model_id', 'status', 'status_message', 'storage_location', 'deleted'],
      [[model.handle, v.version, v.time, v.time, v.userId ?? null, 'None', v.description ?? null, v.source,
        v.runId ?? null, v.runLink ?? null, v.modelId ?? null, v.status, v.statusMessage ?? null, v.storageLocation, 0]]);
    await this.setVersionTags(model, v.version, v.tags);
  }

  lockVersion(model: LockedRegisteredModel, version: number): Promise<ModelVersion | undefined> {
    // The model's lock already serialises every write of its versions.
    return this.readVersion(model, version);
  }

  async readModel(model: LockedRegisteredModel): Promise<RegisteredModel> {
    const rows = await this.sql.all(`SELECT * FROM "registered_models" WHERE "handle" = ?`, [model.handle]);
    return (await hydrateModels(this.sql, rows))[0];
  }

  async readVersion(model: LockedRegisteredModel, version: number): Promise<ModelVersion | undefined> {
    const rows = await this.sql.all(`${VERSION_SELECT} WHERE mv."handle" = ? AND mv."version" = ? AND mv."deleted" = 0`, [model.handle, version]);
    return rows.length ? (await hydrateVersions(this.sql, rows))[0] : undefined;
  }

  async updateVersion(model: LockedRegisteredModel, version: number, u: ModelVersionUpdate): Promise<void> {
    const q = updateSql('model_versions', {
      description: u.description, current_stage: u.stage, status: u.status, status_message: u.statusMessage, last_updated_timestamp: u.lastUpdatedTimestamp,
    }, `"handle" = ? AND "version" = ? AND "deleted" = 0`);
    if (q) await this.sql.run(q[0], [...q[1], model.handle, version]);
  }

  async deleteVersion(model: LockedRegisteredModel, version: number, time: number): Promise<void> {
    // The row stays so that its number stays taken; what pointed into it (source, run, logged
    // model) is dropped, as MLflow redacts it.
    await this.sql.run(
      `UPDATE "model_versions" SET "deleted" = 1, "last_updated_timestamp" = ?, "source" = '', "storage_location" = '', "run_id" = NULL, "run_link" = NULL, "model_id" = NULL WHERE "handle" = ? AND "version" = ?`,
      [time, model.handle, version]);
    await this.sql.run(`DELETE FROM "model_version_tags" WHERE "handle" = ? AND "version" = ?`, [model.handle, version]);
    await this.sql.run(`DELETE FROM "registered_model_aliases" WHERE "handle" = ? AND "version" = ?`, [model.handle, version]);
    await this.sql.run(`UPDATE "registered_models" SET "last_updated_timestamp" = ? WHERE "handle" = ?`, [time, model.handle]);
  }

  async archiveVersions(model: LockedRegisteredModel, stages: ModelVersionStage[], except: number, time: number): Promise<number[]> {
    if (stages.length === 0) return [];
    const where = `"handle" = ? AND "deleted" = 0 AND "version" <> ? AND "current_stage" IN (${placeholders(stages.length)})`;
    const params = [model.handle, except, ...stages];
    const rows = await this.sql.all(`SELECT "version" FROM "model_versions" WHERE ${where} ORDER BY "version"`, params);
    if (rows.length === 0) return [];
    await this.sql.run(`UPDATE "model_versions" SET "current_stage" = 'Archived', "last_updated_timestamp" = ? WHERE ${where}`, [time, ...params]);
    return rows.map((r) => Number(r.version));
  }

  setVersionTag(model: LockedRegisteredModel, version: number, tag: Tag): Promise<void> {
    return this.setVersionTags(model, version, [tag]);
  }

  private async setVersionTags(model: LockedRegisteredModel, version: number, tags: Tag[]): Promise<void> {
    // Later entries win, as when a key is set twice in one request.
    const byKey = new Map(tags.map((t) => [t.key, t.value]));
    await insertRows(this.sql, 'model_version_tags', ['handle', 'version', 'key', 'value'],
      [...byKey].map(([key, value]) => [model.handle, version, key, value]), { keys: ['handle', 'version', 'key'], update: ['value'] });
  }

  async deleteVersionTag(model: LockedRegisteredModel, version: number, key: string): Promise<boolean> {
    return (await this.sql.run(`DELETE FROM "model_version_tags" WHERE "handle" = ? AND "version" = ? AND "key" = ?`, [model.handle, version, key])).changes > 0;
  }

  async setAlias(model: LockedRegisteredModel, alias: string, version: number): Promise<void> {
    await insertRows(this.sql, 'registered_model_aliases', ['handle', 'alias', 'version'], [[model.handle, alias, version]],
      { keys: ['handle', 'alias'], update: ['version'] });
  }

  async deleteAlias(model: LockedRegisteredModel, alias: string): Promise<boolean> {
    return (await this.sql.run(`DELETE FROM "registered_model_aliases" WHERE "handle" = ? AND "alias" = ?`, [model.handle, alias])).changes > 0;
  }
}
