/** /mlflow/runs/* */
import { coreNumber, handlersOf, runIdOf, viewTypeOf, type Res } from './context';
import { runInfoJson, runJson } from './entities';
import { tag } from './experiments';
import { invalid } from '../../core/errors';
import type { DatasetInput, MetricPoint } from '../../core/model';
import type { LogMetric, Metric } from './messages';

const missing = (param: string) =>
  invalid(`Missing value for required parameter '${param}'. See the API docs for more information about request parameters.`);

/** `at` names the metric in messages: `metrics[3]` in a batch, nothing for log-metric's own fields. */
function metricOf(m: LogMetric | Metric, at = ''): MetricPoint {
  const field = (name: string) => (at ? `${at}.${name}` : name);
  if (m.key === undefined) throw missing(field('key'));
  if (m.value === undefined) throw missing(field('value'));
  if (m.timestamp === undefined) throw missing(field('timestamp'));
  return {
    key: m.key, value: m.value, timestamp: m.timestamp, step: m.step ?? 0,
    ...(m.model_id ? { modelId: m.model_id } : {}),
    ...(m.dataset_name ? { datasetName: m.dataset_name } : {}),
    ...(m.dataset_digest ? { datasetDigest: m.dataset_digest } : {}),
  };
}

function keyed(list: ReadonlyArray<{ key?: string; value?: string }> | undefined, what: string) {
  return (list ?? []).map((t, i) => {
    if (t.key === undefined || t.key === '') throw missing(`${what}[${i}].key`);
    return tag(t);
  });
}

export const runHandlers = handlersOf('mlflow.MlflowService', {
  async createRun(m, { tracking }): Promise<Res<'createRun'>> {
    if (!m.experiment_id) throw invalid("Missing value for required parameter 'experiment_id'.", 'BAD_REQUEST');
    const run = await tracking.runs.create({
      experimentId: m.experiment_id, userId: m.user_id, runName: m.run_name, startTime: coreNumber(m.start_time), tags: keyed(m.tags, 'tags'),
    });
    return { run: runJson(run) };
  },

  async getRun(m, { tracking }): Promise<Res<'getRun'>> {
    return { run: runJson(await tracking.runs.get(runIdOf(m))) };
  },

  async updateRun(m, { tracking }): Promise<Res<'updateRun'>> {
    const info = await tracking.runs.update(runIdOf(m), { status: m.status, endTime: coreNumber(m.end_time), runName: m.run_name });
    return { run_info: runInfoJson(info) };
  },

  async deleteRun(m, { tracking }): Promise<Res<'deleteRun'>> {
    await tracking.runs.delete(runIdOf(m));
    return {};
  },

  async restoreRun(m, { tracking }): Promise<Res<'restoreRun'>> {
    await tracking.runs.restore(runIdOf(m));
    return {};
  },

  async logMetric(m, { tracking }): Promise<Res<'logMetric'>> {
    await tracking.runs.logBatch(runIdOf(m), { metrics: [metricOf(m)], params: [], tags: [] }, 'single');
    return {};
  },

  async logParam(m, { tracking }): Promise<Res<'logParam'>> {
    await tracking.runs.logBatch(runIdOf(m), { metrics: [], params: [tag(m)], tags: [] }, 'single');
    return {};
  },

  async setTag(m, { tracking }): Promise<Res<'setTag'>> {
    await tracking.runs.logBatch(runIdOf(m), { metrics: [], params: [], tags: [tag(m)] }, 'single');
    return {};
  },

  async deleteTag(m, { tracking }): Promise<Res<'deleteTag'>> {
    await tracking.runs.deleteTag(runIdOf(m), m.key);
    return {};
  },

  async logBatch(m, { tracking }): Promise<Res<'logBatch'>> {
    await tracking.runs.logBatch(runIdOf(m), {
      metrics: (m.metrics ?? []).map((x, i) => metricOf(x, `metrics[${i}]`)),
      params: keyed(m.params, 'params'),
      tags: keyed(m.tags, 'tags'),
    });
    return {};
  },

  async logModel(m, { tracking }): Promise<Res<'logModel'>> {
    await tracking.runs.appendModelHistory(runIdOf(m), m.model_json);
    return {};
  },

  async logInputs(m, { tracking }): Promise<Res<'logInputs'>> {
    const datasets = (m.datasets ?? []).map((d, i) => ({
      tags: keyed(d.tags, `datasets[${i}].tags`),
      dataset: d.dataset && {
        name: d.dataset.name, digest: d.dataset.digest, sourceType: d.dataset.source_type, source: d.dataset.source,
        schema: d.dataset.schema, profile: d.dataset.profile,
      },
    }));
    const models = (m.models ?? []).map((x, i) => {
      if (!x.model_id) throw missing(`models[${i}].model_id`);
      return { modelId: x.model_id };
    });
    // The core's validateDatasetInputs refuses a dataset or any of its required fields missing, in MLflow's words.
    await tracking.runs.logInputs(runIdOf(m), datasets as DatasetInput[], models);
    return {};
  },

  async logOutputs(m, { tracking }): Promise<Res<'logOutputs'>> {
    const models = (m.models ?? []).map((x, i) => {
      if (!x.model_id) throw missing(`models[${i}].model_id`);
      return { modelId: x.model_id, step: coreNumber(x.step) ?? 0 };
    });
    await tracking.runs.logOutputs(runIdOf(m), models);
    return {};
  },

  async searchRuns(m, { tracking }): Promise<Res<'searchRuns'>> {
    const page = await tracking.runs.search({
      experimentIds: m.experiment_ids ?? [],
      filter: m.filter,
      orderBy: m.order_by,
      maxResults: m.max_results,
      pageToken: m.page_token,
      viewType: viewTypeOf(m.run_view_type),
    });
    return { runs: page.items.map(runJson), next_page_token: page.nextPageToken };
  },
});
