import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numberLiteralIn, parseJsonBody } from '../src/protocols/mlflow/json-body';

test('integers of 16+ digits arrive as exact bigints, wherever a number can stand', () => {
  const body = parseJsonBody('{"step":9223372036854775807,"t":[ -9223372036854775808,1234567890123456],"n":\n1000000000000000000}') as any;
  assert.equal(body.step, 9223372036854775807n);
  assert.deepEqual(body.t, [-9223372036854775808n, 1234567890123456n]);
  assert.equal(body.n, 1000000000000000000n);
});

test('short integers and floats with long fractions or exponents stay numbers', () => {
  const text = '{"value":0.031093279839518557,"a":123456789012345,"b":1234567890123456.5,"c":1e1234567890123456,"d":-2.5E+10}';
  const body = parseJsonBody(text) as any;
  assert.equal(body.value, 0.031093279839518557);
  assert.equal(body.a, 123456789012345);
  assert.equal(body.b, 1234567890123456.5);
  assert.equal(body.c, Infinity);
  assert.equal(body.d, -2.5e10);
});

test('digits inside strings are left alone, escaped quotes included', () => {
  const body = parseJsonBody('{"key":"run:12345678901234567890","v":"a\\":1234567890123456789","s":12345678901234567}') as any;
  assert.equal(body.key, 'run:12345678901234567890');
  assert.equal(body.v, 'a":1234567890123456789');
  assert.equal(body.s, 12345678901234567n);
});

test('a batch of float points parses to the same values as JSON.parse', () => {
  const metrics = Array.from({ length: 200 }, (_, i) => ({ key: `m${i % 10}`, value: ((i * 31) % 997) / 997, timestamp: 1700000000000 + i, step: i }));
  const text = JSON.stringify({ run_id: 'r', metrics });
  assert.deepEqual(parseJsonBody(text), JSON.parse(text));
});

test('a client string cannot pass for a quoted long integer', () => {
  const body = parseJsonBody('{"a":"\\u0000#12","b":12345678901234567}') as any;
  assert.equal(typeof body.a, 'string');
  assert.equal(body.b, 12345678901234567n);
});

test('numberLiteralIn finds a number as written, at any depth', () => {
  const text = '{"artifact_location": 9.0, "metrics": [{"key": "a", "value": 1}, {"value": 2.50, "k\\"q": [3e0]}], "deep": ' + '['.repeat(50_000) + ']'.repeat(50_000) + '}';
  assert.equal(numberLiteralIn(text, ['artifact_location']), '9.0');
  assert.equal(numberLiteralIn(text, ['metrics', 0, 'value']), '1');
  assert.equal(numberLiteralIn(text, ['metrics', 1, 'value']), '2.50');
  assert.equal(numberLiteralIn(text, ['metrics', 1, 'k"q', 0]), '3e0');
  assert.equal(numberLiteralIn(text, ['metrics', 2, 'value']), undefined);
});
