/** Resolvers of the shared types' own fields (base-schema.ts): lookups by entity and project name, and ids. */
import type { GraphqlArea } from './area';
import { BASE_SDL } from './base-schema';
import { entityOf, findProject, projectNameOf, type ProjectSource, type RunSource } from './sources';
import { storageId } from '../mapping';

const lookupProject = (_: unknown, args: { name?: unknown; entityName?: unknown }, ctx: Parameters<typeof entityOf>[0]) =>
  findProject(ctx, entityOf(ctx, args.entityName), projectNameOf(args.name));

export const baseArea: GraphqlArea = {
  name: 'base',
  // BASE_SDL itself is always part of the schema (engine.ts); this area only resolves it.
  sdl: '',
  operations: [],
  resolvers: {
    Query: {
      project: lookupProject,
      model: lookupProject,
      entity: (_: unknown, args: { name?: unknown }, ctx) => ({ entity: entityOf(ctx, args.name) }),
    },
    Entity: {
      id: (s: { entity: string }) => storageId('Entity', s.entity),
      name: (s: { entity: string }) => s.entity,
    },
    Project: {
      id: (p: ProjectSource) => storageId('Project', p.experiment.experimentId),
      internalId: (p: ProjectSource) => p.experiment.experimentId,
      name: (p: ProjectSource) => p.name,
      entityName: (p: ProjectSource) => p.entity,
      entity: (p: ProjectSource) => ({ entity: p.entity }),
      createdAt: (p: ProjectSource) => new Date(p.experiment.creationTime).toISOString(),
      readOnly: () => false,
    },
    Run: {
      id: (r: RunSource) => storageId('Run', r.run.info.runId),
      name: (r: RunSource) => r.run.info.runId,
      displayName: (r: RunSource) => r.run.info.runName || null,
      projectId: (r: RunSource) => storageId('Project', r.project.experiment.experimentId),
      project: (r: RunSource) => r.project,
    },
  },
};

export { BASE_SDL };
