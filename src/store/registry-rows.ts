/**
 * Registry rows as the core's RegisteredModel and ModelVersion. A list of rows is completed in
 * a few batched queries (tags, aliases, latest versions), never one query per row, so a search
 * page costs the same handful of statements however many models it holds. The SQL is plain text
 * run through a SqlExec, so the store's reads and a write transaction share it.
 */
import { MODEL_VERSION_STAGES, type ModelVersion, type ModelVersionStage, type RegisteredModel } from '../core/model';
import { chunks, placeholders } from './chunks';
import type { SqlExec } from './sql-exec';

/** A version's row joined with its model's name. */
export const VERSION_SELECT = `SELECT rm."name" AS "name", mv.* FROM "model_versions" mv JOIN "registered_models" rm ON rm."handle" = mv."handle"`;

/** Versions per statement. */
const PAIRS = 400;

/**
 * (handle, version) pairs as `handle IN (…) AND version IN (…)`: two plain lists every planner
 * takes to the primary key (PostgreSQL plans a row-value IN list as one OR term per pair, which
 * costs milliseconds at a page's size). It can name a few pairs more than given; `has` tells the
 * rows asked for.
 */
export function pairFilter(pairs: Array<[number, number]>, prefix = ''): { where: string; params: number[]; has: (r: any) => boolean } {
  const handles = [...new Set(pairs.map((p) => p[0]))];
  const versions = [...new Set(pairs.map((p) => p[1]))];
  const wanted = new Set(pairs.map(([h, v]) => pairKey(h, v)));
  return {
    where: `${prefix}"handle" IN (${placeholders(handles.length)}) AND ${prefix}"version" IN (${placeholders(versions.length)})`,
    params: [...handles, ...versions],
    has: (r) => wanted.has(pairKey(r.handle, r.version)),
  };
}

const optional = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

export const stageRank = (stage: string) => MODEL_VERSION_STAGES.indexOf(stage as ModelVersionStage);

function versionFromRow(r: any): ModelVersion {
  return {
    name: r.name,
    version: String(Number(r.version)),
    creationTimestamp: Number(r.creation_timestamp),
    lastUpdatedTimestamp: Number(r.last_updated_timestamp),
    userId: optional(r.user_id),
    currentStage: r.current_stage as ModelVersionStage,
    description: optional(r.description),
    source: r.source,
    runId: optional(r.run_id),
    runLink: optional(r.run_link),
    modelId: optional(r.model_id),
    status: r.status,
    statusMessage: optional(r.status_message),
    tags: [],
    aliases: [],
    storageLocation: r.storage_location,
  };
}

function modelFromRow(r: any): RegisteredModel {
  return {
    name: r.name,
    creationTimestamp: Number(r.creation_timestamp),
    lastUpdatedTimestamp: Number(r.last_updated_timestamp),
    userId: optional(r.user_id),
    description: optional(r.description),
    deploymentJobId: optional(r.deployment_job_id),
    latestVersions: [],
    tags: [],
    aliases: [],
  };
}

const pairKey = (handle: unknown, version: unknown) => `${Number(handle)}:${Number(version)}`;

/** Version rows (VERSION_SELECT's columns) with their tags and aliases, in the order given. */
export async function hydrateVersions(sql: SqlExec, rows: any[]): Promise<ModelVersion[]> {
  const byPair = new Map<string, ModelVersion>();
  const out = rows.map((r) => {
    const v = versionFromRow(r);
    byPair.set(pairKey(r.handle, r.version), v);
    return v;
  });
  for (const part of chunks(rows, PAIRS)) {
    const { where, params, has } = pairFilter(part.map((r) => [Number(r.handle), Number(r.version)]));
    const tags = await sql.all(`SELECT "handle", "version", "key", "value" FROM "model_version_tags" WHERE ${where} ORDER BY "key"`, params);
    for (const t of tags) if (has(t)) byPair.get(pairKey(t.handle, t.version))!.tags.push({ key: t.key, value: t.value });
    const aliases = await sql.all(`SELECT "handle", "version", "alias" FROM "registered_model_aliases" WHERE ${where} ORDER BY "alias"`, params);
    for (const a of aliases) if (has(a)) byPair.get(pairKey(a.handle, a.version))!.aliases.push(a.alias);
  }
  return out;
}

/**
 * The newest live version of each stage, for each model handle, keyed by handle, in stage order;
 * only the given stages when `stages` is set.
 */
export async function latestVersionsOf(sql: SqlExec, names: Map<number, string>, stages?: readonly ModelVersionStage[]): Promise<Map<number, ModelVersion[]>> {
  const handles = [...names.keys()];
  const out = new Map<number, ModelVersion[]>(handles.map((h) => [h, []]));
  if (stages?.length === 0) return out;
  const stageSql = stages ? ` AND "current_stage" IN (${placeholders(stages.length)})` : '';
  for (const part of chunks(handles, PAIRS)) {
    // The numbers first (from the index alone), then their rows: plain lookups, which every
    // planner runs as such, rather than a join on a grouped subquery.
    const tops = await sql.all(
      `SELECT "handle", MAX("version") AS "top" FROM "model_versions" WHERE "handle" IN (${placeholders(part.length)}) AND "deleted" = 0${stageSql} GROUP BY "handle", "current_stage"`,
      [...part, ...(stages ?? [])]);
    if (tops.length === 0) continue;
    // The names are known: no join with the models (which PostgreSQL would hash whole).
    const { where, params, has } = pairFilter(tops.map((t) => [Number(t.handle), Number(t.top)]));
    const rows = (await sql.all(`SELECT * FROM "model_versions" WHERE ${where}`, params)).filter(has)
      .map((r) => ({ ...r, name: names.get(Number(r.handle)) }));
    const versions = await hydrateVersions(sql, rows);
    rows.forEach((r, i) => out.get(Number(r.handle))!.push(versions[i]));
  }
  for (const list of out.values()) list.sort((a, b) => stageRank(a.currentStage) - stageRank(b.currentStage));
  return out;
}

/** Model rows (registered_models' columns) with their tags, aliases and latest versions, in the order given. */
export async function hydrateModels(sql: SqlExec, rows: any[]): Promise<RegisteredModel[]> {
  const byHandle = new Map<number, RegisteredModel>();
  const out = rows.map((r) => {
    const m = modelFromRow(r);
    byHandle.set(Number(r.handle), m);
    return m;
  });
  const handles = [...byHandle.keys()];
  for (const part of chunks(handles, 500)) {
    const list = placeholders(part.length);
    const tags = await sql.all(`SELECT "handle", "key", "value" FROM "registered_model_tags" WHERE "handle" IN (${list}) ORDER BY "key"`, part);
    for (const t of tags) byHandle.get(Number(t.handle))!.tags.push({ key: t.key, value: t.value });
    const aliases = await sql.all(`SELECT "handle", "alias", "version" FROM "registered_model_aliases" WHERE "handle" IN (${list}) ORDER BY "alias"`, part);
    for (const a of aliases) byHandle.get(Number(a.handle))!.aliases.push({ alias: a.alias, version: String(Number(a.version)) });
  }
  const names = new Map([...byHandle].map(([h, m]) => [h, m.name]));
  for (const [handle, versions] of await latestVersionsOf(sql, names)) byHandle.get(handle)!.latestVersions = versions;
  return out;
}
