/** Experiments: creation, naming, lifecycle and tags. */
import { alreadyExists, invalid, invalidState, notFound, TrackbridgeError } from './errors';
import { LIMITS } from './limits';
import { clip } from './text';
import type { Experiment, Page, Tag, ViewType } from './model';
import type { Store, WriteTx } from './store';
import { parseExperimentFilter, parseExperimentOrderBy } from './query/targets';
import { decodePageToken, encodePageToken } from './query/page-token';
import { validateExperimentName, validateExperimentTag } from './validation';
import { checkRequestedPath, proxiedPath, resolveArtifactLocation } from './artifact-paths';

export interface ExperimentsConfig {
  /** Root under which new experiments get their artifact location, e.g. `mlflow-artifacts:/`. */
  defaultArtifactRoot: string;
  /**
   * Absolute folder that a relative local artifact location is anchored at: the server's working
   * folder, as with MLflow. Without one, a relative location is refused.
   */
  workingDir?: string;
}

export const DEFAULT_EXPERIMENT_ID = '0';
export const DEFAULT_EXPERIMENT_NAME = 'Default';

function joinUri(root: string, part: string): string {
  return root.endsWith('/') ? `${root}${part}` : `${root}/${part}`;
}

/** Where an experiment created without a location keeps its artifacts. */
export function defaultArtifactLocation(cfg: ExperimentsConfig, experimentId: string): string {
  return joinUri(cfg.defaultArtifactRoot, experimentId);
}

/** A location given for a new experiment, checked and resolved as it will be stored. */
export function experimentArtifactLocation(artifactLocation: string, workingDir: string | undefined): string {
  if (artifactLocation.startsWith('runs:')) {
    throw invalid(`Got an invalid artifact location '${artifactLocation}'. 'runs:' URIs are not supported as experiment artifact locations.`);
  }
  const checkLength = (l: string) => {
    if (l.length > LIMITS.artifactLocationLength) {
      throw invalid(`Invalid artifact path length. The length of the artifact location cannot be greater than ${LIMITS.artifactLocationLength} characters.`);
    }
  };
  checkLength(artifactLocation);
  if (/[\0\r\n]/.test(artifactLocation)) throw invalid(`Invalid artifact location '${clip(artifactLocation)}': control characters are not allowed`);
  const location = resolveArtifactLocation(artifactLocation, workingDir);
  // Anchoring a relative path at the working folder makes it longer.
  checkLength(location);
  // A proxied location names a folder of this server's own store, which every run and model of
  // the experiment is written below: it must be a plain path inside the store's root.
  const proxied = proxiedPath(location);
  if (proxied !== undefined) {
    try {
      checkRequestedPath(proxied);
    } catch {
      throw invalid(`Invalid artifact location '${clip(artifactLocation)}': an 'mlflow-artifacts:' location must name a folder inside the artifact store`);
    }
  }
  return location;
}

export const experimentNotFound = (id: string) => notFound(`No Experiment with id=${id} exists`);

/** Runs and logged models are only created in an active experiment; the lock holds until commit. */
export async function lockActiveExperiment(tx: WriteTx, experimentId: string): Promise<Experiment> {
  const e = await tx.experiments.lock(experimentId);
  if (!e) throw experimentNotFound(experimentId);
  if (e.lifecycleStage !== 'active') {
    throw invalidState(`The experiment ${experimentId} must be in the 'active' state. Current state is ${e.lifecycleStage}.`);
  }
  return e;
}

export class Experiments {
  constructor(private readonly store: Store, private readonly cfg: ExperimentsConfig) {}

  /** A new store holds experiment 0, "Default"; creating it twice is harmless. */
  async ensureDefault(): Promise<void> {
    if (await this.store.getExperiment(DEFAULT_EXPERIMENT_ID)) return;
    try {
      await this.store.write(async (tx) => {
        if (await tx.experiments.lock(DEFAULT_EXPERIMENT_ID)) return;
        await tx.experiments.insert({
          experimentId: DEFAULT_EXPERIMENT_ID,
          name: DEFAULT_EXPERIMENT_NAME,
          artifactLocation: (id) => defaultArtifactLocation(this.cfg, id),
          tags: [],
          time: Date.now(),
        });
      });
    } catch (e) {
      // Another server process on the same database won the race.
      if (!(await this.store.getExperiment(DEFAULT_EXPERIMENT_ID))) throw e;
    }
  }

  async create(name: unknown, artifactLocation: string | undefined, tags: Tag[]): Promise<string> {
    const valid = validateExperimentName(name);
    tags.forEach((t, i) => validateExperimentTag(t, `tags[${i}]`));
    const location = artifactLocation ? experimentArtifactLocation(artifactLocation, this.cfg.workingDir) : undefined;
    const taken = () => alreadyExists(`Experiment(name=${valid}) already exists. Error: an experiment with this name exists (names of deleted experiments stay reserved).`);
    try {
      return await this.store.write(async (tx) => {
        if (await tx.experiments.idByName(valid)) throw taken();
        return tx.experiments.insert({
          name: valid,
          artifactLocation: (id) => location ?? defaultArtifactLocation(this.cfg, id),
          tags,
          time: Date.now(),
        });
      });
    } catch (e) {
      // Two creators raced past the name check; the unique index decided.
      if (!(e instanceof TrackbridgeError) && (await this.store.getExperimentByName(valid))) throw taken();
      throw e;
    }
  }

  /** The experiment, active or deleted; undefined when there is none. */
  find(experimentId: string): Promise<Experiment | undefined> {
    return this.store.getExperiment(experimentId);
  }

  /** The experiment of that name, active or deleted; undefined when there is none. */
  findByName(name: string): Promise<Experiment | undefined> {
    return this.store.getExperimentByName(name);
  }

  async get(experimentId: string): Promise<Experiment> {
    const e = await this.store.getExperiment(experimentId);
    if (!e) throw experimentNotFound(experimentId);
    return e;
  }

  async getByName(name: string): Promise<Experiment> {
    const e = await this.store.getExperimentByName(name);
    if (!e) throw notFound(`Could not find experiment with name '${name}'`);
    return e;
  }

  async search(q: { filter?: string; orderBy?: string[]; maxResults: number; pageToken?: string; viewType: ViewType }): Promise<Page<Experiment>> {
    if (!Number.isInteger(q.maxResults) || q.maxResults < 1 || q.maxResults > LIMITS.searchExperimentsMax) {
      throw invalid(`Invalid value ${q.maxResults} for parameter 'max_results' supplied. It must be at least 1 and at most ${LIMITS.searchExperimentsMax}.`);
    }
    const offset = decodePageToken(q.pageToken);
    const rows = await this.store.searchExperiments({
      filter: parseExperimentFilter(q.filter),
      orderBy: parseExperimentOrderBy(q.orderBy),
      viewType: q.viewType,
      offset,
      limit: q.maxResults,
    });
    const more = rows.length > q.maxResults;
    return { items: rows.slice(0, q.maxResults), ...(more ? { nextPageToken: encodePageToken(offset + q.maxResults) } : {}) };
  }

  async rename(experimentId: string, newName: unknown): Promise<void> {
    const name = validateExperimentName(newName);
    await this.store.write(async (tx) => {
      const e = await tx.experiments.lock(experimentId);
      if (!e) throw experimentNotFound(experimentId);
      if (e.lifecycleStage !== 'active') throw invalidState('Cannot rename a non-active experiment.');
      const other = await tx.experiments.idByName(name);
      if (other !== undefined && other !== experimentId) {
        throw new TrackbridgeError('CONFLICT', `Experiment(name=${name}) already exists.`);
      }
      await tx.experiments.update(experimentId, { name, lastUpdateTime: Date.now() });
    });
  }

  async delete(experimentId: string): Promise<void> {
    await this.setLifecycle(experimentId, 'active', 'deleted');
  }

  async restore(experimentId: string): Promise<void> {
    await this.setLifecycle(experimentId, 'deleted', 'active');
  }

  /** Deleting or restoring an experiment carries its runs with it. */
  private async setLifecycle(experimentId: string, from: 'active' | 'deleted', to: 'active' | 'deleted') {
    await this.store.write(async (tx) => {
      const e = await tx.experiments.lock(experimentId);
      if (!e || e.lifecycleStage !== from) throw experimentNotFound(experimentId);
      const now = Date.now();
      await tx.experiments.update(experimentId, { lifecycleStage: to, lastUpdateTime: now });
      await tx.experiments.setRunsLifecycle(experimentId, to, to === 'deleted' ? now : null);
    });
  }

  async setTag(experimentId: string, tag: Tag): Promise<void> {
    validateExperimentTag(tag, 'key');
    await this.store.write(async (tx) => {
      const e = await tx.experiments.lock(experimentId);
      if (!e) throw experimentNotFound(experimentId);
      if (e.lifecycleStage !== 'active') {
        throw invalidState(`The experiment ${experimentId} must be in the 'active' state. Current state is ${e.lifecycleStage}.`);
      }
      await tx.experiments.setTags(experimentId, [tag]);
    });
  }

  async deleteTag(experimentId: string, key: string): Promise<void> {
    await this.store.write(async (tx) => {
      const e = await tx.experiments.lock(experimentId);
      if (!e) throw experimentNotFound(experimentId);
      if (e.lifecycleStage !== 'active') {
        throw invalidState(`The experiment ${experimentId} must be in the 'active' state. Current state is ${e.lifecycleStage}.`);
      }
      if (!(await tx.experiments.deleteTag(experimentId, key))) {
        throw notFound(`No tag with name: ${key} in experiment with id ${experimentId}`);
      }
    });
  }
}
