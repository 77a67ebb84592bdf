import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { TrackbridgeError } from '../src/core/errors';
import { tokenize, type Token } from '../src/core/query/lexer';
import { FILTER_LIMITS, parseFilter, parseOrderBy } from '../src/core/query/parser';
import {
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
  parseRunFilter,
  parseRunOrderBy,
} from '../src/core/query/targets';
import { decodePageToken, encodePageToken } from '../src/core/query/page-token';
import type { Comparison, Filter } from '../src/core/query/ast';

/** Asserts `fn` throws a TrackbridgeError with code INVALID_ARGUMENT (and a matching message). */
function rejects(fn: () => unknown, message?: RegExp | string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TrackbridgeError, `expected TrackbridgeError, got ${String(err)}`);
    assert.equal(err.code, 'INVALID_ARGUMENT');
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  });
}

/** Either parses or raises INVALID_ARGUMENT; anything else fails the test. */
function parsesOrRejects(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TrackbridgeError, `unexpected ${String(err)}`);
    assert.equal(err.code, 'INVALID_ARGUMENT');
  }
}

const kinds = (tokens: Token[]) => tokens.map((t) => t.kind);
/** The comparisons of a parsed filter, which must be one And of comparisons (all MLflow's grammar can say). */
function terms(filter: Filter): Array<Omit<Comparison, 'kind'>> {
  assert.equal(filter.kind, 'and');
  return (filter.kind === 'and' ? filter.terms : []).map((t) => {
    assert.equal(t.kind, 'compare');
    const { kind: _, ...rest } = t as Comparison;
    return rest;
  });
}
const one = (filter: string) => {
  const parsed = terms(parseRunFilter(filter));
  assert.equal(parsed.length, 1);
  return parsed[0];
};

describe('tokenize', () => {
  it('reads dotted identifiers as one token', () => {
    const [t] = tokenize('metrics.acc');
    assert.equal(t.kind, 'ident');
    assert.deepEqual(t.kind === 'ident' && t.parts, [
      { text: 'metrics', quote: '' },
      { text: 'acc', quote: '' },
    ]);
    const [u] = tokenize('attributes.start_time');
    assert.equal(u.kind === 'ident' && u.parts.length, 2);
    const [v] = tokenize('tags.mlflow.runName');
    assert.deepEqual(v.kind === 'ident' && v.parts.map((p) => p.text), ['tags', 'mlflow', 'runName']);
  });

  it('reads backquoted and double-quoted key parts', () => {
    const [a] = tokenize('metrics.`my metric`');
    assert.deepEqual(a.kind === 'ident' && a.parts[1], { text: 'my metric', quote: '`' });
    const [b] = tokenize('params."p-1"');
    assert.deepEqual(b.kind === 'ident' && b.parts[1], { text: 'p-1', quote: '"' });
    const [c] = tokenize('tags.`mlflow.runName`');
    assert.deepEqual(c.kind === 'ident' && c.parts[1], { text: 'mlflow.runName', quote: '`' });
    const [d] = tokenize('`a``b`');
    assert.deepEqual(d.kind === 'ident' && d.parts[0], { text: 'a`b', quote: '`' });
  });

  it('reads string literals with doubled-quote and backslash escapes', () => {
    const value = (src: string) => {
      const [t] = tokenize(src);
      assert.equal(t.kind, 'string');
      return t.kind === 'string' ? t.value : undefined;
    };
    assert.equal(value("'plain'"), 'plain');
    assert.equal(value("''"), '');
    assert.equal(value("'it''s'"), "it's");
    assert.equal(value("'it\\'s'"), "it's");
    assert.equal(value("'a\\\\b'"), 'a\\b');
    assert.equal(value("'a\\_b'"), 'a\\_b', 'other backslashes are kept for LIKE patterns');
    assert.equal(value("'multi\nline\ttab'"), 'multi\nline\ttab');
    const [dq] = tokenize('"say ""hi"""');
    assert.deepEqual(dq.kind === 'ident' && dq.parts[0], { text: 'say "hi"', quote: '"' });
  });

  it('reads numbers', () => {
    const num = (src: string) => {
      const tokens = tokenize(src);
      assert.equal(tokens.length, 1, src);
      const [t] = tokens;
      assert.equal(t.kind, 'number', src);
      return t.kind === 'number' ? t.value : NaN;
    };
    assert.equal(num('1'), 1);
    assert.equal(num('-1.5'), -1.5);
    assert.equal(num('1e3'), 1000);
    assert.equal(num('1E-2'), 0.01);
    assert.equal(num('2.5e+2'), 250);
    assert.equal(num('.5'), 0.5);
    assert.equal(num('-.5'), -0.5);
    assert.equal(num('10.'), 10);
    assert.equal(num('0'), 0);
  });

  it('rejects malformed numbers', () => {
    rejects(() => tokenize('1abc'), /Invalid number '1abc'/);
    rejects(() => tokenize('1.2.3'), /Invalid number/);
    rejects(() => tokenize('1e'), /Invalid number/);
  });

  it('reads every comparator and folds <> into !=', () => {
    const ops = tokenize('= != <> < <= > >=').map((t) => (t.kind === 'op' ? t.op : t.kind));
    assert.deepEqual(ops, ['=', '!=', '!=', '<', '<=', '>', '>=']);
    assert.deepEqual(
      tokenize('a>=1').map((t) => t.text),
      ['a', '>=', '1'],
    );
    assert.deepEqual(kinds(tokenize('a=-1')), ['ident', 'op', 'number']);
  });

  it('recognises keywords in any case, only as whole bare words', () => {
    const words = tokenize('AND and Like ILIKE in NOT is NULL Or');
    assert.deepEqual(
      words.map((t) => (t.kind === 'keyword' ? t.keyword : t.kind)),
      ['AND', 'AND', 'LIKE', 'ILIKE', 'IN', 'NOT', 'IS', 'NULL', 'OR'],
    );
    assert.deepEqual(kinds(tokenize('tags.and `or` "in" android')), ['ident', 'ident', 'ident', 'ident']);
  });

  it('reads parentheses and commas', () => {
    assert.deepEqual(kinds(tokenize("('a', 'b')")), ['lparen', 'string', 'comma', 'string', 'rparen']);
  });

  it('records positions and source text', () => {
    const tokens = tokenize("  metrics.a  >=  'x y'");
    assert.deepEqual(
      tokens.map((t) => [t.start, t.end, t.text]),
      [
        [2, 11, 'metrics.a'],
        [13, 15, '>='],
        [17, 22, "'x y'"],
      ],
    );
  });

  it('accepts unicode in names and literals', () => {
    assert.deepEqual(kinds(tokenize("params.größe = 'ünïcödé ✓ 🚀'")), ['ident', 'op', 'string']);
  });

  it('rejects unterminated quotes', () => {
    rejects(() => tokenize("params.a = 'abc"), /unterminated quote/);
    rejects(() => tokenize('params."abc = 1'), /unterminated quote/);
    rejects(() => tokenize('metrics.`abc = 1'), /unterminated quote/);
    rejects(() => tokenize("'ends with escaped quote\\'"), /unterminated quote/);
  });

  it('rejects characters outside the language', () => {
    rejects(() => tokenize("a = 'x'; DROP TABLE runs"), /Invalid character ';'/);
    rejects(() => tokenize('a = 1 -- comment'), /Invalid character '-'/);
    rejects(() => tokenize('a * 2'), /Invalid character '\*'/);
    rejects(() => tokenize('a = \u0000'), /Invalid character '\\u0000'/);
    rejects(() => tokenize('metrics. = 1'), /Invalid identifier 'metrics\.'/);
    rejects(() => tokenize('metrics.'), /Invalid identifier/);
  });

  it('returns no tokens for blank input', () => {
    assert.deepEqual(tokenize(''), []);
    assert.deepEqual(tokenize(' \t\n '), []);
  });
});

describe('parseFilter (generic)', () => {
  it('returns [] for empty, blank or missing filters', () => {
    assert.deepEqual(parseFilter(undefined), []);
    assert.deepEqual(parseFilter(''), []);
    assert.deepEqual(parseFilter('   \n\t'), []);
  });

  it('resolves every prefix alias', () => {
    const entity = (prefix: string) => parseFilter(`${prefix}.k = 'v'`)[0].entity;
    for (const p of ['metric', 'metrics']) assert.equal(entity(p), 'metric');
    for (const p of ['param', 'params', 'parameter', 'parameters']) assert.equal(entity(p), 'param');
    for (const p of ['tag', 'tags']) assert.equal(entity(p), 'tag');
    for (const p of ['attribute', 'attributes', 'attr', 'run']) assert.equal(entity(p), 'attribute');
    for (const p of ['dataset', 'datasets']) assert.equal(entity(p), 'dataset');
  });

  it('treats an unprefixed key as an attribute', () => {
    const [c] = parseFilter("status = 'FINISHED'");
    assert.equal(c.entity, 'attribute');
    assert.equal(c.prefix, undefined);
    assert.equal(c.key, 'status');
  });

  it('matches prefixes case-sensitively, like MLflow', () => {
    rejects(() => parseFilter("Metrics.a = 1"), "Invalid entity type 'Metrics'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']");
    rejects(() => parseFilter("foo.a = 1"), /Invalid entity type 'foo'/);
  });

  it('is not fooled by prototype property names as prefixes', () => {
    rejects(() => parseFilter("constructor.a = 'x'"), /Invalid entity type 'constructor'/);
    rejects(() => parseFilter("__proto__.a = 'x'"), /Invalid entity type '__proto__'/);
  });

  it('keeps everything after the first dot as the key', () => {
    assert.equal(parseFilter("tags.mlflow.runName = 'x'")[0].key, 'mlflow.runName');
    assert.equal(parseFilter("tags.`mlflow.runName` = 'x'")[0].key, 'mlflow.runName');
    assert.equal(parseFilter("tags.\"mlflow.runName\" = 'x'")[0].key, 'mlflow.runName');
    assert.equal(parseFilter("metrics.`my metric` = 1")[0].key, 'my metric');
    assert.equal(parseFilter("params.\"p-1\" = 'x'")[0].key, 'p-1');
    assert.equal(parseFilter("`tags`.k = 'x'")[0].entity, 'tag');
  });

  it('rejects a quoted key mixed with more dotted parts, and empty keys', () => {
    rejects(() => parseFilter("tags.`a`.b = 'x'"), /Invalid identifier/);
    rejects(() => parseFilter("tags.`` = 'x'"), /key is empty/);
  });

  it('reads values as strings, numbers or bare words', () => {
    assert.deepEqual(parseFilter("params.a = 'x'")[0].value, { kind: 'string', value: 'x', text: "'x'" });
    assert.deepEqual(parseFilter('params.a = "x"')[0].value, { kind: 'string', value: 'x', text: '"x"' });
    assert.deepEqual(parseFilter('metrics.a = -1.5')[0].value, { kind: 'number', value: -1.5, text: '-1.5' });
    assert.deepEqual(parseFilter('params.a = abc')[0].value, { kind: 'word', text: 'abc' });
    assert.deepEqual(parseFilter('params.a = `abc`')[0].value, { kind: 'word', text: '`abc`' });
  });

  it('normalises comparators', () => {
    const op = (src: string) => parseFilter(src)[0].op;
    assert.equal(op('metrics.a <> 1'), '!=');
    assert.equal(op("params.a like 'x'"), 'LIKE');
    assert.equal(op("params.a iLike 'x'"), 'ILIKE');
    assert.equal(op('params.a is null'), 'IS NULL');
    assert.equal(op('params.a Is Not Null'), 'IS NOT NULL');
    assert.equal(op("run_id in ('a')"), 'IN');
    assert.equal(op("run_id not in ('a')"), 'NOT IN');
  });

  it('parses IS NULL without a value', () => {
    const [c] = parseFilter('tags.x IS NULL');
    assert.equal(c.value, undefined);
  });

  it('parses IN lists', () => {
    const [c] = parseFilter(`run_id IN ('a', "b",'c')`);
    assert.deepEqual(
      (c.value as { value: unknown }[]).map((v) => v.value),
      ['a', 'b', 'c'],
    );
    assert.equal(c.valueText, `('a', "b",'c')`);
    const [single] = parseFilter("run_id IN ('only')");
    assert.equal((single.value as unknown[]).length, 1);
  });

  it('rejects malformed IN lists', () => {
    const illFormed = /expected a non-empty list of string values, but got ill-formed list/;
    rejects(() => parseFilter('run_id IN ()'), /but got empty list/);
    rejects(() => parseFilter("run_id IN ('a',)"), illFormed);
    rejects(() => parseFilter("run_id IN ('a' 'b')"), illFormed);
    rejects(() => parseFilter("run_id IN ('a'"), illFormed);
    rejects(() => parseFilter("run_id IN 'a'"), illFormed);
    rejects(() => parseFilter("run_id IN (('a'))"), illFormed);
    rejects(() => parseFilter('run_id IN (abc)'), illFormed);
    rejects(() => parseFilter('run_id IN'), illFormed);
  });

  it('joins comparisons with AND in any case and tolerates stray ANDs', () => {
    assert.equal(parseFilter("metrics.a > 1 AND params.b = 'x' and tags.c = 'y'").length, 3);
    assert.equal(parseFilter("metrics.a > 1 AND").length, 1);
    assert.equal(parseFilter("metrics.a > 1 and  ").length, 1);
    assert.equal(parseFilter("AND metrics.a > 1").length, 1);
    assert.equal(parseFilter("metrics.a > 1 AND AND metrics.b < 2").length, 2);
    assert.deepEqual(parseFilter('AND'), []);
  });

  it('rejects OR', () => {
    rejects(() => parseFilter("metrics.a > 1 OR params.b = 'x'"), "Invalid clause(s) in filter string: 'OR'");
    rejects(() => parseFilter("metrics.a > 1 or params.b = 'x'"), "Invalid clause(s) in filter string: 'or'");
    rejects(() => parseFilter("metrics.a > 1 AND OR params.b = 'x'"), /Invalid clause\(s\) in filter string: 'OR'/);
    rejects(() => parseFilter('OR'), /'OR'/);
  });

  it('rejects parentheses used for grouping', () => {
    rejects(() => parseFilter('(metrics.a > 1)'), /Invalid clause\(s\) in filter string: '\(metrics.a > 1\)'/);
    rejects(() => parseFilter("metrics.a > 1 AND (params.b = 'x' AND tags.c = 'y')"), /Invalid clause\(s\)/);
    rejects(() => parseFilter('((('), /Invalid clause\(s\)/);
  });

  it('rejects incomplete or run-together comparisons', () => {
    rejects(() => parseFilter('metrics.a'), /Expected comparison after 'metrics.a'/);
    rejects(() => parseFilter('metrics.a >'), /Expected value token after '>'/);
    rejects(() => parseFilter('metrics.a > AND'), /Expected value token found 'AND'/);
    rejects(() => parseFilter('metrics.a 1'), /Expected comparison found '1'/);
    rejects(() => parseFilter('metrics.a == 1'), /Expected value token found '='/);
    rejects(() => parseFilter("metrics.a > 1 params.b = 'x'"), /Invalid clause\(s\) in filter string: 'params.b = 'x''/);
    rejects(() => parseFilter("'x' = params.a"), /Invalid clause\(s\)/);
    rejects(() => parseFilter('= 1'), /Invalid clause\(s\)/);
    rejects(() => parseFilter("params.a NOT LIKE 'x'"), /Expected 'IN' after 'NOT'/);
    rejects(() => parseFilter('params.a IS 1'), /Expected 'NULL' after 'IS'/);
    rejects(() => parseFilter('params.a IS NOT'), /Expected 'NULL' after 'IS NOT'/);
    rejects(() => parseFilter("run_id = ('a')"), /Expected value token found '\('/);
    rejects(() => parseFilter('params.a = NULL'), /Expected value token found 'NULL'/);
  });
});

describe('parseOrderBy (generic)', () => {
  it('returns [] when absent', () => {
    assert.deepEqual(parseOrderBy(undefined), []);
    assert.deepEqual(parseOrderBy([]), []);
  });

  it('reads identifier and optional direction in any case', () => {
    const terms = parseOrderBy(['metrics.acc', 'params.lr DESC', 'tags.t asc', 'start_time Desc', 'metrics.`my metric` desc']);
    assert.deepEqual(
      terms.map(({ entity, key, ascending }) => ({ entity, key, ascending })),
      [
        { entity: 'metric', key: 'acc', ascending: true },
        { entity: 'param', key: 'lr', ascending: false },
        { entity: 'tag', key: 't', ascending: true },
        { entity: 'attribute', key: 'start_time', ascending: false },
        { entity: 'metric', key: 'my metric', ascending: false },
      ],
    );
    assert.equal(parseOrderBy(['  tags.mlflow.runName   ASC  '])[0].key, 'mlflow.runName');
    assert.equal(parseOrderBy(['params."p-1" DESC'])[0].key, 'p-1');
  });

  it('rejects malformed items', () => {
    rejects(() => parseOrderBy(['']), "Invalid order_by clause ''. Could not be parsed.");
    rejects(() => parseOrderBy(['   ']), /Could not be parsed/);
    rejects(() => parseOrderBy(['a b c']), "Invalid order_by clause 'a b c'. Could not be parsed.");
    rejects(() => parseOrderBy(["'name'"]), /Could not be parsed/);
    rejects(() => parseOrderBy(['name DESC;']), /Could not be parsed/);
    rejects(() => parseOrderBy(['metrics.`x']), /Could not be parsed/);
    rejects(() => parseOrderBy(['name sideways']), "Invalid ordering key in order_by clause 'name sideways'.");
    rejects(() => parseOrderBy(['name AND']), /Invalid ordering key/);
    rejects(() => parseOrderBy(['name `DESC`']), /Invalid ordering key/);
    rejects(() => parseOrderBy([42 as unknown as string]), /Could not be parsed/);
    rejects(() => parseOrderBy(['foo.bar']), /Invalid entity type 'foo'/);
  });
});

describe('parseRunFilter', () => {
  it('accepts every metric comparator with numeric values', () => {
    for (const op of ['=', '!=', '>', '>=', '<', '<=']) {
      assert.deepEqual(one(`metrics.acc ${op} 0.5`), { entity: 'metric', key: 'acc', op, value: 0.5 });
    }
    assert.deepEqual(one('metric.loss <> 1e3'), { entity: 'metric', key: 'loss', op: '!=', value: 1000 });
    assert.deepEqual(one('metrics.`my metric` >= -1.5'), { entity: 'metric', key: 'my metric', op: '>=', value: -1.5 });
    assert.deepEqual(one('metrics.a < .5'), { entity: 'metric', key: 'a', op: '<', value: 0.5 });
  });

  it('requires numeric literals for metrics', () => {
    rejects(() => parseRunFilter("metrics.acc > '0.5'"), "Expected numeric value type for metric. Found '0.5'");
    rejects(() => parseRunFilter('metrics.acc > "0.5"'), /Expected numeric value type for metric/);
    rejects(() => parseRunFilter('metrics.acc > abc'), 'Expected numeric value type for metric. Found abc');
  });

  it('rejects string comparators on metrics', () => {
    rejects(() => parseRunFilter("metrics.acc LIKE '1%'"), /^Invalid comparator 'LIKE' not one of '\{'=', '!=', '>', '>=', '<', '<='\}'$/);
    rejects(() => parseRunFilter('metrics.acc ILIKE 1'), /Invalid comparator 'ILIKE'/);
    rejects(() => parseRunFilter('metrics.acc IS NULL'), /Invalid comparator 'IS NULL'/);
    rejects(() => parseRunFilter('metrics.acc IN (1)'), /Invalid comparator 'IN'/);
  });

  it('accepts string comparators and IS [NOT] NULL on params and tags', () => {
    for (const prefix of ['params', 'param', 'parameter', 'parameters']) {
      assert.deepEqual(one(`${prefix}.lr = '0.01'`), { entity: 'param', key: 'lr', op: '=', value: '0.01' });
    }
    for (const op of ['=', '!=', 'LIKE', 'ILIKE']) {
      assert.deepEqual(one(`params.model ${op} "GPT%"`), { entity: 'param', key: 'model', op, value: 'GPT%' });
      assert.deepEqual(one(`tags.env ${op} 'prod'`), { entity: 'tag', key: 'env', op, value: 'prod' });
    }
    assert.deepEqual(one("tag.env <> 'prod'"), { entity: 'tag', key: 'env', op: '!=', value: 'prod' });
    assert.deepEqual(one('tags.env IS NULL'), { entity: 'tag', key: 'env', op: 'IS NULL' });
    assert.deepEqual(one('params.lr IS NOT NULL'), { entity: 'param', key: 'lr', op: 'IS NOT NULL' });
    assert.deepEqual(one("tags.`mlflow.runName` = 'run-1'"), { entity: 'tag', key: 'mlflow.runName', op: '=', value: 'run-1' });
    assert.deepEqual(one("tags.mlflow.user = 'me'"), { entity: 'tag', key: 'mlflow.user', op: '=', value: 'me' });
  });

  it('rejects numeric comparators and lists on params and tags', () => {
    rejects(() => parseRunFilter("params.p > 'x'"), /^Invalid comparator '>' not one of '\{'=', '!=', 'LIKE', 'ILIKE', 'IS NULL', 'IS NOT NULL'\}'$/);
    for (const op of ['<', '<=', '>=']) rejects(() => parseRunFilter(`tags.t ${op} 'x'`), new RegExp(`Invalid comparator '${op}'`));
    rejects(() => parseRunFilter("tags.t IN ('x')"), /Invalid comparator 'IN'/);
    rejects(() => parseRunFilter("params.p NOT IN ('x')"), /Invalid comparator 'NOT IN'/);
  });

  it('requires quoted strings for params and tags', () => {
    rejects(() => parseRunFilter('params.p = 1'), "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 1");
    rejects(() => parseRunFilter('tags.t = 1.5'), /Expected a quoted string value for tag/);
    rejects(() => parseRunFilter('params.p = abc'), /Parameter value is either not quoted or unidentified quote types used for string value abc/);
    rejects(() => parseRunFilter('params.p = `abc`'), /not quoted or unidentified quote types/);
  });

  it('canonicalises attribute keys and aliases', () => {
    const key = (src: string) => one(src).key;
    for (const k of ['run_id', 'run_name', 'status', 'user_id', 'artifact_uri']) assert.equal(key(`attributes.${k} = 'x'`), k);
    for (const p of ['attribute', 'attributes', 'attr', 'run']) assert.equal(key(`${p}.status = 'x'`), 'status');
    assert.equal(key("status = 'FINISHED'"), 'status');
    assert.equal(key('created > 0'), 'start_time');
    assert.equal(key('Created > 0'), 'start_time');
    assert.equal(key('attributes.created > 0'), 'start_time');
    assert.equal(key(`"run name" = 'x'`), 'run_name');
    assert.equal(key("attributes.`Run name` = 'x'"), 'run_name');
    assert.equal(key('attr."Run Name" = \'x\''), 'run_name');
  });

  it('rejects unknown attribute keys', () => {
    rejects(() => parseRunFilter("attributes.lifecycle_stage = 'active'"), /^Invalid attribute key 'lifecycle_stage' specified. Valid keys are '\{/);
    rejects(() => parseRunFilter("run_uuid = 'x'"), /Invalid attribute key 'run_uuid'/);
    rejects(() => parseRunFilter("experiment_id = '1'"), /Invalid attribute key 'experiment_id'/);
    rejects(() => parseRunFilter("attributes.`RUN NAME` = 'x'"), /Invalid attribute key 'RUN NAME'/);
  });

  it('applies string-attribute rules', () => {
    for (const op of ['=', '!=', 'LIKE', 'ILIKE']) {
      assert.deepEqual(one(`attributes.status ${op} 'FIN%'`), { entity: 'attribute', key: 'status', op, value: 'FIN%' });
    }
    rejects(() => parseRunFilter("status > 'a'"), /Invalid comparator '>' not one of/);
    rejects(() => parseRunFilter('status = 1'), /Expected a quoted string value for attributes/);
    rejects(() => parseRunFilter('status IS NULL'), /Invalid comparator 'IS NULL'/);
    rejects(() => parseRunFilter('run_name IS NOT NULL'), /Invalid comparator 'IS NOT NULL'/);
  });

  it('allows IN and NOT IN only for run_id', () => {
    assert.deepEqual(one("attributes.run_id IN ('a', 'b')"), { entity: 'attribute', key: 'run_id', op: 'IN', value: ['a', 'b'] });
    assert.deepEqual(one("run_id NOT IN ('a')"), { entity: 'attribute', key: 'run_id', op: 'NOT IN', value: ['a'] });
    rejects(() => parseRunFilter("status IN ('a')"), "Only the 'run_id' attribute supports comparison with a list of quoted string values.");
    rejects(() => parseRunFilter("run_name NOT IN ('a')"), /Only the 'run_id' attribute/);
    rejects(() => parseRunFilter('run_id IN (1, 2)'), /expected string value, punctuation, or whitespace, but got different type in list: \(1, 2\)/);
  });

  it('applies numeric-attribute rules', () => {
    for (const op of ['=', '!=', '>', '>=', '<', '<=']) {
      assert.deepEqual(one(`attributes.start_time ${op} 1700000000000`), { entity: 'attribute', key: 'start_time', op, value: 1700000000000 });
    }
    assert.deepEqual(one('end_time <> 5'), { entity: 'attribute', key: 'end_time', op: '!=', value: 5 });
    rejects(() => parseRunFilter("start_time > '5'"), "Expected numeric value type for numeric attribute: start_time. Found '5'");
    rejects(() => parseRunFilter("created LIKE '5'"), /Invalid comparator 'LIKE'/);
    rejects(() => parseRunFilter('end_time IN (1)'), /Invalid comparator 'IN'/);
    rejects(() => parseRunFilter('end_time IS NULL'), /Invalid comparator 'IS NULL'/);
  });

  it('applies dataset rules', () => {
    for (const key of ['name', 'digest', 'context']) {
      for (const op of ['=', '!=', 'LIKE', 'ILIKE']) {
        assert.deepEqual(one(`datasets.${key} ${op} 'x'`), { entity: 'dataset', key, op, value: 'x' });
      }
    }
    assert.deepEqual(one("dataset.name IN ('a', 'b')"), { entity: 'dataset', key: 'name', op: 'IN', value: ['a', 'b'] });
    assert.deepEqual(one("datasets.context NOT IN ('train')"), { entity: 'dataset', key: 'context', op: 'NOT IN', value: ['train'] });
    rejects(() => parseRunFilter("datasets.source = 'x'"), /^Invalid dataset key 'source' specified. Valid keys are '\{'name', 'digest', 'context'\}'$/);
    rejects(() => parseRunFilter("datasets.name > 'x'"), /Invalid comparator '>'/);
    rejects(() => parseRunFilter('datasets.name IS NULL'), /Invalid comparator 'IS NULL'/);
    rejects(() => parseRunFilter('datasets.digest = 1'), /Expected a quoted string value for dataset attributes/);
  });

  it('parses a realistic conjunction', () => {
    assert.deepEqual(
      terms(parseRunFilter(
        "metrics.rmse < 0.8 and params.model = 'RandomForest' AND tags.`mlflow.source.type` != 'NOTEBOOK' " +
          "and attributes.status = 'FINISHED' AND start_time >= 1e12 AND run_id IN ('abc', 'def') and",
      )),
      [
        { entity: 'metric', key: 'rmse', op: '<', value: 0.8 },
        { entity: 'param', key: 'model', op: '=', value: 'RandomForest' },
        { entity: 'tag', key: 'mlflow.source.type', op: '!=', value: 'NOTEBOOK' },
        { entity: 'attribute', key: 'status', op: '=', value: 'FINISHED' },
        { entity: 'attribute', key: 'start_time', op: '>=', value: 1e12 },
        { entity: 'attribute', key: 'run_id', op: 'IN', value: ['abc', 'def'] },
      ],
    );
    assert.deepEqual(terms(parseRunFilter(undefined)), []);
    assert.deepEqual(terms(parseRunFilter('')), []);
  });
});

describe('parseRunOrderBy', () => {
  it('parses entities, directions and keeps metric/param/tag keys', () => {
    assert.deepEqual(parseRunOrderBy(['metrics.`my metric` DESC', 'params.lr', 'tags.mlflow.runName asc', 'attribute.end_time desc']), [
      { entity: 'metric', key: 'my metric', ascending: false },
      { entity: 'param', key: 'lr', ascending: true },
      { entity: 'tag', key: 'mlflow.runName', ascending: true },
      { entity: 'attribute', key: 'end_time', ascending: false },
    ]);
    assert.deepEqual(parseRunOrderBy(undefined), []);
  });

  it('canonicalises attribute keys, including created', () => {
    const key = (item: string) => parseRunOrderBy([item])[0].key;
    for (const k of ['run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'start_time', 'end_time']) assert.equal(key(k), k);
    assert.equal(key('created DESC'), 'start_time');
    assert.equal(key('attributes.Created'), 'start_time');
    rejects(() => parseRunOrderBy(['`run name`']), /Invalid attribute key 'run name'/);
    rejects(() => parseRunOrderBy(['lifecycle_stage']), /Invalid attribute key 'lifecycle_stage'/);
  });

  it('rejects datasets and duplicates', () => {
    rejects(() => parseRunOrderBy(['datasets.name']), /Invalid identifier type 'dataset'/);
    rejects(() => parseRunOrderBy(['metrics.a', 'metrics.a DESC']), "`order_by` contains duplicate fields: ['metrics.a', 'metrics.a DESC']");
    rejects(() => parseRunOrderBy(['start_time', 'created DESC']), /duplicate fields/);
    rejects(() => parseRunOrderBy(['metric.a', 'metrics.a']), /duplicate fields/);
    assert.equal(parseRunOrderBy(['metrics.a', 'params.a', 'tags.a']).length, 3);
  });
});

describe('parseExperimentFilter / parseExperimentOrderBy', () => {
  it('filters on name with string comparators', () => {
    for (const op of ['=', '!=', 'LIKE', 'ILIKE']) {
      assert.deepEqual(terms(parseExperimentFilter(`name ${op} 'exp%'`)), [{ entity: 'attribute', key: 'name', op, value: 'exp%' }]);
    }
    assert.deepEqual(terms(parseExperimentFilter("attribute.name = 'x'"))[0].key, 'name');
    rejects(() => parseExperimentFilter("name > 'a'"), 'Invalid comparator for string attribute: >');
    rejects(() => parseExperimentFilter("name IN ('a')"), /Invalid comparator for string attribute: IN/);
    rejects(() => parseExperimentFilter('name IS NULL'), /Invalid comparator for string attribute: IS NULL/);
  });

  it('filters on numeric time attributes', () => {
    for (const key of ['creation_time', 'last_update_time']) {
      for (const op of ['=', '!=', '>', '>=', '<', '<=']) {
        assert.deepEqual(terms(parseExperimentFilter(`${key} ${op} 100`)), [{ entity: 'attribute', key, op, value: 100 }]);
      }
    }
    rejects(() => parseExperimentFilter("creation_time LIKE '1'"), 'Invalid comparator for numeric attribute: LIKE');
    rejects(() => parseExperimentFilter("creation_time > '1'"), /Expected numeric value type for numeric attribute: creation_time/);
  });

  it('filters on tags, including IS [NOT] NULL', () => {
    for (const op of ['=', '!=', 'LIKE', 'ILIKE']) {
      assert.deepEqual(terms(parseExperimentFilter(`tags.team ${op} 'ml'`)), [{ entity: 'tag', key: 'team', op, value: 'ml' }]);
    }
    assert.deepEqual(terms(parseExperimentFilter('tag.`a b` IS NULL')), [{ entity: 'tag', key: 'a b', op: 'IS NULL' }]);
    assert.deepEqual(terms(parseExperimentFilter('tags.x IS NOT NULL')), [{ entity: 'tag', key: 'x', op: 'IS NOT NULL' }]);
    rejects(() => parseExperimentFilter("tags.x > 'a'"), 'Invalid comparator for tag: >');
  });

  it('rejects other keys and prefixes', () => {
    // experiment_id is filterable since MLflow 3.17, by equality and lists only.
    assert.deepEqual(terms(parseExperimentFilter("experiment_id IN ('1', '2')")), [{ entity: 'attribute', key: 'experiment_id', op: 'IN', value: ['1', '2'] }]);
    rejects(() => parseExperimentFilter("experiment_id > '1'"), /Invalid comparator for experiment_id/);
    rejects(() => parseExperimentFilter("run_id = '1'"), /Invalid attribute key 'run_id' specified/);
    rejects(() => parseExperimentFilter("params.a = 'x'"), "Invalid entity type 'params'. Valid entity types are ('attribute', 'tag', 'tags')");
    rejects(() => parseExperimentFilter('metrics.a > 1'), /Invalid entity type 'metrics'/);
    rejects(() => parseExperimentFilter("name = 'a' OR name = 'b'"), "Invalid clause(s) in filter string: 'OR'");
  });

  it('orders by the four attributes only', () => {
    assert.deepEqual(parseExperimentOrderBy(['name', 'experiment_id DESC', 'creation_time asc', 'attribute.last_update_time DESC']), [
      { entity: 'attribute', key: 'name', ascending: true },
      { entity: 'attribute', key: 'experiment_id', ascending: false },
      { entity: 'attribute', key: 'creation_time', ascending: true },
      { entity: 'attribute', key: 'last_update_time', ascending: false },
    ]);
    rejects(() => parseExperimentOrderBy(['tags.x']), 'Invalid order_by entity: tag');
    rejects(() => parseExperimentOrderBy(['lifecycle_stage']), /Invalid attribute key 'lifecycle_stage'/);
    rejects(() => parseExperimentOrderBy(['metrics.a']), /Invalid entity type 'metrics'/);
  });
});

describe('parseRegisteredModelFilter / parseRegisteredModelOrderBy', () => {
  it('parses the clause the client appends', () => {
    assert.deepEqual(terms(parseRegisteredModelFilter("tag.`mlflow.prompt.is_prompt` != 'true'")), [
      { entity: 'tag', key: 'mlflow.prompt.is_prompt', op: '!=', value: 'true' },
    ]);
    assert.deepEqual(terms(parseRegisteredModelFilter("name LIKE '%clf%' AND tag.`mlflow.prompt.is_prompt` != 'true'")), [
      { entity: 'attribute', key: 'name', op: 'LIKE', value: '%clf%' },
      { entity: 'tag', key: 'mlflow.prompt.is_prompt', op: '!=', value: 'true' },
    ]);
  });

  it('accepts name and tags with string comparators only', () => {
    for (const op of ['=', '!=', 'LIKE', 'ILIKE']) {
      assert.equal(terms(parseRegisteredModelFilter(`name ${op} 'm'`))[0].op, op);
      assert.equal(terms(parseRegisteredModelFilter(`tags.k ${op} 'v'`))[0].op, op);
    }
    rejects(() => parseRegisteredModelFilter("name > 'm'"), 'Invalid comparator for attribute: >');
    rejects(() => parseRegisteredModelFilter("name IN ('m')"), 'Invalid comparator for attribute: IN');
    rejects(() => parseRegisteredModelFilter("tags.k LIKE 'v' AND tags.k > 'v'"), 'Invalid comparator for tag: >');
    rejects(() => parseRegisteredModelFilter('tags.k IS NULL'), 'Invalid comparator for tag: IS NULL');
    rejects(() => parseRegisteredModelFilter("run_id = 'x'"), /Invalid attribute key 'run_id' specified. Valid keys are '\{'name'\}'/);
    rejects(() => parseRegisteredModelFilter("params.k = 'x'"), /Invalid entity type 'params'/);
    rejects(() => parseRegisteredModelFilter('name = 1'), /Expected a quoted string value for attributes/);
  });

  it('orders by name, timestamp and last_updated_timestamp', () => {
    assert.deepEqual(parseRegisteredModelOrderBy(['name DESC']), [{ entity: 'attribute', key: 'name', ascending: false }]);
    assert.deepEqual(parseRegisteredModelOrderBy(['timestamp ASC']), [{ entity: 'attribute', key: 'last_updated_timestamp', ascending: true }]);
    assert.deepEqual(parseRegisteredModelOrderBy(['last_updated_timestamp DESC', 'name']), [
      { entity: 'attribute', key: 'last_updated_timestamp', ascending: false },
      { entity: 'attribute', key: 'name', ascending: true },
    ]);
    rejects(() => parseRegisteredModelOrderBy(['creation_timestamp']), "Invalid order by key 'creation_timestamp' specified. Valid keys are '{'name', 'timestamp'}'");
    rejects(() => parseRegisteredModelOrderBy(['attribute.name']), /Invalid order by key 'attribute.name'/);
    rejects(() => parseRegisteredModelOrderBy(['timestamp', 'last_updated_timestamp']), /duplicate fields/);
    rejects(() => parseRegisteredModelOrderBy(['name', 'name DESC']), /duplicate fields/);
  });
});

describe('parseModelVersionFilter / parseModelVersionOrderBy', () => {
  it('accepts the string attributes', () => {
    for (const key of ['name', 'run_id', 'source_path']) {
      for (const op of ['=', '!=', 'LIKE', 'ILIKE']) {
        assert.deepEqual(terms(parseModelVersionFilter(`${key} ${op} 'x'`)), [{ entity: 'attribute', key, op, value: 'x' }]);
      }
    }
  });

  it('allows IN (and not NOT IN) for run_id only', () => {
    assert.deepEqual(terms(parseModelVersionFilter("run_id IN ('a','b')")), [{ entity: 'attribute', key: 'run_id', op: 'IN', value: ['a', 'b'] }]);
    rejects(() => parseModelVersionFilter("name IN ('a')"), 'Invalid comparator for attribute: IN');
    rejects(() => parseModelVersionFilter("run_id NOT IN ('a')"), 'Invalid comparator for attribute: NOT IN');
  });

  it('treats version_number as numeric', () => {
    for (const op of ['=', '!=', '>', '>=', '<', '<=']) {
      assert.deepEqual(terms(parseModelVersionFilter(`version_number ${op} 3`)), [{ entity: 'attribute', key: 'version_number', op, value: 3 }]);
    }
    assert.deepEqual(terms(parseModelVersionFilter("version_number = '2'")), [{ entity: 'attribute', key: 'version_number', op: '=', value: 2 }]);
    rejects(() => parseModelVersionFilter("version_number = 'two'"), /Expected numeric value type for numeric attribute: version_number/);
    rejects(() => parseModelVersionFilter("version_number LIKE '1'"), 'Invalid comparator for attribute version_number: LIKE');
    rejects(() => parseModelVersionFilter('name = 1'), /attributes support comparison with numeric values/);
  });

  it('accepts tags and rejects everything else', () => {
    assert.deepEqual(terms(parseModelVersionFilter("name = 'm' AND tags.`k.1` = 'v'")), [
      { entity: 'attribute', key: 'name', op: '=', value: 'm' },
      { entity: 'tag', key: 'k.1', op: '=', value: 'v' },
    ]);
    rejects(() => parseModelVersionFilter("tags.k >= 'v'"), 'Invalid comparator for tag: >=');
    rejects(() => parseModelVersionFilter("current_stage = 'Production'"), /Invalid attribute key 'current_stage'/);
    rejects(() => parseModelVersionFilter("metrics.a = 'x'"), /Invalid entity type 'metrics'/);
  });

  it('orders by the four attributes and rejects duplicates', () => {
    assert.deepEqual(parseModelVersionOrderBy(['name', 'version_number DESC', 'creation_timestamp', 'last_updated_timestamp ASC']), [
      { entity: 'attribute', key: 'name', ascending: true },
      { entity: 'attribute', key: 'version_number', ascending: false },
      { entity: 'attribute', key: 'creation_timestamp', ascending: true },
      { entity: 'attribute', key: 'last_updated_timestamp', ascending: true },
    ]);
    rejects(() => parseModelVersionOrderBy(['run_id']), /Invalid attribute key 'run_id'/);
    rejects(() => parseModelVersionOrderBy(['tags.x']), /Invalid order by key 'x'/);
    rejects(() => parseModelVersionOrderBy(['name', 'name DESC']), /duplicate fields/);
  });
});

describe('page tokens', () => {
  it("matches MLflow's encoding byte for byte", () => {
    assert.equal(encodePageToken(100), 'eyJvZmZzZXQiOiAxMDB9');
    assert.equal(encodePageToken(2), 'eyJvZmZzZXQiOiAyfQ==');
    assert.equal(Buffer.from(encodePageToken(7), 'base64').toString(), '{"offset": 7}');
  });

  it('decodes the MLflow example token', () => {
    assert.equal(decodePageToken('eyJvZmZzZXQiOiAxMDB9'), 100);
    assert.equal(decodePageToken('eyJvZmZzZXQiOiAyfQ=='), 2);
  });

  it('round-trips', () => {
    for (const offset of [0, 1, 10, 999, 50000, 2 ** 40]) assert.equal(decodePageToken(encodePageToken(offset)), offset);
  });

  it('treats a missing token as offset 0', () => {
    assert.equal(decodePageToken(undefined), 0);
    assert.equal(decodePageToken(''), 0);
  });

  it('accepts an offset written as a string, like Python int()', () => {
    assert.equal(decodePageToken(Buffer.from('{"offset": "25"}').toString('base64')), 25);
  });

  it('rejects bad tokens with MLflow messages', () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    rejects(() => decodePageToken('not a token!'), 'Invalid page token, could not base64-decode');
    rejects(() => decodePageToken('abc'), 'Invalid page token, could not base64-decode');
    rejects(() => decodePageToken('eyJvZmZzZXQiOiAxMDB9=='.slice(0, 19)), 'Invalid page token, could not base64-decode');
    rejects(() => decodePageToken(b64('not json')), /^Invalid page token, decoded value=not json$/);
    rejects(() => decodePageToken(b64('{"limit": 3}')), /^Invalid page token, parsed value=/);
    rejects(() => decodePageToken(b64('[1]')), /^Invalid page token, parsed value=/);
    rejects(() => decodePageToken(b64('7')), /^Invalid page token, parsed value=/);
    rejects(() => decodePageToken(b64('{"offset": null}')), /parsed value=/);
    rejects(() => decodePageToken(b64('{"offset": -5}')), /^Invalid page token, not stringable -5$/);
    rejects(() => decodePageToken(b64('{"offset": 1.5}')), /not stringable/);
    rejects(() => decodePageToken(b64('{"offset": "abc"}')), /not stringable/);
    rejects(() => decodePageToken(b64('{"offset": 1e300}')), /not stringable/);
    rejects(() => decodePageToken(b64('\u0000\u0001garbage')), /decoded value=\\x00\\x01garbage/);
  });

  it('refuses to encode nonsense offsets', () => {
    rejects(() => encodePageToken(-1));
    rejects(() => encodePageToken(1.5));
    rejects(() => encodePageToken(NaN));
  });
});

describe('hostile input', () => {
  const parsers = [parseRunFilter, parseExperimentFilter, parseRegisteredModelFilter, parseModelVersionFilter];

  it('keeps SQL injection inside quotes as a plain literal', () => {
    const evil = "'; DROP TABLE runs; --";
    assert.deepEqual(terms(parseRunFilter(`params.p = "${evil}"`)), [{ entity: 'param', key: 'p', op: '=', value: evil }]);
    assert.deepEqual(terms(parseRunFilter("tags.t = 'x'' OR ''1''=''1'")), [{ entity: 'tag', key: 't', op: '=', value: "x' OR '1'='1" }]);
    assert.deepEqual(terms(parseRunFilter("run_name LIKE '%\\'; DELETE FROM runs; --'")), [
      { entity: 'attribute', key: 'run_name', op: 'LIKE', value: "%'; DELETE FROM runs; --" },
    ]);
    assert.deepEqual(terms(parseRegisteredModelFilter("name = 'a\" OR 1=1 --'")), [{ entity: 'attribute', key: 'name', op: '=', value: 'a" OR 1=1 --' }]);
  });

  it('rejects injection attempts outside quotes', () => {
    rejects(() => parseRunFilter("params.p = 'x'; DROP TABLE runs; --"), /Invalid character ';'/);
    rejects(() => parseRunFilter("params.p = 'x' OR 1=1"), "Invalid clause(s) in filter string: 'OR'");
    rejects(() => parseRunFilter("params.p = 'x' UNION SELECT name FROM runs"), /Invalid clause\(s\) in filter string: 'UNION SELECT name FROM runs'/);
    rejects(() => parseRunFilter("params.p = 'x' UNION SELECT * FROM runs"), /Invalid character '\*'/);
    rejects(() => parseRunFilter("params.p = 'x' /* comment */"), /Invalid character '\/'/);
    rejects(() => parseRunOrderBy(['start_time; DROP TABLE runs']), /Could not be parsed/);
    rejects(() => parseRunOrderBy(['start_time DESC, (SELECT 1)']), /Could not be parsed/);
  });

  it('keeps control characters and unicode inside literals', () => {
    const value = 'a\u0001b\u0007c\u202e\ud83d\ude80 \u00e9\u4e2d';
    assert.deepEqual(terms(parseRunFilter(`tags.t = '${value}'`)), [{ entity: 'tag', key: 't', op: '=', value }]);
    assert.deepEqual(terms(parseRunFilter("tags.`ключ 键` = 'значение'")), [{ entity: 'tag', key: 'ключ 键', op: '=', value: 'значение' }]);
  });

  it('rejects control and odd characters outside literals', () => {
    // NUL is refused anywhere, inside literals too: no store can hold it (PostgreSQL text cannot).
    rejects(() => parseRunFilter("tags.t\u0000 = 'x'"), /NUL characters are not allowed/);
    rejects(() => parseRunFilter("tags.t = 'a\u0000b'"), /NUL characters are not allowed/);
    rejects(() => parseRunFilter("tags.t = 'x' \u0007"), /Invalid character '\\u0007'/);
    rejects(() => parseRunFilter("tags.t = 'x' \ud800"), /Invalid character '\\ud800'/);
    rejects(() => parseRunFilter("tags.t = 'x' 🚀"), /Invalid character '🚀'/);
    rejects(() => parseRunFilter("tags.t = 'x' %"), /Invalid character '%'/);
  });

  it('handles a 100 KB string literal quickly', () => {
    const big = 'x'.repeat(100_000);
    const started = Date.now();
    assert.deepEqual(terms(parseRunFilter(`params.p = '${big}'`)), [{ entity: 'param', key: 'p', op: '=', value: big }]);
    assert.ok(Date.now() - started < 1000);
  });

  it('accepts up to the comparison cap and refuses 100 KB of clauses quickly', () => {
    const clause = "params.p = 'v' AND ";
    assert.equal(terms(parseRunFilter(clause.repeat(FILTER_LIMITS.comparisons))).length, FILTER_LIMITS.comparisons);
    rejects(() => parseRunFilter(clause.repeat(FILTER_LIMITS.comparisons + 1)), /at most 50 comparisons/);
    const started = Date.now();
    rejects(() => parseRunFilter(clause.repeat(Math.ceil(100_000 / clause.length))), /at most 50 comparisons/);
    assert.ok(Date.now() - started < 1000);
  });

  it('caps IN lists', () => {
    const list = (n: number) => Array.from({ length: n }, (_, i) => `'r${i}'`).join(', ');
    assert.equal((terms(parseRunFilter(`attributes.run_id IN (${list(FILTER_LIMITS.listItems)})`))[0].value as string[]).length, FILTER_LIMITS.listItems);
    rejects(() => parseRunFilter(`attributes.run_id IN (${list(FILTER_LIMITS.listItems + 1)})`), /at most 10000 values/);
  });

  it('fails fast and boundedly on 100 KB of junk', () => {
    const inputs = [
      "'".repeat(100_001),
      '('.repeat(100_000),
      ')'.repeat(100_000),
      'a'.repeat(100_000),
      'a.'.repeat(50_000) + 'b = 1',
      'AND '.repeat(25_000) + 'OR',
      "params.p = '" + '\\'.repeat(100_000),
      '`'.repeat(99_999),
      '"a'.repeat(50_000),
      '-'.repeat(100_000),
      '1'.repeat(100_000),
      "run_id IN ('" + "a','".repeat(20_000) + "a')",
      '\u0000'.repeat(100_000),
      '🚀'.repeat(50_000),
    ];
    for (const input of inputs) {
      for (const parse of parsers) {
        const started = Date.now();
        parsesOrRejects(() => parse(input));
        assert.ok(Date.now() - started < 1000, `slow on ${JSON.stringify(input.slice(0, 20))}`);
      }
      parsesOrRejects(() => parseRunOrderBy([input]));
      parsesOrRejects(() => decodePageToken(input));
    }
  });

  it('keeps error messages short for huge inputs', () => {
    const huge = 'a'.repeat(100_000);
    for (const fn of [
      () => parseRunFilter(`${huge} = 'x'`),
      () => parseRunFilter(`params.p = 'x' ${huge}`),
      () => parseRunOrderBy([`${huge} sideways`]),
      () => decodePageToken(Buffer.from(huge).toString('base64')),
    ]) {
      assert.throws(fn, (err: unknown) => err instanceof TrackbridgeError && err.message.length < 500);
    }
  });

  it('only ever throws TrackbridgeError on random input', () => {
    // A fixed-seed generator keeps the test reproducible.
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const alphabet = ["'", '"', '`', '(', ')', ',', '.', ' ', 'a', 'metrics', 'params', 'tags', 'AND', 'OR', 'IN', 'NOT', 'IS', 'NULL',
      'LIKE', '=', '!=', '<>', '<', '>=', '1', '-', '1e', '\\', '\u0000', 'é', '🚀', 'run_id', 'name', 'created'];
    for (let i = 0; i < 2000; i++) {
      const length = Math.floor(rand() * 12);
      let input = '';
      for (let j = 0; j < length; j++) input += alphabet[Math.floor(rand() * alphabet.length)] + (rand() < 0.5 ? ' ' : '');
      for (const parse of parsers) parsesOrRejects(() => parse(input));
      parsesOrRejects(() => parseRunOrderBy([input]));
      parsesOrRejects(() => parseExperimentOrderBy([input]));
      parsesOrRejects(() => parseRegisteredModelOrderBy([input]));
      parsesOrRejects(() => parseModelVersionOrderBy([input]));
    }
  });

  it('rejects non-string filters from loosely typed callers', () => {
    rejects(() => parseRunFilter(42 as unknown as string), /expected a string/);
    rejects(() => parseRunOrderBy('name' as unknown as string[]), /expected a list/);
  });
});
