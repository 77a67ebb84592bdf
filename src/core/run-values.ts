/**
 * The scalar leaves of a run's W&B config and summary, as the value index keeps them (one row
 * per flattened key) so that filters and orders can compare them. Config entries arrive wrapped
 * as W&B writes them (`{"lr": {"value": 0.1, "desc": null}}`) or bare; either way the leaf of
 * `lr` is `lr`, and a nested `{"model": {"value": {"depth": 3}}}` gives `model.depth`.
 * `_wandb` (the client's own bookkeeping, and `wandb_version`) and media objects (a `_type` key) are not indexed.
 */
import type { JsonObject, JsonValue } from './json-value';
import { isJsonObject } from './json-value';
import type { RunDocumentKind } from './store';

export interface RunValueLeaf {
  key: string;
  /** A finite number; bigints as their nearest double. */
  num: number | null;
  /** Strings, booleans as 'true'/'false', bigints as their digits, lists as their JSON; null for numbers and null. */
  text: string | null;
}

/** Keys longer than a metric key cannot be indexed (nor named by a filter that could match them). */
export const RUN_VALUE_KEY_CHARS = 250;
/** Leaves indexed per document; a document with more keeps the first ones, in document order. */
export const RUN_VALUE_LEAVES_MAX = 10_000;

const UNSTORABLE = /[\u0000\p{Cs}]/u;

/** Documents whose leaves are indexed: the others (heartbeat) are not searched. */
export const INDEXED_DOCUMENTS: ReadonlySet<RunDocumentKind> = new Set(['config', 'summary']);

/** A config entry in W&B's wrapped form (`{"value": v, "desc": …}`) is its value, as the W&B front-end reads config. */
function unwrapConfig(v: JsonValue): JsonValue {
  return isJsonObject(v) && Object.hasOwn(v, 'value') ? v.value : v;
}

function leafOf(key: string, v: JsonValue): RunValueLeaf {
  if (typeof v === 'number') return { key, num: Number.isFinite(v) ? v : null, text: Number.isFinite(v) ? null : String(v) };
  if (typeof v === 'bigint') return { key, num: Number(v), text: v.toString() };
  if (typeof v === 'string') return { key, num: null, text: v };
  if (typeof v === 'boolean') return { key, num: null, text: v ? 'true' : 'false' };
  if (v === null) return { key, num: null, text: null };
  return { key, num: null, text: JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x)) };
}

/**
 * One leaf per key: `{"val.acc": 0.5, "val": {"acc": 0.6}}` flattens to `val.acc` twice, and the index
 * holds one row per key. The first in document order wins (here 0.5), so a filter on `val.acc` sees
 * the top-level entry the client named literally.
 */
export function runValueLeaves(kind: RunDocumentKind, doc: JsonObject): RunValueLeaf[] {
  const out: RunValueLeaf[] = [];
  const seen = new Set<string>();
  // Iterative, so a document nested to the store's bound cannot overflow the stack.
  const stack: Array<[string, JsonValue]> = [];
  for (const k of Object.keys(doc).reverse()) {
    if (k === '_wandb' || (kind === 'config' && k === 'wandb_version')) continue;
    stack.push([k, kind === 'config' ? unwrapConfig(doc[k]) : doc[k]]);
  }
  while (stack.length > 0 && out.length < RUN_VALUE_LEAVES_MAX) {
    const [key, v] = stack.pop()!;
    if (key.length > RUN_VALUE_KEY_CHARS) continue;
    if (isJsonObject(v)) {
      if (Object.hasOwn(v, '_type')) continue;
      for (const k of Object.keys(v).reverse()) stack.push([`${key}.${k}`, v[k]]);
      continue;
    }
    const leaf = leafOf(key, v);
    // Text no store holds unchanged (NUL, a lone surrogate) is not indexed: such a key or value cannot be matched exactly.
    if (UNSTORABLE.test(key) || (leaf.text !== null && UNSTORABLE.test(leaf.text))) continue;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(leaf);
  }
  return out;
}
