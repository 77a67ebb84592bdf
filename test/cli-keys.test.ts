/**
 * `trackbridge keys create | list | revoke` as processes (the built command: `npm run build`
 * first): the key alone on stdout, the listing as a table and as JSON, revocation, the database
 * chosen as `serve` chooses it, and a created key logging in to a running server until revoked.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { createDatabase } from './support/databases';
import { killLeftovers, removeScratchDirs, request, runCommand, scratchDir, serve } from './support/serve-process';
import { SqlStore } from '../src/store/sql-store';
import { Accounts } from '../src/core/accounts';

after(() => {
  killLeftovers();
  removeScratchDirs();
});

interface Done { code: number | null; stdout: string; stderr: string }

async function keys(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<Done> {
  const run = runCommand(['keys', ...args], { TRACKBRIDGE_DB: '', ...env }, cwd);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), 30_000);
  const exit = await run.exited;
  clearTimeout(timer);
  return { code: exit.code, stdout: run.stdout(), stderr: run.stderr() };
}

async function created(db: string, user: string): Promise<{ key: string; keyId: string }> {
  const out = await keys(['create', '--user', user, '--db', db]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /^tb-[A-Za-z0-9]{40}\n$/);
  const m = /API key ([0-9a-f]+) issued for user (\S+); it is shown only this once\n$/.exec(out.stderr);
  assert.ok(m, out.stderr);
  assert.equal(m[2], user);
  assert.equal(out.stderr.trim().split('\n').length, 1);
  return { key: out.stdout.trim(), keyId: m[1] };
}

async function authenticated(db: string, key: string) {
  const store = await SqlStore.open(db);
  try {
    return await new Accounts(store).authenticate(key);
  } finally {
    await store.close();
  }
}

const sqliteUrl = (dir: string) => `sqlite:///${path.join(dir, 'trackbridge.sqlite')}`;

describe('keys: create, list, revoke', () => {
  const db = sqliteUrl(scratchDir());
  let alice: { key: string; keyId: string };
  let bob: { key: string; keyId: string };

  it('prints only the key on stdout, and a key that authenticates', async () => {
    alice = await created(db, 'alice');
    bob = await created(db, 'bob');
    assert.notEqual(alice.key, bob.key);
    assert.deepEqual(await authenticated(db, alice.key), { userName: 'alice', entity: 'alice', keyId: alice.keyId });
    assert.deepEqual(await authenticated(db, bob.key), { userName: 'bob', entity: 'bob', keyId: bob.keyId });
  });

  it('lists the keys as a table and as JSON, never the keys themselves', async () => {
    const table = await keys(['list', '--db', db]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0], /^KEY ID\s+USER\s+CREATED\s+REVOKED\s+HINT$/);
    assert.match(lines[1], new RegExp(`^${alice.keyId}\\s+alice\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\s+-\\s+tb-${alice.key.slice(3, 7)}…$`));
    assert.match(lines[2], new RegExp(`^${bob.keyId}\\s+bob\\s`));
    assert.ok(!table.stdout.includes(alice.key.slice(3, 12)));

    const json = await keys(['list', '--json', '--db', db]);
    assert.equal(json.code, 0, json.stderr);
    const list = JSON.parse(json.stdout);
    assert.deepEqual(list.map((k: any) => [k.keyId, k.userName, k.hint, k.revokedAt]), [
      [alice.keyId, 'alice', alice.key.slice(3, 7), undefined],
      [bob.keyId, 'bob', bob.key.slice(3, 7), undefined],
    ]);
    assert.equal(typeof list[0].createdAt, 'number');
  });

  it('revokes a key by its id, and refuses an id it does not know', async () => {
    const out = await keys(['revoke', alice.keyId, '--db', db]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, '');
    assert.equal(await authenticated(db, alice.key), undefined);
    assert.ok(await authenticated(db, bob.key));
    const list = JSON.parse((await keys(['list', '--json', '--db', db])).stdout);
    assert.equal(typeof list[0].revokedAt, 'number');
    assert.equal(list[1].revokedAt, undefined);
    assert.match((await keys(['list', '--db', db])).stdout.split('\n')[1], /Z\s+\d{4}-\d\d-\d\dT\S+Z\s+tb-/);

    const unknown = await keys(['revoke', 'feedfacefeedface', '--db', db]);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stdout, '');
    assert.match(unknown.stderr, /no API key has the id "feedfacefeedface"/);
  });

  it('refuses a bad user name or none, printing nothing on stdout', async () => {
    for (const args of [['create', '--user', 'a/b', '--db', db], ['create', '--user', '', '--db', db], ['create', '--db', db]]) {
      const out = await keys(args);
      assert.equal(out.code, 1, `${args.join(' ')}: ${out.stderr}`);
      assert.equal(out.stdout, '');
      assert.ok(out.stderr.length > 0);
    }
    assert.equal(JSON.parse((await keys(['list', '--json', '--db', db])).stdout).length, 2);
  });

  it('has help with an example for each command', async () => {
    for (const sub of [['create'], ['list'], ['revoke'], []]) {
      const out = await keys([...sub, '--help']);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /Example/);
      assert.match(out.stdout, /\$ (export .*\$\()?trackbridge keys/);
      if (sub.length) assert.match(out.stdout, /--db <url>/);
    }
  });
});

describe('keys: the database', () => {
  it('takes TRACKBRIDGE_DB, and the default file under the working folder', async () => {
    const dir = scratchDir();
    const db = sqliteUrl(dir);
    const out = await keys(['create', '--user', 'env'], { TRACKBRIDGE_DB: db });
    assert.equal(out.code, 0, out.stderr);
    assert.ok(await authenticated(db, out.stdout.trim()));

    const cwd = scratchDir();
    const made = await keys(['create', '--user', 'here'], {}, cwd);
    assert.equal(made.code, 0, made.stderr);
    const file = path.join(cwd, 'trackbridge-data', 'trackbridge.sqlite');
    assert.ok(fs.existsSync(file));
    assert.ok(await authenticated(`sqlite:///${file}`, made.stdout.trim()));
    const listed = await keys(['list', '--json'], {}, cwd);
    assert.deepEqual(JSON.parse(listed.stdout).map((k: any) => k.userName), ['here']);
  });

  it('works on PostgreSQL and MySQL', async () => {
    for (const dialect of ['postgres', 'mysql'] as const) {
      const db = await createDatabase(dialect);
      try {
        const a = await created(db.url, 'alice');
        assert.ok(await authenticated(db.url, a.key));
        assert.equal((await keys(['revoke', a.keyId, '--db', db.url])).code, 0);
        assert.equal(await authenticated(db.url, a.key), undefined);
        assert.equal(JSON.parse((await keys(['list', '--json', '--db', db.url])).stdout).length, 1);
      } finally {
        await db.drop();
      }
    }
  });
});

describe('keys: a running server', () => {
  it('accepts a created key, and refuses it once revoked (within 10 seconds when it was in use)', async () => {
    const dir = scratchDir();
    const server = await serve(['--quiet'], { dir });
    try {
      const db = sqliteUrl(dir);
      const used = await created(db, 'alice');
      const unused = await created(db, 'bob');
      const graphql = (key: string) => request(server.port, 'POST', '/graphql', {
        Authorization: `Basic ${Buffer.from(`api:${key}`).toString('base64')}`, 'Content-Type': 'application/json',
      }, JSON.stringify({ operationName: 'Viewer', query: 'query Viewer { viewer { id } }', variables: {} }));

      assert.notEqual((await graphql(used.key)).status, 401);
      assert.equal((await graphql(`${used.key.slice(0, -1)}${used.key.endsWith('a') ? 'b' : 'a'}`)).status, 401);

      assert.equal((await keys(['revoke', unused.keyId, '--db', db])).code, 0);
      assert.equal((await graphql(unused.key)).status, 401);

      assert.equal((await keys(['revoke', used.keyId, '--db', db])).code, 0);
      const revokedAt = Date.now();
      while ((await graphql(used.key)).status !== 401) {
        assert.ok(Date.now() - revokedAt < 11_000, 'the revoked key still logs in after 11 seconds');
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await server.stop();
    }
  });
});
