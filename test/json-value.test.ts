/** W&B-style JSON values: the tolerant reader of their lines and the one store text they round-trip through. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { encodeJson, type JsonValue, parseJson } from '../src/core/json-value';
import { TrackbridgeError } from '../src/core/errors';
import { historyValueKind } from '../src/core/run-data';

const DEPTH = 100;
const roundTrip = (v: JsonValue) => parseJson(encodeJson(v, DEPTH), DEPTH);
const invalid = (fn: () => unknown, message?: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof TrackbridgeError && e.code === 'INVALID_ARGUMENT' && (!message || message.test(e.message)));

describe('JSON values', () => {
  it('reads the bare NaN, Infinity and -Infinity tokens of W&B lines, at any place in the value', () => {
    const v = parseJson('{"a":NaN,"b":[Infinity,-Infinity],"c":{"d":NaN}, "s":"NaN"}', DEPTH) as any;
    assert.ok(Number.isNaN(v.a));
    assert.deepEqual(v.b, [Infinity, -Infinity]);
    assert.ok(Number.isNaN(v.c.d));
    assert.equal(v.s, 'NaN');
  });

  it('keeps integers beyond 2^53 exact as bigints and every other number a double', () => {
    const v = parseJson('[4611686018427387904,-9223372036854775808,123456789012345678901234567890,9007199254740991,1000000000000000,1.1805916207174113e+21,2.5,-0,1e400]', DEPTH) as any[];
    assert.equal(v[0], 4611686018427387904n);
    assert.equal(v[1], -9223372036854775808n);
    assert.equal(v[2], 123456789012345678901234567890n);
    assert.equal(v[3], 9007199254740991);
    assert.equal(v[4], 1e15);
    assert.equal(v[5], 2 ** 70);
    assert.equal(v[6], 2.5);
    assert.ok(Object.is(v[7], -0));
    assert.equal(v[8], Infinity);
  });

  it('gives the same value as JSON.parse for standard JSON, on either of its paths', () => {
    const texts = [
      '{"a":1,"b":[true,false,null],"c":"\\u00e9\\n\\"x\\"","d":{"e":-1.5e-7}}',
      '  [ 1 , 2 , { "k" : "v" } ]  ',
      '{"__proto__":{"x":1},"3":"three","b":2}',
      '"\\ud83d\\ude00 \\u0000"',
    ];
    for (const t of texts) {
      assert.deepEqual(parseJson(t, DEPTH), JSON.parse(t));
      // A long digit run in a string sends the text down the own reader, which must agree.
      const slow = t.startsWith('{') ? `{"pad":"1234567890123456",${t.slice(1)}` : `[${t},"NaN"]`;
      assert.deepEqual(parseJson(slow, DEPTH), JSON.parse(slow));
    }
    const proto = parseJson('{"__proto__":{"x":1},"n":NaN}', DEPTH) as any;
    assert.equal(Object.getPrototypeOf(proto), Object.prototype);
    assert.deepEqual(Object.keys(proto), ['__proto__', 'n']);
  });

  it('round-trips nested objects, unicode, big integers and the special numbers through its text', () => {
    const values: JsonValue[] = [
      { lr: { value: 0.01 }, layers: { value: [1, 2] }, nested: { value: { a: 1, b: { c: [null, true, 'x'] } } } },
      { 'ключ': 'значение', emoji: '😀 \u0000 \u2028', tab: 'a\tb', quote: '"\\' },
      [NaN, Infinity, -Infinity, -0, 0, 2 ** 60, 2 ** 70, 1e21, 5e-324, Number.MAX_VALUE, 0.1 + 0.2],
      [2n ** 62n, -(2n ** 63n), 10n ** 30n, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER],
      [], {}, 'plain', true, null, 42,
    ];
    for (const v of values) {
      const back = roundTrip(v);
      assert.deepEqual(back, v);
      if (Array.isArray(v)) (back as unknown[]).forEach((x, i) => assert.ok(Object.is(x, v[i]) || typeof x === 'object', `${String(v[i])} came back as ${String(x)}`));
    }
    assert.equal(encodeJson([2 ** 60, 2n ** 62n, NaN, -Infinity, -0], DEPTH), '[1.152921504606847e+18,4611686018427387904,NaN,-Infinity,-0]');
    assert.equal(typeof roundTrip(2 ** 60), 'number');
  });

  it('reads back a bigint that a double holds exactly as a number, one representation per value', () => {
    assert.equal(roundTrip(12n), 12);
    assert.equal(roundTrip(-(2n ** 53n) + 1n), Number.MIN_SAFE_INTEGER);
  });

  it('refuses what is not a JSON value, and text that is not one value', () => {
    invalid(() => encodeJson({ d: new Date() } as any, DEPTH), /Date object/);
    invalid(() => encodeJson({ m: new Map() } as any, DEPTH), /Map object/);
    invalid(() => encodeJson([undefined] as any, DEPTH), /undefined/);
    invalid(() => encodeJson({ f: () => 1 } as any, DEPTH), /function/);
    for (const t of ['', '{', '{"a":1,}', '[1 2]', 'nan', '+1', '01', '{"a":NaN} x', '"\t"', '{a:1}', '[Infinityx]', '"open',
      '[01,NaN]', '{"a":NaN,}', '[NaN NaN]', '[-NaN]', '["\t",NaN]', '[1.,NaN]', '{"a" NaN}', '[NaN', '{"k":1234567890123456']) {
      invalid(() => parseJson(t, DEPTH));
    }
  });

  it('bounds nesting on both sides, counting containers', () => {
    const nested = (n: number): JsonValue => (n === 0 ? 1 : [nested(n - 1)]);
    assert.equal(encodeJson(nested(3), 3), '[[[1]]]');
    invalid(() => encodeJson(nested(4), 3), /deeper than 3/);
    assert.deepEqual(parseJson('[[[NaN]]]', 3), [[[NaN]]]);
    invalid(() => parseJson('[[[[NaN]]]]', 3), /deeper than 3/);
    invalid(() => parseJson('[[[[1]]]]', 3), /deeper than 3/);
    invalid(() => parseJson(`${'['.repeat(100000)}${']'.repeat(100000)}`, DEPTH), /deeper than 100/);
  });

  it('files history values under their kind, W&B objects by their _type', () => {
    const kinds: Array<[JsonValue, string]> = [
      ['s', 'string'], [true, 'bool'], [null, 'null'], [[1], 'list'], [{ a: 1 }, 'object'], [2n ** 62n, 'integer'],
      [{ _type: 'image-file', path: 'media/images/img_0.png' }, 'media'], [{ _type: 'images/separated' }, 'media'],
      [{ _type: 'table-file', path: 'media/table/t.table.json' }, 'table'], [{ _type: 'joined-table' }, 'table'],
      [{ _type: 'histogram', values: [1], bins: [0, 1] }, 'histogram'], [{ _type: 7 }, 'object'],
      [1.5, 'number'], [NaN, 'number'],
    ];
    for (const [v, kind] of kinds) assert.equal(historyValueKind(v), kind, JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)));
  });
});
