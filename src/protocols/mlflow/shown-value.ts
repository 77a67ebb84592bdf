/**
 * How a request value appears in an error message. MLflow prints the value as Python's
 * json.dumps does (compact, keys sorted, a float with its ".0") and names its Python type in a
 * hint; clients and MLflow's own tests match on those words. Output is bounded: a 1 MB string
 * or a value nested 100,000 levels deep prints as a short, clipped text.
 */

const MAX_TEXT = 120;
const MAX_DEPTH = 3;
const MAX_ITEMS = 10;

/** Python's name for the type a JSON value decodes to. */
export function pythonType(value: unknown, literal?: string): string {
  if (value === null || value === undefined) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'string': return 'str';
    case 'boolean': return 'bool';
    case 'bigint': return 'int';
    case 'number': return isFloatLiteral(value, literal) ? 'float' : 'int';
    default: return 'dict';
  }
}

/** The value as MLflow's message prints it; `literal` is the number as the client wrote it. */
export function showValue(value: unknown, literal?: string): string {
  const out = render(value, 0, literal);
  return out.length > MAX_TEXT * 2 ? `${out.slice(0, MAX_TEXT * 2)}...` : out;
}

function isFloatLiteral(value: number, literal?: string): boolean {
  return literal !== undefined ? /[.eE]/.test(literal) : !Number.isInteger(value);
}

function render(value: unknown, depth: number, literal?: string): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}...` : value);
    case 'boolean':
      return String(value);
    case 'bigint':
      return value.toString();
    case 'number':
      return isFloatLiteral(value, literal) ? pythonFloat(value) : literal ?? String(value);
    default:
      break;
  }
  if (Array.isArray(value)) {
    if (depth >= MAX_DEPTH) return value.length ? '[...]' : '[]';
    const items = value.slice(0, MAX_ITEMS).map((v) => render(v, depth + 1));
    return `[${items.join(',')}${value.length > MAX_ITEMS ? ',...' : ''}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  if (depth >= MAX_DEPTH) return keys.length ? '{...}' : '{}';
  const items = keys.slice(0, MAX_ITEMS).map((k) => `${JSON.stringify(k)}:${render(obj[k], depth + 1)}`);
  return `{${items.join(',')}${keys.length > MAX_ITEMS ? ',...' : ''}}`;
}

/** Python's repr of a float: shortest digits, ".0" on whole numbers, exponent below 1e-4 or from 1e16. */
export function pythonFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = n.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  const fixed = String(n);
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}
