/**
 * Run searches given as filter trees rather than MLflow filter text: the W&B front-end
 * translates its own filters (protocols/wandb/filters.ts) and asks here. Same store search,
 * same bounds on the tree (checkFilterTree), pages by offset.
 */
import { invalid } from './errors';
import type { Run, ViewType } from './model';
import type { Filter, OrderTerm } from './query/ast';
import { checkFilterTree } from './query/filter';
import type { Store } from './store';
import { checkExperimentIds } from './validation';

/** Runs one page may hold: W&B clients ask for 50 by default. */
export const RUN_PAGE_MAX = 1000;
/** Offsets past this are refused: a deep offset makes the database walk every run before it. */
export const RUN_OFFSET_MAX = 1_000_000;

export interface RunTreeSearch {
  experimentIds: string[];
  filter: Filter;
  orderBy: OrderTerm[];
  viewType?: ViewType;
  offset: number;
  limit: number;
}

export class RunQueries {
  constructor(private readonly store: Store) {}

  /** One page, and whether more runs follow it. */
  async search(q: RunTreeSearch): Promise<{ runs: Run[]; more: boolean }> {
    checkExperimentIds(q.experimentIds);
    if (!Number.isSafeInteger(q.limit) || q.limit < 1 || q.limit > RUN_PAGE_MAX) {
      throw invalid(`A page of runs may hold 1 to ${RUN_PAGE_MAX} runs; got ${String(q.limit)}.`);
    }
    if (!Number.isSafeInteger(q.offset) || q.offset < 0 || q.offset > RUN_OFFSET_MAX) {
      throw invalid(`A run page may start at most ${RUN_OFFSET_MAX} runs in.`);
    }
    checkFilterTree(q.filter);
    const runs = await this.store.searchRuns({ ...q, viewType: q.viewType ?? 'ACTIVE_ONLY' });
    return { runs: runs.slice(0, q.limit), more: runs.length > q.limit };
  }

  /** How many runs the filter matches. */
  async count(q: { experimentIds: string[]; filter: Filter; viewType?: ViewType }): Promise<number> {
    checkExperimentIds(q.experimentIds);
    checkFilterTree(q.filter);
    return this.store.countRuns({ experimentIds: q.experimentIds, filter: q.filter, viewType: q.viewType ?? 'ACTIVE_ONLY' });
  }
}
