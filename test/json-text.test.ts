/** The one string-skipping reader of raw JSON text, and the nesting check built on it. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { jsonStringEnd, nestsDeeperThan } from '../src/core/validation';
import { numberLiteralIn, quoteLongIntegers } from '../src/protocols/mlflow/json-body';

describe('JSON text scanning', () => {
  it('finds the closing quote past escaped quotes and backslashes, or the end when there is none', () => {
    const text = '{"a\\"[b\\\\":1}';
    assert.equal(jsonStringEnd(text, 1), text.indexOf(':') - 1);
    assert.equal(jsonStringEnd('"open \\"', 0), 8);
  });

  it('counts nesting outside strings only', () => {
    assert.equal(nestsDeeperThan('[[["[[[[[[\\"[[[[["]]]', 3), false);
    assert.equal(nestsDeeperThan('[[[[1]]]]', 3), true);
    assert.equal(nestsDeeperThan(`{"k":"${'{'.repeat(50)}"}`, 1), false);
  });

  it('leaves digits inside strings alone, in both readers of the body', () => {
    const text = '{"s":"x\\" 12345678901234567","n":12345678901234567}';
    assert.equal(quoteLongIntegers(text), '{"s":"x\\" 12345678901234567","n":"\\u0000#12345678901234567"}');
    assert.equal(numberLiteralIn('{"a\\"":"9","b":9.0}', ['b']), '9.0');
  });
});
