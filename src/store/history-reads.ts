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
  /**
   * One run's points in (timestamp, step, value) order from offset, at most limit of them, read
   * size rows per statement. After the first, each read starts past the last point sent (the
   * order is the primary key's, so that is an index seek): no read holds a snapshot or a
   * connection while the answer is written, and memory stays one chunk deep whatever the length.
   */
  chunks(scope: HistoryScope, offset: number, limit: number, size: number): AsyncGenerator<MetricPoint[]>;
  bulk(scope: HistoryScope, limit: number): Promise<HistoryPoint[]>;
  sampled(scope: HistoryScope, maxResults: number, startStep?: number, endStep?: number): Promise<HistoryPoint[]>;
}

/**
 * Which points the sampled (bulk-interval) read keeps, as `mlflow server` 3.17 does:
 * - every requested run is sampled on its own, over its own points for the key (only those with
 *   start_step <= step <= end_step when a window is given; otherwise all, negative steps too);
 * - a point is one row: a step logged at two timestamps is two points, either or both may be kept;
 * - a run's n points, in (step, timestamp, value) order (NaN stored as 0, just after a real 0), are
 *   numbered 0..n-1. With n <= k all of them are kept. Otherwise they are cut into k consecutive
 *   groups as SQL's NTILE(k) cuts them (the first n mod k groups one point longer than the others),
 *   the first point of every group is kept, and the last group's first point gives way to the
 *   run's last point: exactly k points, the first and the last among them, only the last when k = 1;
 * - runs come back in the order asked (a run named twice, twice); unknown runs add nothing.
 * keepsRow() is that rule for point r; KnexHistoryReads.sampled() states it again in SQL.
 */
export function keepsRow(r: number, n: number, k: number): boolean {
  if (n <= k || r === n - 1) return true;
  const size = Math.floor(n / k);
  const longer = n % k;
  // The last group (size points) starts at n - size; its first point is replaced by the last.
  if (r >= n - size) return false;
  return r < longer * (size + 1) ? r % (size + 1) === 0 : (r - longer) % size === 0;
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

  async *chunks(scope: HistoryScope, offset: number, limit: number, size: number): AsyncGenerator<MetricPoint[]> {
    const [rid] = scope.runs.keys();
    const columns = 'SELECT step, timestamp, value, special FROM metrics WHERE rid = ? AND key_id = ?';
    const order = 'ORDER BY timestamp, step, value, special LIMIT ?';
    let after: unknown[] | undefined;
    for (let left = limit; left > 0;) {
      const n = Math.min(size, left);
      const args = after ? [rid, scope.keyId, ...after, n] : [rid, scope.keyId, n, offset];
      const rows: any[][] = this.prepare(after
        ? `${columns} AND (timestamp, step, value, special) > (?, ?, ?, ?) ${order}`
        : `${columns} ${order} OFFSET ?`, args).all(...args);
      if (rows.length > 0) yield rows.map((r) => ({ key: scope.key, step: int64Of(r[0]), timestamp: int64Of(r[1]), value: decodeValue(r[2], r[3]) }));
      if (rows.length < n) return;
      left -= n;
      const last = rows[rows.length - 1];
      after = [last[1], last[0], last[2], last[3]];
      // The driver is synchronous: other requests get their turn between chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
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

  async *chunks(scope: HistoryScope, offset: number, limit: number, size: number): AsyncGenerator<MetricPoint[]> {
    const [rid] = scope.runs.keys();
    let after: any | undefined;
    for (let left = limit; left > 0;) {
      const n = Math.min(size, left);
      const q = this.db('metrics').where({ rid, key_id: scope.keyId })
        .orderBy([{ column: 'timestamp' }, { column: 'step' }, { column: 'value' }, { column: 'special' }])
        .limit(n).select('step', 'timestamp', 'value', 'special');
      // The leading timestamp bound gives MySQL a range to seek; PostgreSQL seeks the row comparison itself.
      if (after) {
        q.where('timestamp', '>=', after.timestamp)
          .whereRaw('(??, ??, ??, ??) > (?, ?, ?, ?)', ['timestamp', 'step', 'value', 'special', after.timestamp, after.step, after.value, after.special]);
      } else {
        q.offset(offset);
      }
      const rows: any[] = await q;
      if (rows.length > 0) yield rows.map((r) => ({ key: scope.key, value: decodeValue(r.value, r.special), timestamp: int64Of(r.timestamp), step: int64Of(r.step) }));
      if (rows.length < n) return;
      left -= n;
      after = rows[rows.length - 1];
    }
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
    // keepsRow() in SQL, multiplied through by k so no dialect's integer division is needed:
    // with m = n mod k, groups are (n - m + k)/k or (n - m)/k points long, the longer ones first.
    // NULLIF keeps the divisor of a run with n <= k (kept whole anyway) from being zero.
    const m = 'MOD(s.cnt, ?)';
    const keep = `s.cnt <= ? OR s.rn = s.cnt - 1 OR (s.rn * ? < s.cnt * ? - s.cnt + ${m} AND CASE
      WHEN s.rn * ? < ${m} * (s.cnt - ${m} + ?) THEN MOD(s.rn * ?, s.cnt - ${m} + ?) = 0
      ELSE MOD(s.rn * ? - ${m} * ?, NULLIF(s.cnt - ${m}, 0)) = 0 END)`;
    const rows = await this.db.from(inner.as('s'))
      .whereRaw(keep, keep.split('?').slice(1).map(() => k))
      .orderBy([{ column: 's.rid' }, { column: 's.step' }, { column: 's.timestamp' }, { column: 's.value' }, { column: 's.special' }])
      .select('s.rid', 's.step', 's.timestamp', 's.value', 's.special');
    return rows.map((r: any) => ({ runId: scope.runs.get(Number(r.rid))!, key: scope.key, value: decodeValue(r.value, r.special), timestamp: int64Of(r.timestamp), step: int64Of(r.step) }));
  }
}
