/** Row mappers and the select that every artifact read shares (reads and the write transaction). */
import type { ArtifactCollection, ArtifactFileEntry, ArtifactState, ArtifactVersion } from '../core/artifact-versions';

/** A version with its collection's name, type and project. */
export const VERSION_SELECT = `SELECT a.*, c."name" AS "collection_name", c."type_name", c."experiment_id"
  FROM "wandb_artifacts" a JOIN "wandb_artifact_collections" c ON c."collection_id" = a."collection_id"`;

const nullableNumber = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export function versionFromRow(r: any): ArtifactVersion {
  return {
    artifactId: String(r.artifact_id),
    collectionId: String(r.collection_id),
    experimentId: String(r.experiment_id),
    collectionName: r.collection_name,
    typeName: r.type_name,
    state: r.state as ArtifactState,
    versionIndex: nullableNumber(r.version_index),
    digest: r.digest,
    description: r.description ?? null,
    metadata: r.metadata ?? null,
    clientId: r.client_id ?? null,
    sequenceClientId: r.sequence_client_id ?? null,
    historyStep: nullableNumber(r.history_step),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    loggedBy: r.logged_by ?? null,
    fileCount: Number(r.file_count),
    size: Number(r.size),
    pendingAliases: JSON.parse(r.pending_aliases) as string[],
  };
}

export function collectionFromRow(r: any): ArtifactCollection {
  return {
    collectionId: String(r.collection_id),
    experimentId: String(r.experiment_id),
    name: r.name,
    typeName: r.type_name,
    createdAt: Number(r.created_at),
  };
}

export function fileFromRow(r: any): ArtifactFileEntry {
  return { path: r.path, digest: r.digest, size: Number(r.size), ref: r.ref ?? null };
}
