/** The W&B artifact part of a write transaction (tx.artifactVersions); the core locks the project's experiment before any of it. */
import type { ArtifactCollection, ArtifactFileEntry, ArtifactVersion, ArtifactVersionWrites, NewArtifactVersion } from '../../core/artifact-versions';
import { collectionFromRow, VERSION_SELECT, versionFromRow } from '../artifact-versions-rows';
import { insertRows } from '../insert';
import type { SqlExec } from '../sql-exec';

export class SqlArtifactVersionWrites implements ArtifactVersionWrites {
  constructor(private readonly sql: SqlExec) {}

  async collection(experimentId: string, name: string): Promise<ArtifactCollection | undefined> {
    const [row] = await this.sql.all(`SELECT * FROM "wandb_artifact_collections" WHERE "experiment_id" = ? AND "name" = ?`, [experimentId, name]);
    return row ? collectionFromRow(row) : undefined;
  }

  async insertCollection(experimentId: string, name: string, typeName: string, time: number): Promise<ArtifactCollection> {
    await this.sql.run(`INSERT INTO "wandb_artifact_collections" ("experiment_id", "name", "type_name", "created_at") VALUES (?, ?, ?, ?)`,
      [experimentId, name, typeName, time]);
    return (await this.collection(experimentId, name))!;
  }

  private async one(where: string, args: unknown[]): Promise<ArtifactVersion | undefined> {
    const [row] = await this.sql.all(`${VERSION_SELECT} WHERE ${where}`, args);
    return row ? versionFromRow(row) : undefined;
  }

  byClientId(clientId: string): Promise<ArtifactVersion | undefined> { return this.one(`a."client_id" = ?`, [clientId]); }

  committedByDigest(collectionId: string, digest: string): Promise<ArtifactVersion | undefined> {
    return this.one(`a."collection_id" = ? AND a."state" = 'COMMITTED' AND a."digest" = ? ORDER BY a."version_index" LIMIT 1`, [collectionId, digest]);
  }

  get(artifactId: string): Promise<ArtifactVersion | undefined> { return this.one(`a."artifact_id" = ?`, [artifactId]); }

  async insert(v: NewArtifactVersion): Promise<ArtifactVersion> {
    const r = await this.sql.run(
      `INSERT INTO "wandb_artifacts" ("collection_id", "state", "digest", "description", "metadata", "client_id", "sequence_client_id",
        "history_step", "logged_by", "pending_aliases", "file_count", "size", "created_at", "updated_at")
       VALUES (?, 'PENDING', ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?)`,
      [v.collectionId, v.digest, v.description, v.metadata, v.clientId, v.sequenceClientId, v.historyStep, v.loggedBy,
        JSON.stringify(v.pendingAliases), v.time, v.time]);
    // PostgreSQL reports no insert id through this runner; the newest row of the collection is this one, as the project is locked.
    const found = r.lastId
      ? await this.get(String(r.lastId))
      : await this.one(`a."collection_id" = ? ORDER BY a."artifact_id" DESC LIMIT 1`, [v.collectionId]);
    return found!;
  }

  async lastVersion(collectionId: string): Promise<number> {
    const [row] = await this.sql.all(`SELECT MAX("version_index") AS "v" FROM "wandb_artifacts" WHERE "collection_id" = ?`, [collectionId]);
    return row?.v === null || row?.v === undefined ? -1 : Number(row.v);
  }

  async commit(artifactId: string, versionIndex: number, files: ArtifactFileEntry[], time: number): Promise<void> {
    const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const size = sorted.reduce((n, f) => n + (f.ref === null ? f.size : 0), 0);
    await this.sql.run(`UPDATE "wandb_artifacts" SET "state" = 'COMMITTED', "version_index" = ?, "file_count" = ?, "size" = ?, "updated_at" = ? WHERE "artifact_id" = ?`,
      [versionIndex, sorted.length, size, time, artifactId]);
    await this.sql.run(`DELETE FROM "wandb_artifact_files" WHERE "artifact_id" = ?`, [artifactId]);
    for (let i = 0; i < sorted.length; i += 500) {
      await insertRows(this.sql, 'wandb_artifact_files', ['artifact_id', 'position', 'path', 'digest', 'size', 'ref'],
        sorted.slice(i, i + 500).map((f, j) => [artifactId, i + j, f.path, f.digest, f.size, f.ref]));
      await this.sql.pause();
    }
  }

  async setAlias(collectionId: string, alias: string, artifactId: string): Promise<void> {
    await insertRows(this.sql, 'wandb_artifact_aliases', ['collection_id', 'alias', 'artifact_id'], [[collectionId, alias, artifactId]],
      { keys: ['collection_id', 'alias'], update: ['artifact_id'] });
  }

  async deleteAlias(collectionId: string, alias: string, artifactId: string): Promise<void> {
    await this.sql.run(`DELETE FROM "wandb_artifact_aliases" WHERE "collection_id" = ? AND "alias" = ? AND "artifact_id" = ?`, [collectionId, alias, artifactId]);
  }

  async setDetails(artifactId: string, description: string | null, metadata: string | null, time: number): Promise<void> {
    await this.sql.run(`UPDATE "wandb_artifacts" SET "description" = ?, "metadata" = ?, "updated_at" = ? WHERE "artifact_id" = ?`, [description, metadata, time, artifactId]);
  }

  async addUse(artifactId: string, runId: string, time: number): Promise<void> {
    await insertRows(this.sql, 'wandb_artifact_uses', ['artifact_id', 'run_uuid', 'used_at'], [[artifactId, runId, time]], { ignore: ['artifact_id', 'run_uuid'] });
  }
}
