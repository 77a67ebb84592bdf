/** The run-metric part of a write transaction: points appended, keys interned, latest values kept current. */
import type { MetricPoint } from '../../core/model';
import type { LockedRun, MetricWrites } from '../../core/store';
import { latestByKey, supersedes } from '../../core/metrics';
import { type Int64, toInt64 } from '../../core/int64';
import { chunks, placeholders } from '../chunks';
import { insertRows } from '../insert';
import { decodeValue, encodeValue } from '../metric-values';
import type { MetricKeyCache } from '../metric-keys';
import type { SqlExec } from '../sql-exec';

export class SqlMetricWrites implements MetricWrites {
  /** Metric key ids this transaction resolved; the store caches them after commit. */
  readonly keysSeen = new Map<string, number>();

  constructor(private readonly sql: SqlExec, private readonly keys: MetricKeyCache) {}

  async insert(run: LockedRun, points: MetricPoint[]): Promise<void> {
    if (points.length === 0) return;
    const ids = await this.keys.resolve(this.sql, [...new Set(points.map((p) => p.key))], this.keysSeen);
    const rows = points.map((p) => {
      const v = encodeValue(p.value);
      return [run.handle, ids.get(p.key)!, p.timestamp, p.step, v.value, v.special];
    });
    const columns = ['rid', 'key_id', 'timestamp', 'step', 'value', 'special'];
    await insertRows(this.sql, 'metrics', columns, rows, { ignore: columns });
    await this.raiseLatest(run, latestByKey(points), ids);
  }

  async internKeys(keys: string[]): Promise<void> {
    if (keys.length) await this.keys.resolve(this.sql, [...new Set(keys)], this.keysSeen);
  }

  /** Keeps latest_metrics at the maximum (step, timestamp, value) per key; the run row lock makes read-then-write safe. */
  private async raiseLatest(run: LockedRun, candidates: Map<string, MetricPoint>, ids: Map<string, number>) {
    const keyIds = [...candidates.keys()].map((k) => ids.get(k)!);
    const current = new Map<number, { step: Int64; timestamp: Int64; value: number }>();
    for (const part of chunks(keyIds, 500)) {
      const rows = await this.sql.all(
        `SELECT "key_id", "step", "timestamp", "value", "special" FROM "latest_metrics" WHERE "rid" = ? AND "key_id" IN (${placeholders(part.length)})`,
        [run.handle, ...part]);
      for (const r of rows) current.set(Number(r.key_id), { step: toInt64(r.step)!, timestamp: toInt64(r.timestamp)!, value: decodeValue(r.value, r.special) });
    }
    const upserts: unknown[][] = [];
    for (const [key, p] of candidates) {
      const keyId = ids.get(key)!;
      const cur = current.get(keyId);
      if (cur && !supersedes(p, cur)) continue;
      const v = encodeValue(p.value);
      upserts.push([run.handle, keyId, p.step, p.timestamp, v.value, v.special]);
    }
    await insertRows(this.sql, 'latest_metrics', ['rid', 'key_id', 'step', 'timestamp', 'value', 'special'], upserts,
      { keys: ['rid', 'key_id'], update: ['step', 'timestamp', 'value', 'special'] });
  }
}
