/** /mlflow/logged-models/* */
import { handlersOf, type Res } from './context';
import { tag } from './experiments';
import type { LoggedModel } from '../../core/model';
import type { Tracking } from '../../core/tracking';
import type * as wire from './messages';

/** The model with the registered versions made from it, which MLflow 3 lists on the logged model. */
async function withRegistrations(tracking: Tracking, m: LoggedModel): Promise<wire.LoggedModel> {
  return loggedModelJson(m, await tracking.loggedModels.registrations(m.modelId));
}

function loggedModelJson(m: LoggedModel, registrations: wire.LoggedModelRegistrationInfo[]): wire.LoggedModel {
  return {
    info: {
      model_id: m.modelId,
      experiment_id: m.experimentId,
      name: m.name,
      creation_timestamp_ms: m.creationTimestamp,
      last_updated_timestamp_ms: m.lastUpdatedTimestamp,
      artifact_uri: m.artifactLocation,
      status: m.status,
      model_type: m.modelType ?? '',
      source_run_id: m.sourceRunId,
      status_message: m.statusMessage,
      tags: m.tags,
      registrations,
    },
    data: {
      params: m.params,
      metrics: m.metrics.map((p) => ({
        key: p.key, value: p.value, timestamp: p.timestamp, step: p.step, run_id: p.runId, model_id: m.modelId,
        dataset_name: p.datasetName, dataset_digest: p.datasetDigest,
      })),
    },
  };
}

const tags = (list: ReadonlyArray<{ key?: string; value?: string }> | undefined) => (list ?? []).map(tag);

export const loggedModelHandlers = handlersOf('mlflow.MlflowService', {
  async createLoggedModel(m, { tracking }): Promise<Res<'createLoggedModel'>> {
    const model = await tracking.loggedModels.create({
      experimentId: m.experiment_id, name: m.name, modelType: m.model_type, sourceRunId: m.source_run_id,
      tags: tags(m.tags), params: tags(m.params),
    });
    return { model: await withRegistrations(tracking, model) };
  },

  async getLoggedModel(m, { tracking }): Promise<Res<'getLoggedModel'>> {
    return { model: await withRegistrations(tracking, await tracking.loggedModels.get(m.model_id)) };
  },

  async finalizeLoggedModel(m, { tracking }): Promise<Res<'finalizeLoggedModel'>> {
    // The wire also knows LOGGED_MODEL_STATUS_UNSPECIFIED; the core refuses it with MLflow's message.
    return { model: await withRegistrations(tracking, await tracking.loggedModels.finalize(m.model_id, m.status as LoggedModel['status'])) };
  },

  async deleteLoggedModel(m, { tracking }): Promise<Res<'deleteLoggedModel'>> {
    await tracking.loggedModels.delete(m.model_id);
    return {};
  },

  async setLoggedModelTags(m, { tracking }): Promise<Res<'setLoggedModelTags'>> {
    return { model: await withRegistrations(tracking, await tracking.loggedModels.setTags(m.model_id, tags(m.tags))) };
  },

  async deleteLoggedModelTag(m, { tracking }): Promise<Res<'deleteLoggedModelTag'>> {
    await tracking.loggedModels.deleteTag(m.model_id, m.tag_key);
    return {};
  },

  async logLoggedModelParams(m, { tracking }): Promise<Res<'logLoggedModelParams'>> {
    await tracking.loggedModels.logParams(m.model_id, tags(m.params));
    return {};
  },

  async searchLoggedModels(m, { tracking }): Promise<Res<'searchLoggedModels'>> {
    const page = await tracking.loggedModels.search({
      experimentIds: m.experiment_ids ?? [], filter: m.filter, datasets: m.datasets, orderBy: m.order_by, maxResults: m.max_results, pageToken: m.page_token,
    });
    return { models: await Promise.all(page.items.map((model) => withRegistrations(tracking, model))), next_page_token: page.nextPageToken };
  },
});
