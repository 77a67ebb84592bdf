/**
 * Ingest: experiments and runs written whole, as another system had them: their ids, times,
 * status, lifecycle and every point's timestamp, with the origin they came from recorded. It is
 * idempotent: an object is found by its origin first, then by its id, and a second ingest
 * updates it instead of adding another. An id that belongs to a different object is refused,
 * never taken over. Importers and protocol front-ends that create objects with their own ids
 * come through here.
 */
import { alreadyExists, notFound, TrackbridgeError } from './errors';
import { runArtifactUri } from './artifacts';
import { defaultArtifactLocation, experimentNotFound, type ExperimentsConfig } from './experiments';
import {
  checkedExperiment, checkedPoints, checkedRun, type CheckedExperiment, type CheckedRun, type ExperimentRef, type IngestExperiment, type IngestOptions,
  type IngestRun, originText,
} from './ingest-checks';
import type { IngestWarning } from './clipping';
import type { Experiment, MetricPoint, Origin, OriginKind, OriginRecord } from './model';
import { runNotFound } from './runs';
import type { LockedRun, Store, WriteTx } from './store';

export type { ExperimentRef, IngestExperiment, IngestOptions, IngestRun } from './ingest-checks';
export type { IngestWarning } from './clipping';

export interface IngestResult {
  /** The local id: the one given, or the one the object was first ingested as (or assigned). */
  id: string;
  /** True when this call created the object, false when it updated one already there. */
  created: boolean;
  warnings: IngestWarning[];
}

/**
 * Points written per store call inside a run's one transaction. Between chunks the event loop
 * turns, so on SQLite (one process, synchronous statements) reads are served while a run of a
 * million points is written.
 */
export const INGEST_POINTS_CHUNK = 20_000;


export class Ingest {
  constructor(private readonly store: Store, private readonly cfg: ExperimentsConfig) {}

  async experiment(e: IngestExperiment, opts: IngestOptions = {}): Promise<IngestResult> {
    const { value: x, warnings } = checkedExperiment(e, opts, this.cfg.workingDir);
    const now = Date.now();
    const out = await this.writeIdempotent(async (tx) => {
      let id = await findExperiment(tx, x);
      const created = id === undefined;
      if (id === undefined) {
        id = await tx.experiments.insert({
          experimentId: x.experimentId,
          name: x.name,
          artifactLocation: (assigned) => x.artifactLocation ?? defaultArtifactLocation(this.cfg, assigned),
          tags: [],
          time: x.creationTime,
        });
      }
      // The artifact location stays as first ingested: files may already live there.
      await tx.experiments.update(id, {
        name: x.name, lifecycleStage: x.lifecycleStage, creationTime: x.creationTime, lastUpdateTime: x.lastUpdateTime,
      });
      if (x.tags.length) await tx.experiments.setTags(id, x.tags);
      if (x.origin) await tx.origins.record('experiment', id, x.origin, now);
      return { id, created };
    });
    return { ...out, warnings };
  }

  /**
   * One run, all of it in one transaction: a refused run stores nothing, and a run of a million
   * points is written in chunks of INGEST_POINTS_CHUNK inside it rather than split across calls,
   * so no reader ever sees half a run and a failed ingest leaves nothing to clean up. (Measured:
   * a million points in one ingest take 1-3.5 s on SQLite, 5-26 s on PostgreSQL and MySQL.) A
   * longer history, or one a source streams, follows in points() calls.
   */
  async run(r: IngestRun, opts: IngestOptions = {}): Promise<IngestResult> {
    const { value: x, warnings } = checkedRun(r, opts);
    const experiment = await this.experimentOf(x.experiment);
    await this.internKeys(x.metrics);
    const now = Date.now();
    const out = await this.writeIdempotent(async (tx) => {
      await resolveIdentity(tx, 'run', x.runId, x.origin, async (id) => (await tx.runs.lock(id)) !== undefined);
      let run = await tx.runs.lock(x.runId);
      const created = run === undefined;
      if (run === undefined) {
        await tx.runs.insert({
          runId: x.runId,
          experimentId: experiment.experimentId,
          name: x.name,
          userId: x.userId,
          status: x.status,
          startTime: x.startTime,
          endTime: x.endTime,
          artifactUri: x.artifactUri ?? runArtifactUri(experiment, x.runId),
          tags: [],
        });
        run = (await tx.runs.lock(x.runId))!;
      } else if (run.experimentId !== experiment.experimentId) {
        throw alreadyExists(`Run ${x.runId} already exists in experiment ${run.experimentId}; it cannot be ingested into experiment ${experiment.experimentId}`);
      }
      // The artifact URI stays as first ingested: files may already live there.
      await tx.runs.update(run, {
        status: x.status, startTime: x.startTime, endTime: x.endTime, name: x.name, userId: x.userId,
        lifecycleStage: x.lifecycleStage, deletedTime: x.deletedTime,
      });
      await writeRunData(tx, run, x);
      if (x.origin) await tx.origins.record('run', x.runId, x.origin, now);
      return { id: x.runId, created };
    });
    return { ...out, warnings };
  }

  /**
   * More points for a run, for a source that streams a history too long to hold or to write in
   * one transaction (on SQLite one transaction holds the single writer from start to end). Each call
   * is one transaction and idempotent: points already stored are dropped, so a stream cut short
   * is simply sent again. The run is named by its local id, as run() returned it.
   */
  async points(runId: string, points: MetricPoint[], opts: IngestOptions = {}): Promise<IngestResult> {
    const { value, warnings } = checkedPoints(runId, points, opts);
    await this.internKeys(value);
    await this.store.write(async (tx) => {
      const run = await tx.runs.lock(runId);
      if (!run) throw runNotFound(runId);
      await writePoints(tx, run, value);
    });
    return { id: runId, created: false, warnings };
  }

  /**
   * A run's experiment must exist, active or not (the source's lifecycle is kept as it is). It is
   * read, not locked: no write path removes an experiment or moves its artifact location, and a
   * lock would hold up every run created in it for as long as a large ingest takes.
   */
  private async experimentOf(ref: ExperimentRef): Promise<Experiment> {
    const id = 'experimentId' in ref ? ref.experimentId : await this.store.localIdOfOrigin('experiment', ref.origin.system, ref.origin.id);
    const e = id === undefined ? undefined : await this.store.getExperiment(id);
    if (e) return e;
    throw 'experimentId' in ref ? experimentNotFound(ref.experimentId) : notFound(`No experiment was ingested from ${originText(ref.origin)}`);
  }

  /** The points' keys, created in a transaction of their own (see MetricWrites.internKeys). */
  private async internKeys(points: MetricPoint[]): Promise<void> {
    if (points.length === 0) return;
    const keys = [...new Set(points.map((p) => p.key))];
    await this.store.write((tx) => tx.metrics.internKeys(keys));
  }

  /** Where a local object came from; empty for one created here. */
  origins(kind: OriginKind, localId: string): Promise<OriginRecord[]> {
    return this.store.getOrigins(kind, localId);
  }

  /** The local id an origin was ingested as. */
  localId(kind: OriginKind, origin: Pick<Origin, 'system' | 'id'>): Promise<string | undefined> {
    return this.store.localIdOfOrigin(kind, origin.system, origin.id);
  }

  /**
   * Two ingests of one new object can both pass the lookups; a unique index then lets one of
   * them in and fails the other with a driver error. Ingest is idempotent, so that one is run
   * again: it now finds the object and updates it.
   */
  private async writeIdempotent<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    try {
      return await this.store.write(fn);
    } catch (e) {
      if (e instanceof TrackbridgeError) throw e;
      return this.store.write(fn);
    }
  }
}

const sameOrigin = (o: Origin) => (h: Origin) => h.system === o.system && h.id === o.id;

const article = (kind: OriginKind) => (kind === 'experiment' ? 'An' : 'A');

async function writeRunData(tx: WriteTx, run: LockedRun, x: CheckedRun): Promise<void> {
  if (x.tags.length) await tx.runs.setTags(run, x.tags);
  // The source is authoritative: a param it changed is changed here too.
  if (x.params.length) await tx.runs.setParams(run, x.params);
  await writePoints(tx, run, x.metrics);
  if (x.datasetInputs.length) await tx.runs.insertDatasetInputs(run, x.datasetInputs);
}

async function writePoints(tx: WriteTx, run: LockedRun, points: MetricPoint[]): Promise<void> {
  for (let i = 0; i < points.length; i += INGEST_POINTS_CHUNK) {
    if (i > 0) await tx.pause();
    await tx.metrics.insert(run, points.slice(i, i + INGEST_POINTS_CHUNK));
  }
}

/**
 * The local object an ingest names, if it exists: by origin first, then by id. An id held by
 * another object (one ingested from another origin, or one created here when the ingest names an
 * origin) is refused rather than overwritten.
 */
async function resolveIdentity(
  tx: WriteTx, kind: OriginKind, id: string | undefined, origin: Origin | undefined, exists: (id: string) => Promise<boolean>,
): Promise<string | undefined> {
  if (origin) {
    const local = await tx.origins.localId(kind, origin.system, origin.id);
    if (local !== undefined) {
      if (id !== undefined && id !== local) {
        throw alreadyExists(`${originText(origin)} was ingested as ${kind} ${local}; it cannot be ingested again as ${kind} ${id}`);
      }
      return local;
    }
  }
  if (id === undefined || !(await exists(id))) return undefined;
  const held = await tx.origins.of(kind, id);
  // The same origin, committed by a concurrent ingest after the lookup above (MySQL's locking
  // read of a missing row and its later plain reads need not agree): the same object.
  if (origin && held.some(sameOrigin(origin))) return id;
  if (origin) {
    const owner = held.length ? `was ingested from ${originText(held[0])}` : 'was created here';
    throw alreadyExists(`${article(kind)} ${kind} with id ${id} already exists and ${owner}; ${originText(origin)} cannot take its id`);
  }
  if (held.length) {
    throw alreadyExists(`${article(kind)} ${kind} with id ${id} already exists and was ingested from ${originText(held[0])}; an ingest without that origin cannot update it`);
  }
  return id;
}

/**
 * An experiment is found by origin, then id; one that comes with neither (a W&B offline run
 * names its project only by name) is found by its name, if the experiment holding that name has
 * no origin. Whatever the experiment, no other one may hold its name.
 */
async function findExperiment(tx: WriteTx, x: CheckedExperiment): Promise<string | undefined> {
  let id = await resolveIdentity(tx, 'experiment', x.experimentId, x.origin, async (e) => (await tx.experiments.lock(e)) !== undefined);
  const holder = await tx.experiments.idByName(x.name);
  if (id === undefined && x.experimentId === undefined && holder !== undefined) {
    // With no id to go by, the holder of the name is this experiment when it came from this
    // origin (committed by a concurrent ingest after the lookup above), or, for an ingest that
    // names no origin, from none.
    const held = await tx.origins.of('experiment', holder);
    if (x.origin ? held.some(sameOrigin(x.origin)) : held.length === 0) id = holder;
  }
  if (holder !== undefined && holder !== id) {
    throw alreadyExists(`Experiment(name=${x.name}) already exists (experiment ${holder}); names of deleted experiments stay reserved`);
  }
  if (id !== undefined) await tx.experiments.lock(id);
  return id;
}
