/**
 * The artifact types as W&B clients select them. `File` and `PageInfo` are the general W&B types
 * (run files use them too); their fields are read from plain objects, so no area resolves them.
 */
export const ARTIFACTS_SDL = /* GraphQL */ `
extend type Query {
  artifact(id: ID): Artifact
  clientIDMapping(clientID: ID): ClientIDMapping
}

extend type Mutation {
  createArtifact(input: JSON): CreateArtifactPayload
  createArtifactManifest(input: JSON): ArtifactManifestPayload
  updateArtifactManifest(input: JSON): ArtifactManifestPayload
  createArtifactFiles(input: JSON): CreateArtifactFilesPayload
  commitArtifact(input: JSON): ArtifactPayload
  useArtifact(input: JSON): ArtifactPayload
  updateArtifact(input: JSON): ArtifactPayload
  addAliases(input: JSON): SuccessPayload
  deleteAliases(input: JSON): SuccessPayload
}

type SuccessPayload {
  success: Boolean
}

extend type Project {
  artifact(name: String): Artifact
  artifactType(name: String): ArtifactType
  artifactCollection(name: String): ArtifactCollection
  artifactSequence(name: String): ArtifactSequence
  artifactCollectionMembership(name: String): ArtifactCollectionMembership
  artifactTypes(after: String, first: Int): ArtifactTypeConnection
}

type ArtifactTypeConnection {
  edges: [ArtifactTypeEdge]
  pageInfo: PageInfo
}

type ArtifactTypeEdge {
  node: ArtifactType
  cursor: String
}

type TagConnection {
  edges: [TagEdge]
}

type TagEdge {
  node: Tag
}

type VersionedArtifactConnection {
  totalCount: Int
  pageInfo: PageInfo
  edges: [VersionedArtifactEdge]
}

type VersionedArtifactEdge {
  version: String
  node: Artifact
  cursor: String
}

extend type Run {
  outputArtifacts(after: String, first: Int): ArtifactConnection
  inputArtifacts(after: String, first: Int): ArtifactConnection
}

extend type Entity {
  xxhashDigestsEnabled: Boolean
}

type PageInfo {
  startCursor: String
  endCursor: String
  hasNextPage: Boolean
  hasPreviousPage: Boolean
}

type File {
  id: ID
  name: String
  displayName: String
  digest: String
  md5: String
  sizeBytes: Int64
  mimetype: String
  updatedAt: DateTime
  directUrl: String
  url(upload: Boolean): String
  storagePath: String
  uploadUrl: String
  uploadHeaders: [String]
  uploadMultipartUrls: UploadMultipartUrls
  artifact: Artifact
}

type UploadMultipartUrls {
  uploadID: String
  uploadUrlParts: [UploadUrlPart]
}

type UploadUrlPart {
  partNumber: Int
  uploadUrl: String
}

type FileEdge {
  node: File
  cursor: String
}

type FileConnection {
  totalCount: Int
  pageInfo: PageInfo
  edges: [FileEdge]
}

type Tag {
  id: ID
  name: String
}

type ArtifactType {
  id: ID
  name: String
  description: String
  createdAt: DateTime
  project: Project
  artifactCollection(name: String): ArtifactCollection
  artifactSequence(name: String): ArtifactSequence
  artifact(name: String): Artifact
}

interface ArtifactCollection {
  id: ID
  name: String
  description: String
  createdAt: DateTime
  project: Project
  defaultArtifactType: ArtifactType
  latestArtifact: Artifact
  artifactMembership(aliasName: String): ArtifactCollectionMembership
}

type ArtifactSequence implements ArtifactCollection {
  id: ID
  name: String
  description: String
  createdAt: DateTime
  project: Project
  defaultArtifactType: ArtifactType
  latestArtifact: Artifact
  artifactMembership(aliasName: String): ArtifactCollectionMembership
  digestAlgorithm: String
  updatedAt: DateTime
  tags: TagConnection
  artifacts(after: String, first: Int, order: String, filters: JSONString): VersionedArtifactConnection
}

type ArtifactAlias {
  id: ID
  alias: String
  artifactCollection: ArtifactCollection
}

type ArtifactCollectionMembership {
  id: ID
  versionIndex: Int
  createdAt: DateTime
  aliases: [ArtifactAlias]
  artifactCollection: ArtifactCollection
  artifact: Artifact
  files(after: String, first: Int, names: [String]): FileConnection
}

type ArtifactManifest {
  id: ID
  file: File
}

type Artifact {
  id: ID
  state: String
  digest: String
  digestAlgorithm: String
  commitHash: String
  description: String
  metadata: JSONString
  versionIndex: Int
  size: Int64
  fileCount: Int64
  historyStep: Int64
  ttlDurationSeconds: Int64
  ttlIsInherited: Boolean
  createdAt: DateTime
  updatedAt: DateTime
  artifactType: ArtifactType
  artifactSequence: ArtifactSequence
  aliases: [ArtifactAlias]
  tags: [Tag]
  currentManifest: ArtifactManifest
  files(names: [String], after: String, first: Int): FileConnection
  filesByManifestEntries(storageLayout: String, manifestVersion: String, entries: JSON, storageRegion: String): FileConnection
  usedBy(after: String, first: Int): ArtifactRunConnection
  # W&B's is a union of Run and User; only runs log artifacts here.
  createdBy: Run
}

type ArtifactRunConnection {
  edges: [ArtifactRunEdge]
}

type ArtifactRunEdge {
  node: Run
}

type ArtifactEdge {
  node: Artifact
  cursor: String
}

type ArtifactConnection {
  totalCount: Int
  pageInfo: PageInfo
  edges: [ArtifactEdge]
}

type ClientIDMapping {
  serverID: ID
}

type CreateArtifactPayload {
  artifact: Artifact
}

type ArtifactPayload {
  artifact: Artifact
}

type ArtifactManifestPayload {
  artifactManifest: ArtifactManifest
  inserted: Boolean
}

type CreateArtifactFilesPayload {
  files: FileConnection
}
`;
