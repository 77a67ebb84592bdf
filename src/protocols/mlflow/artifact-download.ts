/**
 * A stored file answered as a download, with the headers MLflow's server gives one: always an
 * attachment (a browser must not render it on the server's origin), `nosniff`, and the content
 * type MLflow guesses from the file's name.
 */
import type { Response } from 'express';
import { pipeline } from 'node:stream';
import type { ArtifactFile } from '../../core/artifacts';

/** Served as text/plain whatever else the name suggests; a name without an extension counts whole (MLmodel). */
const TEXT_EXTENSIONS = new Set([
  'txt', 'log', 'err', 'cfg', 'conf', 'cnf', 'cf', 'ini', 'properties', 'prop', 'hocon', 'toml', 'yaml', 'yml',
  'xml', 'json', 'js', 'py', 'py3', 'csv', 'tsv', 'md', 'rst', 'MLmodel', 'MLproject',
]);

/** The other types MLflow's guess gives for files runs commonly log; anything else is binary. */
const TYPES: Record<string, string> = {
  html: 'text/html', htm: 'text/html', css: 'text/css',
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', bmp: 'image/bmp', svg: 'image/svg+xml',
  tif: 'image/tiff', tiff: 'image/tiff', ico: 'image/vnd.microsoft.icon', webp: 'image/webp',
  pdf: 'application/pdf', zip: 'application/zip', tar: 'application/x-tar',
  mp3: 'audio/mpeg', wav: 'audio/x-wav', mp4: 'video/mp4',
};

export function contentTypeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  // A leading dot starts a name, not an extension.
  const ext = dot > 0 ? name.slice(dot + 1) : '';
  if (TEXT_EXTENSIONS.has(ext === '' ? name : ext)) return 'text/plain';
  return TYPES[ext.toLowerCase()] ?? 'application/octet-stream';
}

const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z|~]+$/;

/** `attachment; filename=…`: bare when the name is a token, quoted otherwise, and RFC 5987 for what is not printable ASCII. */
export function dispositionOf(name: string): string {
  const plain = /^[\x20-\x7e]*$/.test(name);
  const fallback = plain ? name : name.normalize('NFKD').replace(/[^\x20-\x7e]/g, '');
  const quoted = TOKEN.test(fallback) ? fallback : `"${fallback.replace(/[\\"]/g, '\\$&')}"`;
  if (plain) return `attachment; filename=${quoted}`;
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename=${quoted}; filename*=UTF-8''${encoded}`;
}

/** Streams a file to the client with the headers a browser download wants. */
export function sendArtifact(res: Response, file: ArtifactFile): void {
  res.setHeader('Content-Type', contentTypeOf(file.name));
  res.setHeader('Content-Length', String(file.size));
  res.setHeader('Content-Disposition', dispositionOf(file.name));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // Unlike pipe(), a client that hangs up mid-download closes the file too; a read error cuts the answer short.
  pipeline(file.stream, res, () => {});
}
