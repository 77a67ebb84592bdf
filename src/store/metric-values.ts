/** How metric values travel through SQL: NaN and ±Infinity as a flag beside a storable double. */
export const SPECIAL_NONE = 0, SPECIAL_NAN = 1, SPECIAL_POS_INF = 2, SPECIAL_NEG_INF = 3;
const MAX = Number.MAX_VALUE;

export function encodeValue(v: number): { value: number; special: number } {
  if (Number.isNaN(v)) return { value: 0, special: SPECIAL_NAN };
  if (v === Infinity) return { value: MAX, special: SPECIAL_POS_INF };
  if (v === -Infinity) return { value: -MAX, special: SPECIAL_NEG_INF };
  return { value: v, special: SPECIAL_NONE };
}

export function decodeValue(value: number, special: number): number {
  switch (Number(special)) {
    case SPECIAL_NAN: return NaN;
    case SPECIAL_POS_INF: return Infinity;
    case SPECIAL_NEG_INF: return -Infinity;
    default: return Number(value);
  }
}
