/** The ingest path's over-long text: clipped and reported, or refused; never clipped silently. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { Clipper } from '../src/core/clipping';
import { TrackbridgeError } from '../src/core/errors';

describe('ingest clipping', () => {
  it('keeps text within the limit as it is and reports nothing', () => {
    const c = new Clipper('run', 'r1', 'warn');
    assert.equal(c.text('abc', 3, 'name'), 'abc');
    assert.deepEqual(c.warnings, []);
  });

  it('clips over-long text to the limit with one warning naming the object, field, length and limit', () => {
    const c = new Clipper('experiment', 'e1', 'warn');
    assert.equal(c.text('abcdef', 4, 'tags[2].value'), 'abcd');
    assert.deepEqual(c.warnings, [{ kind: 'experiment', object: 'e1', field: 'tags[2].value', length: 6, limit: 4 }]);
  });

  it('never ends clipped text with half of a surrogate pair', () => {
    const c = new Clipper('run', 'r1', 'warn');
    const clipped = c.text('ab\u{1F600}cd', 3, 'name');
    assert.equal(clipped, 'ab');
    assert.equal(c.warnings[0].length, 6);
  });

  it('refuses over-long text when asked to, and NUL always', () => {
    const refusing = new Clipper('run', 'r1', 'refuse');
    assert.throws(() => refusing.text('abcdef', 4, 'params[0].value'), (e: unknown) =>
      e instanceof TrackbridgeError && e.code === 'INVALID_ARGUMENT' && /'params\[0\]\.value' of run r1: it is 6 characters long, over the limit of 4/.test(e.message));
    assert.deepEqual(refusing.warnings, []);
    assert.throws(() => new Clipper('run', 'r1', 'warn').text('a\u0000b', 10, 'name'), /NUL characters are not allowed/);
  });
});
