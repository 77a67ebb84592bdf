/** Runs: lifecycle, logging (batch first) and search. */
import { randomUUID } from 'node:crypto';
import { invalid, invalidState, notFound } from './errors';
import { LIMITS } from './limits';
import type { DatasetInput, MetricPoint, ModelMetricPoint, ModelOutput, Page, Param, Run, RunInfo, RunStatus, Tag, ViewType } from './model';
import type { LockedRun, Store, WriteTx } from './store';
import { parseRunFilter, parseRunOrderBy } from './query/targets';
import { decodePageToken, encodePageToken } from './query/page-token';
import {
  checkBatchSize, checkExperimentIds, duplicateKeys, nestsDeeperThan, storedValue, validateKey, validateMetric, validateRunStatus, validateTime,
} from './validation';
import { randomRunName } from './run-names';
import { assertMaxLength, assertNoNul } from './text';
import { lockActiveExperiment } from './experiments';
import { runArtifactUri } from './artifacts';
import { validateDatasetInputs } from './datasets';

export const RUN_NAME_TAG = 'mlflow.runName';
export const MODEL_HISTORY_TAG = 'mlflow.log-model.history';

export const runNotFound = (runId: string) => notFound(`Run with id=${runId} not found`);

/** Writes go only to active runs; any status (even FINISHED) may still be logged to. */
export async function lockActiveRun(tx: WriteTx, runId: string): Promise<LockedRun> {
  const run = await tx.runs.lock(runId);
  if (!run) throw runNotFound(runId);
  if (run.lifecycleStage !== 'active') {
    throw invalidState(`The run ${runId} must be in the 'active' state. Current state is ${run.lifecycleStage}.`);
  }
  return run;
}

export interface NewRunRequest {
  experimentId: string;
  userId?: string;
  runName?: string;
  startTime?: number;
  tags: Tag[];
}

export interface Batch { metrics: MetricPoint[]; params: Param[]; tags: Tag[] }

export class Runs {
  constructor(private readonly store: Store) {}

  async create(req: NewRunRequest): Promise<Run> {
    const tags = req.tags.map((t, i) => { validateKey(t.key, `tags[${i}].key`); return { key: t.key, value: storedValue(t.value, LIMITS.runTagValueLength, `tags[${i}].value`) }; });
    const tagName = tags.find((t) => t.key === RUN_NAME_TAG)?.value;
    if (req.runName && tagName !== undefined && tagName !== req.runName) {
      throw invalid(`Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${req.runName}', mlflow.runName='${tagName}').`);
    }
    const name = req.runName || tagName || randomRunName();
    assertMaxLength(name, LIMITS.runNameLength, 'run_name');
    assertMaxLength(req.userId, LIMITS.userIdLength, 'user_id');
    assertNoNul(name, 'run_name');
    if (req.userId) assertNoNul(req.userId, 'user_id');
    if (req.startTime !== undefined) validateTime(req.startTime, 'start_time');
    const runId = randomUUID().replace(/-/g, '');
    await this.store.write(async (tx) => {
      const experiment = await lockActiveExperiment(tx, req.experimentId);
      await tx.runs.insert({
        runId,
        experimentId: req.experimentId,
        name,
        userId: req.userId ?? '',
        status: 'RUNNING',
        startTime: req.startTime ?? Date.now(),
        endTime: null,
        artifactUri: runArtifactUri(experiment, runId),
        tags: [...tags.filter((t) => t.key !== RUN_NAME_TAG), { key: RUN_NAME_TAG, value: name }],
      });
    });
    return (await this.get(runId));
  }

  /** The run, active or deleted; undefined when there is none. */
  find(runId: string): Promise<Run | undefined> {
    return this.store.getRun(runId);
  }

  /** The run's info alone (no params, metrics or tags); undefined when there is none. */
  findInfo(runId: string): Promise<RunInfo | undefined> {
    return this.store.getRunInfo(runId);
  }

  async get(runId: string): Promise<Run> {
    const run = await this.store.getRun(runId);
    if (!run) throw runNotFound(runId);
    return run;
  }

  async update(runId: string, u: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo> {
    assertMaxLength(u.runName, LIMITS.runNameLength, 'run_name');
    if (u.runName) assertNoNul(u.runName, 'run_name');
    // Every front-end's status reaches the store through here: a codec's enum is not the guard.
    if (u.status !== undefined) validateRunStatus(u.status);
    if (u.endTime !== undefined) validateTime(u.endTime, 'end_time');
    await this.store.write(async (tx) => {
      const run = await lockActiveRun(tx, runId);
      await tx.runs.update(run, { status: u.status, endTime: u.endTime, name: u.runName || undefined });
      if (u.runName) await tx.runs.setTags(run, [{ key: RUN_NAME_TAG, value: u.runName }]);
    });
    return (await this.get(runId)).info;
  }

  async delete(runId: string): Promise<void> {
    await this.setLifecycle(runId, 'deleted');
  }

  async restore(runId: string): Promise<void> {
    await this.setLifecycle(runId, 'active');
  }

  private async setLifecycle(runId: string, to: 'active' | 'deleted') {
    await this.store.write(async (tx) => {
      const run = await tx.runs.lock(runId);
      if (!run) throw runNotFound(runId);
      await tx.runs.update(run, { lifecycleStage: to, deletedTime: to === 'deleted' ? Date.now() : null });
    });
  }

  /**
   * The one write path for metrics, params and tags: validated whole before anything is
   * written, then written in one transaction, so a rejected batch stores nothing.
   */
  async logBatch(runId: string, batch: Batch, style: 'batch' | 'single' = 'batch'): Promise<void> {
    checkBatchSize(batch.metrics.length, batch.params.length, batch.tags.length);
    batch.metrics.forEach((m, i) => validateMetric(m, `metrics[${i}]`));
    const params = batch.params.map((p, i) => { validateKey(p.key, `params[${i}].key`); return { key: p.key, value: storedValue(p.value ?? '', LIMITS.paramValueLength, `params[${i}].value`) }; });
    const tags = batch.tags.map((t, i) => { validateKey(t.key, `tags[${i}].key`); return { key: t.key, value: storedValue(t.value ?? '', LIMITS.runTagValueLength, `tags[${i}].value`) }; });
    const renamed = tags.filter((t) => t.key === RUN_NAME_TAG).pop();
    if (renamed) assertMaxLength(renamed.value, LIMITS.runNameLength, `tags['${RUN_NAME_TAG}'].value`);
    const dups = duplicateKeys(params);
    if (dups.length) {
      throw invalid(`Duplicate parameter keys have been submitted: [${dups.map((d) => `'${d}'`).join(', ')}]. Please ensure the request contains only one param value per param key.`);
    }
    await this.store.write(async (tx) => {
      const run = await lockActiveRun(tx, runId);
      if (params.length) {
        const existing = await tx.runs.getParams(run, params.map((p) => p.key));
        const changed = params.filter((p) => existing.has(p.key) && existing.get(p.key) !== p.value);
        if (changed.length) throw paramChangeError(runId, changed, existing, style);
        await tx.runs.insertParams(run, params.filter((p) => !existing.has(p.key)));
      }
      if (batch.metrics.length) {
        await tx.metrics.insert(run, batch.metrics);
        // Autologging tags metrics with the model they evaluate; the model keeps its own copy.
        const byModel = new Map<string, ModelMetricPoint[]>();
        for (const m of batch.metrics) if (m.modelId) byModel.set(m.modelId, [...(byModel.get(m.modelId) ?? []), { ...m, runId }]);
        for (const [modelId, points] of byModel) {
          if (await tx.loggedModels.lock(modelId)) await tx.loggedModels.insertMetrics(modelId, points);
        }
      }
      if (tags.length) {
        await tx.runs.setTags(run, tags);
        if (renamed) await tx.runs.update(run, { name: renamed.value });
      }
    });
  }

  /** The legacy log-model call: the model's JSON joins the run's model history tag. */
  async appendModelHistory(runId: string, modelJson: string): Promise<void> {
    let model: Record<string, unknown>;
    if (nestsDeeperThan(modelJson, LIMITS.jsonNesting)) {
      throw invalid(`Malformed model info. \n The model_json field may nest at most ${LIMITS.jsonNesting} levels deep.`);
    }
    try {
      model = JSON.parse(modelJson);
    } catch {
      throw invalid('Malformed model info. \n The model_json field must be a JSON object.');
    }
    if (typeof model !== 'object' || model === null || Array.isArray(model)) throw invalid('Malformed model info. \n The model_json field must be a JSON object.');
    const missing = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'].filter((f) => !(f in model));
    if (missing.length) throw invalid(`Model json is missing mandatory fields: [${missing.map((f) => `'${f}'`).join(', ')}]`);
    await this.store.write(async (tx) => {
      const run = await lockActiveRun(tx, runId);
      const current = await tx.runs.getTag(run, MODEL_HISTORY_TAG);
      let history: unknown[] = [];
      try { history = current ? JSON.parse(current) : []; } catch { history = []; }
      if (!Array.isArray(history)) history = [];
      history.push(model);
      await tx.runs.setTags(run, [{ key: MODEL_HISTORY_TAG, value: JSON.stringify(history) }]);
    });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.store.write(async (tx) => {
      const run = await lockActiveRun(tx, runId);
      if (!(await tx.runs.deleteTag(run, key))) throw notFound(`No tag with name: ${key} in run with id ${runId}`);
    });
  }

  async logInputs(runId: string, datasets: DatasetInput[], models: { modelId: string }[]): Promise<void> {
    validateDatasetInputs(datasets);
    await this.store.write(async (tx) => {
      const run = await lockActiveRun(tx, runId);
      if (datasets.length) await tx.runs.insertDatasetInputs(run, datasets);
      if (models.length) await tx.runs.insertModelIo(run, 'input', models.map((m) => ({ modelId: m.modelId, step: 0 })));
    });
  }

  async logOutputs(runId: string, models: ModelOutput[]): Promise<void> {
    await this.store.write(async (tx) => {
      const run = await lockActiveRun(tx, runId);
      await tx.runs.insertModelIo(run, 'output', models);
    });
  }

  async search(q: { experimentIds: string[]; filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string; viewType: ViewType }): Promise<Page<Run>> {
    checkExperimentIds(q.experimentIds);
    const max = q.maxResults ?? LIMITS.searchRunsDefault;
    if (!Number.isInteger(max) || max < 1 || max > LIMITS.searchRunsMax) {
      throw invalid(`Invalid value ${max} for parameter 'max_results' supplied. It must be at most ${LIMITS.searchRunsMax}, but got value ${max}`);
    }
    const offset = decodePageToken(q.pageToken);
    const runs = await this.store.searchRuns({
      experimentIds: q.experimentIds,
      filter: parseRunFilter(q.filter),
      orderBy: parseRunOrderBy(q.orderBy),
      viewType: q.viewType,
      offset,
      limit: max,
    });
    const more = runs.length > max;
    return { items: runs.slice(0, max), ...(more ? { nextPageToken: encodePageToken(offset + max) } : {}) };
  }
}

function paramChangeError(runId: string, changed: Param[], existing: Map<string, string>, style: 'batch' | 'single') {
  if (style === 'single') {
    const p = changed[0];
    return invalid(`Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${existing.get(p.key)}' for run ID='${runId}'. Attempted logging new value '${p.value}'.`);
  }
  const list = changed.map((p) => `{'key': '${p.key}', 'old_value': '${existing.get(p.key)}', 'new_value': '${p.value}'}`).join(', ');
  return invalid(`Changing param values is not allowed. Params were already logged='[${list}]' for run ID='${runId}'.`);
}
