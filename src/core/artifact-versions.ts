/**
 * Versioned artifacts as W&B clients log them. A project (an experiment) holds collections, one
 * per name, each of one type; a collection holds versions v0, v1, … numbered when they commit,
 * and aliases (`latest` among them) that each name one version and move. A version is created
 * PENDING with the digest of its manifest, its files are uploaded, then its manifest, then it is
 * committed; creating one whose digest a committed version of the collection already has gives
 * back that version, COMMITTED, and nothing new. The run that logged a version and the runs that
 * used it are kept.
 *
 * Bytes live in the artifact store, content-addressed by each file's MD5 under a folder whose
 * first name begins with ':', which every MLflow path below a run or model starts with an
 * experiment's folder and the proxy refuses (artifact-paths.ts): a file stored once is never
 * uploaded again, and an upload whose bytes do not have the MD5 it was announced with is refused.
 */
import type { Readable } from 'node:stream';
import type { ArtifactStore } from './artifact-store';
import { checkArtifactPath } from './artifact-paths';
import {
  ARTIFACT_LIMITS, checkAlias, checkCollectionName, checkDigest, manifestEntries, md5HexOf, metadataOf, optionalText, verified,
} from './artifact-version-rules';
import { invalid, invalidState, notFound, TrackbridgeError } from './errors';
import type { Runs } from './runs';
import type { Store, WriteTx } from './store';
import { clip } from './text';

export type ArtifactState = 'PENDING' | 'COMMITTED';

export interface ArtifactVersion {
  artifactId: string;
  collectionId: string;
  experimentId: string;
  collectionName: string;
  typeName: string;
  state: ArtifactState;
  /** Set when the version commits. */
  versionIndex: number | null;
  /** The client's digest of the manifest (32 hex characters). */
  digest: string;
  description: string | null;
  /** The client's metadata, a JSON object as text. */
  metadata: string | null;
  clientId: string | null;
  sequenceClientId: string | null;
  historyStep: number | null;
  createdAt: number;
  updatedAt: number;
  /** The run that logged it. */
  loggedBy: string | null;
  fileCount: number;
  size: number;
  /** Asked for at creation and given at commit. */
  pendingAliases: string[];
}

export interface ArtifactCollection {
  collectionId: string;
  experimentId: string;
  name: string;
  typeName: string;
  createdAt: number;
}

/** One file of a committed version, from its manifest. */
export interface ArtifactFileEntry {
  path: string;
  /** Base64 MD5, as in the manifest. */
  digest: string;
  size: number;
  /** An entry that names bytes elsewhere (`ref`): this server holds none of them. */
  ref: string | null;
  /** Its place in path order, as read back (the cursor of a page of files). */
  position?: number;
}

export interface NewArtifactVersion {
  collectionId: string;
  digest: string;
  description: string | null;
  metadata: string | null;
  clientId: string | null;
  sequenceClientId: string | null;
  historyStep: number | null;
  loggedBy: string | null;
  pendingAliases: string[];
  time: number;
}

/** The artifact part of a write transaction. Every write locks the project's experiment first, so a project's versions are numbered one writer at a time. */
export interface ArtifactVersionWrites {
  collection(experimentId: string, name: string): Promise<ArtifactCollection | undefined>;
  insertCollection(experimentId: string, name: string, typeName: string, time: number): Promise<ArtifactCollection>;
  byClientId(clientId: string): Promise<ArtifactVersion | undefined>;
  committedByDigest(collectionId: string, digest: string): Promise<ArtifactVersion | undefined>;
  insert(v: NewArtifactVersion): Promise<ArtifactVersion>;
  get(artifactId: string): Promise<ArtifactVersion | undefined>;
  /** The highest version number committed in the collection; -1 when none is. */
  lastVersion(collectionId: string): Promise<number>;
  commit(artifactId: string, versionIndex: number, files: ArtifactFileEntry[], time: number): Promise<void>;
  setAlias(collectionId: string, alias: string, artifactId: string): Promise<void>;
  /** Removes the alias from the collection if it names that version. */
  deleteAlias(collectionId: string, alias: string, artifactId: string): Promise<void>;
  setDetails(artifactId: string, description: string | null, metadata: string | null, time: number): Promise<void>;
  addUse(artifactId: string, runId: string, time: number): Promise<void>;
}

export interface ArtifactPage { items: ArtifactVersion[]; total: number }

/** Reads of artifacts, outside any transaction. */
export interface ArtifactVersionReads {
  get(artifactId: string): Promise<ArtifactVersion | undefined>;
  byClientId(clientId: string): Promise<ArtifactVersion | undefined>;
  collection(experimentId: string, name: string): Promise<ArtifactCollection | undefined>;
  collectionById(collectionId: string): Promise<ArtifactCollection | undefined>;
  byVersion(collectionId: string, versionIndex: number): Promise<ArtifactVersion | undefined>;
  byAlias(collectionId: string, alias: string): Promise<ArtifactVersion | undefined>;
  aliases(artifactId: string): Promise<string[]>;
  /** Files in path order after `after`, at most `limit`; only those named, when names are given. */
  files(artifactId: string, q: { after?: string; limit: number; names?: string[] }): Promise<ArtifactFileEntry[]>;
  loggedBy(runId: string, offset: number, limit: number): Promise<ArtifactPage>;
  usedBy(runId: string, offset: number, limit: number): Promise<ArtifactPage>;
  /** The runs that used a version, in the order they first did. */
  users(artifactId: string, limit: number): Promise<string[]>;
  /** The types of a project's collections, by name, each with when its first collection was made. */
  types(experimentId: string, limit: number): Promise<Array<{ typeName: string; createdAt: number }>>;
  /** A collection's committed versions, newest first. */
  versions(collectionId: string, offset: number, limit: number): Promise<ArtifactPage>;
}

/** A leading ':' is what no MLflow artifact path below a run, a model or the proxy can begin with. */
const BYTES_ROOT = ':wandb-artifacts';
const filePath = (md5hex: string) => `${BYTES_ROOT}/files/${md5hex.slice(0, 2)}/${md5hex}`;
const manifestPath = (artifactId: string) => `${BYTES_ROOT}/manifests/${artifactId}.json`;

export interface CreateArtifactRequest {
  experimentId: string;
  typeName: unknown;
  collectionName: unknown;
  digest: unknown;
  description?: unknown;
  metadata?: unknown;
  aliases?: unknown;
  clientId?: unknown;
  sequenceClientId?: unknown;
  historyStep?: unknown;
  /** The run logging it, already known to belong to the experiment. */
  runId?: string | null;
  /** False when the client asks for a new version even if a committed one has this digest. */
  dedupe?: boolean;
}

export interface FileSlot {
  name: string;
  md5hex: string;
  storagePath: string;
  /** False when the store already holds those bytes: the client skips the upload. */
  needsUpload: boolean;
}

async function lockExperiment(tx: WriteTx, experimentId: string): Promise<void> {
  if (!(await tx.experiments.lock(experimentId))) throw notFound(`Project of experiment ${experimentId} not found`);
}

export class ArtifactVersions {
  constructor(private readonly store: Store, private readonly bytes: ArtifactStore, private readonly runs: Runs) {}

  private get reads(): ArtifactVersionReads { return this.store.artifactVersions; }

  /** The run of that id in that experiment; NOT_FOUND otherwise. */
  async runIn(experimentId: string, runId: string): Promise<string> {
    const run = await this.runs.get(runId).catch((e) => { throw e instanceof TrackbridgeError && e.code === 'NOT_FOUND' ? notFound(`run ${clip(runId)} not found`) : e; });
    if (run.info.experimentId !== experimentId) throw notFound(`run ${clip(runId)} not found in this project`);
    return runId;
  }

  /**
   * A new PENDING version; or, when this client id was seen before, that version again (a retry);
   * or, when a committed version of the collection has this digest, that one, COMMITTED, with
   * the requested aliases moved to it.
   */
  async create(req: CreateArtifactRequest): Promise<ArtifactVersion> {
    const typeName = checkCollectionName(req.typeName, 'artifactTypeName');
    const name = checkCollectionName(req.collectionName, 'artifactCollectionName');
    const digest = checkDigest(req.digest);
    const description = optionalText(req.description, ARTIFACT_LIMITS.descriptionChars, 'description');
    const metadata = metadataOf(req.metadata);
    const clientId = optionalText(req.clientId, ARTIFACT_LIMITS.clientIdChars, 'clientID');
    const sequenceClientId = optionalText(req.sequenceClientId, ARTIFACT_LIMITS.clientIdChars, 'sequenceClientID');
    const historyStep = req.historyStep === null || req.historyStep === undefined ? null : req.historyStep;
    if (historyStep !== null && !Number.isSafeInteger(historyStep)) throw invalid('Invalid historyStep: it must be an integer');
    const aliases = this.aliasesOf(req.aliases);
    return this.store.write(async (tx) => {
      await lockExperiment(tx, req.experimentId);
      if (clientId !== null) {
        const seen = await tx.artifactVersions.byClientId(clientId);
        if (seen) {
          if (seen.experimentId !== req.experimentId || seen.collectionName !== name) throw invalid('Invalid clientID: it belongs to another artifact');
          return seen;
        }
      }
      const time = Date.now();
      let collection = await tx.artifactVersions.collection(req.experimentId, name);
      if (collection && collection.typeName !== typeName) {
        throw invalid(`Artifact '${name}' is of type '${collection.typeName}' in this project, not '${typeName}'`);
      }
      collection ??= await tx.artifactVersions.insertCollection(req.experimentId, name, typeName, time);
      const same = req.dedupe === false ? undefined : await tx.artifactVersions.committedByDigest(collection.collectionId, digest);
      if (same) {
        for (const alias of aliases) await tx.artifactVersions.setAlias(collection.collectionId, alias, same.artifactId);
        return same;
      }
      return tx.artifactVersions.insert({
        collectionId: collection.collectionId, digest, description, metadata, clientId, sequenceClientId,
        historyStep: historyStep as number | null, loggedBy: req.runId ?? null, pendingAliases: aliases, time,
      });
    });
  }

  private aliasesOf(v: unknown): string[] {
    if (v === null || v === undefined) return [];
    if (!Array.isArray(v)) throw invalid('Invalid aliases: it must be a list');
    if (v.length > ARTIFACT_LIMITS.aliasesPerVersion) throw invalid(`Invalid aliases: at most ${ARTIFACT_LIMITS.aliasesPerVersion} are allowed`);
    const out = new Set<string>();
    v.forEach((a, i) => out.add(checkAlias(typeof a === 'object' && a !== null ? (a as { alias?: unknown }).alias : a, `aliases[${i}]`)));
    return [...out];
  }

  async get(artifactId: string): Promise<ArtifactVersion> {
    const found = /^\d{1,18}$/.test(artifactId) ? await this.reads.get(artifactId) : undefined;
    if (!found) throw notFound(`artifact ${clip(artifactId)} not found`);
    return found;
  }

  private async pending(artifactId: string): Promise<ArtifactVersion> {
    const a = await this.get(artifactId);
    if (a.state !== 'PENDING') throw invalidState(`artifact ${artifactId} is already committed`);
    return a;
  }

  /** Where each announced file goes, in the order given; those whose bytes are stored need no upload. */
  async fileSlots(artifactId: string, files: unknown): Promise<FileSlot[]> {
    if (!Array.isArray(files)) throw invalid('Invalid artifactFiles: it must be a list');
    if (files.length > ARTIFACT_LIMITS.filesPerRequest) throw invalid(`Invalid artifactFiles: at most ${ARTIFACT_LIMITS.filesPerRequest} files per request`);
    const checked = files.map((f, i) => {
      if (typeof f !== 'object' || f === null) throw invalid(`Invalid artifactFiles[${i}]: it must be an object`);
      const { name, md5 } = f as { name?: unknown; md5?: unknown };
      if (typeof name !== 'string' || name === '') throw invalid(`Missing value for required parameter 'artifactFiles[${i}].name'.`);
      const path = checkArtifactPath(name);
      if (path === '') throw invalid(`Invalid artifactFiles[${i}].name`);
      return { name: path, md5hex: md5HexOf(md5, `artifactFiles[${i}].md5`) };
    });
    await this.pending(artifactId);
    const slots: FileSlot[] = [];
    for (const f of checked) {
      const storagePath = filePath(f.md5hex);
      slots.push({ ...f, storagePath, needsUpload: !(await this.has(storagePath)) });
    }
    return slots;
  }

  private async has(path: string): Promise<boolean> {
    const found = await this.bytes.get(path);
    found?.stream.destroy();
    return found !== undefined;
  }

  /** Stores an uploaded file under its MD5; bytes of another MD5, or more than a file may hold, store nothing. */
  async putFile(md5hex: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    if (!/^[0-9a-f]{32}$/.test(md5hex)) throw invalid('Invalid upload: no such file');
    await this.bytes.put(filePath(md5hex), verified(body, md5hex, ARTIFACT_LIMITS.fileBytes));
  }

  /** Stores a pending version's manifest (a JSON object, bounded), replacing an earlier one. */
  async putManifest(artifactId: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    // A client error, not a state one: the upload URL answers it with a 400, which the client does not retry.
    if ((await this.get(artifactId)).state !== 'PENDING') throw invalid(`artifact ${artifactId} is committed: its manifest cannot change`);
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of body) {
      n += c.length;
      if (n > ARTIFACT_LIMITS.manifestBytes) throw invalid(`Invalid manifest: it is larger than ${ARTIFACT_LIMITS.manifestBytes} bytes`);
      chunks.push(Buffer.from(c));
    }
    const bytes = Buffer.concat(chunks);
    manifestEntries(bytes);
    await this.bytes.put(manifestPath(artifactId), (async function* () { yield bytes; })());
  }

  async openManifest(artifactId: string): Promise<{ stream: Readable; size: number }> {
    const found = await this.bytes.get(manifestPath(artifactId));
    if (!found) throw notFound(`artifact ${clip(artifactId)} has no manifest`);
    return found;
  }

  async openFile(md5hex: string): Promise<{ stream: Readable; size: number }> {
    const found = /^[0-9a-f]{32}$/.test(md5hex) ? await this.bytes.get(filePath(md5hex)) : undefined;
    if (!found) throw notFound('no such file');
    return found;
  }

  /**
   * Numbers a pending version (the collection's next), records its files from its manifest,
   * moves `latest` and its requested aliases to it. Every stored file the manifest lists must
   * have been uploaded. Committing a committed version answers it again.
   */
  async commit(artifactId: string): Promise<ArtifactVersion> {
    const a = await this.get(artifactId);
    if (a.state === 'COMMITTED') return a;
    const manifest = await this.bytes.get(manifestPath(artifactId));
    if (!manifest) throw invalidState(`artifact ${artifactId} cannot be committed: its manifest was not uploaded`);
    const chunks: Buffer[] = [];
    for await (const c of manifest.stream) chunks.push(Buffer.from(c));
    const entries = manifestEntries(Buffer.concat(chunks));
    for (const e of entries) {
      if (e.ref === null && !(await this.has(filePath(md5HexOf(e.digest, 'manifest digest'))))) {
        throw invalidState(`artifact ${artifactId} cannot be committed: file '${clip(e.path)}' was not uploaded`);
      }
    }
    await this.store.write(async (tx) => {
      await lockExperiment(tx, a.experimentId);
      const now = await tx.artifactVersions.get(artifactId);
      if (!now || now.state === 'COMMITTED') return;
      const version = (await tx.artifactVersions.lastVersion(now.collectionId)) + 1;
      await tx.artifactVersions.commit(artifactId, version, entries, Date.now());
      for (const alias of new Set(['latest', ...now.pendingAliases])) await tx.artifactVersions.setAlias(now.collectionId, alias, artifactId);
    });
    return this.get(artifactId);
  }

  /** Replaces a version's description and metadata (what `artifact.save()` sends for a logged one). */
  async update(artifactId: string, req: { description?: unknown; metadata?: unknown }): Promise<ArtifactVersion> {
    const a = await this.get(artifactId);
    const description = req.description === undefined ? a.description : optionalText(req.description, ARTIFACT_LIMITS.descriptionChars, 'description');
    const metadata = req.metadata === undefined ? a.metadata : metadataOf(req.metadata);
    await this.store.write(async (tx) => {
      await lockExperiment(tx, a.experimentId);
      await tx.artifactVersions.setDetails(artifactId, description, metadata, Date.now());
    });
    return this.get(artifactId);
  }

  /**
   * Gives a committed version aliases of its own collection (moving them from the versions that
   * had them), or takes them away. `latest` is kept by commits alone.
   */
  async changeAliases(artifactId: string, aliases: unknown, add: boolean): Promise<void> {
    const wanted = this.aliasesOf(aliases);
    if (wanted.includes('latest')) throw invalid("Invalid aliases: 'latest' always names the newest version");
    const a = await this.get(artifactId);
    if (a.state !== 'COMMITTED') throw invalidState(`artifact ${artifactId} is not committed`);
    await this.store.write(async (tx) => {
      await lockExperiment(tx, a.experimentId);
      for (const alias of wanted) {
        if (add) await tx.artifactVersions.setAlias(a.collectionId, alias, artifactId);
        else await tx.artifactVersions.deleteAlias(a.collectionId, alias, artifactId);
      }
    });
  }

  /** Records that a run used a committed version; using it again changes nothing. */
  async use(artifactId: string, runId: string): Promise<ArtifactVersion> {
    const a = await this.get(artifactId);
    await this.store.write(async (tx) => {
      await tx.artifactVersions.addUse(artifactId, runId, Date.now());
    });
    return a;
  }

  /**
   * A version by `name:vN`, `name:alias` or plain `name` (its `latest`), in a project; undefined
   * when there is none. A name that cannot be one is INVALID_ARGUMENT.
   */
  async byName(experimentId: string, text: unknown): Promise<ArtifactVersion | undefined> {
    if (typeof text !== 'string' || text === '') throw invalid("Missing value for required parameter 'name'.");
    const colon = text.indexOf(':');
    const name = checkCollectionName(colon < 0 ? text : text.slice(0, colon), 'name');
    const tag = colon < 0 ? 'latest' : text.slice(colon + 1);
    const collection = await this.reads.collection(experimentId, name);
    if (!collection) return undefined;
    return this.inCollection(collection, tag);
  }

  async inCollection(collection: ArtifactCollection, tag: string): Promise<ArtifactVersion | undefined> {
    const m = /^v(\d{1,9})$/.exec(tag);
    if (m) return this.reads.byVersion(collection.collectionId, Number(m[1]));
    if (tag.length > ARTIFACT_LIMITS.aliasChars || /[/:]/.test(tag) || tag === '') return undefined;
    return this.reads.byAlias(collection.collectionId, tag);
  }

  collection(experimentId: string, name: unknown): Promise<ArtifactCollection | undefined> {
    return this.reads.collection(experimentId, checkCollectionName(name, 'name'));
  }

  collectionById(collectionId: string): Promise<ArtifactCollection | undefined> { return this.reads.collectionById(collectionId); }
  aliases(artifactId: string): Promise<string[]> { return this.reads.aliases(artifactId); }
  byClientId(clientId: string): Promise<ArtifactVersion | undefined> {
    return clientId.length > ARTIFACT_LIMITS.clientIdChars ? Promise.resolve(undefined) : this.reads.byClientId(clientId);
  }

  files(artifactId: string, q: { after?: string; limit: number; names?: string[] }): Promise<ArtifactFileEntry[]> {
    if (q.names && q.names.length > ARTIFACT_LIMITS.pageMax) throw invalid(`Invalid names: at most ${ARTIFACT_LIMITS.pageMax}`);
    return this.reads.files(artifactId, { ...q, limit: Math.max(0, Math.min(q.limit, ARTIFACT_LIMITS.pageMax)) });
  }

  loggedBy(runId: string, offset: number, limit: number): Promise<ArtifactPage> {
    return this.reads.loggedBy(runId, offset, Math.max(0, Math.min(limit, ARTIFACT_LIMITS.pageMax)));
  }

  usedBy(runId: string, offset: number, limit: number): Promise<ArtifactPage> {
    return this.reads.usedBy(runId, offset, Math.max(0, Math.min(limit, ARTIFACT_LIMITS.pageMax)));
  }

  users(artifactId: string): Promise<string[]> { return this.reads.users(artifactId, ARTIFACT_LIMITS.pageMax); }

  types(experimentId: string): Promise<Array<{ typeName: string; createdAt: number }>> { return this.reads.types(experimentId, ARTIFACT_LIMITS.pageMax); }

  versions(collectionId: string, offset: number, limit: number): Promise<ArtifactPage> {
    return this.reads.versions(collectionId, offset, Math.max(0, Math.min(limit, ARTIFACT_LIMITS.pageMax)));
  }
}
