/**
 * JSON text as Python's `json.dumps` writes it with its defaults, which is how MLflow's server
 * writes a delivery: `", "` and `": "` between items, every character outside printable ASCII
 * escaped, and a float that happens to be whole still written with `.0`. Receivers verify the
 * signature over these exact bytes, so the text is built once and sent as it was signed.
 */

/** A number Python holds as a float (written `100.0`, not `100`). */
export class PyFloat {
  constructor(readonly value: number) {}
}
export const pyFloat = (v: number) => new PyFloat(v);

export type PyJson = string | number | boolean | null | PyFloat | PyJson[] | { [key: string]: PyJson };

/** Everything but space..tilde, as Python's ensure_ascii escapes it (U+007F included). */
// eslint-disable-next-line no-control-regex
const NON_PRINTABLE_ASCII = /[^\x20-\x7e]/g;

function pyString(s: string): string {
  // JSON.stringify escapes quotes, backslashes and control characters as Python does (\n, \u001f);
  // what it leaves raw above U+007E (astral characters as their two surrogates) is escaped here.
  return JSON.stringify(s).replace(NON_PRINTABLE_ASCII, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function pyNumber(n: number, float: boolean): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  const text = String(n);
  return float && Number.isInteger(n) && !/e/i.test(text) ? `${text}.0` : text;
}

export function pyJson(value: PyJson): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return pyString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return pyNumber(value, false);
  if (value instanceof PyFloat) return pyNumber(value.value, true);
  if (Array.isArray(value)) return `[${value.map(pyJson).join(', ')}]`;
  return `{${Object.entries(value).map(([k, v]) => `${pyString(k)}: ${pyJson(v)}`).join(', ')}}`;
}
