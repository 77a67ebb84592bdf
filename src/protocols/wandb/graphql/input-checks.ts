/**
 * Reading a resolver's arguments and input objects, which arrive as plain JSON (the engine
 * does not validate): each field is null/absent or of its type and size, else the request is
 * refused with INVALID_ARGUMENT naming the field. Names W&B gives entities and projects are
 * held to W&B's own rule, so an `entity/project` experiment name always splits back the same way.
 */
import { invalid } from '../../../core/errors';
import { clip } from '../../../core/text';

/** Longest free text a field may carry before it is refused outright (the core clips what it stores). */
export const MAX_FIELD_CHARS = 1024 * 1024;

/** W&B refuses these in entity and project names. */
const NAME_FORBIDDEN = /[/\\#?%:\u0000-\u001f]/;
const MAX_NAME_CHARS = 128;

export function inputObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(`${what} must be an input object`);
  return v as Record<string, unknown>;
}

/** A string field; undefined when null or absent. */
export function optionalString(o: Record<string, unknown>, field: string, max = MAX_FIELD_CHARS): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(`Invalid value for '${field}': expected a string, got ${Array.isArray(v) ? 'a list' : typeof v}`);
  if (v.length > max) throw invalid(`Invalid value for '${field}': it is ${v.length} characters long, over the limit of ${max}`);
  return v;
}

export function requiredString(o: Record<string, unknown>, field: string, max = MAX_FIELD_CHARS): string {
  const v = optionalString(o, field, max);
  if (v === undefined || v === '') throw invalid(`Missing value for required field '${field}'`);
  return v;
}

export function optionalBoolean(o: Record<string, unknown>, field: string): boolean | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalid(`Invalid value for '${field}': expected a boolean`);
  return v;
}

/** A list of strings; undefined when null or absent. */
export function optionalStringList(o: Record<string, unknown>, field: string, maxItems: number, maxChars: number): string[] | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw invalid(`Invalid value for '${field}': expected a list of strings`);
  if (v.length > maxItems) throw invalid(`Invalid value for '${field}': at most ${maxItems} items, got ${v.length}`);
  return v.map((x, i) => {
    if (typeof x !== 'string') throw invalid(`Invalid value for '${field}[${i}]': expected a string`);
    if (x.length > maxChars) throw invalid(`Invalid value for '${field}[${i}]': it is ${x.length} characters long, over the limit of ${maxChars}`);
    return x;
  });
}

/** An entity or project name as W&B allows it; undefined (the default) when null, absent or empty. */
export function optionalName(o: Record<string, unknown>, field: string): string | undefined {
  const v = optionalString(o, field, MAX_NAME_CHARS);
  if (v === undefined || v === '') return undefined;
  if (NAME_FORBIDDEN.test(v) || v.trim() !== v) {
    throw invalid(`Invalid value '${clip(v, 80)}' for '${field}': names cannot contain / \\ # ? % : or control characters, nor start or end with a space`);
  }
  return v;
}
