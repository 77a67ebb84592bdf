/**
 * The core's WriteTx as SQL statements, run through a SqlExec (see sql-exec.ts): one part per
 * area, each in its own file under tx/. A new part is its interface in core/store.ts, its file
 * here, and one line below.
 */
import type { WriteTx } from '../core/store';
import type { MetricKeyCache } from './metric-keys';
import type { SqlExec } from './sql-exec';
import { SqlExperimentWrites } from './tx/experiments';
import { SqlLoggedModelWrites } from './tx/logged-models';
import { SqlMetricWrites } from './tx/metrics';
import { SqlOriginWrites } from './tx/origins';
import { SqlRegistryWrites } from './tx/registry';
import { SqlRunWrites } from './tx/runs';
import { SqlRunDataWrites } from './tx/run-data';
import { SqlWebhookWrites } from './tx/webhooks';
import { SqlAccountWrites } from './tx/accounts';

export class SqlWriteTx implements WriteTx {
  readonly experiments: SqlExperimentWrites;
  readonly runs: SqlRunWrites;
  readonly metrics: SqlMetricWrites;
  readonly loggedModels: SqlLoggedModelWrites;
  readonly runData: SqlRunDataWrites;
  readonly origins: SqlOriginWrites;
  readonly registry: SqlRegistryWrites;
  readonly webhooks: SqlWebhookWrites;
  readonly accounts: SqlAccountWrites;

  constructor(private readonly sql: SqlExec, keys: MetricKeyCache) {
    this.experiments = new SqlExperimentWrites(sql);
    this.runs = new SqlRunWrites(sql);
    this.metrics = new SqlMetricWrites(sql, keys);
    this.loggedModels = new SqlLoggedModelWrites(sql);
    this.runData = new SqlRunDataWrites(sql);
    this.origins = new SqlOriginWrites(sql);
    this.registry = new SqlRegistryWrites(sql);
    this.webhooks = new SqlWebhookWrites(sql);
    this.accounts = new SqlAccountWrites(sql);
  }

  pause(): Promise<void> { return this.sql.pause(); }

  /** Metric key ids this transaction resolved; the store caches them after commit. */
  get keysSeen(): Map<string, number> { return this.metrics.keysSeen; }
}
