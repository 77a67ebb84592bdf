/**
 * JSON request bodies with exact int64s. JSON.parse rounds integers beyond 2^53 (a nanosecond
 * timestamp, a step of 2^62), so integer literals of 16 or more digits are quoted before
 * parsing; the codec then reads them as exact int64. Bodies without such a run of digits —
 * nearly all — take the plain path.
 */
const LONG_DIGITS = /\d{16}/;

export function parseJsonBody(text: string): unknown {
  return JSON.parse(LONG_DIGITS.test(text) ? quoteLongIntegers(text) : text);
}

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
    const isStart = c === 45 /* - */ || (c >= 48 && c <= 57);
    if (!isStart) continue;
    let j = i + (c === 45 ? 1 : 0);
    const digitsFrom = j;
    while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
    const next = text[j];
    const isFloat = next === '.' || next === 'e' || next === 'E';
    if (j - digitsFrom >= 16 && !isFloat) {
      out += `${text.slice(last, i)}"${text.slice(i, j)}"`;
      last = j;
    }
    i = j - 1;
    // Skip the rest of a float literal so its exponent digits are not read as a number.
    if (isFloat) while (i + 1 < text.length && /[0-9eE+\-.]/.test(text[i + 1])) i++;
  }
  return last === 0 ? text : out + text.slice(last);
}
