/**
 * Bounds on one GraphQL document, checked after parsing and before anything runs. The clients'
 * own documents are a few kilobytes, at most 12 fields deep, with a handful of aliases; these
 * leave ample room for newer clients while a hostile document (deep nesting, an alias
 * multiplying one costly field, fragments spreading each other in a cycle) is refused whole.
 */
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { invalid } from '../../../core/errors';

export const GRAPHQL_LIMITS = {
  /** Characters of query text. */
  queryChars: 100_000,
  /** Lexer tokens (the parser stops at this many). */
  tokens: 20_000,
  /** Field nesting, fragments expanded. */
  depth: 20,
  /** Fields selected in all, fragments expanded where they are spread. */
  fields: 2_000,
  aliases: 100,
  /** Definitions (operations and fragments) in one document. */
  definitions: 50,
} as const;

/** Refuses a document past GRAPHQL_LIMITS; walks with fragments expanded, so a cycle is refused rather than followed. */
export function checkDocument(doc: DocumentNode, op: OperationDefinitionNode): void {
  if (doc.definitions.length > GRAPHQL_LIMITS.definitions) {
    throw invalid(`A GraphQL document may hold at most ${GRAPHQL_LIMITS.definitions} definitions.`);
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let fields = 0;
  let aliases = 0;
  const walk = (set: SelectionSetNode, depth: number, spreading: readonly string[]): void => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (++fields > GRAPHQL_LIMITS.fields) throw invalid(`A GraphQL query may select at most ${GRAPHQL_LIMITS.fields} fields.`);
        if (sel.alias && ++aliases > GRAPHQL_LIMITS.aliases) throw invalid(`A GraphQL query may use at most ${GRAPHQL_LIMITS.aliases} aliases.`);
        if (sel.selectionSet) {
          if (depth + 1 > GRAPHQL_LIMITS.depth) throw invalid(`A GraphQL query may nest fields at most ${GRAPHQL_LIMITS.depth} deep.`);
          walk(sel.selectionSet, depth + 1, spreading);
        }
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet, depth, spreading);
      } else {
        const name = sel.name.value;
        if (spreading.includes(name)) throw invalid(`GraphQL fragment '${name.slice(0, 80)}' spreads itself.`);
        const frag = fragments.get(name);
        if (!frag) throw invalid(`Unknown GraphQL fragment '${name.slice(0, 80)}'.`);
        walk(frag.selectionSet, depth, [...spreading, name]);
      }
    }
  };
  walk(op.selectionSet, 1, []);
}
