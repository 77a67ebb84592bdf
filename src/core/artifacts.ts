/**
 * Where a run's or a logged model's files live, and the one way every front-end and importer
 * reads and writes them. Each object keeps the location it was given when created
 * (`artifact_uri`, `artifact_location`); a location the server proxies (`mlflow-artifacts:`)
 * names a folder of its artifact store, and so does a local one (`file:` or an absolute path)
 * that lies inside the store's root on disk. Any other location (a bucket, a folder elsewhere)
 * is written and read by the client itself, and this server never touches it. Requested paths
 * arrive as the client sent them (decoded once) and are checked here, once.
 */
import type { Readable } from 'node:stream';
import { invalid, notFound } from './errors';
import { checkRequestedPath, localFolderOf, proxiedPath } from './artifact-paths';
import { MultipartUploads } from './multipart';
import { type ArtifactEntry, ArtifactPathRefusal, type ArtifactStore } from './artifact-store';
import type { Experiment } from './model';
import type { Runs } from './runs';
import type { LoggedModels } from './logged-models';

/** The experiment's artifact location as a prefix for what lives under it (runs, models). */
function experimentBase(e: Experiment): string {
  return e.artifactLocation.endsWith('/') ? e.artifactLocation : `${e.artifactLocation}/`;
}

/** A new run's artifact URI: `<experiment location>/<run id>/artifacts`, as MLflow lays it out. */
export function runArtifactUri(experiment: Experiment, runId: string): string {
  return `${experimentBase(experiment)}${runId}/artifacts`;
}

/** A new logged model's location: `<experiment location>/models/<model id>/artifacts`. */
export function loggedModelArtifactLocation(experiment: Experiment, modelId: string): string {
  return `${experimentBase(experiment)}models/${modelId}/artifacts`;
}

/** The store's refusal of a path, naming the path as requested rather than the store's own. */
async function naming<T>(shown: string, op: Promise<T>): Promise<T> {
  try {
    return await op;
  } catch (e) {
    throw e instanceof ArtifactPathRefusal ? e.naming(shown) : e;
  }
}

const join = (...parts: string[]) => parts.filter((p) => p !== '').join('/');

export class ArtifactRoot {
  constructor(
    /** The location as recorded. */
    readonly uri: string,
    /** What owns the root, as a message names it: `run '…'`, `logged model '…'`. */
    private readonly owner: string,
    /** The root's folder in the artifact store; undefined when the store does not hold it. */
    readonly storePath: string | undefined,
  ) {}

  /** Where rel (a path already checked, '' for the root itself) is in the store, if the store holds it. */
  find(rel: string): string | undefined {
    if (this.storePath === undefined) return undefined;
    return join(this.storePath, rel);
  }

  /** As find, for a file that must be read or written here: a root the store does not hold is refused. */
  locate(rel: string): string {
    const found = this.find(rel);
    if (found === undefined) {
      throw invalid(`The artifacts of ${this.owner} are at '${this.uri}', which this server does not store; ` +
        "it serves only 'mlflow-artifacts:' locations and local ones inside its artifact root, and the client reads and writes any other location itself.");
    }
    return found;
  }
}

/** A folder's direct children, each named by its path from the folder listed's root. */
export interface ArtifactListing {
  rootUri: string;
  entries: ArtifactEntry[];
}

/** A file to send: its name (the last path segment) for the answer's headers. */
export interface ArtifactFile { name: string; stream: Readable; size: number }

export class Artifacts {
  /** Large files into the proxy, in parts. */
  readonly uploads: MultipartUploads;

  constructor(private readonly store: ArtifactStore, private readonly runs: Runs, private readonly loggedModels: LoggedModels) {
    this.uploads = new MultipartUploads(store);
  }

  /** A run's root, deleted runs included (MLflow serves their files); an unknown run is NOT_FOUND. */
  async ofRun(runId: string): Promise<ArtifactRoot> {
    const run = await this.runs.get(runId);
    return this.rootAt(run.info.artifactUri, `run '${runId}'`);
  }

  /** An active logged model's root; a deleted or unknown one is NOT_FOUND. */
  async ofLoggedModel(modelId: string): Promise<ArtifactRoot> {
    const model = await this.loggedModels.get(modelId);
    return this.rootAt(model.artifactLocation, `logged model '${modelId}'`);
  }

  /** A location's root, its place in the store resolved once (on disk, for a local location). */
  async rootAt(uri: string, owner: string): Promise<ArtifactRoot> {
    const proxied = proxiedPath(uri);
    const local = proxied === undefined ? localFolderOf(uri) : undefined;
    const storePath = proxied ?? (local === undefined ? undefined : await this.store.storePathOfLocal(local));
    // Store folders whose first name begins with ':' hold W&B artifact bytes (artifact-versions.ts): no root leads there.
    return new ArtifactRoot(uri, owner, storePath?.startsWith(':') ? undefined : storePath);
  }

  /**
   * A folder below a root, its entries named from the root. A root the store does not hold lists
   * as empty, as MLflow's server answers where it finds nothing.
   */
  async list(root: ArtifactRoot, requested: string): Promise<ArtifactListing> {
    const sub = checkRequestedPath(requested);
    const at = root.find(sub);
    if (at === undefined) return { rootUri: root.uri, entries: [] };
    const entries = await naming(sub, this.store.list(at));
    return { rootUri: root.uri, entries: entries.map((e) => ({ ...e, name: join(sub, e.name) })) };
  }

  /** One file below a root; NOT_FOUND (naming the path as requested) when nothing is there. */
  async open(root: ArtifactRoot, requested: string): Promise<ArtifactFile> {
    const rel = checkRequestedPath(requested);
    return this.opened(root.locate(rel), rel);
  }

  /** Streams body into a file below a root, replacing what was there. */
  async write(root: ArtifactRoot, requested: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    const rel = checkRequestedPath(requested);
    await naming(rel, this.store.put(root.locate(rel), body));
  }

  // The proxy (`mlflow-artifacts:` locations): paths name a place in the store itself, below no object.

  async listProxied(requested: string): Promise<ArtifactEntry[]> {
    return this.store.list(checkRequestedPath(requested));
  }

  async openProxied(requested: string): Promise<ArtifactFile> {
    const p = checkRequestedPath(requested);
    return this.opened(p, p);
  }

  async writeProxied(requested: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    await this.store.put(checkRequestedPath(requested), body);
  }

  async deleteProxied(requested: string): Promise<void> {
    await this.store.delete(checkRequestedPath(requested));
  }

  private async opened(storePath: string, shown: string): Promise<ArtifactFile> {
    const found = await naming(shown, this.store.get(storePath));
    if (!found) throw notFound(`Artifact '${shown}' does not exist`);
    return { name: storePath.slice(storePath.lastIndexOf('/') + 1), ...found };
  }
}
