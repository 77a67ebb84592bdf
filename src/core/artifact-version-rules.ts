/**
 * What a W&B artifact's names, digests, metadata, uploaded bytes and manifest must be, and the
 * bounds of every list and size a client sends (artifact-versions.ts applies them).
 */
import { createHash } from 'node:crypto';
import { checkArtifactPath } from './artifact-paths';
import type { ArtifactFileEntry } from './artifact-versions';
import { invalid } from './errors';
import { assertStorableText, clip } from './text';

export const ARTIFACT_LIMITS = {
  /** W&B's own rule for collection and type names. */
  nameChars: 128,
  aliasChars: 128,
  aliasesPerVersion: 100,
  descriptionChars: 64 * 1024,
  metadataChars: 1024 * 1024,
  clientIdChars: 128,
  /** Files one CreateArtifactFiles may announce (the client sends them in smaller batches). */
  filesPerRequest: 10_000,
  /** Files one manifest may list. */
  manifestEntries: 100_000,
  manifestBytes: 64 * 1024 * 1024,
  /** One file's upload, in one PUT: files the client would send in parts (2 GiB and more) come whole, as uploadMultipartUrls is null. */
  fileBytes: 16 * 1024 * 1024 * 1024,
  pageMax: 10_000,
} as const;

const NAME = /^[A-Za-z0-9_.-]+$/;

export function checkCollectionName(name: unknown, param: string): string {
  if (typeof name !== 'string' || name === '') throw invalid(`Missing value for required parameter '${param}'.`);
  if (name.length > ARTIFACT_LIMITS.nameChars) throw invalid(`Invalid ${param} '${clip(name)}': it is longer than ${ARTIFACT_LIMITS.nameChars} characters`);
  if (!NAME.test(name)) throw invalid(`Invalid ${param} '${clip(name)}': only letters, digits, '-', '_' and '.' are allowed`);
  return name;
}

export function checkAlias(alias: unknown, param: string): string {
  if (typeof alias !== 'string' || alias === '') throw invalid(`Missing value for required parameter '${param}'.`);
  if (alias.length > ARTIFACT_LIMITS.aliasChars) throw invalid(`Invalid ${param} '${clip(alias)}': it is longer than ${ARTIFACT_LIMITS.aliasChars} characters`);
  if (/[/:]/.test(alias)) throw invalid(`Invalid ${param} '${clip(alias)}': an alias may not contain '/' or ':'`);
  assertStorableText(alias, param);
  // vN names a version, never an alias.
  if (/^v\d+$/.test(alias)) throw invalid(`Invalid ${param} '${clip(alias)}': names of the form vN are reserved for versions`);
  return alias;
}

/** A base64 MD5 (24 characters, 16 bytes) as its hex form. */
export function md5HexOf(b64: unknown, param: string): string {
  if (typeof b64 !== 'string' || !/^[A-Za-z0-9+/]{22}==$/.test(b64)) throw invalid(`Invalid ${param}: it must be a base64 MD5 digest`);
  return Buffer.from(b64, 'base64').toString('hex');
}

export const checkDigest = (d: unknown): string => {
  if (typeof d !== 'string' || !/^[0-9a-f]{32}$/.test(d)) throw invalid("Invalid digest: it must be 32 lowercase hex characters (the manifest's MD5)");
  return d;
};

export function optionalText(v: unknown, max: number, param: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw invalid(`Invalid ${param}: it must be a string`);
  if (v.length > max) throw invalid(`Invalid ${param}: it is longer than ${max} characters`);
  assertStorableText(v, param);
  return v;
}

/** Metadata as the client sends it: the text of a JSON object, bounded. */
export function metadataOf(v: unknown): string | null {
  const metadata = optionalText(v, ARTIFACT_LIMITS.metadataChars, 'metadata');
  if (metadata !== null) {
    let parsed: unknown;
    try { parsed = JSON.parse(metadata); } catch { throw invalid('Invalid metadata: it must be a JSON object'); }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid('Invalid metadata: it must be a JSON object');
  }
  return metadata;
}

/** The body, passed through, refused at its end unless it has that MD5, and as soon as it passes max bytes. */
export async function* verified(body: AsyncIterable<Uint8Array>, md5hex: string, max: number): AsyncGenerator<Uint8Array> {
  const hash = createHash('md5');
  let n = 0;
  for await (const c of body) {
    n += c.length;
    if (n > max) throw invalid(`Invalid upload: a file may hold at most ${max} bytes`);
    hash.update(c);
    yield c;
  }
  if (hash.digest('hex') !== md5hex) throw invalid('Invalid upload: the bytes do not have the MD5 the file was announced with');
}

/** The entries of a manifest (W&B's `wandb-storage-policy-v1`, version 1), each checked. */
export function manifestEntries(bytes: Buffer): ArtifactFileEntry[] {
  let doc: unknown;
  try { doc = JSON.parse(bytes.toString('utf8')); } catch { throw invalid('Invalid manifest: it is not JSON'); }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalid('Invalid manifest: it must be a JSON object');
  const { version, contents } = doc as { version?: unknown; contents?: unknown };
  if (version !== 1) throw invalid('Invalid manifest: only version 1 is served');
  if (typeof contents !== 'object' || contents === null || Array.isArray(contents)) throw invalid('Invalid manifest: contents must be an object');
  const names = Object.keys(contents);
  if (names.length > ARTIFACT_LIMITS.manifestEntries) throw invalid(`Invalid manifest: at most ${ARTIFACT_LIMITS.manifestEntries} entries`);
  return names.map((name) => {
    const path = checkArtifactPath(name);
    if (path !== name || path === '') throw invalid(`Invalid manifest entry '${clip(name)}'`);
    const e = (contents as Record<string, unknown>)[name];
    if (typeof e !== 'object' || e === null) throw invalid(`Invalid manifest entry '${clip(name)}'`);
    const { digest, size, ref } = e as { digest?: unknown; size?: unknown; ref?: unknown };
    if (typeof digest !== 'string' || digest.length > 256) throw invalid(`Invalid manifest entry '${clip(name)}': no digest`);
    const sz = size === undefined || size === null ? 0 : size;
    if (!Number.isSafeInteger(sz) || (sz as number) < 0) throw invalid(`Invalid manifest entry '${clip(name)}': bad size`);
    if (ref !== undefined && ref !== null && (typeof ref !== 'string' || ref.length > 2048)) throw invalid(`Invalid manifest entry '${clip(name)}': bad ref`);
    const r = typeof ref === 'string' ? ref : null;
    if (r === null) md5HexOf(digest, `manifest entry '${clip(name)}' digest`);
    assertStorableText(name, 'manifest entry');
    return { path, digest, size: sz as number, ref: r };
  });
}
