/**
 * W&B artifacts over GraphQL: the logging sequence (CreateArtifact → CreateArtifactManifest →
 * CreateArtifactFiles → PUT files → CreateArtifactManifest with its upload URL → PUT manifest →
 * CommitArtifact), UseArtifact, and the reads of the public API (artifacts-reads.ts). The core
 * (core/artifact-versions.ts) decides; this translates.
 */
import { invalid, notFound } from '../../../core/errors';
import type { WandbContext } from '../context';
import { signedUrl } from '../signed-urls';
import type { GraphqlArea } from './area';
import { ARTIFACTS_SDL } from './artifacts-schema';
import { READ_OPERATIONS, readResolvers } from './artifacts-reads';
import {
  artifactIdOf, artifactSource, manifestIdOf, opaqueId, PURPOSE, type ArtifactSource,
} from './artifacts-sources';
import { entityOf, findProject, projectNameOf, type ProjectSource } from './sources';

function objectInput(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(`Invalid ${what}: it must be an object`);
  return v as Record<string, unknown>;
}

async function projectNamed(ctx: WandbContext, entity: unknown, project: unknown): Promise<ProjectSource> {
  if ((entity !== undefined && entity !== null && typeof entity !== 'string') || (project !== undefined && project !== null && typeof project !== 'string')) {
    throw invalid('Invalid entityName or projectName: they must be strings');
  }
  const found = await findProject(ctx, entityOf(ctx, entity), projectNameOf(project));
  if (!found) throw notFound(`project ${projectNameOf(project).slice(0, 200)} not found`);
  return found;
}

async function sourceOf(ctx: WandbContext, artifactId: string): Promise<ArtifactSource> {
  const s = await artifactSource(ctx, await ctx.tracking.artifactVersions.get(artifactId));
  if (!s) throw notFound(`artifact ${artifactId} not found`);
  return s;
}

async function manifestPayload(ctx: WandbContext, artifactId: string, inserted: boolean) {
  return {
    inserted,
    artifactManifest: {
      id: opaqueId('ArtifactManifest', artifactId),
      file: {
        id: opaqueId('File', `${artifactId}:manifest`),
        name: 'wandb_manifest.json',
        uploadUrl: await signedUrl(ctx, PURPOSE.manifestUpload, { a: artifactId }),
        uploadHeaders: [],
        directUrl: await signedUrl(ctx, PURPOSE.manifestDownload, { a: artifactId }),
      },
    },
  };
}

/** Aliases name their collection; only the version's own collection is served (no portfolios). */
async function changeAliases(raw: unknown, ctx: WandbContext, add: boolean) {
  const input = objectInput(raw, 'input');
  const artifactId = artifactIdOf(input.artifactID, 'artifactID');
  const version = await ctx.tracking.artifactVersions.get(artifactId);
  if (!Array.isArray(input.aliases)) throw invalid('Invalid aliases: it must be a list');
  for (const a of input.aliases) {
    const named = typeof a === 'object' && a !== null ? (a as { artifactCollectionName?: unknown }).artifactCollectionName : undefined;
    if (named !== undefined && named !== null && named !== version.collectionName) {
      throw invalid(`Invalid aliases: artifact ${artifactId} is in collection '${version.collectionName}', not '${String(named).slice(0, 128)}'`);
    }
  }
  await ctx.tracking.artifactVersions.changeAliases(artifactId, input.aliases, add);
  return { success: true };
}

const mutations = {
  async createArtifact(_: unknown, args: { input?: unknown }, ctx: WandbContext) {
    const input = objectInput(args.input, 'input');
    const project = await projectNamed(ctx, input.entityName, input.projectName);
    if (input.digestAlgorithm !== undefined && input.digestAlgorithm !== null && input.digestAlgorithm !== 'MANIFEST_MD5') {
      throw invalid('Invalid digestAlgorithm: this server takes MANIFEST_MD5 digests only');
    }
    const runName = input.runName;
    if (runName !== undefined && runName !== null && typeof runName !== 'string') throw invalid('Invalid runName: it must be a string');
    const experimentId = project.experiment.experimentId;
    const runId = runName ? await ctx.tracking.artifactVersions.runIn(experimentId, runName) : null;
    const collectionName = input.artifactCollectionName;
    // Aliases name their collection; one meant for another collection is not this version's.
    const aliases = Array.isArray(input.aliases)
      ? input.aliases.filter((a) => typeof a !== 'object' || a === null || (a as { artifactCollectionName?: unknown }).artifactCollectionName === undefined
        || (a as { artifactCollectionName?: unknown }).artifactCollectionName === null
        || (a as { artifactCollectionName?: unknown }).artifactCollectionName === collectionName)
      : input.aliases;
    const version = await ctx.tracking.artifactVersions.create({
      experimentId, typeName: input.artifactTypeName, collectionName, digest: input.digest,
      description: input.description, metadata: input.metadata, aliases, clientId: input.clientID,
      sequenceClientId: input.sequenceClientID, historyStep: input.historyStep, runId,
      dedupe: input.enableDigestDeduplication !== false,
    });
    return { artifact: await artifactSource(ctx, version, project) };
  },

  async createArtifactManifest(_: unknown, args: { input?: unknown }, ctx: WandbContext) {
    const input = objectInput(args.input, 'input');
    const artifactId = artifactIdOf(input.artifactID, 'artifactID');
    if (input.type !== undefined && input.type !== null && input.type !== 'FULL') {
      throw invalid(`Invalid manifest type ${String(input.type).slice(0, 40)}: this server takes FULL manifests only`);
    }
    if (input.name !== undefined && input.name !== null && input.name !== 'wandb_manifest.json') throw invalid("Invalid manifest name: it must be 'wandb_manifest.json'");
    await ctx.tracking.artifactVersions.get(artifactId);
    return manifestPayload(ctx, artifactId, true);
  },

  async updateArtifactManifest(_: unknown, args: { input?: unknown }, ctx: WandbContext) {
    const input = objectInput(args.input, 'input');
    const artifactId = manifestIdOf(input.artifactManifestID, 'artifactManifestID');
    await ctx.tracking.artifactVersions.get(artifactId);
    return manifestPayload(ctx, artifactId, false);
  },

  async createArtifactFiles(_: unknown, args: { input?: unknown }, ctx: WandbContext) {
    const input = objectInput(args.input, 'input');
    const files = input.artifactFiles;
    if (!Array.isArray(files)) throw invalid('Invalid artifactFiles: it must be a list');
    if (input.storageLayout !== undefined && input.storageLayout !== null && input.storageLayout !== 'V2' && input.storageLayout !== 'V1') {
      throw invalid('Invalid storageLayout');
    }
    // One core call per artifact named; the edges keep the order and number of the inputs.
    const byArtifact = new Map<string, number[]>();
    files.forEach((f, i) => {
      const id = artifactIdOf(typeof f === 'object' && f !== null ? (f as { artifactID?: unknown }).artifactID : undefined, `artifactFiles[${i}].artifactID`);
      if (!byArtifact.has(id)) byArtifact.set(id, []);
      byArtifact.get(id)!.push(i);
    });
    const edges: unknown[] = new Array(files.length);
    for (const [artifactId, indexes] of byArtifact) {
      const source = await sourceOf(ctx, artifactId);
      const slots = await ctx.tracking.artifactVersions.fileSlots(artifactId, indexes.map((i) => files[i]));
      for (let k = 0; k < slots.length; k++) {
        const slot = slots[k];
        edges[indexes[k]] = {
          node: {
            id: opaqueId('File', `${artifactId}:${slot.name}`),
            name: slot.name,
            storagePath: slot.storagePath,
            uploadUrl: slot.needsUpload ? await signedUrl(ctx, PURPOSE.fileUpload, { m: slot.md5hex }) : null,
            uploadHeaders: [],
            uploadMultipartUrls: null,
            artifact: source,
          },
        };
      }
    }
    return { files: { edges, pageInfo: { hasNextPage: false, endCursor: null }, totalCount: edges.length } };
  },

  async commitArtifact(_: unknown, args: { input?: unknown }, ctx: WandbContext) {
    const input = objectInput(args.input, 'input');
    const version = await ctx.tracking.artifactVersions.commit(artifactIdOf(input.artifactID, 'artifactID'));
    return { artifact: await artifactSource(ctx, version) };
  },

  async updateArtifact(_: unknown, args: { input?: unknown }, ctx: WandbContext) {
    const input = objectInput(args.input, 'input');
    const version = await ctx.tracking.artifactVersions.update(artifactIdOf(input.artifactID, 'artifactID'), {
      ...('description' in input ? { description: input.description } : {}),
      ...('metadata' in input ? { metadata: input.metadata } : {}),
    });
    return { artifact: await artifactSource(ctx, version) };
  },

  addAliases: (_: unknown, args: { input?: unknown }, ctx: WandbContext) => changeAliases(args.input, ctx, true),
  deleteAliases: (_: unknown, args: { input?: unknown }, ctx: WandbContext) => changeAliases(args.input, ctx, false),

  async useArtifact(_: unknown, args: { input?: unknown }, ctx: WandbContext) {
    const input = objectInput(args.input, 'input');
    const artifactId = artifactIdOf(input.artifactID, 'artifactID');
    const project = await projectNamed(ctx, input.entityName, input.projectName);
    if (typeof input.runName !== 'string' || input.runName === '') throw invalid("Missing value for required parameter 'runName'.");
    const runId = await ctx.tracking.artifactVersions.runIn(project.experiment.experimentId, input.runName);
    const version = await ctx.tracking.artifactVersions.use(artifactId, runId);
    return { artifact: await artifactSource(ctx, version) };
  },
};

export const artifactsArea: GraphqlArea = {
  name: 'artifacts',
  sdl: ARTIFACTS_SDL,
  operations: [
    'CreateArtifact', 'CreateArtifactManifest', 'UpdateArtifactManifest', 'CreateArtifactFiles', 'CommitArtifact', 'UseArtifact',
    'UpdateArtifact', 'AddAliases', 'DeleteAliases',
    ...READ_OPERATIONS,
  ],
  resolvers: { Mutation: mutations, ...readResolvers },
};
