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
 *
 * Every write names its writer, and is refused unless the run's experiment is one the writer
 * may write (run-access.ts).
 *
 * A client resuming a run first asks for its state, then writes it: a run asked for that way
 * and already ended is running again, with no end time, from its next write (so a resumed
 * process that dies is not left as finished). Only that ask tells a resume apart: the SDK's
 * ordinary writes and the public API's edits of an ended run look the same as a resume's.
 * The asks are kept in memory for a few minutes, which is all a client waits between the two.
 */
import { alreadyExists, invalid, invalidState, TrackbridgeError } from './errors';
import { Clipper } from './clipping';
import { defaultArtifactLocation, type ExperimentsConfig } from './experiments';
import { runArtifactUri } from './artifacts';
import { encodeJson, isJsonObject, type JsonObject } from './json-value';
import { LIMITS } from './limits';
import type { Experiment, Origin, Param, Run, RunStatus, Tag } from './model';
import type { Accounts, Account } from './accounts';
import { checkWriteAccess } from './run-access';
import { RUN_NAME_TAG, runNotFound } from './runs';
import type { LockedRun, RunDocumentKind, Store, WriteTx } from './store';
import { clip } from './text';
import { validateExperimentName, validateKey, validateRunStatus } from './validation';
import { randomRunName } from './run-names';

/**
 * Ids a client may give its runs: what every store column and artifact path holds as is. W&B
 * takes `.` too (`exp.1`); an id of dots alone would be a `.`/`..` path segment, so it is not one.
 */
const CLIENT_RUN_ID = /^(?!\.+$)[A-Za-z0-9_.-]{1,64}$/;

/** How long an ask for a run's resume state makes its next write reopen it, and how many asks are kept. */
const RESUME_WINDOW_MS = 10 * 60_000;
const MAX_RESUME_ASKS = 10_000;

/**
 * Params one write may carry. A config is rewritten whole on every change, and each of its
 * leaves is a param; past this many the rest stay in the config document only.
 */
export const CLIENT_RUN_MAX_PARAMS = 10_000;

const ORIGIN_ID_LENGTH = 255;

export interface ClientRunWrite {
  runId: string;
  /**
   * The experiment the run is created in, by name (created when missing); a run already elsewhere
   * is refused. Undefined: the run must exist, and stays where it is.
   */
  experimentName?: string;
  /** Whose key writes: refused outside the experiments it may write (run-access.ts). */
  writer: Pick<Account, 'entity'>;
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
  /** The server's default entity, read before the transaction. */
  defaultEntity: string | undefined;
  /** An ended run is running again (its client resumes it). */
  reopen: boolean;
}

const TERMINAL: readonly RunStatus[] = ['FINISHED', 'FAILED', 'KILLED'];

export class ClientRuns {
  /** Runs whose resume state was asked for: by which entity's key, until when; oldest first. */
  private readonly resumeAsks = new Map<string, { entity: string; until: number }>();

  constructor(private readonly store: Store, private readonly cfg: ExperimentsConfig, private readonly accounts: Accounts) {}

  /**
   * A client asked for the run's state to resume it: the next write of the run by a key of the
   * same entity reopens it if it has ended (another key's reading it is no resume).
   */
  resumeAsked(asker: Pick<Account, 'entity'>, runId: string): void {
    this.resumeAsks.delete(runId);
    if (this.resumeAsks.size >= MAX_RESUME_ASKS) this.resumeAsks.delete(this.resumeAsks.keys().next().value!);
    this.resumeAsks.set(runId, { entity: asker.entity, until: Date.now() + RESUME_WINDOW_MS });
  }

  /** Refuses the writer unless the run exists and is in an experiment it may write. */
  async checkRunWrite(writer: Pick<Account, 'entity'>, runId: string): Promise<void> {
    const info = await this.store.getRunInfo(runId);
    const experiment = info && await this.store.getExperiment(info.experimentId);
    if (!info || !experiment) throw runNotFound(runId);
    checkWriteAccess(writer, experiment.name, await this.accounts.defaultEntity(), `run ${runId}`);
  }

  async write(w: ClientRunWrite): Promise<ClientRunResult> {
    const warnings: string[] = [];
    const ask = this.resumeAsks.get(w.runId);
    const resuming = ask !== undefined && ask.until > Date.now() && ask.entity === w.writer?.entity;
    const x = checkWrite(w, warnings, await this.accounts.defaultEntity(), resuming);
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
    if (resuming) this.resumeAsks.delete(w.runId);
    const [run, experiment] = await Promise.all([this.store.getRun(x.runId), this.store.getExperiment(out.experimentId)]);
    if (!run || !experiment) throw runNotFound(x.runId);
    return { run, experiment, created: out.created, warnings };
  }

  private async apply(tx: WriteTx, x: CheckedWrite): Promise<{ created: boolean; experimentId: string }> {
    const now = Date.now();
    let run = await tx.runs.lock(x.runId);
    const created = run === undefined;
    const experimentId = await this.experimentFor(tx, x, run);
    const experiment = (await tx.experiments.lock(experimentId))!;
    checkWriteAccess(x.writer, experiment.name, x.defaultEntity, `run ${x.runId}`);
    if (run === undefined) {
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
      // Reopening a run that is still running changes nothing, so its status need not be read.
      const status = x.status ?? (x.reopen ? 'RUNNING' : undefined);
      if (x.name !== undefined || status !== undefined) {
        await tx.runs.update(run, {
          name: x.name || undefined,
          status,
          endTime: status === undefined ? undefined : TERMINAL.includes(status) ? now : null,
        });
      }
      if (x.name) await tx.runs.setTags(run, [{ key: RUN_NAME_TAG, value: x.name }]);
    }
    await writeParts(tx, run, x);
    return { created, experimentId };
  }

  /** The run's experiment: the named one, created when missing; a run already in another is refused. */
  private async experimentFor(tx: WriteTx, x: CheckedWrite, run: LockedRun | undefined): Promise<string> {
    if (x.experimentName === undefined) {
      if (run === undefined) throw runNotFound(x.runId);
      return run.experimentId;
    }
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

function checkWrite(w: ClientRunWrite, warnings: string[], defaultEntity: string | undefined, reopen: boolean): CheckedWrite {
  if (typeof w.runId !== 'string' || !CLIENT_RUN_ID.test(w.runId)) {
    throw invalid(`Invalid run id '${clip(String(w.runId), 80)}': a run id is 1 to 64 letters, digits, '_', '-' or '.', not dots alone`);
  }
  const experimentName = w.experimentName === undefined ? undefined : validateExperimentName(w.experimentName);
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
    writer: w.writer,
    defaultEntity,
    reopen,
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
    out.push({ key: p.key, value: c.text(p.value, LIMITS.paramValueLength, `params['${clip(p.key, 80)}'].value`) });
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
