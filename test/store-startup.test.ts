/**
 * Opening a store: databases that are not ours are refused before anything is written, start-up
 * errors are one line a person can act on, and the schema setup survives crashes and races.
 * Runs on every dialect named in TRACKBRIDGE_TEST_DBS (default sqlite,postgres,mysql).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';

import { TrackbridgeError } from '../src/core/errors';
import { SqlStore } from '../src/store/sql-store';
import { MIGRATIONS, OWN_TABLES } from '../src/store/schema/migrations';
import { openError } from '../src/store/open-errors';
import { mysql } from '../src/store/dialect';
import { createDatabase, FAST, MYSQL_ADMIN_URL, PG_ADMIN_URL, selectedDialects, type Dialect, type TestDatabase } from './support/databases';
import { schemaShape, type SchemaShape } from './support/schema-shape';
import { uniq } from './conformance/context';

const REPO = path.resolve(__dirname, '..');

/** A knex handle on a test database that is not a store (so it runs no schema setup). */
async function withKnex<T>(db: TestDatabase, fn: (k: Knex) => Promise<T>): Promise<T> {
  const k = knexFactory(db.dialect === 'sqlite'
    ? { client: 'better-sqlite3', connection: { filename: sqliteFile(db) }, useNullAsDefault: true }
    : { client: db.dialect === 'postgres' ? 'pg' : 'mysql2', connection: db.url, pool: { min: 0, max: 1 } });
  try {
    return await fn(k);
  } finally {
    await k.destroy();
  }
}

const sqliteFile = (db: TestDatabase) => db.url.slice('sqlite:///'.length);

async function withFresh(dialect: Dialect, fn: (db: TestDatabase) => Promise<void>): Promise<void> {
  const db = await createDatabase(dialect);
  try {
    await fn(db);
  } finally {
    await db.drop();
  }
}

/** Awaits `p`, which must fail with a one-line TrackbridgeError; returns it. */
async function refusal(p: Promise<SqlStore>): Promise<TrackbridgeError> {
  let caught: unknown;
  try {
    const store = await p;
    await store.close();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, 'the store opened');
  assert.ok(caught instanceof TrackbridgeError, `expected a TrackbridgeError, got: ${String((caught as Error)?.stack ?? caught)}`);
  assert.doesNotMatch(caught.message, /\n/, `not one line: ${caught.message}`);
  return caught;
}

interface ChildResult { code: number | null; signal: NodeJS.Signals | null; out: string }

/**
 * Opens the store in a process of its own (a server starting). It may be killed with SIGKILL
 * right after its N-th schema statement, or `killAfterMs` after it starts opening.
 */
function openInChild(url: string, kill: { afterStatement?: number; afterMs?: number } = {}): Promise<ChildResult> {
  const args = ['--import', 'tsx', 'test/support/open-store-child.ts', url];
  if (kill.afterStatement !== undefined) args.push(String(kill.afterStatement));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (kill.afterMs !== undefined && out.startsWith('starting\n') && out.length === d.length) {
        setTimeout(() => child.kill('SIGKILL'), kill.afterMs);
      }
    });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out: out.replace(/^starting\n/, '').trim() }));
  });
}

/** How many statements a clean first start runs, and the schema it leaves. */
async function cleanStart(dialect: Dialect): Promise<{ statements: number; ms: number; shape: SchemaShape }> {
  const db = await createDatabase(dialect);
  try {
    let statements = 0;
    const t0 = performance.now();
    const store = await SqlStore.open(db.url, { ...FAST, onSchemaStatement: () => { statements++; } });
    const ms = performance.now() - t0;
    const shape = await schemaShape(store.db, dialect);
    await store.close();
    return { statements, ms, shape };
  } finally {
    await db.drop();
  }
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

async function addForeignTables(db: TestDatabase, names: string[]): Promise<void> {
  if (db.dialect === 'sqlite') {
    const Database = require('better-sqlite3');
    const raw = new Database(sqliteFile(db));
    for (const n of names) raw.exec(`CREATE TABLE ${n} (id INTEGER PRIMARY KEY, label TEXT)`);
    raw.prepare('INSERT INTO experiments (label) VALUES (?)').run('Default');
    raw.close();
    return;
  }
  await withKnex(db, async (k) => {
    for (const n of names) await k.schema.createTable(n, (t) => { t.increments('id'); t.string('label', 100); });
  });
}

function startupSuite(dialect: Dialect): void {
  describe(`store start-up: ${dialect}`, () => {
    let clean: { statements: number; ms: number; shape: SchemaShape };
    before(async () => { clean = await cleanStart(dialect); });

    it('a fresh start makes exactly the tables the store counts as its own', () => {
      assert.ok(clean.statements > 20, `the setup reported ${clean.statements} statements`);
      const own = new Set(OWN_TABLES);
      for (const t of clean.shape.tables) assert.ok(own.has(t), `table ${t} is missing from OWN_TABLES`);
      for (const t of OWN_TABLES) {
        if (t !== 'trackbridge_migrations_lock') assert.ok(clean.shape.tables.includes(t), `OWN_TABLES names ${t}, which no migration makes`);
      }
    });

    it('refuses an MLflow database before writing anything, naming `trackbridge import`', async () => {
      await withFresh(dialect, async (db) => {
        await addForeignTables(db, ['alembic_version', 'experiments', 'runs']);
        const file = dialect === 'sqlite' ? sqliteFile(db) : '';
        const hash = dialect === 'sqlite' ? sha256(file) : '';
        const before = await withKnex(db, (k) => schemaShape(k, dialect));

        const e = await refusal(SqlStore.open(db.url, FAST));
        assert.equal(e.code, 'INVALID_STATE');
        assert.match(e.message, /trackbridge import/);
        assert.match(e.message, /alembic_version/);
        assert.match(e.message, /MLflow/);

        if (dialect === 'sqlite') {
          assert.equal(sha256(file), hash, 'the file changed');
          assert.ok(!fs.existsSync(`${file}-wal`), 'a -wal file was created');
          assert.ok(!fs.existsSync(`${file}-shm`), 'a -shm file was created');
          assert.ok(!fs.existsSync(`${file}-journal`), 'a journal was created');
        }
        const afterShape = await withKnex(db, (k) => schemaShape(k, dialect));
        assert.deepEqual(afterShape, before);
        assert.ok(!afterShape.tables.includes('trackbridge_migrations'));
      });
    });

    it('refuses a database holding any table that is not its own', async () => {
      await withFresh(dialect, async (db) => {
        const store = await SqlStore.open(db.url, FAST);
        await store.close();
        await withKnex(db, (k) => k.schema.createTable('notes', (t) => { t.integer('id'); }));
        const e = await refusal(SqlStore.open(db.url, FAST));
        assert.equal(e.code, 'INVALID_STATE');
        assert.match(e.message, /\bnotes\b/);
        assert.match(e.message, /trackbridge import/);
        assert.doesNotMatch(e.message, /MLflow database/);
      });
    });

    it('a stale migration lock row left by an older version does not block the start', async () => {
      await withFresh(dialect, async (db) => {
        const store = await SqlStore.open(db.url, FAST);
        await store.close();
        await withKnex(db, async (k) => {
          if (!(await k.schema.hasTable('trackbridge_migrations_lock'))) {
            await k.schema.createTable('trackbridge_migrations_lock', (t) => { t.increments('index').primary(); t.integer('is_locked'); });
          }
          await k('trackbridge_migrations_lock').del();
          await k('trackbridge_migrations_lock').insert({ is_locked: 1 });
        });
        const again = await SqlStore.open(db.url, FAST);
        await again.close();
      });
    });

    it('three servers starting together on a fresh database all open it (3 rounds)', async () => {
      for (let round = 0; round < 3; round++) {
        await withFresh(dialect, async (db) => {
          const results = await Promise.all([openInChild(db.url), openInChild(db.url), openInChild(db.url)]);
          results.forEach((r, i) => assert.ok(r.code === 0 && r.out.endsWith('opened'), `round ${round}, process ${i}: exit ${r.code} ${r.signal ?? ''}: ${r.out}`));
          const shape = await withKnex(db, (k) => schemaShape(k, dialect));
          assert.deepEqual(shape, clean.shape);
          const applied = await withKnex(db, (k) => k('trackbridge_migrations').select('name').orderBy('id'));
          assert.deepEqual(applied.map((r: any) => r.name), MIGRATIONS.map((m) => m.name));
        });
      }
    });

    it('a start-up stopped after any schema statement is completed by the next start', async () => {
      assert.ok(clean.statements > 0, 'the setup reports no statements');
      await withFresh(dialect, async (db) => {
        const transactional = dialect !== 'mysql';
        // MySQL commits each DDL statement: every stop keeps one more statement, and the next start
        // must pass over it. Elsewhere the setup is one transaction: a stop leaves nothing behind.
        const points = transactional ? [1, Math.ceil(clean.statements / 2), clean.statements] : [];
        let stops = 0;
        for (;;) {
          const stopAt = transactional ? points[stops] : 1;
          if (stopAt === undefined) break;
          let n = 0;
          const attempt = SqlStore.open(db.url, {
            ...FAST,
            onSchemaStatement: () => { if (++n === stopAt) throw new Error('stopped here'); },
          }).then(async (s) => { await s.close(); return true; }, (e) => {
            const cause = (e as Error).cause;
            assert.equal(cause instanceof Error && cause.message, 'stopped here', `a start failed: ${(e as Error).message}`);
            return false;
          });
          if (await attempt) break;
          stops++;
          if (transactional) {
            const left = await withKnex(db, (k) => schemaShape(k, dialect));
            assert.deepEqual(left.tables, [], `after a stop at statement ${stopAt}, tables were left: ${left.tables.join(', ')}`);
          }
          assert.ok(stops <= clean.statements, 'the setup made no progress');
        }
        if (!transactional) assert.equal(stops, clean.statements, 'a statement was run twice or skipped');
        const store = await SqlStore.open(db.url, FAST);
        assert.deepEqual(await schemaShape(store.db, dialect), clean.shape);
        await store.close();
      });
    });

    it('a server killed (SIGKILL) during its first start leaves a database the next start completes', async () => {
      const afterStatements = [1, Math.ceil(clean.statements / 3), Math.ceil((2 * clean.statements) / 3), clean.statements - 1];
      // Also at moments spread over the setup, whatever statement that falls on.
      const afterMs = [0.2, 0.5, 0.8].map((f) => Math.round(f * clean.ms));
      let killed = 0;
      const kills: Array<{ afterStatement?: number; afterMs?: number }> = [
        ...afterStatements.map((n) => ({ afterStatement: n })), ...afterMs.map((ms) => ({ afterMs: ms }))];
      for (const kill of kills) {
        await withFresh(dialect, async (db) => {
          const first = await openInChild(db.url, kill);
          if (kill.afterStatement !== undefined) {
            assert.equal(first.signal, 'SIGKILL', `the start was not killed at statement ${kill.afterStatement}: exit ${first.code}: ${first.out}`);
          }
          if (first.signal === 'SIGKILL') killed++;
          else assert.ok(first.code === 0, `the first start failed: ${first.out}`);
          const next = await openInChild(db.url);
          assert.ok(next.code === 0 && next.out.endsWith('opened'), `after a kill ${JSON.stringify(kill)}: ${next.out}`);
          assert.deepEqual(await withKnex(db, (k) => schemaShape(k, dialect)), clean.shape);
        });
      }
      // Every kill at a statement lands; one at a moment may come after a quick setup has ended,
      // and then that start simply succeeded: the kills that landed are the ones checked above.
      assert.ok(killed >= afterStatements.length, `only ${killed} kills landed`);
    });

    if (dialect === 'sqlite') sqliteFileTests();
    if (dialect === 'postgres') postgresErrorTests();
    if (dialect === 'mysql') mysqlErrorTests();
  });
}

function sqliteFileTests(): void {
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-startup-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses a SQLite path whose folder does not exist, creating nothing', async () => {
    const folder = path.join(dir, 'no', 'such');
    const e = await refusal(SqlStore.open(`sqlite:///${folder}/tb.sqlite`, FAST));
    assert.match(e.message, new RegExp(`${folder.replace(/[/.]/g, '\\$&')}`));
    assert.match(e.message, /does not exist/);
    assert.match(e.message, /mkdir/);
    assert.ok(!fs.existsSync(path.join(dir, 'no')), 'a folder was created');
  });

  it('creates the folder of a SQLite path when asked to (the default data folder)', async () => {
    const folder = path.join(dir, 'data', uniq());
    const store = await SqlStore.open(`sqlite:///${folder}/tb.sqlite`, { ...FAST, createParentDir: true });
    await store.close();
    assert.ok(fs.existsSync(path.join(folder, 'tb.sqlite')));
  });

  it('refuses a file that is not a SQLite database, leaving its bytes alone', async () => {
    const file = path.join(dir, `notes-${uniq()}.txt`);
    fs.writeFileSync(file, 'experiment notes, not a database\n'.repeat(200));
    const hash = sha256(file);
    const e = await refusal(SqlStore.open(`sqlite:///${file}`, FAST));
    assert.match(e.message, /not a SQLite database/);
    assert.ok(e.message.includes(file));
    assert.equal(sha256(file), hash);
    assert.ok(!fs.existsSync(`${file}-wal`));
  });

  it('refuses a WAL-mode file with frames not yet checkpointed, leaving the file and its -wal as they were', async () => {
    const live = path.join(dir, `live-${uniq()}`);
    fs.mkdirSync(live);
    const Database = require('better-sqlite3');
    const writer = new Database(path.join(live, 'other.sqlite'));
    const file = path.join(dir, `other-${uniq()}.sqlite`);
    try {
      writer.pragma('journal_mode = WAL');
      writer.pragma('wal_autocheckpoint = 0');
      writer.exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('kept in the WAL')`);
      // A copy taken while the writer is open: its tables live only in the -wal frames.
      for (const ext of ['', '-wal', '-shm']) fs.copyFileSync(path.join(live, `other.sqlite${ext}`), `${file}${ext}`);
    } finally {
      writer.close();
    }
    assert.ok(fs.statSync(`${file}-wal`).size > 0);
    const [mainHash, walHash] = [sha256(file), sha256(`${file}-wal`)];
    const e = await refusal(SqlStore.open(`sqlite:///${file}`, FAST));
    assert.match(e.message, /notes/);
    assert.equal(sha256(file), mainHash, 'the main file was rewritten');
    assert.ok(fs.existsSync(`${file}-wal`), 'the -wal file was removed');
    assert.equal(sha256(`${file}-wal`), walHash, 'the -wal file changed');
  });

  it('refuses a SQLite path naming a folder', async () => {
    const e = await refusal(SqlStore.open(`sqlite:///${dir}`, FAST));
    assert.match(e.message, /is a folder/);
  });

  it('says what to do when the SQLite file or its folder is read-only', () => {
    const SqliteError = require('better-sqlite3').SqliteError;
    const e = openError(new SqliteError('attempt to write a readonly database', 'SQLITE_READONLY'), `sqlite:///${dir}/tb.sqlite`);
    assert.ok(e instanceof TrackbridgeError);
    assert.doesNotMatch(e.message, /\n/);
    assert.ok(e.message.includes(`${dir}/tb.sqlite`));
    assert.match(e.message, /read-only/);
    assert.match(e.message, /permissions|writable/);
    assert.ok(e.cause instanceof SqliteError, 'the driver error is kept as the cause');
  });
}

/** A URL on the test server with other credentials or database. */
function urlWith(admin: string, parts: { user?: string; password?: string; database?: string }): string {
  const u = new URL(admin);
  if (parts.user !== undefined) u.username = parts.user;
  if (parts.password !== undefined) u.password = parts.password;
  if (parts.database !== undefined) u.pathname = `/${parts.database}`;
  return u.toString();
}

function assertActionable(e: TrackbridgeError, mustName: RegExp, todo: RegExp): void {
  assert.doesNotMatch(e.message, /secret/, `the password shows: ${e.message}`);
  assert.doesNotMatch(e.message, /\n|\bat \S+ \(\S+:\d+:\d+\)/, `a stack trace shows: ${e.message}`);
  assert.match(e.message, mustName);
  assert.match(e.message, todo);
  assert.ok(e.cause !== undefined && !(e.cause instanceof TrackbridgeError), 'the driver error is kept as the cause');
}

function postgresErrorTests(): void {
  it('an unknown role: one line with the password masked and what to do', async () => {
    const url = urlWith(PG_ADMIN_URL, { user: `nobody_${uniq()}`, password: 'secret', database: 'nope' });
    const e = await refusal(SqlStore.open(url, FAST));
    assertActionable(e, /role "nobody_\w+" does not exist/, /CREATE ROLE/);
    assert.match(e.message, /:\*\*\*@127\.0\.0\.1:5432\/nope/);
  });

  it('a process failing to start prints that one line and nothing else (no driver stack)', async () => {
    const r = await openInChild(urlWith(PG_ADMIN_URL, { user: `nobody_${uniq()}`, password: 'secret' }));
    assert.equal(r.code, 1);
    assert.match(r.out, /^Cannot open the database [^\n]*role "nobody_\w+" does not exist[^\n]*$/);
  });

  it('a missing database: one line naming it and how to create it', async () => {
    const name = `tb_missing_${uniq()}`;
    const e = await refusal(SqlStore.open(urlWith(PG_ADMIN_URL, { database: name, password: 'secret' }), FAST));
    assertActionable(e, new RegExp(`database "${name}" does not exist`), new RegExp(`CREATE DATABASE ${name}`));
    assert.ok(e.message.includes(`/${name}`));
  });

  it('nothing listening: one line naming host and port', async () => {
    const e = await refusal(SqlStore.open('postgresql://u:secret@127.0.0.1:1/db', FAST));
    assertActionable(e, /127\.0\.0\.1:1\b/, /start the database server|host and port/);
    assert.equal(e.code, 'UNAVAILABLE');
  });
}

function mysqlErrorTests(): void {
  it('the schema lock stays with its connection: losing that connection ends the setup', async () => {
    await withFresh('mysql', async (db) => {
      const admin = knexFactory({ client: 'mysql2', connection: db.url, pool: { min: 0, max: 1 } });
      try {
        let after: string | undefined;
        const held = withKnex(db, (k) => mysql.withSchemaLock(k, async (locked) => {
          const [[me]] = await locked.raw('SELECT CONNECTION_ID() AS id');
          await admin.raw(`KILL ${Number(me.id)}`);
          await new Promise((r) => setTimeout(r, 200));
          // Were this a fresh connection, it would run without the lock.
          const [[row]] = await locked.raw('SELECT CONNECTION_ID() AS id');
          after = String(row.id);
        }));
        await assert.rejects(held);
        assert.equal(after, undefined, `the setup carried on, on connection ${after}`);
      } finally {
        await admin.destroy();
      }
    });
  });

  it('access denied (a user that does not exist): one line with the password masked and what to do', async () => {
    const url = urlWith(MYSQL_ADMIN_URL, { user: `nobody_${uniq()}`, password: 'secret' });
    const e = await refusal(SqlStore.open(url, FAST));
    assertActionable(e, /Access denied for user 'nobody_\w+'/, /user name and password/);
    assert.match(e.message, /:\*\*\*@127\.0\.0\.1:3306\/test/);
  });

  it('a process failing to start prints that one line and nothing else (no driver stack)', async () => {
    const r = await openInChild(urlWith(MYSQL_ADMIN_URL, { user: `nobody_${uniq()}`, password: 'secret' }));
    assert.equal(r.code, 1);
    assert.match(r.out, /^Cannot open the database [^\n]*Access denied for user 'nobody_\w+'[^\n]*$/);
  });

  it('a missing database: one line naming it and how to create it', async () => {
    const name = `tb_missing_${uniq()}`;
    const e = await refusal(SqlStore.open(urlWith(MYSQL_ADMIN_URL, { database: name }), FAST));
    assertActionable(e, new RegExp(`Unknown database '${name}'`), new RegExp(`CREATE DATABASE ${name}`));
  });
}

for (const dialect of selectedDialects()) startupSuite(dialect);
