/**
 * The GraphQL endpoint's executor. W&B clients send one operation per request and are dispatched
 * on its operationName: only operations an area names are run, anything else is answered with a
 * GraphQL error and logged. Documents are executed against the schema without validation, so a
 * newer client's selection of a field we do not know is answered without that field rather than
 * refused (its client reads a missing field as null), and every variable's declared type other
 * than a scalar we define is read as JSON: input objects and enums are checked by the resolvers
 * that take them, in the core's terms, so a new input field cannot fail a whole run.
 */
import {
  buildSchema, execute, GraphQLError, isScalarType, Kind, parse, visit,
  type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode,
} from 'graphql';
import { invalid, TrackbridgeError } from '../../../core/errors';
import type { WandbContext } from '../context';
import type { GraphqlArea } from './area';
import { BASE_SDL } from './base-schema';
import { checkDocument, GRAPHQL_LIMITS } from './caps';

/** What the endpoint answers: always a GraphQL body; the HTTP status is 200 unless the store asked for a retry. */
export interface GraphqlAnswer {
  status: number;
  body: { data: unknown; errors?: Array<{ message: string; path?: ReadonlyArray<string | number> }> };
}

export interface GraphqlRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

const graphqlError = (message: string): GraphqlAnswer => ({ status: 200, body: { data: null, errors: [{ message }] } });

export class GraphqlEngine {
  private readonly schema: GraphQLSchema;
  private readonly operations = new Map<string, string>();

  constructor(areas: readonly GraphqlArea[]) {
    this.schema = buildSchema([BASE_SDL, ...areas.map((a) => a.sdl)].join('\n'));
    for (const area of areas) {
      for (const op of area.operations) {
        const other = this.operations.get(op);
        if (other) throw new TrackbridgeError('INTERNAL', `GraphQL operation ${op} is claimed by both ${other} and ${area.name}`);
        this.operations.set(op, area.name);
      }
      for (const [typeName, fields] of Object.entries(area.resolvers)) {
        const type = this.schema.getType(typeName);
        if (!type || !('getFields' in type)) throw new TrackbridgeError('INTERNAL', `${area.name} resolves fields of unknown type ${typeName}`);
        const defs = type.getFields() as Record<string, { resolve?: unknown }>;
        for (const [field, resolve] of Object.entries(fields)) {
          const def = defs[field];
          if (!def) throw new TrackbridgeError('INTERNAL', `${area.name} resolves unknown field ${typeName}.${field}`);
          if (def.resolve) throw new TrackbridgeError('INTERNAL', `${typeName}.${field} is resolved twice`);
          def.resolve = resolve;
        }
      }
    }
  }

  /** The operations served, for tests and the README. */
  get operationNames(): string[] {
    return [...this.operations.keys()].sort();
  }

  async run(req: GraphqlRequest, ctx: WandbContext): Promise<GraphqlAnswer> {
    let doc: DocumentNode;
    let op: OperationDefinitionNode;
    let name: string;
    try {
      ({ doc, op, name } = this.prepare(req));
    } catch (e) {
      const message = e instanceof TrackbridgeError ? e.message : e instanceof GraphQLError ? `invalid GraphQL document: ${e.message}` : 'invalid GraphQL request';
      ctx.log(`graphql: refused a request: ${message}`);
      return graphqlError(message);
    }
    if (!this.operations.has(name)) {
      ctx.log(`graphql: unsupported operation ${name.slice(0, 100)}`);
      return graphqlError(`unsupported operation: ${name.slice(0, 100)}`);
    }
    const variables = req.variables ?? {};
    if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) return graphqlError('variables must be a JSON object');
    const result = await execute({
      schema: this.schema, document: doc, operationName: name, contextValue: ctx,
      variableValues: variables as Record<string, unknown>,
    });
    return this.answer(result, ctx, name);
  }

  private prepare(req: GraphqlRequest): { doc: DocumentNode; op: OperationDefinitionNode; name: string } {
    if (typeof req.query !== 'string' || req.query === '') throw invalid('a GraphQL request needs a query');
    if (req.query.length > GRAPHQL_LIMITS.queryChars) throw invalid(`a GraphQL query may be at most ${GRAPHQL_LIMITS.queryChars} characters`);
    if (req.operationName !== undefined && req.operationName !== null && typeof req.operationName !== 'string') {
      throw invalid('operationName must be a string');
    }
    const parsed = parse(req.query, { noLocation: true, maxTokens: GRAPHQL_LIMITS.tokens });
    const ops = parsed.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const wanted = typeof req.operationName === 'string' && req.operationName !== '' ? req.operationName : undefined;
    const op = wanted === undefined ? (ops.length === 1 ? ops[0] : undefined) : ops.find((o) => o.name?.value === wanted);
    if (!op) throw invalid(wanted === undefined ? 'a document of several operations needs an operationName' : `the document has no operation ${wanted.slice(0, 100)}`);
    if (op.operation === 'subscription') throw invalid('subscriptions are not served');
    const name = op.name?.value;
    if (!name) throw invalid('anonymous operations are not served');
    checkDocument(parsed, op);
    return { doc: this.permissiveVariables(parsed), op, name };
  }

  /** Every variable typed as anything but a scalar of ours (input objects, enums, unknown names) becomes JSON. */
  private permissiveVariables(doc: DocumentNode): DocumentNode {
    return visit(doc, {
      VariableDefinition: {
        enter: (node) => visit(node, {
          NamedType: (t) => {
            const known = this.schema.getType(t.name.value);
            return known && isScalarType(known) ? undefined : { ...t, name: { ...t.name, value: 'JSON' } };
          },
        }),
      },
    });
  }

  private answer(result: ExecutionResult, ctx: WandbContext, name: string): GraphqlAnswer {
    if (!result.errors?.length) return { status: 200, body: { data: result.data ?? null } };
    let status = 200;
    const errors = result.errors.map((e) => {
      const cause = e.originalError;
      if (cause instanceof TrackbridgeError) {
        if (cause.code === 'UNAVAILABLE') status = 503;
        if (cause.code === 'UNAUTHENTICATED') status = Math.max(status, 401);
        return { message: cause.message, path: e.path };
      }
      // A variable or argument of the wrong type: graphql's own coercion message, about the request.
      if (cause instanceof GraphQLError) return { message: cause.message, path: e.path };
      if (cause) {
        // Not ours: the message may say more about the server than a client should learn.
        ctx.log(`graphql: ${name} failed: ${cause.stack ?? cause.message}`);
        return { message: 'internal server error', path: e.path };
      }
      return { message: e.message, path: e.path };
    });
    return { status, body: { data: result.data ?? null, errors } };
  }
}

