/** The experiment part of a write transaction. */
import type { Experiment, LifecycleStage, Tag } from '../../core/model';
import type { ExperimentUpdate, ExperimentWrites, NewExperiment } from '../../core/store';
import { experimentFromRows } from '../rows';
import type { SqlExec } from '../sql-exec';
import { deleteTag, setTags, type TagTable } from './tags';
import { updateSql } from './update';

const TAGS: TagTable = { table: 'experiment_tags', owner: 'experiment_id' };

export class SqlExperimentWrites implements ExperimentWrites {
  constructor(private readonly sql: SqlExec) {}

  async insert(e: NewExperiment): Promise<string> {
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
    if (e.tags.length) await this.setTags(id, e.tags);
    return id;
  }

  async lock(experimentId: string): Promise<Experiment | undefined> {
    const [row] = await this.sql.all(`SELECT * FROM "experiments" WHERE "experiment_id" = ?${this.sql.dialect.forUpdate}`, [experimentId]);
    if (!row) return undefined;
    const tags = await this.sql.all(`SELECT "key", "value" FROM "experiment_tags" WHERE "experiment_id" = ?`, [experimentId]);
    return experimentFromRows(row, tags);
  }

  async idByName(name: string): Promise<string | undefined> {
    const [row] = await this.sql.all(`SELECT "experiment_id" FROM "experiments" WHERE "name" = ?`, [name]);
    return row ? String(row.experiment_id) : undefined;
  }

  async update(experimentId: string, u: ExperimentUpdate): Promise<void> {
    const q = updateSql('experiments', {
      name: u.name, lifecycle_stage: u.lifecycleStage, creation_time: u.creationTime, last_update_time: u.lastUpdateTime,
    }, `"experiment_id" = ?`);
    if (q) await this.sql.run(q[0], [...q[1], experimentId]);
  }

  setTags(experimentId: string, tags: Tag[]): Promise<void> {
    return setTags(this.sql, TAGS, experimentId, tags);
  }

  deleteTag(experimentId: string, key: string): Promise<boolean> {
    return deleteTag(this.sql, TAGS, experimentId, key);
  }

  async setRunsLifecycle(experimentId: string, stage: LifecycleStage, deletedTime: number | null): Promise<void> {
    await this.sql.run(`UPDATE "runs" SET "lifecycle_stage" = ?, "deleted_time" = ? WHERE "experiment_id" = ?`, [stage, deletedTime, experimentId]);
  }
}
