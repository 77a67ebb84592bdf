/** The parts of the GraphQL surface the server serves, and the signed-URL purposes; one line each to add one. */
import type { GraphqlArea } from './graphql/area';
import { baseArea } from './graphql/base';
import { artifactsArea } from './graphql/artifacts';
import { ARTIFACT_TARGETS } from './artifact-storage';
import type { SignedTarget } from './signed-urls';

export const GRAPHQL_AREAS: readonly GraphqlArea[] = [baseArea, artifactsArea];

export const SIGNED_TARGETS: readonly SignedTarget[] = [...ARTIFACT_TARGETS];
