/**
 * Runs a client names itself and sends in parts, as a W&B client does with upsertBucket: the
 * first write of an id creates the run (in an experiment found or created by name), every later
 * one changes only what it carries. Each write is one transaction, creation included, so a run
 * never exists without its experiment, its tags or its config, and a refused write stores
 * nothing. Sending the same write again changes nothing.
 *
 * The client's params are its own config, which it also keeps whole as a document: a value
 * too long for a param is clipped, and a key MLflow cannot hold is left out of the params,
 * each reported as a warning rather than failing the run (the document still holds it).
 */
import { alreadyExists, invalid, invalidState, TrackbridgeError } from './errors';
import { Clipper } from './clipping';
import { defaultArtifactLocation, type ExperimentsConfig } from './experiments';
import { runArtifactUri } from './artifacts';
import { encodeJson, isJsonObject, type JsonObject } from './json-value';
import { LIMITS } from './limits';
import type { Experiment, Origin, Param, Run, RunStatus, Tag } from './model';
import { RUN_NAME_TAG, runNotFound } from './runs';
import type { LockedRun, RunDocumentKind, Store, WriteTx } from './store';
import { clip } from './text';
import { validateExperimentName, validateKey, validateRunStatus } from './validation';
import { randomRunName } from './run-names';

/** Ids a client may give its runs: what every store column and artifact path holds as is. */
const CLIENT_RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Params one write may carry. A config is rewritten whole on every change, and each of its
 * leaves is a param; past this many the rest stay in the config document only.
 */
export const CLIENT_RUN_MAX_PARAMS = 10_000;

const ORIGIN_ID_LENGTH = 255;

export interface ClientRunWrite {
  runId: string;
  /** The experiment the run is created in, by name (created when missing); a run already elsewhere is refused. */
  experimentName: string;
  /** The user creating the run; kept on creation only. */
  userId: string;
  // Each of the following, when undefined, leaves what the run has.
  /** The run's name (and its mlflow.runName tag); on creation without one, a random name. */
  name?: string;
  /** A terminal status sets the end time to now; RUNNING clears it. */
  status?: RunStatus;
  /** Set (overwritten) key by key; tags not named stay. */
  tags?: Tag[];
  /** Tags set only when this write creates the run (who created it). */
  creationTags?: Tag[];
  /** Set (overwritten) key by key: the client's config is authoritative. */
  params?: Param[];
  /** Documents replaced whole. */
  config?: JsonObject;
  summary?: JsonObject;
  /** Where the run came from, recorded when this write creates it. */
  origin?: Origin;
}

export interface ClientRunResult {
  run: Run;
  experiment: Experiment;
  /** True when this write created the run. */
  created: boolean;
  /** What was stored otherwise than sent (clipped values, params left out), for the front-end's log. */
  warnings: string[];
}

interface CheckedWrite extends Omit<ClientRunWrite, 'config' | 'summary'> {
  documents: Array<{ kind: RunDocumentKind; text: string }>;
}

const TERMINAL: readonly RunStatus[] = ['FINISHED', 'FAILED', 'KILLED'];

export class ClientRuns {
  constructor(private readonly store: Store, private readonly cfg: ExperimentsConfig) {}

  async write(w: ClientRunWrite): Promise<ClientRunResult> {
    const warnings: string[] = [];
    const x = checkWrite(w, warnings);
    const unit = (tx: WriteTx) => this.apply(tx, x);
    let out: { created: boolean; experimentId: string };
    try {
      out = await this.store.write(unit);
    } catch (e) {
      // Two first writes of one run (or of one new experiment) can both pass the lookups; the
      // unique index lets one in and fails the other with a driver error. Run again, the loser
      // finds what the winner committed and updates it.
      if (e instanceof TrackbridgeError) throw e;
      out = await this.store.write(unit);
    }
    const [run, experiment] = await Promise.all([this.store.getRun(x.runId), this.store.getExperiment(out.experimentId)]);
    if (!run || !experiment) throw runNotFound(x.runId);
    return { run, experiment, created: out.created, warnings };
  }

  private async apply(tx: WriteTx, x: CheckedWrite): Promise<{ created: boolean; experimentId: string }> {
    const now = Date.now();
    let run = await tx.runs.lock(x.runId);
    const created = run === undefined;
    const experimentId = await this.experimentFor(tx, x, run);
    if (run === undefined) {
      const experiment = (await tx.experiments.lock(experimentId))!;
      const name = x.name || randomRunName();
      await tx.runs.insert({
        runId: x.runId,
        experimentId,
        name,
        userId: x.userId,
        status: x.status ?? 'RUNNING',
        startTime: now,
        endTime: x.status && TERMINAL.includes(x.status) ? now : null,
        artifactUri: runArtifactUri(experiment, x.runId),
        tags: [{ key: RUN_NAME_TAG, value: name }],
      });
      run = (await tx.runs.lock(x.runId))!;
      if (x.creationTags?.length) await tx.runs.setTags(run, x.creationTags);
      if (x.origin) await recordOrigin(tx, x.runId, x.origin, now);
    } else {
      if (run.lifecycleStage !== 'active') {
        throw invalidState(`The run ${x.runId} must be in the 'active' state. Current state is ${run.lifecycleStage}.`);
      }
      if (x.name !== undefined || x.status !== undefined) {
        await tx.runs.update(run, {
          name: x.name || undefined,
          status: x.status,
          endTime: x.status === undefined ? undefined : TERMINAL.includes(x.status) ? now : null,
        });
      }
      if (x.name) await tx.runs.setTags(run, [{ key: RUN_NAME_TAG, value: x.name }]);
    }
    await writeParts(tx, run, x);
    return { created, experimentId };
  }

  /** The run's experiment: the named one, created when missing; a run already in another is refused. */
  private async experimentFor(tx: WriteTx, x: CheckedWrite, run: LockedRun | undefined): Promise<string> {
    const id = await tx.experiments.idByName(x.experimentName);
    if (run !== undefined) {
      if (run.experimentId !== id) {
        const holder = await tx.experiments.lock(run.experimentId);
        throw alreadyExists(
          `Run ${x.runId} already exists in experiment '${clip(holder?.name ?? run.experimentId, 200)}'; `
          + `a run id names one run on this server, so it cannot also be a run of '${clip(x.experimentName, 200)}'`,
        );
      }
      return run.experimentId;
    }
    if (id === undefined) {
      return tx.experiments.insert({
        name: x.experimentName,
        artifactLocation: (assigned) => defaultArtifactLocation(this.cfg, assigned),
        tags: [],
        time: Date.now(),
      });
    }
    const e = await tx.experiments.lock(id);
    if (!e || e.lifecycleStage !== 'active') {
      throw invalidState(`The experiment '${clip(x.experimentName, 200)}' (${id}) is deleted; restore it to create runs in it.`);
    }
    return id;
  }
}

async function writeParts(tx: WriteTx, run: LockedRun, x: CheckedWrite): Promise<void> {
  if (x.tags?.length) await tx.runs.setTags(run, x.tags);
  if (x.params?.length) {
    // Only what changed is written: a config is sent whole on every change of any part of it.
    const stored = await tx.runs.getParams(run, x.params.map((p) => p.key));
    const changed = x.params.filter((p) => stored.get(p.key) !== p.value);
    if (changed.length) await tx.runs.setParams(run, changed);
  }
  for (const d of x.documents) await tx.runData.setDocument(run, d.kind, d.text);
}

/** The origin, unless an earlier ingest recorded it for another run (that run keeps it). */
async function recordOrigin(tx: WriteTx, runId: string, origin: Origin, now: number): Promise<void> {
  const holder = await tx.origins.localId('run', origin.system, origin.id);
  if (holder === undefined || holder === runId) await tx.origins.record('run', runId, origin, now);
}

function checkWrite(w: ClientRunWrite, warnings: string[]): CheckedWrite {
  if (typeof w.runId !== 'string' || !CLIENT_RUN_ID.test(w.runId)) {
    throw invalid(`Invalid run id '${clip(String(w.runId), 80)}': a run id is 1 to 64 letters, digits, '_' or '-'`);
  }
  const experimentName = validateExperimentName(w.experimentName);
  const c = new Clipper('run', w.runId, 'warn');
  const text = (v: string | undefined, limit: number, field: string) => (v === undefined ? undefined : c.text(v, limit, field));
  if (w.status !== undefined) validateRunStatus(w.status);
  const checkTags = (list: Tag[] | undefined, field: string) => list?.map((t, i) => {
    validateKey(t.key, `${field}[${i}].key`);
    return { key: t.key, value: c.text(t.value, LIMITS.runTagValueLength, `${field}[${i}].value`) };
  });
  const tags = checkTags(w.tags, 'tags');
  const creationTags = checkTags(w.creationTags, 'creation_tags');
  const documents: CheckedWrite['documents'] = [];
  if (w.config !== undefined) documents.push({ kind: 'config', text: documentText(w.config, 'config') });
  if (w.summary !== undefined) documents.push({ kind: 'summary', text: documentText(w.summary, 'summary') });
  const origin = w.origin && w.origin.id.length <= ORIGIN_ID_LENGTH && !w.origin.id.includes('\u0000') ? w.origin : undefined;
  const checked: CheckedWrite = {
    runId: w.runId,
    experimentName,
    userId: c.text(w.userId, LIMITS.userIdLength, 'user_id'),
    name: text(w.name, LIMITS.runNameLength, 'name'),
    status: w.status,
    tags,
    creationTags,
    params: w.params === undefined ? undefined : clientParams(w.params, c, warnings),
    documents,
    origin,
  };
  warnings.unshift(...c.warnings.map((x) => `${x.field} of run ${x.object} was clipped from ${x.length} to ${x.limit} characters`));
  return checked;
}

/** Params as stored: keys MLflow cannot hold, repeats and those past CLIENT_RUN_MAX_PARAMS left out; long values clipped. */
function clientParams(params: Param[], c: Clipper, warnings: string[]): Param[] {
  const out: Param[] = [];
  const seen = new Set<string>();
  for (const [i, p] of params.entries()) {
    try {
      validateKey(p.key, `params[${i}].key`);
    } catch (e) {
      if (!(e instanceof TrackbridgeError)) throw e;
      warnings.push(`param '${clip(String(p.key), 80)}' was left out: ${e.message}`);
      continue;
    }
    if (seen.has(p.key)) {
      warnings.push(`param '${clip(p.key, 80)}' was given twice; the first value was kept`);
      continue;
    }
    if (out.length === CLIENT_RUN_MAX_PARAMS) {
      warnings.push(`only the first ${CLIENT_RUN_MAX_PARAMS} params were stored; the config document holds them all`);
      break;
    }
    seen.add(p.key);
    out.push({ key: p.key, value: c.text(p.value, LIMITS.paramValueLength, `params[${i}].value`) });
  }
  return out;
}

function documentText(doc: JsonObject, what: RunDocumentKind): string {
  if (!isJsonObject(doc)) throw invalid(`Invalid ${what}: it must be a JSON object`);
  const text = encodeJson(doc, LIMITS.jsonNesting, what);
  if (Buffer.byteLength(text, 'utf8') > LIMITS.runDocumentBytes) {
    throw invalid(`Invalid ${what}: its JSON text exceeds the maximum size of ${LIMITS.runDocumentBytes} bytes`);
  }
  return text;
}
