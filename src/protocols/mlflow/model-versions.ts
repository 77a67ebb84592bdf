/** /mlflow/model-versions/*: a registered model's numbered versions, their stages and tags. */
import { coreNumber, handlersOf } from './context';
import type { ModelRegistryServiceMethods } from './messages';
import { modelVersionJson } from './registry-entities';

type Res<M extends keyof ModelRegistryServiceMethods> = ModelRegistryServiceMethods[M]['response'];

export const modelVersionHandlers = handlersOf('mlflow.ModelRegistryService', {
  async createModelVersion(m, { tracking }): Promise<Res<'createModelVersion'>> {
    const v = await tracking.registry.createVersion({
      name: m.name, source: m.source, runId: m.run_id, modelId: m.model_id, runLink: m.run_link, description: m.description, tags: m.tags ?? [],
    });
    return { model_version: modelVersionJson(v) };
  },

  async getModelVersion(m, { tracking }): Promise<Res<'getModelVersion'>> {
    return { model_version: modelVersionJson(await tracking.registry.getVersion(m.name, m.version)) };
  },

  async updateModelVersion(m, { tracking }): Promise<Res<'updateModelVersion'>> {
    return { model_version: modelVersionJson(await tracking.registry.updateVersion(m.name, m.version, m.description)) };
  },

  async deleteModelVersion(m, { tracking }): Promise<Res<'deleteModelVersion'>> {
    await tracking.registry.deleteVersion(m.name, m.version);
    return {};
  },

  async transitionModelVersionStage(m, { tracking }): Promise<Res<'transitionModelVersionStage'>> {
    const v = await tracking.registry.transitionStage(m.name, m.version, m.stage, m.archive_existing_versions === true);
    return { model_version: modelVersionJson(v) };
  },

  async searchModelVersions(m, { tracking }): Promise<Res<'searchModelVersions'>> {
    const page = await tracking.registry.searchVersions({
      filter: m.filter, maxResults: coreNumber(m.max_results), orderBy: m.order_by, pageToken: m.page_token,
    });
    return { model_versions: page.items.map(modelVersionJson), next_page_token: page.nextPageToken };
  },

  async getModelVersionDownloadUri(m, { tracking }): Promise<Res<'getModelVersionDownloadUri'>> {
    return { artifact_uri: await tracking.registry.downloadUri(m.name, m.version) };
  },

  async setModelVersionTag(m, { tracking }): Promise<Res<'setModelVersionTag'>> {
    await tracking.registry.setVersionTag(m.name, m.version, { key: m.key, value: m.value ?? '' });
    return {};
  },

  async deleteModelVersionTag(m, { tracking }): Promise<Res<'deleteModelVersionTag'>> {
    await tracking.registry.deleteVersionTag(m.name, m.version, m.key);
    return {};
  },
});
