/**
 * JSON request bodies with exact int64s. JSON.parse rounds integers beyond 2^53 (a nanosecond
 * timestamp, a step of 2^62), so integer literals of 16 or more digits are quoted before
 * parsing; the codec then reads them as exact int64.
 *
 * The pre-check looks for 16 digits right after a character that can precede a JSON number
 * (`:` `,` `[` or whitespace). The fraction of a float (`0.0310932798395185`) follows a `.`
 * and so does not send a body down the slow path; a string that happens to hold such digits
 * does, and the scanner below then leaves it untouched.
 */
const MAYBE_LONG_INTEGER = /[:,[\s]-?\d{16}/;

export function parseJsonBody(text: string): unknown {
  return JSON.parse(MAYBE_LONG_INTEGER.test(text) ? quoteLongIntegers(text) : text);
}

const isDigit = (c: number) => c >= 48 && c <= 57;
/** Characters that may continue a number literal after its integer part: digits . e E + - */
const isNumberTail = (c: number) => isDigit(c) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45;

/** Wraps bare integer literals of 16+ digits (outside strings, not floats) in quotes. */
export function quoteLongIntegers(text: string): string {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) { inString = true; continue; }
    if (c !== 45 /* - */ && !isDigit(c)) continue;
    let j = i + (c === 45 ? 1 : 0);
    const digitsFrom = j;
    while (j < text.length && isDigit(text.charCodeAt(j))) j++;
    const next = text.charCodeAt(j);
    const isFloat = next === 46 /* . */ || next === 101 /* e */ || next === 69 /* E */;
    if (j - digitsFrom >= 16 && !isFloat) {
      out += `${text.slice(last, i)}"${text.slice(i, j)}"`;
      last = j;
    }
    i = j - 1;
    // Skip the rest of a float literal so its fraction and exponent digits are not read as numbers.
    if (isFloat) while (i + 1 < text.length && isNumberTail(text.charCodeAt(i + 1))) i++;
  }
  return last === 0 ? text : out + text.slice(last);
}
