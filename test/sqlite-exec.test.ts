/** The SQLite statement runner keeps its prepared statements bounded, by count and by text. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { SqliteExec, STATEMENT_CACHE } from '../src/store/sql-exec';

const Database = require('better-sqlite3');

/** A statement of about `chars` characters (the padding is a comment), told apart by `tag`. */
const padded = (chars: number, tag: number) => `SELECT ${tag} AS v /* ${'x'.repeat(chars)} */`;
const cache = (exec: SqliteExec) => (exec as unknown as { statements: Map<string, unknown>; cachedChars: number });

describe('SQLite statement cache', () => {
  it('keeps at most its number of statements, and still answers evicted ones', async () => {
    const exec = new SqliteExec(new Database(':memory:'));
    for (let i = 0; i < STATEMENT_CACHE.entries + 50; i++) await exec.all(`SELECT ${i} AS v`);
    assert.equal(cache(exec).statements.size, STATEMENT_CACHE.entries);
    assert.deepEqual(await exec.all('SELECT 0 AS v'), [{ v: 0n }]);
  });

  it('does not keep a statement longer than a hot insert, and bounds the text it keeps', async () => {
    const exec = new SqliteExec(new Database(':memory:'));
    const big = padded(STATEMENT_CACHE.maxTextChars + 10, 1);
    assert.deepEqual(await exec.all(big), [{ v: 1n }]);
    assert.equal(cache(exec).statements.has(big), false);
    // Distinct statements just under the per-statement bound, more than the total bound holds.
    const chars = STATEMENT_CACHE.maxTextChars - 100;
    const count = Math.ceil(STATEMENT_CACHE.totalChars / chars) + 5;
    for (let i = 0; i < count; i++) assert.deepEqual(await exec.all(padded(chars, i)), [{ v: BigInt(i) }]);
    assert.ok(cache(exec).cachedChars <= STATEMENT_CACHE.totalChars, `${cache(exec).cachedChars} characters kept`);
    assert.ok(cache(exec).statements.size < count);
    assert.ok(cache(exec).statements.has(padded(chars, count - 1)), 'the newest statement is kept');
  });
});
