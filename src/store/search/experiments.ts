/** Compiles an experiment search into SQL. */
import type { Knex } from 'knex';
import type { ExperimentSearch } from '../../core/store';
import type { SqlDialect } from '../dialect';
import { tagComparison } from './conditions';
import { columnComparison, whereFilter } from './tree';

const COLUMNS: Record<string, string> = {
  name: 'experiments.name',
  creation_time: 'experiments.creation_time',
  last_update_time: 'experiments.last_update_time',
  experiment_id: 'experiments.experiment_id',
};

const VIEW: Record<string, string[]> = { ACTIVE_ONLY: ['active'], DELETED_ONLY: ['deleted'], ALL: ['active', 'deleted'] };

/** Ids are decimal strings; ordering them by length first gives numeric order without a cast. */
function orderById(sql: Knex.QueryBuilder, ascending: boolean) {
  const dir = ascending ? 'asc' : 'desc';
  return sql.orderByRaw(`LENGTH(experiments.experiment_id) ${dir}`).orderBy('experiments.experiment_id', dir);
}

export function compileExperimentSearch(db: Knex, dialect: SqlDialect, q: ExperimentSearch): Knex.QueryBuilder {
  let sql = db('experiments').select('experiments.*').whereIn('experiments.lifecycle_stage', VIEW[q.viewType]);
  sql = whereFilter(sql, q.filter, (b, c, twoValued) => {
    if (c.entity === 'attribute') return columnComparison(b, dialect, COLUMNS[c.key], c, twoValued);
    return tagComparison(db, dialect, b, 'experiment_tags', 'kv.experiment_id = experiments.experiment_id', c);
  });
  let byId = false;
  for (const t of q.orderBy) {
    if (t.key === 'experiment_id') { sql = orderById(sql, t.ascending); byId = true; }
    else sql = sql.orderBy(COLUMNS[t.key], t.ascending ? 'asc' : 'desc');
  }
  if (q.orderBy.length === 0) sql = sql.orderBy('experiments.creation_time', 'desc');
  if (!byId) sql = orderById(sql, true);
  return sql.offset(q.offset).limit(q.limit + 1);
}
