/**
 * Offset page tokens in MLflow's wire form: base64 of Python's `json.dumps({"offset": N})`.
 * Clients treat them as opaque, but matching the bytes lets a token minted by a real
 * MLflow server keep working here and vice versa.
 */
import { invalid } from '../errors';
import { clip } from './lexer';
import { LIMITS } from '../limits';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function encodePageToken(offset: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0) throw invalid(`Invalid page offset ${offset}`);
  // Python's json.dumps puts a space after the colon; keep it so tokens are byte-identical.
  return Buffer.from(`{"offset": ${offset}}`, 'utf8').toString('base64');
}

export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === null || token === '') return 0;
  if (typeof token !== 'string') throw invalid('Invalid page token, could not base64-decode');
  if (token.length > LIMITS.pageTokenLength) {
    throw invalid(`Invalid page token: it is ${token.length} characters long, and tokens are at most ${LIMITS.pageTokenLength}.`);
  }
  // Buffer.from(…, 'base64') silently skips junk, so check the alphabet and padding first.
  if (token.length % 4 !== 0 || !BASE64.test(token)) throw invalid('Invalid page token, could not base64-decode');
  const decoded = Buffer.from(token, 'base64').toString('utf8');

  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded);
  } catch {
    throw invalid(`Invalid page token, decoded value=${printable(decoded)}`);
  }
  const offset = isRecord(parsed) ? parsed.offset : undefined;
  if (offset === undefined || offset === null || offset === '' || offset === false) {
    // The decoded text, not a re-serialised value: printing a deeply nested value overflows the stack.
    throw invalid(`Invalid page token, parsed value=${printable(decoded)}`);
  }
  // MLflow runs int() on the value, so an integer written as a string is fine too.
  const value = typeof offset === 'string' && /^\s*\d+\s*$/.test(offset) ? Number(offset) : offset;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(`Invalid page token, not stringable ${printable(typeof offset === 'object' ? decoded : String(JSON.stringify(offset)))}`);
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Escapes control characters and bounds the length of decoded junk echoed back to the client. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return clip(text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`;
  }));
}
