/** Rules for free text every store must be able to hold. */
import { invalid } from './errors';

/** PostgreSQL cannot store NUL in text, so no store accepts it: one rule everywhere. */
export function assertNoNul(value: string, param: string): void {
  if (value.includes('\u0000')) throw invalid(`Invalid value for parameter '${param}': NUL characters are not allowed`);
}

export function assertMaxLength(value: string | undefined, max: number, param: string): void {
  if (value !== undefined && value.length > max) {
    throw invalid(`Invalid value for parameter '${param}': it exceeds the maximum length of ${max} characters`);
  }
}

/** Shortens client text echoed in a message, so a 100 KB value cannot make a 100 KB error. */
export function clip(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max)}...`;
}

/** A lone surrogate has no UTF-8 form: a database would store U+FFFD instead and read back other text. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Text that every store holds and gives back unchanged: no NUL, no lone surrogate. */
export function assertStorableText(value: string, param: string): void {
  assertNoNul(value, param);
  if (LONE_SURROGATE.test(value)) throw invalid(`Invalid value for parameter '${param}': it holds a lone UTF-16 surrogate`);
}
