/** The parts of the GraphQL surface the server serves, and the signed-URL purposes; one line each to add one. */
import type { GraphqlArea } from './graphql/area';
import { baseArea } from './graphql/base';
import { artifactsArea } from './graphql/artifacts';
import { ARTIFACT_TARGETS } from './artifact-storage';
import { consoleReadsArea } from './graphql/console-reads';
import { filesReadsArea } from './graphql/files-reads';
import { historyReadsArea } from './graphql/history-reads';
import { runReadsArea } from './graphql/run-reads';
import type { SignedTarget } from './signed-urls';
import { viewerArea } from './graphql/viewer';
import { upsertBucketArea } from './graphql/upsert-bucket';
import { runResumeArea } from './graphql/run-resume';
import { runFilesArea } from './graphql/run-files';
import { runFieldsArea } from './graphql/run-fields';
import { runFileGet, runFilePut } from './run-files';

export const GRAPHQL_AREAS: readonly GraphqlArea[] = [
  baseArea,
  viewerArea, upsertBucketArea, runResumeArea, runFilesArea, runFieldsArea,
  artifactsArea,
  runReadsArea, historyReadsArea, filesReadsArea, consoleReadsArea,
];

export const SIGNED_TARGETS: readonly SignedTarget[] = [
  runFilePut,
  runFileGet,
  ...ARTIFACT_TARGETS,
];
