/**
 * The filter language's syntax tree: one AST for every front-end and every search target.
 * MLflow's grammar is a conjunction of comparisons (AND only), so a filter is a list.
 */

/** What a comparison's left side names. Prefix aliases (metric., param., tag., attr., run., dataset.) are resolved by the parser. */
export type Entity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

export type Comparator =
  | '=' | '!=' | '<' | '<=' | '>' | '>='
  | 'LIKE' | 'ILIKE'
  | 'IN' | 'NOT IN'
  | 'IS NULL' | 'IS NOT NULL';

export type Literal = string | number;

export interface Comparison {
  entity: Entity;
  /** Unquoted key. Attribute keys are canonical (`start_time`, `run_name`, `run_id`, ...). */
  key: string;
  op: Comparator;
  /** Absent for IS NULL / IS NOT NULL; an array for IN / NOT IN; a number for numeric comparisons. */
  value?: Literal | Literal[];
}

export type Filter = Comparison[];

export interface OrderTerm {
  entity: Exclude<Entity, 'dataset'>;
  key: string;
  ascending: boolean;
}
