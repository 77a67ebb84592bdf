/** The tracking domain as front-ends see it: one object holding each area's service. */
import { Experiments, type ExperimentsConfig } from './experiments';
import { History } from './history';
import { Ingest } from './ingest';
import { Runs } from './runs';
import { LoggedModels } from './logged-models';
import { RunData } from './run-data';
import { HistoryRows } from './history-rows';
import { RunQueries } from './run-queries';
import { RunFiles } from './run-files';
import { Artifacts } from './artifacts';
import { Registry } from './registry';
import type { ArtifactStore } from './artifact-store';
import type { Store } from './store';
import { invalid } from './errors';
import { LIMITS } from './limits';
import { Webhooks, type WebhookOptions } from './webhooks/webhooks';
import type { RegistryEvents } from './registry-events';
import { Accounts } from './accounts';
import { Capabilities } from './capabilities';
import { ClientRuns } from './client-runs';
import { ArtifactVersions } from './artifact-versions';

export class Tracking {
  readonly experiments: Experiments;
  readonly runs: Runs;
  readonly history: History;
  /** What W&B keeps of a run beyond MLflow's fields: config, summary, non-numeric history, console, stream offsets. */
  readonly runData: RunData;
  /** A run's history as rows, a step each, every key of the step in it (W&B's reads). */
  readonly historyRows: HistoryRows;
  /** Run searches given as filter trees (the W&B front-end's). */
  readonly runQueries: RunQueries;
  /** A run's files as one flat, paged list. */
  readonly runFiles: RunFiles;
  readonly loggedModels: LoggedModels;
  readonly artifacts: Artifacts;
  /** Registered models, their versions, aliases and stages, and prompts. */
  readonly registry: Registry;
  /** Objects written with their own ids, times and origin (importers, front-ends with ids of their own). */
  readonly ingest: Ingest;
  readonly webhooks: Webhooks;
  /** Where the registry reports its committed writes: the webhooks. */
  readonly registryEvents: RegistryEvents;
  /** Users and API keys (W&B clients authenticate with them). */
  readonly accounts: Accounts;
  /** Signed, expiring URLs for clients that upload without credentials. */
  readonly capabilities: Capabilities;
  /** Runs a client names itself and writes in parts (W&B's upsertBucket). */
  readonly clientRuns: ClientRuns;
  /** W&B's versioned artifacts: collections, versions, aliases, their files' bytes. */
  readonly artifactVersions: ArtifactVersions;

  constructor(readonly store: Store, cfg: ExperimentsConfig, artifactStore: ArtifactStore, opts: { webhooks?: WebhookOptions } = {}) {
    this.experiments = new Experiments(store, cfg);
    this.runs = new Runs(store);
    this.history = new History(store);
    this.runData = new RunData(store);
    this.historyRows = new HistoryRows(store);
    this.runQueries = new RunQueries(store);
    this.loggedModels = new LoggedModels(store);
    this.artifacts = new Artifacts(artifactStore, this.runs, this.loggedModels);
    this.ingest = new Ingest(store, cfg);
    this.runFiles = new RunFiles(this.artifacts);
    this.registryEvents = this.webhooks = new Webhooks(store, opts.webhooks);
    this.registry = new Registry(store, this.artifacts, this.registryEvents);
    this.accounts = new Accounts(store);
    this.capabilities = new Capabilities(store);
    this.clientRuns = new ClientRuns(store, cfg, this.accounts);
    this.artifactVersions = new ArtifactVersions(store, artifactStore, this.runs);
  }

  async start(): Promise<void> {
    await this.experiments.ensureDefault();
  }

  searchDatasets(experimentIds: string[]) {
    if (experimentIds.length < 1) throw invalid('SearchDatasets request must specify at least one experiment_id.');
    if (experimentIds.length > LIMITS.searchDatasetsExperiments) {
      throw invalid(`SearchDatasets request cannot specify more than ${LIMITS.searchDatasetsExperiments} experiment_ids. Received ${experimentIds.length} experiment_ids.`);
    }
    return this.store.searchDatasets(experimentIds);
  }
}
