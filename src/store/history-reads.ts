/**
 * Metric history reads, the largest answers the store gives. SQLite reads them on a dedicated
 * better-sqlite3 connection as raw rows; PostgreSQL and MySQL through knex.
 */
import type { Knex } from 'knex';
import type { MetricPoint } from '../core/model';
import type { HistoryPoint } from '../core/store';
import { decodeValue } from './metric-values';
import { int64Of } from './rows';
import { placeholders } from './chunks';

/** What a history read needs to know about its runs and key, resolved by the store first. */
export interface HistoryScope {
  key: string;
  keyId: number;
  /** run handle → run id */
  runs: Map<number, string>;
}

export interface HistoryReads {
  page(scope: HistoryScope, offset: number, limit: number): Promise<MetricPoint[]>;
  bulk(scope: HistoryScope, limit: number): Promise<HistoryPoint[]>;
  sampled(scope: HistoryScope, maxResults: number, startStep?: number, endStep?: number): Promise<HistoryPoint[]>;
}

/**
 * Row r (0-based, in step order) of a run with n rows is kept when floor(r·(k−1)/(n−1)) rises
 * at r: at most k rows, evenly spread, the first and the last always among them. With k = 1
 * only the last row is kept (the latest value, as MLflow 3.17 answers).
 */
export function keepsRow(r: number, n: number, k: number): boolean {
  if (n <= k) return true;
  if (k <= 1) return r === n - 1;
  if (r === 0) return true;
  return (r * (k - 1)) % (n - 1) < k - 1;
}


export class SqliteHistoryReads implements HistoryReads {
  /** Sees every statement with its arguments (tests check their query plans). */
  trace?: (sql: string, params: unknown[]) => void;

  constructor(private readonly db: any) {}

  private prepare(sql: string, params: unknown[]) {
    this.trace?.(sql, params);
    // Integers as bigints keep int64 steps and times exact; int64Of() narrows them back.
    return this.db.prepare(sql).raw().safeIntegers(true);
  }

  async page(scope: HistoryScope, offset: number, limit: number): Promise<MetricPoint[]> {
    const [rid] = scope.runs.keys();
    const args = [rid, scope.keyId, Math.min(limit, Number.MAX_SAFE_INTEGER), offset];
    const rows: any[][] = this.prepare(
      'SELECT step, timestamp, value, special FROM metrics WHERE rid = ? AND key_id = ? ORDER BY timestamp, step, value, special LIMIT ? OFFSET ?', args,
    ).all(...args);
    return rows.map((r) => ({ key: scope.key, step: int64Of(r[0]), timestamp: int64Of(r[1]), value: decodeValue(r[2], r[3]) }));
  }

  async bulk(scope: HistoryScope, limit: number): Promise<HistoryPoint[]> {
    const rids = [...scope.runs.keys()];
    const args = [scope.keyId, ...rids, limit];
    const rows: any[][] = this.prepare(
      `SELECT r.run_uuid, m.step, m.timestamp, m.value, m.special FROM metrics m JOIN runs r ON r.rid = m.rid
       WHERE m.key_id = ? AND m.rid IN (${placeholders(rids.length)}) ORDER BY r.run_uuid, m.timestamp, m.step, m.value LIMIT ?`, args,
    ).all(...args);
    return rows.map((r) => ({ runId: r[0], key: scope.key, step: int64Of(r[1]), timestamp: int64Of(r[2]), value: decodeValue(r[3], r[4]) }));
  }

  /**
   * SQLite's window functions cost ~2 µs a row; counting per run and keeping ranks while
   * stepping through the rows in step order costs less than half that (README "Performance").
   */
  async sampled(scope: HistoryScope, k: number, startStep?: number, endStep?: number): Promise<HistoryPoint[]> {
    const rids = [...scope.runs.keys()];
    const range = startStep !== undefined && endStep !== undefined ? ' AND step BETWEEN ? AND ?' : '';
    const args = [scope.keyId, ...rids, ...(range ? [startStep, endStep] : [])];
    const counts = new Map<number, number>((this.prepare(
      `SELECT rid, COUNT(*) FROM metrics WHERE key_id = ? AND rid IN (${placeholders(rids.length)})${range} GROUP BY rid`, args,
    ).all(...args) as bigint[][]).map(([rid, n]) => [Number(rid), Number(n)]));
    const out: HistoryPoint[] = [];
    const rows = this.prepare(
      `SELECT rid, step, timestamp, value, special FROM metrics WHERE key_id = ? AND rid IN (${placeholders(rids.length)})${range}
       ORDER BY rid, step, timestamp, value, special`, args,
    );
    let current = -1, rank = 0, n = 0;
    for (const r of rows.iterate(...args)) {
      const rid = Number(r[0]);
      if (rid !== current) { current = rid; rank = 0; n = counts.get(current) ?? 0; }
      if (keepsRow(rank++, n, k)) out.push({ runId: scope.runs.get(rid)!, key: scope.key, step: int64Of(r[1]), timestamp: int64Of(r[2]), value: decodeValue(r[3], r[4]) });
    }
    return out;
  }
}

export class KnexHistoryReads implements HistoryReads {
  constructor(private readonly db: Knex) {}

  async page(scope: HistoryScope, offset: number, limit: number): Promise<MetricPoint[]> {
    const [rid] = scope.runs.keys();
    const rows = await this.db('metrics').where({ rid, key_id: scope.keyId })
      .orderBy([{ column: 'timestamp' }, { column: 'step' }, { column: 'value' }, { column: 'special' }])
      .offset(offset).limit(limit).select('step', 'timestamp', 'value', 'special');
    return rows.map((r: any) => ({ key: scope.key, value: decodeValue(r.value, r.special), timestamp: int64Of(r.timestamp), step: int64Of(r.step) }));
  }

  async bulk(scope: HistoryScope, limit: number): Promise<HistoryPoint[]> {
    const rows = await this.db('metrics as m').join('runs as r', 'r.rid', 'm.rid')
      .whereIn('m.rid', [...scope.runs.keys()]).where('m.key_id', scope.keyId)
      .orderBy([{ column: 'r.run_uuid' }, { column: 'm.timestamp' }, { column: 'm.step' }, { column: 'm.value' }])
      .limit(limit).select('r.run_uuid', 'm.step', 'm.timestamp', 'm.value', 'm.special');
    return rows.map((r: any) => ({ runId: r.run_uuid, key: scope.key, value: decodeValue(r.value, r.special), timestamp: int64Of(r.timestamp), step: int64Of(r.step) }));
  }

  /** The server databases run window functions well, and sampling there keeps rows off the wire. */
  async sampled(scope: HistoryScope, maxResults: number, startStep?: number, endStep?: number): Promise<HistoryPoint[]> {
    const inner = this.db('metrics').where('key_id', scope.keyId).whereIn('rid', [...scope.runs.keys()])
      .select('rid', 'step', 'timestamp', 'value', 'special',
        this.db.raw('ROW_NUMBER() OVER (PARTITION BY rid ORDER BY step, timestamp, value, special) - 1 AS rn'),
        this.db.raw('COUNT(*) OVER (PARTITION BY rid) AS cnt'));
    if (startStep !== undefined && endStep !== undefined) inner.whereBetween('step', [startStep, endStep]);
    const k = Math.max(1, maxResults);
    // The same rule as keepsRow(), in SQL.
    const rows = await this.db.from(inner.as('s'))
      .whereRaw(k === 1 ? 's.cnt <= 1 OR s.rn = s.cnt - 1' : 's.cnt <= ? OR s.rn = 0 OR MOD(s.rn * ?, s.cnt - 1) < ?', k === 1 ? [] : [k, k - 1, k - 1])
      .orderBy([{ column: 's.rid' }, { column: 's.step' }, { column: 's.timestamp' }, { column: 's.value' }])
      .select('s.rid', 's.step', 's.timestamp', 's.value', 's.special');
    return rows.map((r: any) => ({ runId: scope.runs.get(Number(r.rid))!, key: scope.key, value: decodeValue(r.value, r.special), timestamp: int64Of(r.timestamp), step: int64Of(r.step) }));
  }
}
