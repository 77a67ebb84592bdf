/**
 * Artifact paths arrive from hostile clients. A path is decoded once by the HTTP layer and then
 * checked here, once: no absolute paths (a leading '/'), no '..' or '.' segments, no backslashes, no NUL, no
 * ';' smuggling, no second round of percent-encoding, nothing longer than a store can hold.
 * What passes stays under the root.
 */
import { invalid } from './errors';

/** One name in a path, in UTF-8 bytes: the most common filesystems allow no more (NAME_MAX). */
export const MAX_ARTIFACT_NAME_BYTES = 255;
/** A whole path, in UTF-8 bytes: the longest object key S3 and GCS take, so any store can hold it. */
export const MAX_ARTIFACT_PATH_BYTES = 1024;

/** A hostile path is quoted in an error message only as far as a reader needs. */
const quoted = (p: string) => (p.length > 120 ? `${p.slice(0, 120)}…` : p);

export function checkArtifactPath(p: string): string {
  if (p.startsWith('/')) throw invalid(`Invalid artifact path: '${quoted(p)}' (absolute paths are not allowed)`);
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '';
  if (/[\\\0;]/.test(trimmed) || /%[0-9a-fA-F]{2}/.test(trimmed) || /^[a-zA-Z]:/.test(trimmed)) {
    throw invalid(`Invalid artifact path: '${quoted(p)}'`);
  }
  if (Buffer.byteLength(trimmed) > MAX_ARTIFACT_PATH_BYTES) {
    throw invalid(`Invalid artifact path: '${quoted(p)}' is longer than ${MAX_ARTIFACT_PATH_BYTES} bytes`);
  }
  for (const seg of trimmed.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') throw invalid(`Invalid artifact path: '${quoted(p)}'`);
    if (Buffer.byteLength(seg) > MAX_ARTIFACT_NAME_BYTES) {
      throw invalid(`Invalid artifact path: '${quoted(p)}' holds a name longer than ${MAX_ARTIFACT_NAME_BYTES} bytes`);
    }
  }
  return trimmed;
}

/** Percent-decoding until nothing changes, bounded: how MLflow reads a requested path before judging it. */
function decodedFully(p: string): string {
  let s = p;
  for (let i = 0; i < 10 && /%[0-9a-fA-F]{2}/.test(s); i++) {
    s = s.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('latin1'));
  }
  return s;
}

/**
 * A path a client asks for below a run's or logged model's root, or in the proxy. What MLflow
 * itself refuses (a '..' name, an absolute path, a '#', also once percent-decoded) is refused in
 * its words, which its clients and tests match; what passes is then held to checkArtifactPath.
 */
export function checkRequestedPath(p: string): string {
  const s = decodedFully(p).replace(/^file:(?:\/\/[^/]*)?/i, '');
  const absolute = s.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(s) || s.startsWith('\\\\');
  if (s.includes('#') || s.split('/').includes('..') || absolute) throw invalid('Invalid path');
  return checkArtifactPath(p);
}

/** The path inside our artifact store that an `mlflow-artifacts:` URI names, if it names one. */
export function proxiedPath(uri: string): string | undefined {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(uri);
  return m ? m[1].replace(/\/+$/, '') : undefined;
}
