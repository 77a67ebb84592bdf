/** /mlflow/experiments/* */
import { coreNumber, handlersOf, viewTypeOf, type Res } from './context';
import { datasetSummaryJson, experimentJson } from './entities';
import { invalid } from '../../core/errors';

export const experimentHandlers = handlersOf('mlflow.MlflowService', {
  async createExperiment(m, { tracking }): Promise<Res<'createExperiment'>> {
    const id = await tracking.experiments.create(m.name, m.artifact_location, (m.tags ?? []).map(tag));
    return { experiment_id: id };
  },

  async getExperiment(m, { tracking }): Promise<Res<'getExperiment'>> {
    return { experiment: experimentJson(await tracking.experiments.get(m.experiment_id)) };
  },

  async getExperimentByName(m, { tracking }): Promise<Res<'getExperimentByName'>> {
    return { experiment: experimentJson(await tracking.experiments.getByName(m.experiment_name)) };
  },

  async searchExperiments(m, { tracking }): Promise<Res<'searchExperiments'>> {
    if (m.max_results === undefined) {
      throw invalid("Invalid value 0 for parameter 'max_results' supplied. It must be at least 1 and at most 50000.");
    }
    const page = await tracking.experiments.search({
      filter: m.filter, orderBy: m.order_by, maxResults: coreNumber(m.max_results), pageToken: m.page_token, viewType: viewTypeOf(m.view_type),
    });
    return { experiments: page.items.map(experimentJson), next_page_token: page.nextPageToken };
  },

  async updateExperiment(m, { tracking }): Promise<Res<'updateExperiment'>> {
    await tracking.experiments.rename(m.experiment_id, m.new_name);
    return {};
  },

  async deleteExperiment(m, { tracking }): Promise<Res<'deleteExperiment'>> {
    await tracking.experiments.delete(m.experiment_id);
    return {};
  },

  async restoreExperiment(m, { tracking }): Promise<Res<'restoreExperiment'>> {
    await tracking.experiments.restore(m.experiment_id);
    return {};
  },

  async setExperimentTag(m, { tracking }): Promise<Res<'setExperimentTag'>> {
    await tracking.experiments.setTag(m.experiment_id, { key: m.key, value: m.value ?? '' });
    return {};
  },

  async deleteExperimentTag(m, { tracking }): Promise<Res<'deleteExperimentTag'>> {
    await tracking.experiments.deleteTag(m.experiment_id, m.key);
    return {};
  },

  async searchDatasets(m, { tracking }): Promise<Res<'searchDatasets'>> {
    return { dataset_summaries: (await tracking.searchDatasets(m.experiment_ids ?? [])).map(datasetSummaryJson) };
  },
});

export function tag(t: { key?: string; value?: string }) {
  return { key: t.key ?? '', value: t.value ?? '' };
}
