/**
 * Users and API keys on every database: keys authenticate until revoked, anything else is
 * refused, the default entity is the first user's for good, and store objects starting together
 * on one database agree on the default entity and on the capability secret.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

import { createDatabase, FAST, selectedDialects, type TestDatabase } from './support/databases';
import { SqlStore } from '../src/store/sql-store';
import { Accounts } from '../src/core/accounts';
import { Capabilities } from '../src/core/capabilities';
import { TrackbridgeError } from '../src/core/errors';

const isInvalid = (e: unknown) => e instanceof TrackbridgeError && e.code === 'INVALID_ARGUMENT';

for (const dialect of selectedDialects()) {
  describe(`accounts (${dialect})`, () => {
    let db: TestDatabase;
    let store: SqlStore;
    let accounts: Accounts;

    before(async () => {
      db = await createDatabase(dialect);
      store = await SqlStore.open(db.url, FAST);
      accounts = new Accounts(store);
    });

    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('has no default entity before the first user', async () => {
      assert.equal(await accounts.defaultEntity(), undefined);
      assert.deepEqual(await accounts.listKeys(), []);
    });

    it('issues keys the W&B client accepts, stores only their hash, and authenticates them', async () => {
      const issued = await accounts.createKey('alice');
      assert.match(issued.key, /^tb-[A-Za-z0-9]{40}$/);
      assert.equal(issued.userName, 'alice');
      assert.ok(Math.abs(issued.createdAt - Date.now()) < 60_000);
      assert.deepEqual(await accounts.authenticate(issued.key), { userName: 'alice', entity: 'alice', keyId: issued.keyId });
      // A second process (no cache) finds it too.
      assert.deepEqual(await new Accounts(store).authenticate(issued.key), { userName: 'alice', entity: 'alice', keyId: issued.keyId });

      const rows = await store.db('api_keys').select('*');
      assert.equal(rows.length, 1);
      assert.equal(rows[0].key_hash, createHash('sha256').update(issued.key).digest('hex'));
      const stored = JSON.stringify(rows) + JSON.stringify(await store.db('users').select('*')) + JSON.stringify(await store.db('settings').select('*'));
      assert.ok(!stored.includes(issued.key.slice(3)), 'the key itself is stored somewhere');
    });

    it('makes the first user the default entity, for good', async () => {
      assert.equal(await accounts.defaultEntity(), 'alice');
      const bob = await accounts.createKey('bob');
      assert.deepEqual(await accounts.authenticate(bob.key), { userName: 'bob', entity: 'bob', keyId: bob.keyId });
      assert.equal(await accounts.defaultEntity(), 'alice');
      assert.equal(await new Accounts(store).defaultEntity(), 'alice');
      const other = await SqlStore.open(db.url, FAST);
      try {
        assert.equal(await new Accounts(other).defaultEntity(), 'alice');
      } finally {
        await other.close();
      }
    });

    it('gives a user more keys, each of its own', async () => {
      const a = await accounts.createKey('carol');
      const b = await accounts.createKey('carol');
      assert.notEqual(a.key, b.key);
      assert.notEqual(a.keyId, b.keyId);
      assert.equal((await accounts.authenticate(a.key))?.keyId, a.keyId);
      assert.equal((await accounts.authenticate(b.key))?.keyId, b.keyId);
      assert.equal(await store.db('users').where({ name: 'carol' }).count({ n: '*' }).first().then((r: any) => Number(r.n)), 1);
    });

    it('refuses wrong, empty, oversize, non-ASCII and malformed keys', async () => {
      const issued = await accounts.createKey('dave');
      const last = issued.key.at(-1) === 'a' ? 'b' : 'a';
      const refused = [
        issued.key.slice(0, -1) + last,
        issued.key.slice(0, -1),
        `${issued.key} `,
        issued.key.toUpperCase() === issued.key ? issued.key.toLowerCase() : issued.key.toUpperCase(),
        '',
        'tb-',
        'x'.repeat(10_000),
        issued.key + 'x'.repeat(10_000),
        `tb-${'é'.repeat(40)}`,
        issued.key.slice(0, -1) + 'ä',
        `tb-${'a'.repeat(39)}\n`,
        'null',
      ];
      for (const key of refused) assert.equal(await accounts.authenticate(key), undefined, `authenticated ${JSON.stringify(key.slice(0, 60))}`);
      for (const key of [undefined, null, 42, {}, ['tb-x']]) assert.equal(await accounts.authenticate(key as any), undefined);
      assert.ok(await accounts.authenticate(issued.key));
    });

    it('refuses a revoked key at once, and keeps its first revocation time', async () => {
      const issued = await accounts.createKey('erin');
      const other = await accounts.createKey('erin');
      assert.ok(await accounts.authenticate(issued.key));
      assert.equal(await accounts.revokeKey(issued.keyId), true);
      assert.equal(await accounts.authenticate(issued.key), undefined);
      assert.equal(await new Accounts(store).authenticate(issued.key), undefined);
      assert.ok(await accounts.authenticate(other.key), 'revoking one key revoked another');

      const first = (await accounts.listKeys()).find((k) => k.keyId === issued.keyId)!;
      assert.equal(typeof first.revokedAt, 'number');
      await new Promise((r) => setTimeout(r, 5));
      assert.equal(await accounts.revokeKey(issued.keyId), true);
      assert.equal((await accounts.listKeys()).find((k) => k.keyId === issued.keyId)!.revokedAt, first.revokedAt);
      assert.equal(await accounts.authenticate(issued.key), undefined);
    });

    it('answers false for revoking a key nobody has', async () => {
      assert.equal(await accounts.revokeKey('0000000000000000'), false);
      assert.equal(await accounts.revokeKey(''), false);
      assert.equal(await accounts.revokeKey('x'.repeat(10_000)), false);
    });

    it('lists every key oldest first, with a hint of its first characters', async () => {
      const fresh = await accounts.createKey('frank');
      const list = await accounts.listKeys();
      // Keys made within one millisecond may list in either order.
      assert.deepEqual(list.map((k) => k.userName).sort(), ['alice', 'bob', 'carol', 'carol', 'dave', 'erin', 'erin', 'frank']);
      const mine = list.find((k) => k.keyId === fresh.keyId)!;
      assert.deepEqual(mine, { keyId: fresh.keyId, userName: 'frank', createdAt: fresh.createdAt, hint: fresh.key.slice(3, 7) });
      assert.equal(list.filter((k) => k.revokedAt !== undefined).length, 1);
      for (let i = 1; i < list.length; i++) assert.ok(list[i - 1].createdAt <= list[i].createdAt);
    });

    it('takes user names of letters, digits, _ . - (no /), up to 64 characters', async () => {
      for (const name of ['a', 'A.b-c_d', '9lives', 'x'.repeat(64)]) {
        const issued = await accounts.createKey(name);
        assert.equal((await accounts.authenticate(issued.key))?.entity, name);
      }
      for (const name of ['', 'a/b', '-a', '.a', '_a', 'a b', 'é', 'x'.repeat(65), 'a\n', 'ab/', '../x']) {
        await assert.rejects(accounts.createKey(name), isInvalid, `accepted ${JSON.stringify(name)}`);
      }
      await assert.rejects(accounts.createKey(undefined as any), isInvalid);
      assert.equal(await store.db('users').where({ name: 'a/b' }).first(), undefined);
    });

    it('keeps names differing in case apart', async () => {
      const upper = await accounts.createKey('Grace');
      const lower = await accounts.createKey('grace');
      assert.equal((await accounts.authenticate(upper.key))?.entity, 'Grace');
      assert.equal((await accounts.authenticate(lower.key))?.entity, 'grace');
    });
  });

  describe(`accounts: first starts racing (${dialect})`, () => {
    let db: TestDatabase;
    const stores: SqlStore[] = [];

    before(async () => {
      db = await createDatabase(dialect);
      // Schema first: the race is about the first users and the first secret, not the migrations.
      stores.push(await SqlStore.open(db.url, FAST));
      stores.push(await SqlStore.open(db.url, FAST));
    });

    after(async () => {
      for (const s of stores) await s.close();
      await db?.drop();
    });

    it('agrees on the default entity when the first users are created together', async () => {
      const [a, b] = stores.map((s) => new Accounts(s));
      const names = ['ann', 'ben', 'cat', 'dan', 'eve', 'fay'];
      const issued = await Promise.all(names.map((n, i) => (i % 2 ? b : a).createKey(n)));
      const chosen = await a.defaultEntity();
      assert.ok(chosen && names.includes(chosen), `default entity ${chosen}`);
      assert.equal(await b.defaultEntity(), chosen);
      for (const s of stores) assert.equal(await new Accounts(s).defaultEntity(), chosen);
      const rows = await stores[0].db('settings').where({ name: 'default_entity' }).select('value');
      assert.deepEqual(rows.map((r: any) => r.value), [chosen]);
      for (const k of issued) assert.equal((await b.authenticate(k.key))?.userName, k.userName);
    });

    it('agrees on the capability secret when every process first signs together', async () => {
      const caps = [...stores, ...stores].map((s) => new Capabilities(s));
      const tokens = await Promise.all(caps.map((c, i) => c.sign('upload', { n: i }, 60)));
      for (const c of caps) {
        for (const [i, t] of tokens.entries()) assert.deepEqual(await c.verify(t), { purpose: 'upload', claims: { n: i } });
      }
      const rows = await stores[1].db('settings').where({ name: 'capability_secret' }).select('value');
      assert.equal(rows.length, 1);
      assert.equal(Buffer.from(rows[0].value, 'base64url').length, 32);
    });
  });
}
