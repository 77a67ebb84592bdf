/**
 * Artifact paths arrive from hostile clients. A path is decoded once by the HTTP layer and then
 * checked here, once: no absolute paths (a leading '/'), no '..' or '.' segments, no backslashes, no NUL, no
 * ';' smuggling, no second round of percent-encoding, nothing longer than a store can hold.
 * What passes stays under the root.
 */
import { invalid } from './errors';
import { clip } from './text';

/** One name in a path, in UTF-8 bytes: the most common filesystems allow no more (NAME_MAX). */
export const MAX_ARTIFACT_NAME_BYTES = 255;
/** A whole path, in UTF-8 bytes: the longest object key S3 and GCS take, so any store can hold it. */
export const MAX_ARTIFACT_PATH_BYTES = 1024;


export function checkArtifactPath(p: string): string {
  if (p.startsWith('/')) throw invalid(`Invalid artifact path: '${clip(p)}' (absolute paths are not allowed)`);
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '';
  if (/[\\\0;]/.test(trimmed) || /%[0-9a-fA-F]{2}/.test(trimmed) || /^[a-zA-Z]:/.test(trimmed)) {
    throw invalid(`Invalid artifact path: '${clip(p)}'`);
  }
  if (Buffer.byteLength(trimmed) > MAX_ARTIFACT_PATH_BYTES) {
    throw invalid(`Invalid artifact path: '${clip(p)}' is longer than ${MAX_ARTIFACT_PATH_BYTES} bytes`);
  }
  for (const seg of trimmed.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') throw invalid(`Invalid artifact path: '${clip(p)}'`);
    if (Buffer.byteLength(seg) > MAX_ARTIFACT_NAME_BYTES) {
      throw invalid(`Invalid artifact path: '${clip(p)}' holds a name longer than ${MAX_ARTIFACT_NAME_BYTES} bytes`);
    }
  }
  return trimmed;
}

/**
 * Percent-decoding until nothing changes, bounded: how MLflow reads a requested path before
 * judging it, and what a layer below might read of a location.
 */
export function decodedFully(p: string): string {
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
  const decoded = decodedFully(p);
  const s = decoded.replace(/^file:(?:\/\/[^/]*)?/i, '');
  const absolute = s.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(s) || s.startsWith('\\\\');
  if (s.includes('#') || s.split('/').includes('..') || absolute) throw invalid('Invalid path');
  // A URI (`file:x`, `s3://b/k`, `mlflow-artifacts:/1/x`, or of no scheme: `:/x`) names no place
  // below a root; a first name with a colon in it (`epoch:3.txt`) is a name like any other.
  if (/^(?:file:|:|[A-Za-z][A-Za-z0-9+.-]*:\/)/i.test(decoded)) throw invalid(`Invalid artifact path: '${clip(p)}' is a URI, not a path`);
  return checkArtifactPath(p);
}

/**
 * The absolute local folder a location names, if it names one on this machine: an absolute
 * path as given, or a `file:` URI without a host (or of localhost), decoded once. A location
 * with '.' or '..' names, NUL or a backslash names none: it is never guessed at.
 */
export function localFolderOf(location: string): string | undefined {
  let local = location;
  if (/^file:/i.test(location)) {
    const m = /^file:(?:\/\/([^/?#]*))?([^?#]*)$/is.exec(location);
    if (!m) return undefined;
    const host = (m[1] ?? '').toLowerCase();
    if (host !== '' && host !== 'localhost' && host !== '127.0.0.1') return undefined;
    try {
      local = decodeURIComponent(m[2]);
    } catch {
      return undefined;
    }
  } else if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(location)) {
    return undefined;
  }
  if (!local.startsWith('/') || /[\0\\]/.test(local)) return undefined;
  const names = local.split('/').filter((n) => n !== '');
  if (names.some((n) => n === '.' || n === '..')) return undefined;
  return `/${names.join('/')}`;
}

/** The path inside our artifact store that an `mlflow-artifacts:` URI names, if it names one. */
export function proxiedPath(uri: string): string | undefined {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(uri);
  return m ? m[1].replace(/\/+$/, '') : undefined;
}

/** Percent-decoding that keeps malformed escapes and replaces invalid UTF-8, as Python's unquote does. */
function unquote(s: string): string {
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) =>
    new TextDecoder().decode(Uint8Array.from(run.slice(1).split('%'), (h) => parseInt(h, 16))));
}

/** A relative local path appended to an absolute folder, with '.' and empty names dropped ('..' kept). */
function anchored(dir: string, rel: string): string {
  const names = rel.split('/').filter((n) => n !== '' && n !== '.');
  const base = dir.replace(/\/+$/, '');
  return names.length ? `${base}/${names.join('/')}` : base || '/';
}

const LOCAL_HOSTS = /^(?:\.|localhost.*|127\.0\.0\.1.*)$/;

/**
 * MLflow keeps a local artifact location absolute: a relative path is anchored at the server's
 * working folder (and stays a plain path), a relative `file:` URI becomes an absolute `file://`
 * URI. Absolute paths, absolute `file:` URIs and URIs of any other scheme (`s3:`,
 * `mlflow-artifacts:`, …) are kept exactly as given.
 */
export function resolveArtifactLocation(location: string, workingDir: string | undefined): string {
  // MLflow takes this one word for its hosted service, not for a folder.
  if (location === 'databricks') return location;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(location)?.[1].toLowerCase();
  if (scheme !== undefined && scheme !== 'file') return location;
  let local = location;
  let tail = '';
  if (scheme === 'file') {
    const m = /^[^:]*:(?:\/\/([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/s.exec(location)!;
    const host = (m[1] ?? '').replace(/^.*@/, '').replace(/:\d*$/, '').toLowerCase();
    if (host !== '' && !LOCAL_HOSTS.test(host)) {
      throw invalid(`Invalid artifact location '${location}': a file URI must name this machine (no host, or localhost)`);
    }
    local = m[2];
    tail = `${m[3] && m[3] !== '?' ? m[3] : ''}${m[4] && m[4] !== '#' ? m[4] : ''}`;
  }
  const decoded = unquote(local);
  if (decoded.startsWith('/')) return location;
  if (workingDir === undefined) {
    throw invalid(`Invalid artifact location '${location}': this server resolves no relative locations; give an absolute path or a URI`);
  }
  const absolute = anchored(workingDir, decoded);
  return scheme === 'file' ? `file://${absolute}${tail}` : absolute;
}
