/** Store reads of W&B artifacts (tx/artifact-versions.ts writes them). */
import type { ArtifactCollection, ArtifactFileEntry, ArtifactPage, ArtifactVersion, ArtifactVersionReads } from '../core/artifact-versions';
import { collectionFromRow, fileFromRow, VERSION_SELECT, versionFromRow } from './artifact-versions-rows';
import type { SqlExec } from './sql-exec';

export class SqlArtifactVersionReads implements ArtifactVersionReads {
  constructor(private readonly db: SqlExec) {}

  private async one(where: string, args: unknown[]): Promise<ArtifactVersion | undefined> {
    const [row] = await this.db.all(`${VERSION_SELECT} WHERE ${where}`, args);
    return row ? versionFromRow(row) : undefined;
  }

  get(artifactId: string) { return this.one(`a."artifact_id" = ?`, [artifactId]); }
  byClientId(clientId: string) { return this.one(`a."client_id" = ?`, [clientId]); }
  byVersion(collectionId: string, versionIndex: number) {
    return this.one(`a."collection_id" = ? AND a."version_index" = ?`, [collectionId, versionIndex]);
  }

  byAlias(collectionId: string, alias: string) {
    return this.one(`a."artifact_id" = (SELECT "artifact_id" FROM "wandb_artifact_aliases" WHERE "collection_id" = ? AND "alias" = ?)`, [collectionId, alias]);
  }

  async collection(experimentId: string, name: string): Promise<ArtifactCollection | undefined> {
    const [row] = await this.db.all(`SELECT * FROM "wandb_artifact_collections" WHERE "experiment_id" = ? AND "name" = ?`, [experimentId, name]);
    return row ? collectionFromRow(row) : undefined;
  }

  async collectionById(collectionId: string): Promise<ArtifactCollection | undefined> {
    const [row] = await this.db.all(`SELECT * FROM "wandb_artifact_collections" WHERE "collection_id" = ?`, [collectionId]);
    return row ? collectionFromRow(row) : undefined;
  }

  async aliases(artifactId: string): Promise<string[]> {
    const rows = await this.db.all(`SELECT "alias" FROM "wandb_artifact_aliases" WHERE "artifact_id" = ? ORDER BY "alias"`, [artifactId]);
    return rows.map((r) => r.alias);
  }

  async files(artifactId: string, q: { after?: string; limit: number; names?: string[] }): Promise<ArtifactFileEntry[]> {
    if (q.names) {
      if (q.names.length === 0) return [];
      const rows = await this.db.all(
        `SELECT * FROM "wandb_artifact_files" WHERE "artifact_id" = ? AND "path" IN (${q.names.map(() => '?').join(', ')}) ORDER BY "position" LIMIT ?`,
        [artifactId, ...q.names, q.limit]);
      return rows.map(fileFromRow);
    }
    // The cursor is a position (files are numbered in path order at commit).
    const after = q.after === undefined || !/^\d{1,9}$/.test(q.after) ? -1 : Number(q.after);
    const rows = await this.db.all(`SELECT * FROM "wandb_artifact_files" WHERE "artifact_id" = ? AND "position" > ? ORDER BY "position" LIMIT ?`,
      [artifactId, after, q.limit]);
    return rows.map((r) => ({ ...fileFromRow(r), position: Number(r.position) }));
  }

  private async page(where: string, args: unknown[], offset: number, limit: number): Promise<ArtifactPage> {
    const [count] = await this.db.all(`SELECT COUNT(*) AS "n" FROM (${VERSION_SELECT} WHERE ${where}) t`, args);
    const rows = limit === 0 ? [] : await this.db.all(`${VERSION_SELECT} WHERE ${where} ORDER BY a."artifact_id" LIMIT ? OFFSET ?`, [...args, limit, offset]);
    return { items: rows.map(versionFromRow), total: Number(count.n) };
  }

  loggedBy(runId: string, offset: number, limit: number) {
    return this.page(`a."logged_by" = ? AND a."state" = 'COMMITTED'`, [runId], offset, limit);
  }

  usedBy(runId: string, offset: number, limit: number) {
    return this.page(`a."artifact_id" IN (SELECT "artifact_id" FROM "wandb_artifact_uses" WHERE "run_uuid" = ?)`, [runId], offset, limit);
  }

  async types(experimentId: string, limit: number): Promise<Array<{ typeName: string; createdAt: number }>> {
    const rows = await this.db.all(`SELECT "type_name", MIN("created_at") AS "created_at" FROM "wandb_artifact_collections"
      WHERE "experiment_id" = ? GROUP BY "type_name" ORDER BY "type_name" LIMIT ?`, [experimentId, limit]);
    return rows.map((r) => ({ typeName: r.type_name, createdAt: Number(r.created_at) }));
  }

  async versions(collectionId: string, offset: number, limit: number): Promise<ArtifactPage> {
    const where = `a."collection_id" = ? AND a."state" = 'COMMITTED'`;
    const [count] = await this.db.all(`SELECT COUNT(*) AS "n" FROM "wandb_artifacts" a WHERE ${where}`, [collectionId]);
    const rows = limit === 0 ? [] : await this.db.all(`${VERSION_SELECT} WHERE ${where} ORDER BY a."version_index" DESC LIMIT ? OFFSET ?`, [collectionId, limit, offset]);
    return { items: rows.map(versionFromRow), total: Number(count.n) };
  }

  async users(artifactId: string, limit: number): Promise<string[]> {
    const rows = await this.db.all(`SELECT "run_uuid" FROM "wandb_artifact_uses" WHERE "artifact_id" = ? ORDER BY "used_at", "run_uuid" LIMIT ?`, [artifactId, limit]);
    return rows.map((r) => r.run_uuid);
  }
}
