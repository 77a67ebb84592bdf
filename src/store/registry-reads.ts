/** The store's registry reads: one model, one version, latest versions, and the two searches. */
import type { Knex } from 'knex';
import type { ModelVersion, ModelVersionStage, RegisteredModel } from '../core/model';
import type { RegistrySearch } from '../core/store';
import { checkFilterTree } from '../core/query/filter';
import type { SqlDialect } from './dialect';
import { hydrateModels, hydrateVersions, latestVersionsOf, VERSION_SELECT } from './registry-rows';
import { compileModelVersionSearch, compileRegisteredModelSearch } from './search/registry';
import type { SqlExec } from './sql-exec';

export class RegistryReads {
  constructor(
    private readonly reader: Knex,
    private readonly dialect: SqlDialect,
    /** Plain-SQL reads (SQLite's cached statements where it runs). */
    private readonly reads: SqlExec,
    /** Runs a built query (on SQLite as a cached statement). */
    private readonly select: (q: Knex.QueryBuilder) => Promise<any[]>,
  ) {}

  async getRegisteredModel(name: string): Promise<RegisteredModel | undefined> {
    const rows = await this.reads.all(`SELECT * FROM "registered_models" WHERE "name" = ?`, [name]);
    return rows.length ? (await hydrateModels(this.reads, rows))[0] : undefined;
  }

  async searchRegisteredModels(q: RegistrySearch): Promise<RegisteredModel[]> {
    checkFilterTree(q.filter);
    return hydrateModels(this.reads, await this.select(compileRegisteredModelSearch(this.reader, this.dialect, q)));
  }

  private async oneVersion(where: string, params: unknown[]): Promise<ModelVersion | undefined> {
    const rows = await this.reads.all(`${VERSION_SELECT} ${where}`, params);
    return rows.length ? (await hydrateVersions(this.reads, rows))[0] : undefined;
  }

  getModelVersion(name: string, version: number): Promise<ModelVersion | undefined> {
    return this.oneVersion(`WHERE rm."name" = ? AND mv."version" = ? AND mv."deleted" = 0`, [name, version]);
  }

  modelVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined> {
    // Deleting a version drops its aliases, so an alias never names a deleted one.
    return this.oneVersion(
      `JOIN "registered_model_aliases" a ON a."handle" = mv."handle" AND a."version" = mv."version" WHERE rm."name" = ? AND a."alias" = ? AND mv."deleted" = 0`,
      [name, alias]);
  }

  newestModelVersion(name: string): Promise<ModelVersion | undefined> {
    return this.oneVersion(`WHERE rm."name" = ? AND mv."deleted" = 0 ORDER BY mv."version" DESC LIMIT 1`, [name]);
  }

  async latestModelVersions(name: string, stages?: ModelVersionStage[]): Promise<ModelVersion[]> {
    const [row] = await this.reads.all(`SELECT "handle" FROM "registered_models" WHERE "name" = ?`, [name]);
    if (!row) return [];
    const handle = Number(row.handle);
    return (await latestVersionsOf(this.reads, new Map([[handle, name]]), stages)).get(handle)!;
  }

  async searchModelVersions(q: RegistrySearch): Promise<ModelVersion[]> {
    checkFilterTree(q.filter);
    return hydrateVersions(this.reads, await this.select(compileModelVersionSearch(this.reader, this.dialect, q)));
  }

  async loggedModelRegistrations(modelId: string): Promise<Array<{ name: string; version: string }>> {
    const rows = await this.reads.all(
      `SELECT rm."name" AS "name", mv."version" AS "version" FROM "model_versions" mv JOIN "registered_models" rm ON rm."handle" = mv."handle" WHERE mv."model_id" = ? AND mv."deleted" = 0 ORDER BY rm."name", mv."version"`,
      [modelId]);
    return rows.map((r) => ({ name: r.name, version: String(Number(r.version)) }));
  }
}
