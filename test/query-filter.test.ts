/** Filter trees in the core: constructors, conjunctions, comparisons, constant folding and the bounds. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { TrackbridgeError } from '../src/core/errors';
import { LIMITS } from '../src/core/limits';
import type { Comparison, Filter } from '../src/core/query/ast';
import { and, checkFilterTree, comparison, comparisonsIn, conjuncts, foldConstants, matchesAll, matchesNone, not, or } from '../src/core/query/filter';
import { FILTER_LIMITS } from '../src/core/query/parser';
import { parseRunFilter } from '../src/core/query/targets';

const a = comparison('metric', 'a', '>', 1);
const b = comparison('param', 'b', '=', 'x');
const c = comparison('tag', 'c', 'IS NULL');
const d = comparison('attribute', 'run_id', 'IN', ['r1', 'r2']);

function refused(f: Filter, message: RegExp): void {
  assert.throws(() => checkFilterTree(f), (e: unknown) => {
    assert.ok(e instanceof TrackbridgeError, String(e));
    assert.equal(e.code, 'INVALID_ARGUMENT');
    assert.match(e.message, message);
    return true;
  });
}

/** `levels` Nots around `leaf`. */
function nots(levels: number, leaf: Filter = a): Filter {
  let f = leaf;
  for (let i = 0; i < levels; i++) f = not(f);
  return f;
}

/** Which of the named comparisons hold, as a truth table for folding. */
const settle = (table: Map<Comparison, boolean>) => (x: Comparison) => table.get(x);

describe('filter tree constructors', () => {
  it('build the nodes, a comparison without a value carrying none', () => {
    assert.deepEqual(and(a, b), { kind: 'and', terms: [a, b] });
    assert.deepEqual(or(a), { kind: 'or', terms: [a] });
    assert.deepEqual(not(b), { kind: 'not', term: b });
    assert.deepEqual(c, { kind: 'compare', entity: 'tag', key: 'c', op: 'IS NULL' });
    assert.ok(!('value' in c));
    assert.ok(matchesAll(and()) && !matchesAll(or()) && !matchesAll(and(a)));
    assert.ok(matchesNone(or()) && !matchesNone(and()) && !matchesNone(or(a)));
  });

  it('MLflow filters parse to one And of comparisons', () => {
    assert.deepEqual(parseRunFilter("metrics.a > 1 AND params.b = 'x'"), and(a, b));
    assert.deepEqual(parseRunFilter(''), and());
  });
});

describe('conjuncts', () => {
  it('flattens nested Ands in order, and takes a lone comparison as a conjunction of one', () => {
    assert.deepEqual(conjuncts(and(a, and(b, and(), c), d)), [a, b, c, d]);
    assert.deepEqual(conjuncts(a), [a]);
    assert.deepEqual(conjuncts(and()), []);
  });

  it('is undefined once an Or or a Not takes part, however deep', () => {
    assert.equal(conjuncts(or(a, b)), undefined);
    assert.equal(conjuncts(and(a, and(b, not(c)))), undefined);
    assert.equal(conjuncts(and(a, or())), undefined);
    assert.equal(conjuncts(not(a)), undefined);
  });
});

describe('comparisonsIn', () => {
  it('collects every comparison in order, under Ors and Nots too', () => {
    assert.deepEqual(comparisonsIn(and(a, or(not(b), and(c)), not(not(d)))), [a, b, c, d]);
    assert.deepEqual(comparisonsIn(or()), []);
  });

  it('walks a tree deeper than the stack would allow recursion', () => {
    assert.deepEqual(comparisonsIn(nots(200_000)), [a]);
  });
});

describe('foldConstants', () => {
  const aFalse = settle(new Map([[a, false]]));
  const aTrue = settle(new Map([[a, true]]));

  it('leaves a tree with nothing settled as it is', () => {
    const f = and(b, or(c, not(d)));
    assert.equal(foldConstants(f, () => undefined), f);
  });

  it('drops a false term from an Or and makes an And false', () => {
    assert.deepEqual(foldConstants(or(a, b, c), aFalse), or(b, c));
    assert.deepEqual(foldConstants(or(a, b), aFalse), b);
    assert.ok(matchesNone(foldConstants(or(a), aFalse)));
    assert.ok(matchesNone(foldConstants(and(b, a, c), aFalse)));
    assert.ok(matchesNone(foldConstants(and(b, and(c, a)), aFalse)));
  });

  it('turns a false term true under a Not, and folds on up', () => {
    assert.ok(matchesAll(foldConstants(not(a), aFalse)));
    assert.deepEqual(foldConstants(and(b, not(a)), aFalse), b);
    assert.ok(matchesAll(foldConstants(or(b, not(a)), aFalse)));
    assert.ok(matchesNone(foldConstants(not(or(b, not(a))), aFalse)));
    assert.deepEqual(foldConstants(and(c, or(a, not(a)), d), aFalse), and(c, d));
    assert.ok(matchesNone(foldConstants(and(c, or(a, not(not(a))), d), aFalse)));
  });

  it('folds true terms the other way', () => {
    assert.ok(matchesAll(foldConstants(or(b, a), aTrue)));
    assert.deepEqual(foldConstants(and(a, b, c), aTrue), and(b, c));
    assert.ok(matchesAll(foldConstants(and(a), aTrue)));
  });

  it('folds empty Ands and Ors the tree already held', () => {
    assert.deepEqual(foldConstants(and(b, and(), c), () => undefined), and(b, c));
    assert.deepEqual(foldConstants(or(b, or()), () => undefined), b);
    assert.ok(matchesNone(foldConstants(and(b, or()), () => undefined)));
    assert.ok(matchesAll(foldConstants(or(b, and()), () => undefined)));
    assert.ok(matchesNone(foldConstants(not(and()), () => undefined)));
  });
});

describe('checkFilterTree', () => {
  it('takes a tree at every bound at once', () => {
    // LIMITS.filterDepth nested nodes, ending in an Or that brings the tree to LIMITS.filterTerms nodes.
    const leaves = LIMITS.filterTerms - LIMITS.filterDepth;
    let f: Filter = or(d, ...Array.from({ length: leaves - 1 }, (_, i) => comparison('metric', `m${i}`, '<', i)));
    for (let i = 1; i < LIMITS.filterDepth; i++) f = i % 2 ? not(f) : and(f);
    assert.equal(comparisonsIn(f).length + LIMITS.filterDepth, LIMITS.filterTerms);
    checkFilterTree(f);
    checkFilterTree(and(...Array.from({ length: FILTER_LIMITS.comparisons }, () => b)));
    checkFilterTree(and(comparison('attribute', 'run_id', 'IN', Array(LIMITS.filterListValues).fill('r'))));
  });

  it('refuses a tree nested deeper than LIMITS.filterDepth', () => {
    checkFilterTree(nots(LIMITS.filterDepth));
    refused(nots(LIMITS.filterDepth + 1), /nest at most 64 deep/);
    let f: Filter = a;
    for (let i = 0; i <= LIMITS.filterDepth; i++) f = i % 2 ? or(b, f) : and(f, c);
    refused(f, /nest at most 64 deep/);
  });

  it('refuses a tree far too deep for recursion without overflowing the stack', () => {
    refused(nots(1_000_000), /nest at most/);
  });

  it('refuses more than LIMITS.filterTerms nodes, empty ones included', () => {
    const wide = (n: number) => or(...Array.from({ length: n - 1 }, () => a));
    checkFilterTree(wide(LIMITS.filterTerms));
    refused(wide(LIMITS.filterTerms + 1), /at most 1000 terms/);
    refused(or(...Array.from({ length: LIMITS.filterTerms }, () => and())), /at most 1000 terms/);
  });

  it('refuses more than FILTER_LIMITS.comparisons comparisons ANDed at the top, with Nots over single ones', () => {
    const many = (n: number, wrap: (x: Filter) => Filter = (x) => x) => Array.from({ length: n }, () => wrap(b));
    refused(and(...many(FILTER_LIMITS.comparisons + 1)), /at most 50 comparisons may be ANDed at the top/);
    refused(and(and(...many(30)), and(a, ...many(20, not))), /ANDed at the top/);
    // Under an Or, or a Not over more than one comparison, they are tested row by row.
    checkFilterTree(or(...many(500)));
    checkFilterTree(and(...many(50), or(...many(500)), not(and(...many(100)))));
  });

  it('refuses IN lists past one allowance across the whole tree', () => {
    const list = (n: number) => comparison('attribute', 'run_id', 'IN', Array(n).fill('r'));
    checkFilterTree(or(list(LIMITS.filterListValues / 2), not(list(LIMITS.filterListValues / 2))));
    refused(or(list(LIMITS.filterListValues / 2), not(list(LIMITS.filterListValues / 2 + 1))), /IN lists of one filter may hold at most 10000 values/);
  });

  it('gives metrics numeric comparisons only, anywhere in a tree', () => {
    for (const op of ['=', '!=', '<', '<=', '>', '>='] as const) checkFilterTree(not(comparison('metric', 'm', op, 1)));
    refused(or(b, not(comparison('metric', 'm', 'IS NULL'))), /a metric comparison takes =, !=, <, <=, > or >=, not IS NULL/);
    refused(and(comparison('metric', 'm', 'LIKE', '%')), /not LIKE/);
    refused(comparison('metric', 'm', 'IN', [1, 2]), /not IN/);
  });
});
