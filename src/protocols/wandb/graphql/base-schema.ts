/**
 * The types every area shares, and the lookups that lead to them. Areas add fields with
 * `extend type Query { … }`, `extend type Project { … }`, `extend type Run { … }` in their own SDL
 * and resolve those fields themselves; the fields here are resolved in base.ts.
 *
 * Field arguments are typed loosely (JSON, or no `!`) on purpose: the engine does not validate,
 * but it does coerce arguments against these definitions, and a client passing something a
 * little different must not fail its request for that.
 */
export const BASE_SDL = /* GraphQL */ `
scalar JSON
scalar JSONString
scalar DateTime
scalar Int64

type Query {
  project(name: String, entityName: String): Project
  # Run resume reads a run through its project under this older name.
  model(name: String, entityName: String): Project
  entity(name: String): Entity
}

type Mutation {
  # Run creation and update; resolved by the runs area.
  upsertBucket(input: JSON): UpsertBucketPayload
}

type Entity {
  id: ID
  name: String
}

type Project {
  id: ID
  internalId: ID
  name: String
  entityName: String
  entity: Entity
  createdAt: DateTime
  readOnly: Boolean
}

type Run {
  id: ID
  # The run id the client chose (8 characters for W&B runs; MLflow's 32 for MLflow runs).
  name: String
  displayName: String
  projectId: ID
  project: Project
}

type UpsertBucketPayload {
  bucket: Run
  inserted: Boolean
}
`;
