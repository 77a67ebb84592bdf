/**
 * The model registry: registered models and their numbered versions, tags, aliases and
 * stages, and MLflow 3's prompts, which are registered models and versions marked by tags.
 * Every write locks its registered model first, so writes of one model (version numbers
 * above all) are serialised on every database; events go out once the write has committed.
 * A write answers the model or version as it wrote it, read inside the write by its handle:
 * read again by name after commit, a concurrent rename would turn a committed write into a 404.
 */
import { alreadyExists, invalid, notFound, TrackbridgeError } from './errors';
import type { ArtifactRoot, Artifacts } from './artifacts';
import type { ModelVersion, ModelVersionStage, Page, RegisteredModel, Tag } from './model';
import type { LockedRegisteredModel, Store, WriteTx } from './store';
import { NO_LISTENER, type RegistryEvent, type RegistryEvents } from './registry-events';
import { decodePageToken, encodePageToken } from './query/page-token';
import { parseModelVersionFilter, parseModelVersionOrderBy, parseRegisteredModelFilter, parseRegisteredModelOrderBy } from './query/targets';
import {
  ACTIVE_STAGES, canonicalStage, checkAliasName, checkAliasNotReserved, checkDeploymentJobId, checkDescription, checkMaxResults, checkModelName,
  checkRegistryTag, checkRegistryTags, checkVersion, hasPromptTag, isLatestAlias, IS_PROMPT_TAG, PROMPT_TEXT_TAG, PROMPT_TYPE_TAG,
  REGISTRY_LIMITS,
} from './registry-checks';
import { resolveVersionSource } from './model-version-source';
import { MODEL_VERSIONS_TAG, withModelVersion } from './model-versions-tag';
import { BY_NAME, BY_VERSION_DESC, promptScoped, VERSIONS_DEFAULT_ORDER, withTieBreakers } from './registry-search';
import { assertStorableText, clip } from './text';

export const registeredModelNotFound = (name: string) => notFound(`Registered Model with name=${name} not found`);
export const modelVersionNotFound = (name: string, version: number | string) => notFound(`Model Version (name=${name}, version=${version}) not found`);

const tagRecord = (tags: readonly Tag[], drop: readonly string[] = []) =>
  Object.fromEntries(tags.filter((t) => !drop.includes(t.key)).map((t) => [t.key, t.value]));

export interface NewModelVersionRequest {
  name: string;
  source: string;
  runId?: string;
  modelId?: string;
  runLink?: string;
  description?: string;
  tags: Array<{ key?: string; value?: string }>;
}

export interface RegistrySearchRequest { filter?: string; maxResults?: number; orderBy?: string[]; pageToken?: string }

export class Registry {
  constructor(private readonly store: Store, private readonly artifacts: Artifacts, private readonly events: RegistryEvents = NO_LISTENER) {}

  // ------------------------------------------------------------ registered models

  async createModel(req: { name: string; tags: Array<{ key?: string; value?: string }>; description?: string; deploymentJobId?: string }): Promise<RegisteredModel> {
    const name = checkModelName(req.name);
    const tags = checkRegistryTags(req.tags, false);
    const description = checkDescription(req.description);
    const deploymentJobId = checkDeploymentJobId(req.deploymentJobId);
    const isPrompt = hasPromptTag(tags);
    let created: RegisteredModel;
    try {
      created = await this.store.write(async (tx) => {
        const model = await tx.registry.insertModel({ name, time: Date.now(), description, deploymentJobId: deploymentJobId || undefined, tags });
        return tx.registry.readModel(model);
      });
    } catch (e) {
      if (e instanceof TrackbridgeError && e.code === 'ALREADY_EXISTS') throw await this.nameTaken(name, isPrompt);
      throw e;
    }
    this.publish(isPrompt
      ? { entity: 'prompt', action: 'created', payload: { name, tags: tagRecord(tags, [IS_PROMPT_TAG, PROMPT_TYPE_TAG]), description } }
      : { entity: 'registered_model', action: 'created', payload: { name, tags: tagRecord(tags), description } });
    return created;
  }

  /** MLflow's words for a taken name, which tell a model from a prompt. */
  private async nameTaken(name: string, newIsPrompt: boolean): Promise<TrackbridgeError> {
    const existing = await this.store.getRegisteredModel(name);
    const old = existing && hasPromptTag(existing.tags) ? 'Prompt' : 'Registered Model';
    const fresh = newIsPrompt ? 'Prompt' : 'Registered Model';
    if (old !== fresh) {
      return alreadyExists(`Tried to create a ${fresh.toLowerCase()} with name '${name}', but the name is already taken by a ${old.toLowerCase()}. ` +
        'MLflow does not allow creating a model and a prompt with the same name.');
    }
    return alreadyExists(`${fresh} (name=${name}) already exists.`);
  }

  async getModel(name: string): Promise<RegisteredModel> {
    const found = await this.store.getRegisteredModel(checkModelName(name));
    if (!found) throw registeredModelNotFound(name);
    return found;
  }

  async renameModel(name: string, newName: string | undefined): Promise<RegisteredModel> {
    if (newName === undefined || newName.trim() === '') throw invalid("Missing value for required parameter 'new_name'.");
    const to = checkModelName(newName, 'new_name');
    return this.withModel(name, async (tx, model) => {
      try {
        await tx.registry.updateModel(model, { name: to, lastUpdatedTimestamp: Date.now() });
      } catch (e) {
        if (e instanceof TrackbridgeError && e.code === 'ALREADY_EXISTS') throw alreadyExists(`Registered Model (name=${to}) already exists.`);
        throw e;
      }
      return tx.registry.readModel(model);
    });
  }

  /** MLflow sets the description it is sent, so one left out clears it. */
  async updateModel(name: string, u: { description?: string; deploymentJobId?: string }): Promise<RegisteredModel> {
    const description = checkDescription(u.description) ?? '';
    const deploymentJobId = checkDeploymentJobId(u.deploymentJobId);
    return this.withModel(name, async (tx, model) => {
      await tx.registry.updateModel(model, {
        description, ...(deploymentJobId !== undefined ? { deploymentJobId } : {}), lastUpdatedTimestamp: Date.now(),
      });
      return tx.registry.readModel(model);
    });
  }

  async deleteModel(name: string): Promise<void> {
    await this.withModel(name, (tx, model) => tx.registry.deleteModel(model));
  }

  async searchModels(q: RegistrySearchRequest): Promise<Page<RegisteredModel>> {
    const limit = checkMaxResults(q.maxResults, REGISTRY_LIMITS.searchModelsDefault, REGISTRY_LIMITS.searchModelsMax);
    const filter = promptScoped(parseRegisteredModelFilter(q.filter));
    const orderBy = withTieBreakers(parseRegisteredModelOrderBy(q.orderBy), [BY_NAME]);
    const offset = decodePageToken(q.pageToken);
    const rows = await this.store.searchRegisteredModels({ filter, orderBy, offset, limit });
    return page(rows, offset, limit);
  }

  async setModelTag(name: string, tag: { key?: string; value?: string }): Promise<void> {
    const checked = checkRegistryTag(tag, false);
    await this.withModel(name, (tx, model) => tx.registry.setModelTag(model, checked));
    if (await this.isPrompt(name)) this.publish({ entity: 'prompt_tag', action: 'set', payload: { name, key: checked.key, value: checked.value } });
  }

  /** A key the model does not have is no error, as in MLflow. */
  async deleteModelTag(name: string, key: string): Promise<void> {
    checkRegistryTag({ key, value: '' }, false);
    await this.withModel(name, (tx, model) => tx.registry.deleteModelTag(model, key));
    if (await this.isPrompt(name)) this.publish({ entity: 'prompt_tag', action: 'deleted', payload: { name, key } });
  }

  /** The newest version of each stage asked for (every stage when none is). */
  async latestVersions(name: string, stages: string[] = []): Promise<ModelVersion[]> {
    const wanted = stages.length ? [...new Set(stages.map(canonicalStage))] : undefined;
    await this.getModel(name);
    return this.store.latestModelVersions(name, wanted);
  }

  // ------------------------------------------------------------ model versions

  /**
   * A version is READY once created: its source is resolved (the run, logged model or other
   * version it names found) before the write, and nothing is copied afterwards, so there is no
   * PENDING_REGISTRATION for a client to wait out.
   */
  async createVersion(req: NewModelVersionRequest): Promise<ModelVersion> {
    const name = checkModelName(req.name);
    const tags = checkRegistryTags(req.tags, true);
    const description = checkDescription(req.description);
    if (req.runLink !== undefined) {
      assertStorableText(req.runLink, 'run_link');
      if (req.runLink.length > REGISTRY_LIMITS.runLinkLength) throw invalid(`'run_link' exceeds the maximum length of ${REGISTRY_LIMITS.runLinkLength} characters`);
    }
    const isPrompt = hasPromptTag(tags);
    const resolved = await resolveVersionSource(this.store, { source: req.source, runId: req.runId, modelId: req.modelId, isPrompt });
    // MLflow's server lists the version on the logged model it came from, in a tag its client extends.
    const mirrored = !isPrompt && resolved.modelId ? resolved.modelId : undefined;
    const created = await this.withModel(name, async (tx, model) => {
      const time = Date.now();
      const number = await tx.registry.reserveVersion(model);
      await tx.registry.insertVersion(model, {
        version: number, time, description: description ?? '', source: resolved.source, runId: resolved.runId, runLink: req.runLink ?? '',
        modelId: resolved.modelId, status: 'READY', storageLocation: resolved.storageLocation, tags,
      });
      await tx.registry.updateModel(model, { lastUpdatedTimestamp: time });
      // The tag is read under the logged model's lock: registrations into other models from the
      // same logged model wait here, so none of them overwrites another's entry.
      const logged = mirrored ? await tx.loggedModels.lock(mirrored) : undefined;
      if (logged?.lifecycleStage === 'active') {
        const value = withModelVersion(await tx.loggedModels.getTag(mirrored!, MODEL_VERSIONS_TAG), model.name, number);
        if (value !== undefined) await tx.loggedModels.setTags(mirrored!, [{ key: MODEL_VERSIONS_TAG, value }]);
      }
      return (await tx.registry.readVersion(model, number))!;
    });
    const v = created.version;
    this.publish(isPrompt
      ? {
        entity: 'prompt_version', action: 'created',
        payload: { name, version: v, template: tags.find((t) => t.key === PROMPT_TEXT_TAG)?.value ?? '', tags: tagRecord(tags, [IS_PROMPT_TAG, PROMPT_TEXT_TAG, PROMPT_TYPE_TAG]), description: description || undefined },
      }
      : {
        entity: 'model_version', action: 'created',
        payload: { name, version: v, source: resolved.source, run_id: resolved.runId, tags: tagRecord(tags), description: description || undefined },
      });
    return created;
  }

  async getVersion(name: string, version: string): Promise<ModelVersion> {
    const n = checkVersion(version);
    const found = await this.store.getModelVersion(checkModelName(name), n);
    if (!found) throw modelVersionNotFound(name, n);
    return found;
  }

  /** MLflow sets the description it is sent, so one left out clears it. */
  async updateVersion(name: string, version: string, description: string | undefined): Promise<ModelVersion> {
    const d = checkDescription(description) ?? '';
    return this.withVersion(name, version, async (tx, model, n) => {
      await tx.registry.updateVersion(model, n, { description: d, lastUpdatedTimestamp: Date.now() });
      return (await tx.registry.readVersion(model, n))!;
    });
  }

  /** Hidden for good; its number is never given again and the aliases naming it go. */
  async deleteVersion(name: string, version: string): Promise<void> {
    await this.withVersion(name, version, async (tx, model, n) => {
      const time = Date.now();
      await tx.registry.deleteVersion(model, n, time);
      await tx.registry.updateModel(model, { lastUpdatedTimestamp: time });
    });
  }

  async transitionStage(name: string, version: string, stage: string, archiveExisting: boolean): Promise<ModelVersion> {
    const to = canonicalStage(stage);
    if (archiveExisting && !ACTIVE_STAGES.includes(to)) {
      throw invalid(`Model version transition cannot archive existing model versions because '${clip(stage)}' is not an Active stage. ` +
        `Valid stages are ['${ACTIVE_STAGES.join("', '")}']`);
    }
    return this.withVersion(name, version, async (tx, model, n) => {
      const time = Date.now();
      if (archiveExisting) await tx.registry.archiveVersions(model, [to as ModelVersionStage], n, time);
      await tx.registry.updateVersion(model, n, { stage: to, lastUpdatedTimestamp: time });
      await tx.registry.updateModel(model, { lastUpdatedTimestamp: time });
      return (await tx.registry.readVersion(model, n))!;
    });
  }

  async searchVersions(q: RegistrySearchRequest): Promise<Page<ModelVersion>> {
    const limit = checkMaxResults(q.maxResults, REGISTRY_LIMITS.searchVersionsDefault, REGISTRY_LIMITS.searchVersionsMax);
    const filter = promptScoped(parseModelVersionFilter(q.filter));
    const given = q.orderBy?.length ? parseModelVersionOrderBy(q.orderBy) : VERSIONS_DEFAULT_ORDER;
    const orderBy = withTieBreakers(given, [BY_NAME, BY_VERSION_DESC]);
    const offset = decodePageToken(q.pageToken);
    const rows = await this.store.searchModelVersions({ filter, orderBy, offset, limit });
    return page(rows, offset, limit);
  }

  /** Where the version's files are: what clients download it from. */
  async downloadUri(name: string, version: string): Promise<string> {
    return (await this.getVersion(name, version)).storageLocation;
  }

  /** The version's files as an artifact root, for serving one of them. */
  async artifactRoot(name: string, version: string): Promise<ArtifactRoot> {
    const v = await this.getVersion(name, version);
    return this.artifacts.rootAt(v.storageLocation, `model version ${v.version} of '${name}'`);
  }

  async setVersionTag(name: string, version: string, tag: { key?: string; value?: string }): Promise<void> {
    const checked = checkRegistryTag(tag, true);
    await this.withVersion(name, version, (tx, model, n) => tx.registry.setVersionTag(model, n, checked));
    const payload = { name, version: String(checkVersion(version)), key: checked.key, value: checked.value };
    this.publish(await this.isPrompt(name)
      ? { entity: 'prompt_version_tag', action: 'set', payload }
      : { entity: 'model_version_tag', action: 'set', payload });
  }

  /** A key the version does not have is no error, as in MLflow. */
  async deleteVersionTag(name: string, version: string, key: string): Promise<void> {
    checkRegistryTag({ key, value: '' }, true);
    await this.withVersion(name, version, (tx, model, n) => tx.registry.deleteVersionTag(model, n, key));
    const payload = { name, version: String(checkVersion(version)), key };
    this.publish(await this.isPrompt(name)
      ? { entity: 'prompt_version_tag', action: 'deleted', payload }
      : { entity: 'model_version_tag', action: 'deleted', payload });
  }

  // ------------------------------------------------------------ aliases

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    checkModelName(name);
    checkAliasName(alias);
    checkAliasNotReserved(alias);
    const n = checkVersion(version);
    await this.withVersion(name, version, (tx, model) => tx.registry.setAlias(model, alias, n));
    const payload = { name, alias, version: String(n) };
    this.publish(await this.isPrompt(name)
      ? { entity: 'prompt_alias', action: 'created', payload }
      : { entity: 'model_version_alias', action: 'created', payload });
  }

  /** An alias the model does not have is no error, as in MLflow. */
  async deleteAlias(name: string, alias: string): Promise<void> {
    checkAliasName(alias);
    await this.withModel(name, (tx, model) => tx.registry.deleteAlias(model, alias));
    this.publish(await this.isPrompt(name)
      ? { entity: 'prompt_alias', action: 'deleted', payload: { name, alias } }
      : { entity: 'model_version_alias', action: 'deleted', payload: { name, alias } });
  }

  /** `latest` (any case) is the newest live version; an unknown alias is a bad argument, as MLflow answers it. */
  async versionByAlias(name: string, alias: string): Promise<ModelVersion> {
    checkModelName(name);
    checkAliasName(alias);
    if (isLatestAlias(alias)) {
      const newest = await this.store.newestModelVersion(name);
      if (newest) return newest;
      await this.getModel(name);
      throw notFound(`Latest version not found for model ${name}.`);
    }
    const found = await this.store.modelVersionByAlias(name, alias);
    if (found) return found;
    await this.getModel(name);
    throw invalid(`Registered model alias ${alias} not found.`);
  }

  // ------------------------------------------------------------ helpers

  private withModel<T>(name: string, fn: (tx: WriteTx, model: LockedRegisteredModel) => Promise<T>): Promise<T> {
    checkModelName(name);
    return this.store.write(async (tx) => {
      const model = await tx.registry.lockModel(name);
      if (!model) throw registeredModelNotFound(name);
      return fn(tx, model);
    });
  }

  private withVersion<T>(name: string, version: string, fn: (tx: WriteTx, model: LockedRegisteredModel, n: number) => Promise<T>): Promise<T> {
    const n = checkVersion(version);
    return this.withModel(name, async (tx, model) => {
      if (!(await tx.registry.lockVersion(model, n))) throw modelVersionNotFound(name, n);
      return fn(tx, model, n);
    });
  }

  /** Whether events about this model are prompt events; only read when someone listens. */
  private async isPrompt(name: string): Promise<boolean> {
    if (this.events === NO_LISTENER) return false;
    try {
      const m = await this.store.getRegisteredModel(name);
      return m !== undefined && hasPromptTag(m.tags);
    } catch {
      return false;
    }
  }

  private publish(event: RegistryEvent): void {
    if (this.events === NO_LISTENER) return;
    try {
      this.events.publish(event);
    } catch {
      // A listener must never fail a write that has committed.
    }
  }
}

function page<T>(rows: T[], offset: number, limit: number): Page<T> {
  return { items: rows.slice(0, limit), ...(rows.length > limit ? { nextPageToken: encodePageToken(offset + limit) } : {}) };
}
