/**
 * MLflow's JSON rules, driven by the message definitions: requests accept snake_case or
 * lowerCamelCase names, int64 as numbers or numeric strings, doubles as numbers or
 * "NaN"/"Infinity"/"-Infinity", enums by name or number; anything else of the wrong type (a
 * number for a string, a string for a list) is refused in the words of MLflow's handlers.
 * Responses print int64 as numbers, non-finite doubles as strings, enums by name, and omit
 * unset fields and empty lists.
 */
import protobuf from 'protobufjs';
import { invalid, TrackbridgeError } from '../../core/errors';
import { assertNoNul } from '../../core/text';
import { toInt64 } from '../../core/int64';
import { pythonType, showValue } from './shown-value';

const INT32_RANGE: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1], sint32: [-(2 ** 31), 2 ** 31 - 1], sfixed32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1], fixed32: [0, 2 ** 32 - 1],
};
const INT64_TYPES = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);

const camelNames = new WeakMap<protobuf.Field, string>();

/** The lowerCamelCase alias of a field name, computed once per field (decoding is on the hot path). */
function camel(f: protobuf.Field): string {
  let c = camelNames.get(f);
  if (c === undefined) {
    c = f.name.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
    camelNames.set(f, c);
  }
  return c;
}

/** One step of the way to a value: a field (as the client spelled it, and its proto name) or a list index. */
type Step = { key: string; name: string } | number;
/** A path is a closure, spelled out only when an error is raised. */
type Path = () => Step[];

/** Where a number stood in the request as written, so a message can quote it exactly (`9.0`, not `9`). */
export type NumberLiteralAt = (keys: ReadonlyArray<string | number>) => string | undefined;

interface DecodeOptions {
  /** Query-string input: every value is a string, and a repeated key makes a list. */
  fromQuery?: boolean;
  numberLiteralAt?: NumberLiteralAt;
}

/** `metrics[0].timestamp`: the path as MLflow's messages name it. */
function pathText(steps: Step[]): string {
  let out = '';
  for (const s of steps) out += typeof s === 'number' ? `[${s}]` : `${out ? '.' : ''}${s.name}`;
  return out;
}

/** MLflow's words exactly, the doubled space included: clients and MLflow's tests match them. */
function typeError(path: Path, value: unknown, opts: DecodeOptions): never {
  const steps = path();
  const literal = typeof value === 'number' ? opts.numberLiteralAt?.(steps.map((s) => (typeof s === 'number' ? s : s.key))) : undefined;
  throw invalid(`Invalid value ${showValue(value, literal)} for parameter '${pathText(steps)}' supplied:  Hint: Value was of type '${pythonType(value, literal)}'. See the API docs for more information about request parameters.`);
}

/** How a field's JSON value is read, decided once per field rather than per value. */
type Kind = 'enum' | 'message' | 'int64' | 'int32' | 'double' | 'bool' | 'string' | 'other';

interface FieldPlan {
  field: protobuf.Field;
  name: string;
  camel: string;
  kind: Kind;
  range?: [number, number];
}

interface TypePlan {
  fields: FieldPlan[];
  /** Both spellings of every field name; request objects are walked by their own keys. */
  byKey: Map<string, FieldPlan>;
  /** The proto names alone: the keys a response may hold. */
  names: Set<string>;
}

const plans = new WeakMap<protobuf.Type, TypePlan>();

function kindOf(f: protobuf.Field): Kind {
  if (f.resolvedType instanceof protobuf.Enum) return 'enum';
  if (f.resolvedType instanceof protobuf.Type) return 'message';
  if (INT64_TYPES.has(f.type)) return 'int64';
  if (f.type in INT32_RANGE) return 'int32';
  if (f.type === 'double' || f.type === 'float') return 'double';
  if (f.type === 'bool') return 'bool';
  if (f.type === 'string') return 'string';
  return 'other';
}

function planOf(type: protobuf.Type): TypePlan {
  let plan = plans.get(type);
  if (!plan) {
    const fields = type.fieldsArray.map((f): FieldPlan => {
      f.resolve();
      return { field: f, name: f.name, camel: camel(f), kind: kindOf(f), range: INT32_RANGE[f.type] };
    });
    const byKey = new Map<string, FieldPlan>();
    for (const p of fields) byKey.set(p.camel, p);
    for (const p of fields) byKey.set(p.name, p);
    plan = { fields, byKey, names: new Set(fields.map((p) => p.name)) };
    plans.set(type, plan);
  }
  return plan;
}

/** A decimal number as Python's float() reads it, or a proto JSON spelling of a non-finite one. */
const DECIMAL = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const INTEGER_TEXT = /^\s*-?\d+\s*$/;

function decodeScalar(p: FieldPlan, value: unknown, path: Path, opts: DecodeOptions): unknown {
  switch (p.kind) {
    case 'string':
      // A number is not a string: proto JSON refuses it, and so does MLflow (`"name": 123`).
      if (typeof value !== 'string') return typeError(path, value, opts);
      if (value.includes('\u0000')) assertNoNul(value, pathText(path()));
      // A lone surrogate (`"\ud800"`) cannot be written as UTF-8, so no store could keep it as sent.
      if (!(value as string & { isWellFormed(): boolean }).isWellFormed()) {
        throw invalid(`Invalid value for parameter '${pathText(path())}': it contains an unpaired surrogate`);
      }
      return value;
    case 'double':
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint') return Number(value);
      // Proto JSON reads true as 1; the MLflow client has been seen to send it for a metric.
      if (typeof value === 'boolean' && !opts.fromQuery) return value ? 1 : 0;
      if (typeof value === 'string') {
        if (value === 'NaN') return NaN;
        if (value === 'Infinity') return Infinity;
        if (value === '-Infinity') return -Infinity;
        if (DECIMAL.test(value)) return Number(value);
      }
      return typeError(path, value, opts);
    case 'int64': {
      // Exact beyond 2^53: long literals arrive as bigints (see json-body.ts).
      const n = typeof value === 'boolean' ? undefined : toInt64(value);
      if (n === undefined) typeError(path, value, opts);
      return n;
    }
    case 'int32': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : NaN;
      const [min, max] = p.range!;
      if (!Number.isInteger(n) || n < min || n > max) typeError(path, value, opts);
      return n;
    }
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (opts.fromQuery && typeof value === 'string') {
        if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
        throw invalid(`Invalid boolean value: ${showValue(value)}, must be 'true' or 'false'.`);
      }
      return typeError(path, value, opts);
    case 'message':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) typeError(path, value, opts);
      return decodeFields(p.field.resolvedType as protobuf.Type, value as Record<string, unknown>, path, opts);
    case 'enum': {
      if (typeof value !== 'string' && typeof value !== 'number') return typeError(path, value, opts);
      const e = p.field.resolvedType as protobuf.Enum;
      if (typeof value === 'number' && Object.values(e.values).includes(value)) return e.valuesById[value];
      if (typeof value === 'string' && Object.hasOwn(e.values, value)) return value;
      if (typeof value === 'string' && /^\d+$/.test(value) && e.valuesById[Number(value)]) return e.valuesById[Number(value)];
      // MLflow's parser drops enum values it does not know rather than failing the request.
      return undefined;
    }
    default:
      return value;
  }
}

/** Decodes a request object (JSON body, or query string when fromQuery) into a plain snake_case object. */
export function decodeMessage(type: protobuf.Type, input: Record<string, unknown>, opts: DecodeOptions = {}): Record<string, unknown> {
  return decodeFields(type, input, () => [], opts);
}

function decodeFields(type: protobuf.Type, input: Record<string, unknown>, prefix: Path, opts: DecodeOptions): Record<string, unknown> {
  const { byKey } = planOf(type);
  const out: Record<string, unknown> = {};
  // Walking the object's own keys (a handful) beats probing every field under both spellings.
  for (const key in input) {
    const p = byKey.get(key);
    if (p === undefined) continue;
    let value = input[key];
    if (value === undefined || value === null) continue;
    // Both spellings sent: the snake_case one wins.
    if (key !== p.name && input[p.name] !== undefined && input[p.name] !== null) continue;
    const at: Path = () => [...prefix(), { key, name: p.name }];
    if (p.field.repeated) {
      // A query string repeats a key for a list; a single occurrence is a list of one.
      if (!Array.isArray(value)) {
        if (!opts.fromQuery) typeError(at, value, opts);
        value = [value];
      }
      const list = value as unknown[];
      const decoded: unknown[] = [];
      for (let i = 0; i < list.length; i++) {
        const item = list[i];
        const itemAt: Path = () => [...at(), i];
        // Proto JSON allows no null inside a list.
        const v = item === null || item === undefined ? typeError(itemAt, item, opts) : decodeScalar(p, item, itemAt, opts);
        if (v !== undefined) decoded.push(v);
      }
      out[p.name] = decoded;
    } else {
      // A repeated query key for a single field: the first occurrence counts, as in MLflow.
      if (opts.fromQuery && Array.isArray(value)) value = value[0];
      const v = decodeScalar(p, value, at, opts);
      if (v !== undefined) out[p.name] = v;
    }
  }
  return out;
}

/** Fields marked (trackbridge.required) must be present and not empty. */
export function checkRequired(type: protobuf.Type, msg: Record<string, unknown>): void {
  for (const f of type.fieldsArray) {
    if (f.options?.['(trackbridge.required)'] !== true) continue;
    const v = msg[f.name];
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) {
      throw invalid(`Missing value for required parameter '${f.name}'. See the API docs for more information about request parameters.`);
    }
  }
}

function encodeValue(p: FieldPlan, value: unknown, strict: boolean): unknown {
  switch (p.kind) {
    case 'message':
      return encodeMessage(p.field.resolvedType as protobuf.Type, value as Record<string, unknown>, strict);
    case 'double': {
      const n = value as number;
      if (Number.isNaN(n)) return 'NaN';
      if (n === Infinity) return 'Infinity';
      if (n === -Infinity) return '-Infinity';
      return n;
    }
    case 'enum':
      return typeof value === 'number' ? (p.field.resolvedType as protobuf.Enum).valuesById[value] : value;
    default:
      return typeof value === 'bigint' ? bigintMark(value) : value;
  }
}

/**
 * JSON.stringify cannot print a bigint; it is carried as a marked string that writeJson()
 * turns back into a bare number. The mark starts with NUL, which no stored string may contain.
 */
const MARK = '\u0000int64:';
function bigintMark(v: bigint): string {
  return `${MARK}${v}`;
}

/** The response body: JSON with int64 beyond 2^53 printed exactly. */
export function writeJson(value: unknown): string {
  const text = JSON.stringify(value);
  return text.includes('\\u0000int64:') ? text.replace(/"\\u0000int64:(-?\d+)"/g, '$1') : text;
}

/** A key the message does not define, which only a handler's mistake can put in an answer. */
function checkKeys(type: protobuf.Type, plan: TypePlan, value: Record<string, unknown>): void {
  for (const key of Object.keys(value)) {
    if (!plan.names.has(key)) throw new TrackbridgeError('INTERNAL', `response message ${type.fullName.replace(/^\./, '')} has no field '${key}'`);
  }
}

/**
 * Shapes a plain snake_case object as the message's JSON: unset fields and empty lists left
 * out, fields the message does not define dropped, or with `strict` refused (at every depth).
 * Dropping walks the planned fields only, never the object's own keys, so extra keys cost nothing.
 * JSON.stringify then prints it (one-off measurement: faster than writing the text field by
 * field: 2.7 ms against 3.3 ms for a 100-run page).
 */
export function encodeMessage(type: protobuf.Type, value: Record<string, unknown>, strict = false): Record<string, unknown> {
  const plan = planOf(type);
  if (strict) checkKeys(type, plan, value);
  const out: Record<string, unknown> = {};
  for (const p of plan.fields) {
    const v = value[p.name];
    if (v === undefined || v === null) continue;
    if (p.field.repeated) {
      const list = v as unknown[];
      if (list.length === 0) continue;
      const encoded = new Array(list.length);
      for (let i = 0; i < list.length; i++) encoded[i] = encodeValue(p, list[i], strict);
      out[p.name] = encoded;
    } else {
      out[p.name] = encodeValue(p, v, strict);
    }
  }
  return out;
}
