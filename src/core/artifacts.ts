/**
 * Where a run's or a logged model's files live in this server's artifact store. Each keeps the
 * location it was given when created (`artifact_uri`, `artifact_location`); only a location the
 * server proxies (`mlflow-artifacts:`) names a folder of its store. Any other location (a local
 * folder, a bucket) is written and read by the client itself, and this server never touches it.
 */
import { invalid } from './errors';
import { proxiedPath } from './artifact-paths';
import type { Runs } from './runs';
import type { LoggedModels } from './logged-models';

export class ArtifactRoot {
  /** The root's folder in the artifact store; undefined when the store does not hold it. */
  readonly storePath: string | undefined;

  constructor(
    /** The location as recorded. */
    readonly uri: string,
    /** What owns the root, as a message names it: `run '…'`, `logged model '…'`. */
    private readonly owner: string,
  ) {
    this.storePath = proxiedPath(uri);
  }

  /** Where rel (a path already checked, '' for the root itself) is in the store, if the store holds it. */
  find(rel: string): string | undefined {
    if (this.storePath === undefined) return undefined;
    return [this.storePath, rel].filter((p) => p !== '').join('/');
  }

  /** As find, for a file that must be read or written here: a root the store does not hold is refused. */
  locate(rel: string): string {
    const found = this.find(rel);
    if (found === undefined) {
      throw invalid(`The artifacts of ${this.owner} are at '${this.uri}', which this server does not store; ` +
        "it serves only 'mlflow-artifacts:' locations, and the client reads and writes any other location itself.");
    }
    return found;
  }
}

export class ArtifactRoots {
  constructor(private readonly runs: Runs, private readonly loggedModels: LoggedModels) {}

  /** A run's root, deleted runs included (MLflow serves their files); an unknown run is NOT_FOUND. */
  async ofRun(runId: string): Promise<ArtifactRoot> {
    const run = await this.runs.get(runId);
    return new ArtifactRoot(run.info.artifactUri, `run '${runId}'`);
  }

  /** An active logged model's root; a deleted or unknown one is NOT_FOUND. */
  async ofLoggedModel(modelId: string): Promise<ArtifactRoot> {
    const model = await this.loggedModels.get(modelId);
    return new ArtifactRoot(model.artifactLocation, `logged model '${modelId}'`);
  }
}
