/**
 * JSON values as W&B clients write them, and the one text form the store keeps them in.
 *
 * W&B history, summary and events lines are JSON plus the bare tokens NaN, Infinity and
 * -Infinity, and carry integers beyond 2^53 exactly (2**62 arrives as 4611686018427387904).
 * In memory a number is a double (NaN and ±Infinity included) and an integer literal that no
 * double holds exactly is a bigint: one representation per value, as for int64s (int64.ts), so
 * a bigint is always outside the safe range once read back. The text form is that same
 * dialect: JSON, the three tokens, integers in full; a double that is integral but beyond 2^53
 * is written with an exponent so that it reads back as a double, not a bigint.
 *
 * Objects are plain JS objects, so their keys come back in JS order (integer-like keys first),
 * as JSON.parse gives them; a key's value never changes.
 */
import { invalid } from './errors';
import { nestsDeeperThan } from './validation';

export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | JsonObject;
export interface JsonObject { [key: string]: JsonValue }

export function isJsonObject(v: unknown): v is JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * The store text of a value, refusing what is not a JSON value (undefined, functions, class
 * instances such as Date or Map) or nests deeper than `maxDepth` containers. `what` names the
 * value in the error.
 */
export function encodeJson(value: JsonValue, maxDepth: number, what = 'value'): string {
  const parts: string[] = [];
  write(value, 0);
  return parts.join('');

  function write(v: unknown, depth: number): void {
    switch (typeof v) {
      case 'string': parts.push(JSON.stringify(v)); return;
      case 'boolean': parts.push(v ? 'true' : 'false'); return;
      case 'number': parts.push(numberText(v)); return;
      case 'bigint': parts.push(v.toString()); return;
      case 'object':
        if (v === null) { parts.push('null'); return; }
        if (depth >= maxDepth) throw invalid(`Invalid ${what}: it nests deeper than ${maxDepth} levels`);
        if (Array.isArray(v)) {
          parts.push('[');
          for (let i = 0; i < v.length; i++) {
            if (i) parts.push(',');
            write(v[i], depth + 1);
          }
          parts.push(']');
          return;
        }
        if (!isJsonObject(v)) throw invalid(`Invalid ${what}: a ${v.constructor?.name ?? 'foreign'} object is not a JSON value`);
        parts.push('{');
        let first = true;
        for (const k of Object.keys(v)) {
          if (!first) parts.push(',');
          first = false;
          parts.push(JSON.stringify(k), ':');
          write(v[k], depth + 1);
        }
        parts.push('}');
        return;
      default:
        throw invalid(`Invalid ${what}: ${typeof v} is not a JSON value`);
    }
  }
}

function numberText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Object.is(v, -0)) return '-0';
  // String(2 ** 60) is all digits, which would read back as a bigint; the shortest exponent form keeps it a double.
  if (Number.isInteger(v) && !Number.isSafeInteger(v)) return v.toExponential();
  return String(v);
}

/** Digits of 16 or more (a possible unsafe integer) or a token JSON.parse does not know. */
const NEEDS_OWN_PARSER = /\d{16}|NaN|Infinity/;

/**
 * A value from W&B-style JSON text (see the top of this file); INVALID_ARGUMENT when the text
 * is not one value or nests deeper than `maxDepth` containers. Text without the extra tokens or
 * long digit runs goes to JSON.parse, which reads it the same way, only faster.
 */
export function parseJson(text: string, maxDepth: number, what = 'value'): JsonValue {
  if (!NEEDS_OWN_PARSER.test(text)) {
    if (nestsDeeperThan(text, maxDepth)) throw invalid(`Invalid ${what}: it nests deeper than ${maxDepth} levels`);
    try {
      return JSON.parse(text);
    } catch (e) {
      throw invalid(`Invalid ${what}: ${(e as Error).message}`);
    }
  }
  return new JsonReader(text, maxDepth, what).document();
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const MAX_SAFE_DIGITS = 15;

class JsonReader {
  private i = 0;

  constructor(private readonly text: string, private readonly maxDepth: number, private readonly what: string) {}

  document(): JsonValue {
    const v = this.value(0);
    this.space();
    if (this.i !== this.text.length) this.fail('unexpected text after the value');
    return v;
  }

  private fail(why: string): never {
    throw invalid(`Invalid ${this.what}: ${why} at position ${this.i}`);
  }

  private space(): void {
    const t = this.text;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return;
      this.i++;
    }
  }

  private value(depth: number): JsonValue {
    this.space();
    const t = this.text;
    const c = t[this.i];
    if (c === '{' || c === '[') {
      if (depth >= this.maxDepth) this.fail(`it nests deeper than ${this.maxDepth} levels`);
      return c === '{' ? this.object(depth + 1) : this.array(depth + 1);
    }
    if (c === '"') return this.string();
    for (const [word, v] of WORDS) {
      if (t.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    return this.number();
  }

  private object(depth: number): JsonObject {
    const out: JsonObject = {};
    this.i++;
    this.space();
    if (this.text[this.i] === '}') { this.i++; return out; }
    for (;;) {
      this.space();
      if (this.text[this.i] !== '"') this.fail('expected a string key');
      const key = this.string();
      this.space();
      if (this.text[this.i] !== ':') this.fail("expected ':'");
      this.i++;
      const v = this.value(depth);
      // Assigning "__proto__" would set the prototype; JSON.parse makes it an own key, and so do we.
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
      this.space();
      const sep = this.text[this.i++];
      if (sep === '}') return out;
      if (sep !== ',') { this.i--; this.fail("expected ',' or '}'"); }
    }
  }

  private array(depth: number): JsonValue[] {
    const out: JsonValue[] = [];
    this.i++;
    this.space();
    if (this.text[this.i] === ']') { this.i++; return out; }
    for (;;) {
      out.push(this.value(depth));
      this.space();
      const sep = this.text[this.i++];
      if (sep === ']') return out;
      if (sep !== ',') { this.i--; this.fail("expected ',' or ']'"); }
    }
  }

  private string(): string {
    const t = this.text;
    const start = this.i;
    let escaped = false;
    for (let j = start + 1; j < t.length; j++) {
      const c = t.charCodeAt(j);
      if (c === 92 /* \ */) { escaped = true; j++; continue; }
      if (c === 34 /* " */) {
        this.i = j + 1;
        const raw = t.slice(start, j + 1);
        if (!escaped && !/[\u0000-\u001f]/.test(raw)) return raw.slice(1, -1);
        try {
          return JSON.parse(raw);
        } catch {
          this.i = start;
          return this.fail('malformed string');
        }
      }
    }
    return this.fail('unterminated string');
  }

  private number(): number | bigint {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail('expected a value');
    this.i += m[0].length;
    const literal = m[0];
    if (m[1] !== undefined || m[2] !== undefined) return Number(literal);
    const digits = literal.length - (literal.startsWith('-') ? 1 : 0);
    if (digits <= MAX_SAFE_DIGITS) return Number(literal);
    const big = BigInt(literal);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
}

const WORDS: ReadonlyArray<[string, JsonValue]> = [
  ['true', true], ['false', false], ['null', null], ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity],
];
