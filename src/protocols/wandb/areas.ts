/** The parts of the GraphQL surface the server serves, and the signed-URL purposes; one line each to add one. */
import type { GraphqlArea } from './graphql/area';
import { baseArea } from './graphql/base';
import type { SignedTarget } from './signed-urls';
import { runFileGet, runFilePut } from './run-files';

export const GRAPHQL_AREAS: readonly GraphqlArea[] = [baseArea];

export const SIGNED_TARGETS: readonly SignedTarget[] = [
  runFilePut,
  runFileGet,
];
