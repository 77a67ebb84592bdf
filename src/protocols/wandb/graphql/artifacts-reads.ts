/** The artifact reads W&B clients send: by id, by name and alias, a version's files and manifest, a run's logged and used artifacts. */
import type { ArtifactFileEntry, ArtifactPage } from '../../../core/artifact-versions';
import { ARTIFACT_LIMITS, checkCollectionName, md5HexOf } from '../../../core/artifact-version-rules';
import { invalid, TrackbridgeError } from '../../../core/errors';
import type { WandbContext } from '../context';
import { idOfStorageId, storageId } from '../mapping';
import { signedUrl } from '../signed-urls';
import type { Resolvers } from './area';
import {
  artifactSource, collectionSource, downloadUrl, fileNode, opaqueId, pageArgs, PURPOSE,
  type ArtifactSource, type ArtifactTypeSource, type CollectionSource, type MembershipSource,
} from './artifacts-sources';
import type { ProjectSource, RunSource } from './sources';

export const READ_OPERATIONS = [
  'ArtifactType', 'ArtifactByID', 'ArtifactMembershipByName', 'FetchArtifactManifest', 'ArtifactManifest',
  'GetArtifactMembershipFileUrls', 'ArtifactFileURLsByManifestEntries', 'RunOutputArtifacts', 'RunInputArtifacts',
  'ClientIDMapping', 'FetchArtifactDigestAlgorithm', 'XXHashDigestsEnabled', 'ArtifactMembershipFiles', 'ArtifactUsedBy', 'ArtifactCreatedBy',
  'ProjectArtifacts', 'ProjectArtifactType', 'ProjectArtifactTypes', 'ProjectArtifactCollection',
] as const;

/** A run as a resolver source, in the project it belongs to; null when it is gone. */
async function runSource(ctx: WandbContext, runId: string, project: ProjectSource): Promise<RunSource | null> {
  const run = await ctx.tracking.runs.find(runId);
  return run ? { project, run } : null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The filters the client sends by default, which ask for what is listed anyway: committed versions. */
function committedOnly(filters: unknown): boolean {
  if (filters === null || filters === undefined) return true;
  let f = filters;
  if (typeof f === 'string') {
    if (f.length > 10_000) return false;
    try { f = JSON.parse(f); } catch { return false; }
  }
  if (typeof f !== 'object' || f === null || Array.isArray(f)) return false;
  const keys = Object.keys(f);
  return keys.length === 0 || (keys.length === 1 && (f as { state?: unknown }).state === 'COMMITTED');
}

const optionalName = (v: unknown, param: string): string | undefined => {
  if (v === null || v === undefined) return undefined;
  if (typeof v !== 'string') throw invalid(`Invalid ${param}: it must be a string`);
  return v;
};

async function collectionOf(ctx: WandbContext, a: ArtifactSource): Promise<CollectionSource> {
  const c = await ctx.tracking.artifactVersions.collectionById(a.version.collectionId);
  return collectionSource(c!, a.project);
}

async function byName(ctx: WandbContext, project: ProjectSource, name: unknown): Promise<ArtifactSource | null> {
  const v = await ctx.tracking.artifactVersions.byName(project.experiment.experimentId, name);
  return v ? artifactSource(ctx, v, project) : null;
}

async function collectionNamed(ctx: WandbContext, project: ProjectSource, name: unknown, type?: string): Promise<CollectionSource | null> {
  const n = optionalName(name, 'name');
  if (n === undefined) throw invalid("Missing value for required parameter 'name'.");
  const c = await ctx.tracking.artifactVersions.collection(project.experiment.experimentId, n);
  return c && (type === undefined || c.typeName === type) ? collectionSource(c, project) : null;
}

async function membership(ctx: WandbContext, collection: CollectionSource, tag: string): Promise<MembershipSource | null> {
  const v = await ctx.tracking.artifactVersions.inCollection(collection.collection, tag);
  if (!v || v.state !== 'COMMITTED') return null;
  const artifact = await artifactSource(ctx, v, collection.project);
  return artifact && { artifact, collection };
}

async function aliasesOf(ctx: WandbContext, a: ArtifactSource) {
  const names = await ctx.tracking.artifactVersions.aliases(a.version.artifactId);
  const collection = await collectionOf(ctx, a);
  return names.map((alias) => ({ id: opaqueId('ArtifactAlias', `${a.version.collectionId}:${alias}`), alias, artifactCollection: collection }));
}

/** A page of a version's files, each with a signed download URL. */
async function filesOf(ctx: WandbContext, a: ArtifactSource, args: { names?: unknown; after?: unknown; first?: unknown }) {
  const { limit, after } = pageArgs(args, 5000, ARTIFACT_LIMITS.pageMax);
  ctx.cost.charge(limit, 'files');
  let names: string[] | undefined;
  if (args.names !== null && args.names !== undefined) {
    if (!Array.isArray(args.names) || args.names.some((n) => typeof n !== 'string')) throw invalid('Invalid names: it must be a list of strings');
    names = args.names as string[];
  }
  // One past the page tells whether another follows.
  const rows: ArtifactFileEntry[] = await ctx.tracking.artifactVersions.files(a.version.artifactId, { after, limit: limit + 1, names });
  const page = rows.slice(0, limit);
  const edges = await Promise.all(page.map(async (f) => ({ node: await fileNode(ctx, a, f), cursor: String(f.position ?? 0) })));
  return {
    totalCount: a.version.fileCount,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.length ? edges[edges.length - 1].cursor : null, hasPreviousPage: false, startCursor: null },
    edges,
  };
}

async function connection(ctx: WandbContext, r: RunSource, args: { after?: unknown; first?: unknown }, read: (runId: string, offset: number, limit: number) => Promise<ArtifactPage>) {
  const { limit, after } = pageArgs(args, 50, 1000);
  ctx.cost.charge(limit, 'artifacts');
  const offset = after === undefined ? 0 : Number(after);
  const page = await read(r.run.info.runId, offset, limit);
  const edges = [];
  for (let i = 0; i < page.items.length; i++) {
    const node = await artifactSource(ctx, page.items[i], r.project);
    if (node) edges.push({ node, cursor: String(offset + i + 1) });
  }
  return {
    totalCount: page.total,
    pageInfo: { hasNextPage: offset + page.items.length < page.total, endCursor: edges.length ? edges[edges.length - 1].cursor : null, hasPreviousPage: offset > 0, startCursor: null },
    edges,
  };
}

export const readResolvers: Resolvers = {
  Query: {
    async artifact(_: unknown, args: { id?: unknown }, ctx: WandbContext) {
      const id = typeof args.id === 'string' && args.id.length <= 200 ? idOfStorageId('Artifact', args.id) : undefined;
      if (id === undefined || !/^\d{1,18}$/.test(id)) return null;
      try {
        return await artifactSource(ctx, await ctx.tracking.artifactVersions.get(id));
      } catch (e) {
        if (e instanceof TrackbridgeError && e.code === 'NOT_FOUND') return null;
        throw e;
      }
    },
    async clientIDMapping(_: unknown, args: { clientID?: unknown }, ctx: WandbContext) {
      if (typeof args.clientID !== 'string') throw invalid("Missing value for required parameter 'clientID'.");
      const v = await ctx.tracking.artifactVersions.byClientId(args.clientID);
      return v ? { serverID: storageId('Artifact', v.artifactId) } : null;
    },
  },
  Project: {
    artifact: (p: ProjectSource, args: { name?: unknown }, ctx: WandbContext) => byName(ctx, p, args.name),
    // A type exists while a collection of it does.
    async artifactType(p: ProjectSource, args: { name?: unknown }, ctx: WandbContext): Promise<ArtifactTypeSource | null> {
      const name = checkCollectionName(optionalName(args.name, 'name'), 'name');
      const found = (await ctx.tracking.artifactVersions.types(p.experiment.experimentId)).find((t) => t.typeName === name);
      return found ? { project: p, ...found } : null;
    },
    async artifactTypes(p: ProjectSource, args: { after?: unknown; first?: unknown }, ctx: WandbContext) {
      const { limit, after } = pageArgs(args, 50, 1000);
      ctx.cost.charge(limit, 'artifactTypes');
      const offset = after === undefined ? 0 : Number(after);
      const all = await ctx.tracking.artifactVersions.types(p.experiment.experimentId);
      const page = all.slice(offset, offset + limit);
      const edges = page.map((t, i) => ({ node: { project: p, ...t }, cursor: String(offset + i + 1) }));
      return { edges, pageInfo: { hasNextPage: offset + page.length < all.length, endCursor: edges.length ? edges[edges.length - 1].cursor : null } };
    },
    artifactCollection: (p: ProjectSource, args: { name?: unknown }, ctx: WandbContext) => collectionNamed(ctx, p, args.name),
    artifactSequence: (p: ProjectSource, args: { name?: unknown }, ctx: WandbContext) => collectionNamed(ctx, p, args.name),
    async artifactCollectionMembership(p: ProjectSource, args: { name?: unknown }, ctx: WandbContext) {
      const text = optionalName(args.name, 'name') ?? '';
      const colon = text.indexOf(':');
      const collection = await collectionNamed(ctx, p, colon < 0 ? text : text.slice(0, colon));
      return collection && membership(ctx, collection, colon < 0 ? 'latest' : text.slice(colon + 1));
    },
  },
  Run: {
    outputArtifacts: (r: RunSource, args: { after?: unknown; first?: unknown }, ctx: WandbContext) =>
      connection(ctx, r, args, (id, o, l) => ctx.tracking.artifactVersions.loggedBy(id, o, l)),
    inputArtifacts: (r: RunSource, args: { after?: unknown; first?: unknown }, ctx: WandbContext) =>
      connection(ctx, r, args, (id, o, l) => ctx.tracking.artifactVersions.usedBy(id, o, l)),
  },
  Entity: {
    // Digests are MD5 here: the client then sends MANIFEST_MD5 manifests.
    xxhashDigestsEnabled: () => false,
  },
  ArtifactType: {
    id: (t: ArtifactTypeSource) => opaqueId('ArtifactType', `${t.project.experiment.experimentId}:${t.typeName}`),
    name: (t: ArtifactTypeSource) => t.typeName,
    description: () => null,
    createdAt: (t: ArtifactTypeSource) => iso(t.createdAt ?? 0),
    project: (t: ArtifactTypeSource) => t.project,
    artifactCollection: (t: ArtifactTypeSource, args: { name?: unknown }, ctx: WandbContext) => collectionNamed(ctx, t.project, args.name, t.typeName),
    artifactSequence: (t: ArtifactTypeSource, args: { name?: unknown }, ctx: WandbContext) => collectionNamed(ctx, t.project, args.name, t.typeName),
    async artifact(t: ArtifactTypeSource, args: { name?: unknown }, ctx: WandbContext) {
      const a = await byName(ctx, t.project, args.name);
      return a && a.version.typeName === t.typeName ? a : null;
    },
  },
  ArtifactSequence: {
    id: (c: CollectionSource) => opaqueId('ArtifactCollection', c.collection.collectionId),
    name: (c: CollectionSource) => c.collection.name,
    description: () => null,
    createdAt: (c: CollectionSource) => iso(c.collection.createdAt),
    project: (c: CollectionSource) => c.project,
    defaultArtifactType: (c: CollectionSource): ArtifactTypeSource => ({ project: c.project, typeName: c.collection.typeName, createdAt: c.collection.createdAt }),
    async latestArtifact(c: CollectionSource, _: unknown, ctx: WandbContext) {
      const v = await ctx.tracking.artifactVersions.inCollection(c.collection, 'latest');
      return v ? artifactSource(ctx, v, c.project) : null;
    },
    artifactMembership(c: CollectionSource, args: { aliasName?: unknown }, ctx: WandbContext) {
      const tag = optionalName(args.aliasName, 'aliasName');
      return membership(ctx, c, tag ?? 'latest');
    },
    digestAlgorithm: () => 'MANIFEST_MD5',
    updatedAt: (c: CollectionSource) => iso(c.collection.createdAt),
    tags: () => ({ edges: [] }),
    async artifacts(c: CollectionSource, args: { after?: unknown; first?: unknown; order?: unknown; filters?: unknown }, ctx: WandbContext) {
      if (!committedOnly(args.filters)) throw invalid('Filtering the versions of an artifact collection is not served, beyond {"state": "COMMITTED"} (the versions listed)');
      if (args.order !== null && args.order !== undefined) throw invalid('Ordering the versions of an artifact collection is not served (they come newest first)');
      const { limit, after } = pageArgs(args, 50, 1000);
      ctx.cost.charge(limit, 'artifacts');
      const offset = after === undefined ? 0 : Number(after);
      const page = await ctx.tracking.artifactVersions.versions(c.collection.collectionId, offset, limit);
      const edges = [];
      for (let i = 0; i < page.items.length; i++) {
        const node = await artifactSource(ctx, page.items[i], c.project);
        if (node) edges.push({ version: `v${page.items[i].versionIndex}`, node, cursor: String(offset + i + 1) });
      }
      return {
        totalCount: page.total,
        pageInfo: { hasNextPage: offset + page.items.length < page.total, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
        edges,
      };
    },
  },
  ArtifactCollectionMembership: {
    id: (m: MembershipSource) => opaqueId('ArtifactCollectionMembership', m.artifact.version.artifactId),
    versionIndex: (m: MembershipSource) => m.artifact.version.versionIndex,
    createdAt: (m: MembershipSource) => iso(m.artifact.version.createdAt),
    aliases: (m: MembershipSource, _: unknown, ctx: WandbContext) => aliasesOf(ctx, m.artifact),
    artifactCollection: (m: MembershipSource) => m.collection,
    artifact: (m: MembershipSource) => m.artifact,
    files: (m: MembershipSource, args: { names?: unknown; after?: unknown; first?: unknown }, ctx: WandbContext) => filesOf(ctx, m.artifact, args),
  },
  Artifact: {
    id: (a: ArtifactSource) => storageId('Artifact', a.version.artifactId),
    state: (a: ArtifactSource) => a.version.state,
    digest: (a: ArtifactSource) => a.version.digest,
    digestAlgorithm: () => 'MANIFEST_MD5',
    commitHash: () => null,
    description: (a: ArtifactSource) => a.version.description,
    metadata: (a: ArtifactSource) => a.version.metadata,
    versionIndex: (a: ArtifactSource) => a.version.versionIndex,
    size: (a: ArtifactSource) => a.version.size,
    fileCount: (a: ArtifactSource) => a.version.fileCount,
    historyStep: (a: ArtifactSource) => a.version.historyStep,
    // W&B's "no TTL".
    ttlDurationSeconds: () => -2,
    ttlIsInherited: () => true,
    createdAt: (a: ArtifactSource) => iso(a.version.createdAt),
    updatedAt: (a: ArtifactSource) => iso(a.version.updatedAt),
    artifactType: (a: ArtifactSource): ArtifactTypeSource => ({ project: a.project, typeName: a.version.typeName }),
    artifactSequence: (a: ArtifactSource, _: unknown, ctx: WandbContext) => collectionOf(ctx, a),
    aliases: (a: ArtifactSource, _: unknown, ctx: WandbContext) => aliasesOf(ctx, a),
    tags: () => [],
    async currentManifest(a: ArtifactSource, _: unknown, ctx: WandbContext) {
      if (a.version.state !== 'COMMITTED') return null;
      const id = a.version.artifactId;
      return {
        id: opaqueId('ArtifactManifest', id),
        file: { id: opaqueId('File', `${id}:manifest`), name: 'wandb_manifest.json', directUrl: await signedUrl(ctx, PURPOSE.manifestDownload, { a: id }) },
      };
    },
    files: (a: ArtifactSource, args: { names?: unknown; after?: unknown; first?: unknown }, ctx: WandbContext) => filesOf(ctx, a, args),
    async usedBy(a: ArtifactSource, _: unknown, ctx: WandbContext) {
      const runs = await ctx.tracking.artifactVersions.users(a.version.artifactId);
      const nodes = await Promise.all(runs.map((id) => runSource(ctx, id, a.project)));
      return { edges: nodes.filter((n) => n !== null).map((node) => ({ node })) };
    },
    createdBy: (a: ArtifactSource, _: unknown, ctx: WandbContext) => (a.version.loggedBy ? runSource(ctx, a.version.loggedBy, a.project) : null),
    async filesByManifestEntries(a: ArtifactSource, args: { entries?: unknown }, ctx: WandbContext) {
      const entries = args.entries ?? [];
      if (!Array.isArray(entries)) throw invalid('Invalid entries: it must be a list');
      if (entries.length > ARTIFACT_LIMITS.pageMax) throw invalid(`Invalid entries: at most ${ARTIFACT_LIMITS.pageMax}`);
      const edges = await Promise.all(entries.map(async (e, i) => {
        const { name, digest } = (typeof e === 'object' && e !== null ? e : {}) as { name?: unknown; digest?: unknown };
        if (typeof name !== 'string') throw invalid(`Invalid entries[${i}].name`);
        md5HexOf(digest, `entries[${i}].digest`);
        return { node: { name, directUrl: await downloadUrl(ctx, digest as string) }, cursor: String(i) };
      }));
      return { totalCount: edges.length, pageInfo: { hasNextPage: false, endCursor: edges.length ? String(edges.length - 1) : null }, edges };
    },
  },
};
