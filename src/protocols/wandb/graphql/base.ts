/** Resolvers of the shared types' own fields (base-schema.ts): lookups by entity and project name, and ids. */
import type { GraphqlArea } from './area';
import { BASE_SDL } from './base-schema';
import { entityOf, findProject, projectNameOf, type ProjectSource, type RunSource } from './sources';
import { storageId } from '../mapping';

/** A decimal number for an id: itself when it is one, else a stable 31-bit hash of it. */
function numericIdOf(id: string): string {
  if (/^\d{1,15}$/.test(id)) return id;
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (Math.imul(h, 31) + id.charCodeAt(i)) >>> 0;
  return String(h & 0x7fffffff);
}

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
      // The public API reads it with int(): the experiment's own id when it is a number, else a number derived from it.
      projectId: (r: RunSource) => numericIdOf(r.project.experiment.experimentId),
      project: (r: RunSource) => r.project,
    },
  },
};

export { BASE_SDL };
