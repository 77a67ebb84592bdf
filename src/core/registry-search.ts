/**
 * Registry searches as MLflow answers them: prompts are registered models too, and a search
 * shows them only when its filter asks for prompts (`tags.\`mlflow.prompt.is_prompt\` = 'true'`,
 * or `!= 'false'`). Any other comparison on that tag is dropped and prompts are left out
 * instead: MLflow's client appends `… != 'true'` to every model search, and a model that has no
 * such tag at all must still match it.
 */
import type { Comparison, Filter, OrderTerm } from './query/ast';
import { and, comparison, conjuncts, not } from './query/filter';
import { IS_PROMPT_TAG } from './registry-checks';

const isPromptClause = (c: Comparison) => c.entity === 'tag' && c.key === IS_PROMPT_TAG;

function asksForPrompts(c: Comparison): boolean {
  const value = typeof c.value === 'string' ? c.value.toLowerCase() : undefined;
  return (c.op === '=' && value === 'true') || (c.op === '!=' && value === 'false');
}

/** The filter a store runs for an MLflow registry filter (a conjunction, as MLflow's grammar makes it). */
export function promptScoped(filter: Filter): Filter {
  const terms = conjuncts(filter) ?? [];
  const clause = terms.find(isPromptClause);
  // MLflow decides by the first clause on the tag.
  if (clause && asksForPrompts(clause)) return filter;
  return and(...terms.filter((c) => !isPromptClause(c)), not(comparison('tag', IS_PROMPT_TAG, '=', 'true')));
}

/** The order a store sorts by: the client's terms, then the tie-breakers MLflow appends. */
export function withTieBreakers(terms: OrderTerm[], tieBreakers: OrderTerm[]): OrderTerm[] {
  const named = new Set(terms.map((t) => t.key));
  return [...terms, ...tieBreakers.filter((t) => !named.has(t.key))];
}

export const BY_NAME: OrderTerm = { entity: 'attribute', key: 'name', ascending: true };
export const BY_VERSION_DESC: OrderTerm = { entity: 'attribute', key: 'version_number', ascending: false };
/** A version search without order_by: the last updated first. */
export const VERSIONS_DEFAULT_ORDER: OrderTerm[] = [
  { entity: 'attribute', key: 'last_updated_timestamp', ascending: false }, BY_NAME, BY_VERSION_DESC,
];
