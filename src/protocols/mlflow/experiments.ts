/** /mlflow/experiments/* */
import { coreNumber, handlersOf, viewTypeOf } from './context';
import { datasetSummaryJson, experimentJson } from './entities';
import { invalid } from '../../core/errors';

export const experimentHandlers = handlersOf('mlflow.MlflowService', {
  async createExperiment(m, { tracking }) {
    const id = await tracking.experiments.create(m.name, m.artifact_location, (m.tags ?? []).map(tag));
    return { experiment_id: id };
  },

  async getExperiment(m, { tracking }) {
    return { experiment: experimentJson(await tracking.experiments.get(m.experiment_id)) };
  },

  async getExperimentByName(m, { tracking }) {
    return { experiment: experimentJson(await tracking.experiments.getByName(m.experiment_name)) };
  },

  async searchExperiments(m, { tracking }) {
    if (m.max_results === undefined) {
      throw invalid("Invalid value 0 for parameter 'max_results' supplied. It must be at least 1 and at most 50000.");
    }
    const page = await tracking.experiments.search({
      filter: m.filter, orderBy: m.order_by, maxResults: coreNumber(m.max_results), pageToken: m.page_token, viewType: viewTypeOf(m.view_type),
    });
    return { experiments: page.items.map(experimentJson), next_page_token: page.nextPageToken };
  },

  async updateExperiment(m, { tracking }) {
    await tracking.experiments.rename(m.experiment_id, m.new_name);
    return {};
  },

  async deleteExperiment(m, { tracking }) {
    await tracking.experiments.delete(m.experiment_id);
    return {};
  },

  async restoreExperiment(m, { tracking }) {
    await tracking.experiments.restore(m.experiment_id);
    return {};
  },

  async setExperimentTag(m, { tracking }) {
    await tracking.experiments.setTag(m.experiment_id, { key: m.key, value: m.value ?? '' });
    return {};
  },

  async deleteExperimentTag(m, { tracking }) {
    await tracking.experiments.deleteTag(m.experiment_id, m.key);
    return {};
  },

  async searchDatasets(m, { tracking }) {
    return { dataset_summaries: (await tracking.searchDatasets(m.experiment_ids ?? [])).map(datasetSummaryJson) };
  },
});

export function tag(t: { key?: string; value?: string }) {
  return { key: t.key ?? '', value: t.value ?? '' };
}
