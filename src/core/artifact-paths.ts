/**
 * Artifact paths arrive from hostile clients. A path is decoded once by the HTTP layer and then
 * checked here, once: no absolute paths (a leading '/'),, no '..' or '.' segments, no backslashes, no NUL, no
 * ';' smuggling, no second round of percent-encoding. What passes stays under the root.
 */
import { invalid } from './errors';

export function checkArtifactPath(p: string): string {
  if (p.startsWith('/')) throw invalid(`Invalid artifact path: '${p}' (absolute paths are not allowed)`);
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '';
  if (/[\\\0;]/.test(trimmed) || /%[0-9a-fA-F]{2}/.test(trimmed) || /^[a-zA-Z]:/.test(trimmed)) {
    throw invalid(`Invalid artifact path: '${p}'`);
  }
  for (const seg of trimmed.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') throw invalid(`Invalid artifact path: '${p}'`);
  }
  return trimmed;
}

/** The path inside our artifact store that an `mlflow-artifacts:` URI names, if it names one. */
export function proxiedPath(uri: string): string | undefined {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(uri);
  return m ? m[1].replace(/\/+$/, '') : undefined;
}
