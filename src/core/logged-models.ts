/** MLflow 3 logged models: created before their artifacts upload, finalized after. */
import { randomUUID } from 'node:crypto';
import { invalid, notFound } from './errors';
import type { LoggedModel, LoggedModelStatus, Page, Tag } from './model';
import type { LoggedModelOrderTerm, MetricDataset, Store } from './store';
import { lockActiveExperiment } from './experiments';
import { loggedModelArtifactLocation } from './artifacts';
import { parseLoggedModelFilter, parseLoggedModelOrderBy } from './query/targets';
import { decodePageToken, encodePageToken } from './query/page-token';
import { checkExperimentIds, storedValue, validateKey } from './validation';
import { LIMITS } from './limits';
import { assertMaxLength } from './text';

const STATUSES: LoggedModelStatus[] = ['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'];
const NAME_FORBIDDEN = /[/:.%"']/;
/** Each dataset of a search is two bound values, bound once however many metric comparisons read the list. */
const SEARCH_DATASETS_MAX = 1000;

export const loggedModelNotFound = (id: string) => notFound(`Logged model with ID '${id}' not found.`);

function checkTags(tags: Tag[], what: string): Tag[] {
  return tags.map((t, i) => { validateKey(t.key, `${what}[${i}].key`); return { key: t.key, value: storedValue(t.value ?? '', LIMITS.runTagValueLength, `${what}[${i}].value`) }; });
}

export class LoggedModels {
  constructor(private readonly store: Store) {}

  async create(req: { experimentId: string; name?: string; modelType?: string; sourceRunId?: string; tags: Tag[]; params: Tag[] }): Promise<LoggedModel> {
    const name = req.name || `model-${randomUUID().slice(0, 8)}`;
    if (NAME_FORBIDDEN.test(name)) throw invalid(`Invalid model name '${name}': names cannot contain '/', ':', '.', '%', '"' or "'".`);
    assertMaxLength(name, LIMITS.loggedModelNameLength, 'name');
    assertMaxLength(req.modelType, LIMITS.modelTypeLength, 'model_type');
    const tags = checkTags(req.tags, 'tags');
    const params = req.params.map((p, i) => { validateKey(p.key, `params[${i}].key`); return { key: p.key, value: storedValue(p.value ?? '', LIMITS.paramValueLength, `params[${i}].value`) }; });
    const modelId = `m-${randomUUID().replace(/-/g, '')}`;
    await this.store.write(async (tx) => {
      const experiment = await lockActiveExperiment(tx, req.experimentId);
      await tx.loggedModels.insert({
        modelId, experimentId: req.experimentId, name, artifactLocation: loggedModelArtifactLocation(experiment, modelId), time: Date.now(),
        modelType: req.modelType, sourceRunId: req.sourceRunId, tags, params,
      });
    });
    return this.get(modelId);
  }

  /** The registered versions made from the logged model (MLflow 3 shows them on it). */
  registrations(modelId: string): Promise<Array<{ name: string; version: string }>> {
    return this.store.loggedModelRegistrations(modelId);
  }

  async get(modelId: string): Promise<LoggedModel> {
    const m = await this.store.getLoggedModel(modelId);
    if (!m) throw loggedModelNotFound(modelId);
    return m;
  }

  private async withActive(modelId: string, fn: (tx: Parameters<Parameters<Store['write']>[0]>[0]) => Promise<void>) {
    await this.store.write(async (tx) => {
      const m = await tx.loggedModels.lock(modelId);
      if (!m || m.lifecycleStage !== 'active') throw loggedModelNotFound(modelId);
      await fn(tx);
    });
  }

  async finalize(modelId: string, status: LoggedModelStatus | undefined): Promise<LoggedModel> {
    if (!status || !STATUSES.includes(status)) throw invalid(`Invalid status '${status ?? ''}' for a logged model.`);
    await this.withActive(modelId, (tx) => tx.loggedModels.update(modelId, { status, lastUpdatedTimestamp: Date.now() }));
    return this.get(modelId);
  }

  async delete(modelId: string): Promise<void> {
    await this.withActive(modelId, (tx) => tx.loggedModels.update(modelId, { lifecycleStage: 'deleted', lastUpdatedTimestamp: Date.now() }));
  }

  async setTags(modelId: string, tags: Tag[]): Promise<LoggedModel> {
    const checked = checkTags(tags, 'tags');
    await this.withActive(modelId, async (tx) => {
      await tx.loggedModels.setTags(modelId, checked);
      await tx.loggedModels.update(modelId, { lastUpdatedTimestamp: Date.now() });
    });
    return this.get(modelId);
  }

  async deleteTag(modelId: string, key: string): Promise<void> {
    await this.withActive(modelId, async (tx) => {
      if (!(await tx.loggedModels.deleteTag(modelId, key))) throw notFound(`No tag with key '${key}' found for logged model with ID '${modelId}'.`);
    });
  }

  async logParams(modelId: string, params: Tag[]): Promise<void> {
    const checked = params.map((p, i) => { validateKey(p.key, `params[${i}].key`); return { key: p.key, value: storedValue(p.value ?? '', LIMITS.paramValueLength, `params[${i}].value`) }; });
    await this.withActive(modelId, (tx) => tx.loggedModels.insertParams(modelId, checked));
  }

  async search(q: {
    experimentIds: string[]; filter?: string; maxResults?: number; pageToken?: string;
    datasets?: Array<{ dataset_name?: string; dataset_digest?: string }>;
    orderBy?: Array<{ field_name?: string; ascending?: boolean; dataset_name?: string; dataset_digest?: string }>;
  }): Promise<Page<LoggedModel>> {
    checkExperimentIds(q.experimentIds);
    const max = q.maxResults ?? 50;
    if (!Number.isInteger(max) || max < 1 || max > LIMITS.searchRunsMax) throw invalid(`Invalid value ${max} for parameter 'max_results' supplied.`);
    if ((q.datasets?.length ?? 0) > SEARCH_DATASETS_MAX) throw invalid(`A logged-model search takes at most ${SEARCH_DATASETS_MAX} datasets.`);
    const datasets = (q.datasets ?? []).map((d): MetricDataset => {
      if (!d.dataset_name) throw invalid('`dataset_name` in the `datasets` clause must be specified.');
      return { name: d.dataset_name, ...(d.dataset_digest ? { digest: d.dataset_digest } : {}) };
    });
    const orderBy = parseLoggedModelOrderBy(q.orderBy).map((t, i): LoggedModelOrderTerm => {
      const { dataset_name: name, dataset_digest: digest } = q.orderBy![i];
      return { ...t, ...(name ? { datasetName: name } : {}), ...(digest ? { datasetDigest: digest } : {}) };
    });
    const offset = decodePageToken(q.pageToken);
    const rows = await this.store.searchLoggedModels({
      experimentIds: q.experimentIds, filter: parseLoggedModelFilter(q.filter), datasets, orderBy, offset, limit: max,
    });
    return { items: rows.slice(0, max), ...(rows.length > max ? { nextPageToken: encodePageToken(offset + max) } : {}) };
  }
}
