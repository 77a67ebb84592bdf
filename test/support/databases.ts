/**
 * Throwaway databases for the TypeScript suites: one fresh database per dialect and test file,
 * dropped afterwards. TRACKBRIDGE_TEST_DBS (default `sqlite,postgres,mysql`) picks the dialects.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import mysql from 'mysql2/promise';

import { SqlStore, type OpenOptions } from '../../src/store/sql-store';
import { Tracking } from '../../src/core/tracking';
import type { ArtifactStore } from '../../src/core/artifact-store';
import { HTTP_TRANSPORT } from '../../src/outbound/webhook-post';
import { LocalArtifactStore } from '../../src/artifacts/local';

export type Dialect = 'sqlite' | 'postgres' | 'mysql';

const ALL: readonly Dialect[] = ['sqlite', 'postgres', 'mysql'];

export const PG_ADMIN_URL = process.env.TRACKBRIDGE_TEST_PG ?? 'postgresql://root@127.0.0.1:5432/test';
export const MYSQL_ADMIN_URL = process.env.TRACKBRIDGE_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306/test';

/** The dialects named in TRACKBRIDGE_TEST_DBS, in a fixed order. */
export function selectedDialects(): Dialect[] {
  const raw = process.env.TRACKBRIDGE_TEST_DBS ?? 'sqlite,postgres,mysql';
  const wanted = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)
    .map((s) => (s === 'postgresql' || s === 'pg' ? 'postgres' : s === 'mariadb' ? 'mysql' : s));
  for (const w of wanted) if (!ALL.includes(w as Dialect)) throw new Error(`TRACKBRIDGE_TEST_DBS: unknown dialect '${w}'`);
  return ALL.filter((d) => wanted.includes(d));
}

export interface TestDatabase {
  dialect: Dialect;
  /** What SqlStore.open takes. */
  url: string;
  /** Removes the database (and for SQLite its directory); safe to call twice. */
  drop(): Promise<void>;
}

const randomName = () => `tb_test_${randomBytes(6).toString('hex')}`;

function withDatabase(adminUrl: string, db: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${db}`;
  return u.toString();
}

/** A brand-new, empty database of the given dialect. */
export async function createDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-test-'));
    const file = path.join(dir, 'trackbridge.sqlite');
    // An absolute path after `sqlite:///` gives the four slashes of SQLAlchemy's absolute form.
    return { dialect, url: `sqlite:///${file}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const name = randomName();
  const server = dialect === 'postgres'
    ? { admin: pgAdmin, url: PG_ADMIN_URL, drop: `DROP DATABASE IF EXISTS ${name} WITH (FORCE)` }
    : { admin: mysqlAdmin, url: MYSQL_ADMIN_URL, drop: `DROP DATABASE IF EXISTS ${name}` };
  await server.admin(`CREATE DATABASE ${name}`);
  let dropped = false;
  return {
    dialect,
    url: withDatabase(server.url, name),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await server.admin(server.drop);
    },
  };
}

async function pgAdmin(sql: string): Promise<void> {
  const c = new PgClient({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function mysqlAdmin(sql: string): Promise<void> {
  const c = await mysql.createConnection(MYSQL_ADMIN_URL);
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export interface OpenTracking {
  store: SqlStore;
  tracking: Tracking;
}

/** SqlStore.open + Tracking + start(), the way the server wires them. */
export async function openTracking(url: string, opts: OpenOptions = {}, artifacts?: ArtifactStore): Promise<OpenTracking> {
  const store = await SqlStore.open(url, opts);
  try {
    // A root in a fresh temporary folder: nothing is created there until a test writes a file.
    artifacts ??= new LocalArtifactStore(path.join(os.tmpdir(), `tb-artifacts-${randomUUID()}`));
    // Webhooks go out as the server sends them (its HTTP transport), so their target rules hold here too.
    const tracking = new Tracking(store, { defaultArtifactRoot: 'mlflow-artifacts:/' }, artifacts, { webhooks: { transport: HTTP_TRANSPORT } });
    await tracking.start();
    return { store, tracking };
  } catch (e) {
    await store.close();
    throw e;
  }
}

/** Options that keep the SQLite suites quick; durability is not what they test. */
export const FAST: OpenOptions = { sqlite: { synchronous: 'NORMAL' } };
