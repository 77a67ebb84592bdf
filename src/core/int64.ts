/**
 * int64 values (metric steps and timestamps) as the domain carries them: a number while it is
 * exact, a bigint beyond 2^53. One representation per value, so equal values compare equal.
 */
export type Int64 = number | bigint;

const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

/** An exact int64 from a number, bigint or decimal string; undefined when it is not one. */
export function toInt64(v: unknown): Int64 | undefined {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return v;
    return Number.isInteger(v) ? toInt64(BigInt(v)) : undefined;
  }
  if (typeof v === 'bigint') {
    if (v < MIN || v > MAX) return undefined;
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return toInt64(BigInt(v.trim()));
  return undefined;
}

export function isInt64(v: unknown): v is Int64 {
  return (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'bigint' && v >= MIN && v <= MAX);
}
