/** /mlflow/registered-models/*: registered models, their tags, aliases and latest versions. */
import { coreNumber, handlersOf } from './context';
import type { ModelRegistryServiceMethods } from './messages';
import { modelVersionJson, registeredModelJson } from './registry-entities';

type Res<M extends keyof ModelRegistryServiceMethods> = ModelRegistryServiceMethods[M]['response'];

export const registeredModelHandlers = handlersOf('mlflow.ModelRegistryService', {
  async createRegisteredModel(m, { tracking }): Promise<Res<'createRegisteredModel'>> {
    const model = await tracking.registry.createModel({ name: m.name, tags: m.tags ?? [], description: m.description, deploymentJobId: m.deployment_job_id });
    return { registered_model: registeredModelJson(model) };
  },

  async getRegisteredModel(m, { tracking }): Promise<Res<'getRegisteredModel'>> {
    return { registered_model: registeredModelJson(await tracking.registry.getModel(m.name)) };
  },

  async renameRegisteredModel(m, { tracking }): Promise<Res<'renameRegisteredModel'>> {
    return { registered_model: registeredModelJson(await tracking.registry.renameModel(m.name, m.new_name)) };
  },

  async updateRegisteredModel(m, { tracking }): Promise<Res<'updateRegisteredModel'>> {
    const model = await tracking.registry.updateModel(m.name, { description: m.description, deploymentJobId: m.deployment_job_id });
    return { registered_model: registeredModelJson(model) };
  },

  async deleteRegisteredModel(m, { tracking }): Promise<Res<'deleteRegisteredModel'>> {
    await tracking.registry.deleteModel(m.name);
    return {};
  },

  async searchRegisteredModels(m, { tracking }): Promise<Res<'searchRegisteredModels'>> {
    const page = await tracking.registry.searchModels({
      filter: m.filter, maxResults: coreNumber(m.max_results), orderBy: m.order_by, pageToken: m.page_token,
    });
    return { registered_models: page.items.map(registeredModelJson), next_page_token: page.nextPageToken };
  },

  async getLatestVersions(m, { tracking }): Promise<Res<'getLatestVersions'>> {
    return { model_versions: (await tracking.registry.latestVersions(m.name, m.stages ?? [])).map(modelVersionJson) };
  },

  async setRegisteredModelTag(m, { tracking }): Promise<Res<'setRegisteredModelTag'>> {
    await tracking.registry.setModelTag(m.name, { key: m.key, value: m.value ?? '' });
    return {};
  },

  async deleteRegisteredModelTag(m, { tracking }): Promise<Res<'deleteRegisteredModelTag'>> {
    await tracking.registry.deleteModelTag(m.name, m.key);
    return {};
  },

  async setRegisteredModelAlias(m, { tracking }): Promise<Res<'setRegisteredModelAlias'>> {
    await tracking.registry.setAlias(m.name, m.alias, m.version);
    return {};
  },

  async deleteRegisteredModelAlias(m, { tracking }): Promise<Res<'deleteRegisteredModelAlias'>> {
    await tracking.registry.deleteAlias(m.name, m.alias);
    return {};
  },

  async getModelVersionByAlias(m, { tracking }): Promise<Res<'getModelVersionByAlias'>> {
    return { model_version: modelVersionJson(await tracking.registry.versionByAlias(m.name, m.alias)) };
  },
});
