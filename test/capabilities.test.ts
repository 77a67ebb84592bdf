/**
 * Signed capabilities: a token verifies to what it was signed with until it expires, and every
 * altered, foreign (another database's secret), expired, oversize or malformed token is refused
 * as UNAUTHENTICATED.
 */
import { after, before, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';

import { createDatabase, FAST, selectedDialects, type TestDatabase } from './support/databases';
import { SqlStore } from '../src/store/sql-store';
import { Capabilities, MAX_TOKEN_CHARS } from '../src/core/capabilities';
import { TrackbridgeError } from '../src/core/errors';

const isUnauthenticated = (e: unknown) => e instanceof TrackbridgeError && e.code === 'UNAUTHENTICATED';
const isInvalid = (e: unknown) => e instanceof TrackbridgeError && e.code === 'INVALID_ARGUMENT';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

for (const dialect of selectedDialects()) {
  describe(`capabilities (${dialect})`, () => {
    let db: TestDatabase;
    let otherDb: TestDatabase;
    let store: SqlStore;
    let otherStore: SqlStore;
    let caps: Capabilities;

    /** A token signed with this database's secret over any payload text: what only a holder of the secret could make. */
    async function forged(payloadText: string): Promise<string> {
      const row = await store.db('settings').where({ name: 'capability_secret' }).first();
      const payload = b64(payloadText);
      return `${payload}.${createHmac('sha256', Buffer.from(row.value, 'base64url')).update(payload).digest('base64url')}`;
    }

    before(async () => {
      [db, otherDb] = await Promise.all([createDatabase(dialect), createDatabase(dialect)]);
      store = await SqlStore.open(db.url, FAST);
      otherStore = await SqlStore.open(otherDb.url, FAST);
      caps = new Capabilities(store);
    });

    after(async () => {
      await store?.close();
      await otherStore?.close();
      await db?.drop();
      await otherDb?.drop();
    });

    it('verifies a token to the purpose and claims it was signed with', async () => {
      const claims = { runId: 'abc123', path: 'media/images/é 1.png', size: 1024, ratio: 0.5 };
      const token = await caps.sign('run-file', claims, 60);
      assert.match(token, /^[A-Za-z0-9_.-]+$/);
      assert.deepEqual(await caps.verify(token), { purpose: 'run-file', claims });
      // Another process on the same database holds the same secret.
      assert.deepEqual(await new Capabilities(store).verify(token), { purpose: 'run-file', claims });
      const reopened = await SqlStore.open(db.url, FAST);
      try {
        assert.deepEqual(await new Capabilities(reopened).verify(token), { purpose: 'run-file', claims });
      } finally {
        await reopened.close();
      }
      assert.deepEqual(await caps.verify(await caps.sign('empty', {}, 1)), { purpose: 'empty', claims: {} });
    });

    it('refuses a token whose payload was altered', async () => {
      const token = await caps.sign('upload', { runId: 'r1', path: 'a.txt' }, 60);
      const [payload, signature] = token.split('.');
      const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      for (const change of [{ ...body, c: { runId: 'r2', path: 'a.txt' } }, { ...body, p: 'download' }, { ...body, e: body.e + 3600 }]) {
        await assert.rejects(caps.verify(`${b64(JSON.stringify(change))}.${signature}`), isUnauthenticated);
      }
      const last = payload.at(-1) === 'A' ? 'B' : 'A';
      await assert.rejects(caps.verify(`${payload.slice(0, -1)}${last}.${signature}`), isUnauthenticated);
      await assert.rejects(caps.verify(`${payload}A.${signature}`), isUnauthenticated);
    });

    it('refuses a token whose signature was altered', async () => {
      const token = await caps.sign('upload', { runId: 'r1' }, 60);
      const [payload, signature] = token.split('.');
      const variants = [
        signature.slice(0, -1),
        `${signature}A`,
        signature.split('').reverse().join(''),
        `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`,
        'A'.repeat(signature.length),
        '',
      ];
      // The last character's spare bits: the same bytes spelled otherwise are refused too.
      const lastValue = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(signature.at(-1)!);
      variants.push(signature.slice(0, -1) + 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[lastValue ^ 1]);
      for (const s of variants) await assert.rejects(caps.verify(`${payload}.${s}`), isUnauthenticated, `accepted signature ${s}`);
      await assert.rejects(caps.verify(payload), isUnauthenticated);
    });

    it("refuses another database's tokens", async () => {
      const foreign = new Capabilities(otherStore);
      const token = await foreign.sign('upload', { runId: 'r1' }, 60);
      assert.deepEqual(await foreign.verify(token), { purpose: 'upload', claims: { runId: 'r1' } });
      await assert.rejects(caps.verify(token), isUnauthenticated);
      await assert.rejects(foreign.verify(await caps.sign('upload', { runId: 'r1' }, 60)), isUnauthenticated);
    });

    it('refuses a token once it has expired', async (t) => {
      const token = await caps.sign('upload', { runId: 'r1' }, 30);
      assert.ok(await caps.verify(token));
      const real = Date.now;
      const now = mock.method(Date, 'now', () => real() + 29_000);
      t.after(() => now.mock.restore());
      const body = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
      assert.ok(body.e - real() / 1000 <= 30 && body.e - real() / 1000 > 28, `expiry ${body.e}`);
      now.mock.mockImplementation(() => real() + 31_000);
      await assert.rejects(caps.verify(token), (e) => isUnauthenticated(e) && /expired/.test((e as Error).message));
      now.mock.mockImplementation(() => body.e * 1000);
      await assert.rejects(caps.verify(token), isUnauthenticated);
      now.mock.restore();
      await assert.rejects(caps.verify(await forged(JSON.stringify({ p: 'upload', c: {}, e: Math.floor(Date.now() / 1000) - 1 }))), isUnauthenticated);
    });

    it('refuses oversize tokens before reading them, and will not sign one', async () => {
      const token = await caps.sign('upload', { runId: 'r1' }, 60);
      await assert.rejects(caps.verify(`${token}${'A'.repeat(MAX_TOKEN_CHARS)}`), isUnauthenticated);
      await assert.rejects(caps.verify('A'.repeat(10 * 1024 * 1024)), isUnauthenticated);
      const big = await forged(JSON.stringify({ p: 'upload', c: { x: 'y'.repeat(MAX_TOKEN_CHARS) }, e: Math.floor(Date.now() / 1000) + 60 }));
      await assert.rejects(caps.verify(big), isUnauthenticated);
      await assert.rejects(caps.sign('upload', { path: 'p'.repeat(MAX_TOKEN_CHARS) }, 60), isInvalid);
    });

    it('refuses garbage', async () => {
      const garbage = ['', '.', '..', 'a.b.c', 'abc', 'a.', '.a', 'a b.c', 'é.é', 'a+b.c/d', 'a=.b=', '\u0000.\u0000', 'null', '{}.{}'];
      for (const g of garbage) await assert.rejects(caps.verify(g), isUnauthenticated, `accepted ${JSON.stringify(g)}`);
      for (const g of [undefined, null, 42, {}, ['a.b']]) await assert.rejects(caps.verify(g as any), isUnauthenticated);
    });

    it('refuses well-signed payloads of the wrong shape', async () => {
      const e = Math.floor(Date.now() / 1000) + 60;
      const shapes = [
        'not json', '', '[]', 'null', '42', '"text"', '{}',
        JSON.stringify({ p: 'upload', c: {} }),
        JSON.stringify({ p: 'upload', c: {}, e: String(e) }),
        JSON.stringify({ p: 'upload', c: {}, e: e + 0.5 }),
        JSON.stringify({ p: 42, c: {}, e }),
        JSON.stringify({ c: {}, e }),
        JSON.stringify({ p: 'upload', c: [], e }),
        JSON.stringify({ p: 'upload', c: null, e }),
        JSON.stringify({ p: 'upload', c: { nested: { a: 1 } }, e }),
        JSON.stringify({ p: 'upload', c: { flag: true }, e }),
        JSON.stringify({ p: 'upload', c: { n: null }, e }),
      ];
      for (const s of shapes) await assert.rejects(caps.verify(await forged(s)), isUnauthenticated, `accepted ${s}`);
      assert.deepEqual(await caps.verify(await forged(JSON.stringify({ p: 'upload', c: { n: 1 }, e }))), { purpose: 'upload', claims: { n: 1 } });
    });

    it('refuses to sign without a purpose, with odd claims or without a lifetime', async () => {
      await assert.rejects(caps.sign('', {}, 60), isInvalid);
      await assert.rejects(caps.sign('upload', { nested: { a: 1 } } as any, 60), isInvalid);
      await assert.rejects(caps.sign('upload', { n: Number.NaN }, 60), isInvalid);
      for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) await assert.rejects(caps.sign('upload', {}, ttl), isInvalid);
    });
  });
}
