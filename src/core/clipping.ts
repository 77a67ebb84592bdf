/**
 * Over-long text on the ingest path. The MLflow path truncates param and tag values as MLflow
 * does, without a word; an ingest copies someone else's data, so it never clips silently: each
 * clipped value is reported as a warning, or the whole ingest is refused when asked to.
 */
import { invalid } from './errors';
import type { OriginKind } from './model';
import { assertNoNul } from './text';

export type TruncateMode = 'warn' | 'refuse';

/** One value stored shorter than the source had it. */
export interface IngestWarning {
  kind: OriginKind;
  /** The object as the ingest named it: its id, or an experiment's name when it came without one. */
  object: string;
  /** Which value, e.g. `params[3].value`, `name`, `tags[0].key`. */
  field: string;
  /** The source value's length and the limit it was clipped to, in characters (UTF-16 units). */
  length: number;
  limit: number;
}

export class Clipper {
  readonly warnings: IngestWarning[] = [];

  constructor(private readonly kind: OriginKind, private readonly object: string, private readonly mode: TruncateMode) {}

  /** The value as it will be stored: NUL refused (no store holds it), over-long values clipped and reported. */
  text(value: string, limit: number, field: string): string {
    if (typeof value !== 'string') throw invalid(`Invalid value for parameter '${field}': expected a string`);
    assertNoNul(value, field);
    if (value.length <= limit) return value;
    if (this.mode === 'refuse') {
      throw invalid(`Invalid value for parameter '${field}' of ${this.kind} ${this.object}: it is ${value.length} characters long, over the limit of ${limit}; nothing was stored`);
    }
    this.warnings.push({ kind: this.kind, object: this.object, field, length: value.length, limit });
    const cut = value.slice(0, limit);
    // Never leave half of a surrogate pair at the end: no database stores it as text.
    return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
  }
}
