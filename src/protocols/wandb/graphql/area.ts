/**
 * One part of the GraphQL surface: the schema it adds (SDL, which may `extend type` the shared
 * types of base-schema.ts), the resolvers of the fields it adds, and the operation names it
 * answers. The engine serves an operation only when an area names it; everything else is
 * refused with a GraphQL error and logged.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { WandbContext } from '../context';

export type FieldResolver<S = any, A = any> = (source: S, args: A, ctx: WandbContext, info: GraphQLResolveInfo) => unknown;

/** Resolvers by type name, then field name (`Query.viewer`, `Run.historyLineCount`). */
export type Resolvers = Record<string, Record<string, FieldResolver>>;

export interface GraphqlArea {
  /** For messages: which part of the surface this is. */
  name: string;
  sdl: string;
  resolvers: Resolvers;
  /** operationName values this area answers (as the clients send them: `UpsertBucket`, `Runs`). */
  operations: readonly string[];
}
