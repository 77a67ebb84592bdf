/**
 * What one GraphQL request may ask for across all its fields. Each costly field is bounded on its
 * own (a history of at most 10 000 rows, a page of at most 1 000 runs), but aliases repeat a field
 * within one request: a hundred `history(samples: 10000)` are a hundred bounded answers, built
 * and serialized in one go while the event loop serves nothing else. So the fields that answer
 * many rows take them from one budget per request, charged before they read.
 */
import { invalid } from '../../../core/errors';

/**
 * Rows (history rows, runs, files, artifacts) one request may ask for. The clients ask for one
 * field at a time: a history of 500 rows by default, scan pages of 1 000 (wandb-core's 5 000),
 * runs and files by 50 to 1 000, an artifact's files by 5 000. Five of the largest any field
 * answers (10 000 rows) fit.
 */
export const REQUEST_ROW_BUDGET = 50_000;

export class RequestCost {
  private spent = 0;

  constructor(readonly limit: number = REQUEST_ROW_BUDGET) {}

  /** Takes `rows` for `field` (as asked for, before reading), or refuses the request's field past the budget. */
  charge(rows: number, field: string): void {
    const n = Number.isFinite(rows) && rows > 0 ? rows : 0;
    if (this.spent + n > this.limit) {
      throw invalid(`This request asks for more than ${this.limit} rows in all (at ${field}); ask for fewer fields or smaller pages per request.`);
    }
    this.spent += n;
  }
}
