/** Rules about metric points that every store and front-end shares. */
import type { MetricPoint } from './model';

/** Rank of a value inside the (step, timestamp, value) order; NaN counts as the largest. */
function valueRank(v: number): number {
  return Number.isNaN(v) ? Infinity : v;
}

/**
 * True when `a` should replace `b` as the run's latest value of a key: MLflow's rule is the
 * maximum of (step, timestamp, value), so a late-arriving older step never hides a newer one.
 */
export function supersedes(a: Pick<MetricPoint, 'step' | 'timestamp' | 'value'>, b: Pick<MetricPoint, 'step' | 'timestamp' | 'value'>): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  const va = valueRank(a.value), vb = valueRank(b.value);
  if (va === vb) return Number.isNaN(a.value) && !Number.isNaN(b.value);
  return va > vb;
}

/** The latest point per key of a batch. */
export function latestByKey(points: MetricPoint[]): Map<string, MetricPoint> {
  const out = new Map<string, MetricPoint>();
  for (const p of points) {
    const cur = out.get(p.key);
    if (!cur || supersedes(p, cur)) out.set(p.key, p);
  }
  return out;
}
