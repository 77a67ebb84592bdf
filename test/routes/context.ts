/** Shared by the MLflow route suites: one app over a fresh store (SQLite unless told) and a temp artifact root. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';

import { buildApp } from '../../src/server';
import { LocalArtifactStore } from '../../src/artifacts/local';
import type { Tracking } from '../../src/core/tracking';
import type { SqlStore } from '../../src/store/sql-store';
import { createDatabase, FAST, openTracking, type Dialect, type TestDatabase } from '../support/databases';

export interface RouteCtx {
  db: TestDatabase;
  store: SqlStore;
  tracking: Tracking;
  /** A scratch directory; the artifact root sits two levels below it so `../` lands inside it. */
  scratch: string;
  artifactsRoot: string;
  server: http.Server;
  port: number;
  /** supertest bound to the one listening server. */
  api: supertest.Agent;
}

/** Every app the route suites build answers strictly: a response key its message lacks fails the request. */
export const STRICT = { strictResponses: true } as const;

export async function startRoutes(dialect: Dialect = 'sqlite'): Promise<RouteCtx> {
  const db = await createDatabase(dialect);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-routes-'));
  const artifactsRoot = path.join(scratch, 'server', 'artifacts');
  const { store, tracking } = await openTracking(db.url, FAST, new LocalArtifactStore(artifactsRoot));
  const app = buildApp(tracking, STRICT);
  const server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return { db, store, tracking, scratch, artifactsRoot, server, port, api: supertest.agent(server) };
}

export async function stopRoutes(ctx: Partial<RouteCtx>): Promise<void> {
  if (ctx.server) {
    ctx.server.closeAllConnections();
    await new Promise<void>((resolve) => ctx.server!.close(() => resolve()));
  }
  await ctx.store?.close();
  await ctx.db?.drop();
  if (ctx.scratch) fs.rmSync(ctx.scratch, { recursive: true, force: true });
}

export interface RawResponse { status: number; headers: http.IncomingHttpHeaders; body: Buffer; text: string }

/**
 * A request sent byte for byte as given: no client-side URL normalisation, so `..`,
 * `%2e%2e` and backslashes reach the server exactly as an attacker would send them.
 */
export function rawRequest(ctx: RouteCtx, method: string, rawPath: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: ctx.port, method, path: rawPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, text: buf.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Asserts MLflow's error shape with the given status and code (and a matching message). */
export function assertError(res: { status: number; body: unknown; text?: string }, status: number, code: string, message?: RegExp): void {
  const body = res.body as { error_code?: string; message?: string };
  assert.equal(res.status, status, `expected HTTP ${status} ${code}, got ${res.status}: ${res.text ?? JSON.stringify(res.body)}`.slice(0, 600));
  assert.equal(body?.error_code, code, `expected ${code}: ${res.text ?? JSON.stringify(res.body)}`.slice(0, 600));
  assert.equal(typeof body.message, 'string');
  if (message) assert.match(body.message!, message);
}

/** A client error must be a 4xx with MLflow's JSON shape, never a 5xx. */
export function assertClientError(res: { status: number; body: unknown; text?: string }, what: string): void {
  assert.ok(res.status >= 400 && res.status < 500, `${what}: expected a 4xx, got ${res.status}: ${(res.text ?? '').slice(0, 300)}`);
  assert.equal(typeof (res.body as { error_code?: unknown })?.error_code, 'string', `${what}: no error_code in ${(res.text ?? '').slice(0, 300)}`);
}

export const isJson = (res: { headers: Record<string, unknown> }) => /application\/json/.test(String(res.headers['content-type'] ?? ''));

export async function createExperiment(ctx: RouteCtx, name: string): Promise<string> {
  const res = await ctx.api.post('/api/2.0/mlflow/experiments/create').send({ name });
  assert.equal(res.status, 200, res.text);
  return res.body.experiment_id;
}

export async function createRun(ctx: RouteCtx, experimentId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await ctx.api.post('/api/2.0/mlflow/runs/create').send({ experiment_id: experimentId, start_time: 1000, ...extra });
  assert.equal(res.status, 200, res.text);
  return res.body.run.info.run_id;
}

export async function getRun(ctx: RouteCtx, runId: string): Promise<any> {
  const res = await ctx.api.get('/api/2.0/mlflow/runs/get').query({ run_id: runId });
  assert.equal(res.status, 200, res.text);
  return res.body.run;
}
