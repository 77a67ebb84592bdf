/**
 * The `mlflow.modelVersions` tag MLflow's server keeps on a logged model: the versions
 * registered from it, as Python's `json.dumps` writes the list (`[{"name": "m", "version": 1}]`),
 * which MLflow's client reads back and extends. The registry's own record is the version
 * rows (a logged model's `registrations`); this tag mirrors them for clients that read it.
 */
import { LIMITS } from './limits';

export const MODEL_VERSIONS_TAG = 'mlflow.modelVersions';

/** Python's json.dumps with its defaults: `", "` and `": "` separators, non-ASCII as \uXXXX. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : JSON.stringify(value);
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`).join(', ')}}`;
}

/**
 * The tag's new value once version `version` of `name` is registered, or undefined when it
 * would not change or would no longer fit a logged-model tag (the registrations still list it).
 */
export function withModelVersion(current: string | undefined, name: string, version: number): string | undefined {
  let list: unknown[] = [];
  if (current !== undefined) {
    try {
      const parsed: unknown = JSON.parse(current);
      if (Array.isArray(parsed)) list = parsed;
    } catch {
      // Not MLflow's JSON: the registry's record starts the list again.
    }
  }
  const entry = { name, version };
  if (list.some((e) => pythonJson(e) === pythonJson(entry))) return undefined;
  const next = pythonJson([...list, entry]);
  return next.length <= LIMITS.runTagValueLength ? next : undefined;
}
