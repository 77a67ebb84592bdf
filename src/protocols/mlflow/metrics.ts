/** /mlflow/metrics/* */
import { handlersOf, runIdOf, type Res } from './context';
import { historyPointJson, metricJson } from './entities';
import { mapChunks, StreamedMessage } from './streaming';

export const metricHandlers = handlersOf('mlflow.MlflowService', {
  async getMetricHistory(m, { tracking }): Promise<Res<'getMetricHistory'> | StreamedMessage<Res<'getMetricHistory'>>> {
    const page = await tracking.history.stream(runIdOf(m), m.metric_key, m.page_token, m.max_results);
    return new StreamedMessage<Res<'getMetricHistory'>, 'metrics'>('metrics', mapChunks(page.chunks, metricJson), () => ({ next_page_token: page.nextPageToken() }));
  },

  async getMetricHistoryBulkInterval(m, { tracking }): Promise<Res<'getMetricHistoryBulkInterval'>> {
    const points = await tracking.history.sampled(m.run_ids ?? [], m.metric_key, {
      startStep: m.start_step, endStep: m.end_step, maxResults: m.max_results,
    });
    return { metrics: points.map(historyPointJson) };
  },

  async getMetricHistoryBulk(m, { tracking }): Promise<Res<'getMetricHistoryBulk'>> {
    const points = await tracking.history.bulk(m.run_id ?? [], m.metric_key ?? '', m.max_results);
    return { metrics: points.map(historyPointJson) };
  },
});
