/**
 * Compiles registered-model and model-version searches into SQL. The filters and orders are
 * those core/query/targets.ts parses: `name` (and for versions `run_id`, `source_path`,
 * `version_number`) and `tags.<key>`; a tag comparison is an EXISTS on the tag table, so a
 * model without the tag fails `=`, `!=` and LIKE alike and only IS NULL holds for it.
 */
import type { Knex } from 'knex';
import type { RegistrySearch } from '../../core/store';
import { invalid } from '../../core/errors';
import { comparisonsIn } from '../../core/query/filter';
import type { SqlDialect } from '../dialect';
import { tagComparison } from './conditions';
import { columnComparison, whereFilter } from './tree';

const MODEL_COLUMNS: Record<string, string> = {
  name: 'rm.name', creation_timestamp: 'rm.creation_timestamp', last_updated_timestamp: 'rm.last_updated_timestamp',
};

const VERSION_COLUMNS: Record<string, string> = {
  name: 'rm.name', run_id: 'mv.run_id', source_path: 'mv.source', version_number: 'mv.version',
  creation_timestamp: 'mv.creation_timestamp', last_updated_timestamp: 'mv.last_updated_timestamp',
};

function columnOf(columns: Record<string, string>, key: string): string {
  const column = Object.hasOwn(columns, key) ? columns[key] : undefined;
  if (!column) throw invalid(`Invalid attribute key '${key}' specified.`);
  return column;
}

export function compileRegisteredModelSearch(db: Knex, dialect: SqlDialect, q: RegistrySearch): Knex.QueryBuilder {
  let sql = db('registered_models as rm').select('rm.*');
  sql = whereFilter(sql, q.filter, (b, c, twoValued) => {
    if (c.entity === 'tag') return tagComparison(db, dialect, b, 'registered_model_tags', 'kv.handle = rm.handle', c);
    if (c.entity !== 'attribute') throw invalid(`Invalid entity type '${c.entity}' for a registered model search`);
    return columnComparison(b, dialect, columnOf(MODEL_COLUMNS, c.key), c, twoValued);
  }, (c) => (c.entity === 'tag' ? 1 : 0));
  for (const t of q.orderBy) sql = sql.orderBy(columnOf(MODEL_COLUMNS, t.key), t.ascending ? 'asc' : 'desc');
  // Names are unique: the last tie-breaker.
  if (!q.orderBy.some((t) => t.key === 'name')) sql = sql.orderBy('rm.name', 'asc');
  return sql.offset(q.offset).limit(q.limit + 1);
}

/** Version columns with an index of their own, which a filter on them should start from. */
const INDEXED_VERSION_KEYS = new Set(['run_id']);

export function compileModelVersionSearch(db: Knex, dialect: SqlDialect, q: RegistrySearch): Knex.QueryBuilder {
  // Without a filter on an indexed version column, the models are walked in name order and each
  // one's versions by number, which is the default order: a page stops after limit+1 rows instead
  // of sorting every version. SQLite keeps the join order a CROSS JOIN gives; for PostgreSQL and
  // MySQL it is the same inner join, planned as they see fit.
  const byModel = !comparisonsIn(q.filter).some((c) => c.entity === 'attribute' && INDEXED_VERSION_KEYS.has(c.key));
  let sql = byModel
    ? db('registered_models as rm').crossJoin(db.raw('??', ['model_versions as mv'])).whereRaw('mv.handle = rm.handle')
    : db('model_versions as mv').join('registered_models as rm', 'rm.handle', 'mv.handle');
  sql = sql.where('mv.deleted', 0).select('rm.name as name', 'mv.*');
  sql = whereFilter(sql, q.filter, (b, c, twoValued) => {
    if (c.entity === 'tag') return tagComparison(db, dialect, b, 'model_version_tags', 'kv.handle = mv.handle AND kv.version = mv.version', c);
    if (c.entity !== 'attribute') throw invalid(`Invalid entity type '${c.entity}' for a model version search`);
    return columnComparison(b, dialect, columnOf(VERSION_COLUMNS, c.key), c, twoValued);
  }, (c) => (c.entity === 'tag' ? 1 : 0));
  for (const t of q.orderBy) sql = sql.orderBy(columnOf(VERSION_COLUMNS, t.key), t.ascending ? 'asc' : 'desc');
  // MLflow's tie-breakers: name ascending, then the newest version first; (name, version) is unique.
  if (!q.orderBy.some((t) => t.key === 'name')) sql = sql.orderBy('rm.name', 'asc');
  if (!q.orderBy.some((t) => t.key === 'version_number')) sql = sql.orderBy('mv.version', 'desc');
  return sql.offset(q.offset).limit(q.limit + 1);
}
