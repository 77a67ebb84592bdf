/**
 * The filter language's syntax tree: one AST for every front-end and every search target.
 * MLflow's grammar is a conjunction of comparisons (AND only), so its filters are one And;
 * other front-ends (W&B's `$and`/`$or`/`$not`) build any tree.
 *
 * What a filter means, on every database and in every search target:
 *   - a comparison holds for an entity or it does not, never "unknown": a comparison on a key
 *     the entity lacks (a run without that metric, param or tag) does not hold, except that
 *     `IS NULL` holds exactly there and `IS NOT NULL` exactly elsewhere; a comparison on an
 *     attribute whose column is empty (a run's end_time before it ends) does not hold;
 *   - And holds when all its terms hold (an empty And matches everything), Or when one does
 *     (an empty Or matches nothing), and Not exactly where its term does not: `NOT metric.x > 1`
 *     matches the runs without metric x, whatever SQL's three-valued NULL would say.
 * The compilers in store/search keep to this (see store/search/tree.ts).
 */

/**
 * What a comparison's left side names. Prefix aliases (metric., param., tag., attr., run., dataset.) are resolved by the parser.
 * `config` and `summary` name a scalar leaf of a run's W&B config or summary document (keys flattened with '.');
 * only the W&B front-end builds them, and only run searches compile them.
 */
export type Entity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset' | 'config' | 'summary';

export type Comparator =
  | '=' | '!=' | '<' | '<=' | '>' | '>='
  | 'LIKE' | 'ILIKE'
  | 'IN' | 'NOT IN'
  | 'IS NULL' | 'IS NOT NULL';

export type Literal = string | number;

export interface Comparison {
  kind: 'compare';
  entity: Entity;
  /** Unquoted key. Attribute keys are canonical (`start_time`, `run_name`, `run_id`, ...). */
  key: string;
  op: Comparator;
  /** Absent for IS NULL / IS NOT NULL; an array for IN / NOT IN; a number for numeric comparisons. */
  value?: Literal | Literal[];
}

export interface And {
  kind: 'and';
  terms: Filter[];
}

export interface Or {
  kind: 'or';
  terms: Filter[];
}

export interface Not {
  kind: 'not';
  term: Filter;
}

export type Filter = And | Or | Not | Comparison;

export interface OrderTerm {
  entity: Exclude<Entity, 'dataset'>;
  key: string;
  ascending: boolean;
}
