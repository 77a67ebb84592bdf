/** Reading metric histories: paged, bulk, and sampled for charts. */
import { invalid } from './errors';
import { LIMITS } from './limits';
import type { MetricPoint, Page } from './model';
import type { HistoryPoint, Store } from './store';
import { decodePageToken, encodePageToken } from './query/page-token';
import { runNotFound } from './runs';

export interface HistoryStream {
  chunks: AsyncIterable<MetricPoint[]>;
  /** Known once chunks has been read to its end: the next page's token, if another page follows. */
  nextPageToken(): string | undefined;
}

export class History {
  constructor(private readonly store: Store) {}

  /**
   * A page of a run's history as it is read, a chunk at a time, so a million points never sit in
   * memory at once. Without maxResults every point comes back (MLflow's server would return
   * none; nobody wants that).
   */
  async stream(runId: string, key: string, pageToken?: string, maxResults?: number): Promise<HistoryStream> {
    if (!(await this.store.getRunInfo(runId))) throw runNotFound(runId);
    if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 1)) {
      throw invalid(`Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer.`);
    }
    const offset = decodePageToken(pageToken);
    const store = this.store;
    let more = false;
    async function* chunks(): AsyncGenerator<MetricPoint[]> {
      if (maxResults === undefined) {
        yield* store.metricHistoryChunks(runId, key, offset, Number.MAX_SAFE_INTEGER);
        return;
      }
      // One point past the page tells whether another page follows.
      let room = maxResults;
      for await (const chunk of store.metricHistoryChunks(runId, key, offset, maxResults + 1)) {
        if (chunk.length > room) {
          more = true;
          if (room > 0) yield chunk.slice(0, room);
          return;
        }
        room -= chunk.length;
        yield chunk;
      }
    }
    return { chunks: chunks(), nextPageToken: () => (more ? encodePageToken(offset + maxResults!) : undefined) };
  }

  /** The same page, gathered. */
  async get(runId: string, key: string, pageToken?: string, maxResults?: number): Promise<Page<MetricPoint>> {
    const page = await this.stream(runId, key, pageToken, maxResults);
    const items: MetricPoint[] = [];
    for await (const chunk of page.chunks) for (const p of chunk) items.push(p);
    const nextPageToken = page.nextPageToken();
    return nextPageToken ? { items, nextPageToken } : { items };
  }

  private checkRunIds(runIds: string[]) {
    if (runIds.length === 0) throw invalid('GetMetricHistoryBulk request must specify at least one run_id.');
    if (runIds.length > LIMITS.bulkRunsMax) {
      throw invalid(`GetMetricHistoryBulk request cannot specify more than ${LIMITS.bulkRunsMax} run_ids. Received ${runIds.length} run_ids.`);
    }
  }

  /** MLflow words the sampled call's run_ids checks its own way; clients match on them. */
  private checkSampledRunIds(runIds: string[]) {
    if (runIds.length === 0) throw invalid("Missing value for required parameter 'run_ids'.");
    if (runIds.length > LIMITS.bulkRunsMax) {
      throw invalid(`GetMetricHistoryBulkInterval request must specify at most ${LIMITS.bulkRunsMax} run_ids. Received ${runIds.length} run_ids.`);
    }
  }

  async bulk(runIds: string[], key: string, maxResults?: number): Promise<HistoryPoint[]> {
    this.checkRunIds(runIds);
    if (!key) throw invalid('GetMetricHistoryBulk request must specify a metric_key.');
    const max = maxResults ?? LIMITS.historyPageMax;
    if (!Number.isInteger(max) || max < 1) {
      throw invalid(`Invalid value ${max} for parameter 'max_results' supplied. It must be a positive integer.`);
    }
    // MLflow caps larger requests at its page size rather than refusing them.
    return this.store.metricHistoryBulk(runIds, key, Math.min(max, LIMITS.historyPageMax));
  }

  async sampled(runIds: string[], key: string, q: { startStep?: number; endStep?: number; maxResults?: number }): Promise<HistoryPoint[]> {
    this.checkSampledRunIds(runIds);
    if (!key) throw invalid('GetMetricHistoryBulkInterval request must specify a metric_key.');
    const max = q.maxResults ?? LIMITS.bulkIntervalMaxResults;
    if (!Number.isInteger(max) || max < 1 || max > LIMITS.bulkIntervalMaxResults) {
      throw invalid(`max_results must be between 1 and ${LIMITS.bulkIntervalMaxResults}.`);
    }
    if ((q.startStep === undefined) !== (q.endStep === undefined)) {
      throw invalid('If either start step or end step are specified, both must be specified.');
    }
    if (q.startStep !== undefined && q.endStep !== undefined && q.startStep > q.endStep) {
      throw invalid(`end_step must be greater than start_step. Found start_step=${q.startStep} and end_step=${q.endStep}.`);
    }
    return this.store.metricHistorySampled(runIds, key, max, q.startStep, q.endStep);
  }
}
