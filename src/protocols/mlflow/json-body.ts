/**
 * JSON request bodies with exact int64s. JSON.parse rounds integers beyond 2^53 (a nanosecond
 * timestamp, a step of 2^62), so integer literals of 16 or more digits are quoted (with a
 * mark) before parsing and come out as bigints: still numbers, so the codec refuses one
 * where a string belongs, and exact where an int64 belongs.
 *
 * The pre-check looks for 16 digits right after a character that can precede a JSON number
 * (`:` `,` `[` or whitespace). The fraction of a float (`0.0310932798395185`) follows a `.`
 * and so does not send a body down the slow path; a string that happens to hold such digits
 * does, and the scanner below then leaves it untouched.
 */
import { jsonStringEnd } from '../../core/validation';

const MAYBE_LONG_INTEGER = /[:,[\s]-?\d{16}/;

/** Starts every quoted literal; a client string that begins the same way is changed so it cannot pass for one. */
const MARK = '\u0000#';

export function parseJsonBody(text: string): unknown {
  if (!MAYBE_LONG_INTEGER.test(text)) return JSON.parse(text);
  return JSON.parse(quoteLongIntegers(text), (_key, value) => (typeof value === 'string' && value.startsWith(MARK) ? BigInt(value.slice(MARK.length)) : value));
}

const isDigit = (c: number) => c >= 48 && c <= 57;
/** Characters that may continue a number literal after its integer part: digits . e E + - */
const isNumberTail = (c: number) => isDigit(c) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45;

/** Wraps bare integer literals of 16+ digits (outside strings, not floats) in quotes. */
export function quoteLongIntegers(text: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // A client string that starts like the mark gets one more NUL, so it stays a string.
      if (text.startsWith('\\u0000#', i + 1)) {
        out += `${text.slice(last, i + 1)}\\u0000`;
        last = i + 1;
      }
      i = jsonStringEnd(text, i);
      continue;
    }
    if (c !== 45 /* - */ && !isDigit(c)) continue;
    let j = i + (c === 45 ? 1 : 0);
    const digitsFrom = j;
    while (j < text.length && isDigit(text.charCodeAt(j))) j++;
    const next = text.charCodeAt(j);
    const isFloat = next === 46 /* . */ || next === 101 /* e */ || next === 69 /* E */;
    if (j - digitsFrom >= 16 && !isFloat) {
      out += `${text.slice(last, i)}"\\u0000#${text.slice(i, j)}"`;
      last = j;
    }
    i = j - 1;
    // Skip the rest of a float literal so its fraction and exponent digits are not read as numbers.
    if (isFloat) while (i + 1 < text.length && isNumberTail(text.charCodeAt(i + 1))) i++;
  }
  return last === 0 ? text : out + text.slice(last);
}

/**
 * The literal text of the number at `keys` (object keys and list indexes from the top), for
 * error messages that quote what the client wrote: `9.0` stays `9.0`. One pass with an explicit
 * stack, so any nesting depth is safe; only called on the error path.
 */
export function numberLiteralIn(text: string, keys: ReadonlyArray<string | number>): string | undefined {
  const path: Array<string | number> = [];
  const inObject: boolean[] = [];
  let expectKey = false;
  let found: string | undefined;
  const atTarget = () => path.length === keys.length && path.every((k, i) => k === keys[i]);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') {
      inObject.push(c === '{');
      path.push(c === '{' ? '' : 0);
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      inObject.pop();
      path.pop();
    } else if (c === ',') {
      const top = path.length - 1;
      if (inObject[top]) expectKey = true;
      else if (top >= 0) path[top] = (path[top] as number) + 1;
    } else if (c === '"') {
      const j = jsonStringEnd(text, i);
      if (expectKey) {
        try { path[path.length - 1] = JSON.parse(text.slice(i, j + 1)); } catch { return undefined; }
        expectKey = false;
      }
      i = j;
    } else if (c === '-' || isDigit(text.charCodeAt(i))) {
      let j = i + 1;
      while (j < text.length && isNumberTail(text.charCodeAt(j))) j++;
      if (atTarget()) found = text.slice(i, j);
      i = j - 1;
    }
  }
  return found;
}
