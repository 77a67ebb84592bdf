/** The parts of the GraphQL surface the server serves, and the signed-URL purposes; one line each to add one. */
import type { GraphqlArea } from './graphql/area';
import { baseArea } from './graphql/base';
import { consoleReadsArea } from './graphql/console-reads';
import { filesReadsArea } from './graphql/files-reads';
import { historyReadsArea } from './graphql/history-reads';
import { runReadsArea } from './graphql/run-reads';
import type { SignedTarget } from './signed-urls';

export const GRAPHQL_AREAS: readonly GraphqlArea[] = [baseArea, runReadsArea, historyReadsArea, filesReadsArea, consoleReadsArea];

export const SIGNED_TARGETS: readonly SignedTarget[] = [];
