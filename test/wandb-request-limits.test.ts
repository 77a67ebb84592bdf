/**
 * The W&B front-end's bounds on a whole request, over HTTP (one database: nothing here is
 * store-specific): the row budget a GraphQL request shares among its fields and aliases; the
 * file_stream answers to a body that cannot be taken now (503, retried, never a 400); gzip
 * charged to the body budget before it is inflated; bounded drop logging; signed uploads
 * streamed under the body budget and the least pace; tokens kept out of the access log.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import express from 'express';
import supertest from 'supertest';
import { buildApp } from '../src/server';
import { LocalArtifactStore } from '../src/artifacts/local';
import type { Tracking } from '../src/core/tracking';
import { BodyBudget, type BodyPace } from '../src/http/request-body';
import { createHttpServer } from '../src/http/listen';
import { wandbRouter } from '../src/protocols/wandb/router';
import { REQUEST_ROW_BUDGET } from '../src/protocols/wandb/graphql/request-cost';
import { FILE_STREAM_BODY_CAP, MAX_LOGGED_DROPS } from '../src/protocols/wandb/file-stream';
import { RUN_FILE_PUT, runFileClaims } from '../src/protocols/wandb/run-files';
import { HISTORY_STREAM } from '../src/protocols/wandb/streams';
import { createDatabase, FAST, openTracking, type TestDatabase } from './support/databases';

/** Quick enough for a test: a body must average 1 MB/s after 200 ms. */
const QUICK: BodyPace = { graceMs: 200, minBytesPerSecond: 1_000_000, lingerMs: 100 };

interface Answer { status: number; headers: http.IncomingHttpHeaders; text: string }

/** Sends `parts` with `gapMs` between them, as a slow uplink does; resolves with the answer, whenever it comes. */
function trickle(app: express.Express, method: string, urlPath: string, headers: Record<string, string>, parts: Buffer[], gapMs: number): Promise<Answer> {
  const server = createHttpServer(app, 30_000);
  return new Promise<Answer>((resolve, reject) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers, agent: false }, (res) => {
        const got: Buffer[] = [];
        res.on('data', (c: Buffer) => got.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(got).toString() }));
        res.on('error', reject);
      });
      req.on('error', () => { /* the server may cut the connection once it has answered */ });
      let i = 0;
      const send = () => {
        if (req.destroyed) return;
        if (i === parts.length) { req.end(); return; }
        req.write(parts[i++]);
        setTimeout(send, gapMs);
      };
      send();
    });
  }).finally(() => new Promise<void>((done) => { server.close(() => done()); server.closeAllConnections(); }));
}

describe('W&B request limits (sqlite)', () => {
  let db: TestDatabase;
  let tracking: Tracking;
  let close: () => Promise<void>;
  let artifactRoot: string;
  let auth: string;
  let runId: string;
  let seq = 0;
  let experimentId: string;

  const newRun = async () => {
    const id = `q${(seq++).toString(36).padStart(7, '0')}`;
    await tracking.ingest.run({
      runId: id, experiment: { experimentId }, name: id, userId: 'alice', status: 'RUNNING', startTime: Date.now(),
      endTime: null, lifecycleStage: 'active', deletedTime: null, tags: [], params: [], metrics: [],
    });
    return id;
  };

  before(async () => {
    db = await createDatabase('sqlite');
    artifactRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-wandb-limits-'));
    const opened = await openTracking(db.url, FAST, new LocalArtifactStore(path.join(artifactRoot, 'root')));
    tracking = opened.tracking;
    close = () => opened.store.close();
    const { key } = await tracking.accounts.createKey('alice');
    auth = `Basic ${Buffer.from(`api:${key}`).toString('base64')}`;
    experimentId = await tracking.experiments.create('proj', undefined, []);
    runId = await newRun();
    await tracking.runData.logHistoryRows(runId, HISTORY_STREAM, 0, Array.from({ length: 20 }, (_, step) => ({
      step, timestamp: 1_796_112_580_000 + step, metrics: [{ key: 'loss', value: 1 / (step + 1) }], values: [],
    })));
  });
  after(async () => {
    await close();
    await db.drop();
    fs.rmSync(artifactRoot, { recursive: true, force: true });
  });

  const router = (opts: { budget?: number; pace?: BodyPace; log?: (m: string) => void } = {}) =>
    express().use(wandbRouter({ tracking, bodyBudget: new BodyBudget(opts.budget ?? 256 * 1024 * 1024), bodyPace: opts.pace, log: opts.log ?? (() => {}) }));

  describe('GraphQL row budget', () => {
    const aliased = (n: number, field: string) =>
      `query RunFullHistory($project: String!, $entity: String!, $name: String!) { project(name: $project, entityName: $entity) { run(name: $name) { ${
        Array.from({ length: n }, (_, i) => `h${i}: ${field}`).join(' ')} } } }`;
    const ask = (query: string) => supertest(buildApp(tracking)).post('/graphql').set('Authorization', auth)
      .send({ query, operationName: 'RunFullHistory', variables: { entity: 'alice', project: 'proj', name: runId } });

    it('answers the largest single history a client asks for, and a few of them', async () => {
      const res = await ask(aliased(REQUEST_ROW_BUDGET / 10_000, 'history(samples: 10000)'));
      assert.equal(res.status, 200);
      assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
      assert.equal(res.body.data.project.run.h0.length, 20);
    });

    it('refuses aliases that together ask past the budget, naming it', async () => {
      for (const field of ['history(samples: 10000)', 'events(samples: 10000)', 'parquetHistory(liveKeys: []) { liveData }',
        'sampledHistory(specs: ["{\\"keys\\": [\\"loss\\"], \\"samples\\": 10000}"])']) {
        const res = await ask(aliased(100, field));
        assert.ok(res.body.errors?.length, field);
        assert.match(res.body.errors[0].message, new RegExp(`more than ${REQUEST_ROW_BUDGET} rows`), field);
      }
    });

    it('charges runs and files pages too', async () => {
      const runs = `query Runs($project: String!, $entity: String!) { project(name: $project, entityName: $entity) { ${
        Array.from({ length: 60 }, (_, i) => `r${i}: runs(first: 1000) { edges { node { name } } }`).join(' ')} } }`;
      const res = await supertest(buildApp(tracking)).post('/graphql').set('Authorization', auth)
        .send({ query: runs, operationName: 'Runs', variables: { entity: 'alice', project: 'proj' } });
      assert.match(res.body.errors?.[0]?.message ?? '', /more than \d+ rows/);
      const files = `query RunFiles($project: String!, $entity: String!, $name: String!) { project(name: $project, entityName: $entity) { run(name: $name) { ${
        Array.from({ length: 60 }, (_, i) => `f${i}: files(first: 1000) { edges { node { name } } }`).join(' ')} } } }`;
      const res2 = await supertest(buildApp(tracking)).post('/graphql').set('Authorization', auth)
        .send({ query: files, operationName: 'RunFiles', variables: { entity: 'alice', project: 'proj', name: runId } });
      assert.match(res2.body.errors?.[0]?.message ?? '', /more than \d+ rows/);
    });
  });

  describe('file_stream bodies', () => {
    const streamPath = (id: string) => `/files/alice/proj/${id}/file_stream`;

    it('answers a body arriving too slowly with 503 and Retry-After, not the 400 that ends the stream', async () => {
      const id = await newRun();
      const body = Buffer.from(JSON.stringify({ files: { [HISTORY_STREAM]: { offset: 0, content: ['{"_step": 0, "a": 1}'] } } }));
      const parts = Array.from({ length: 40 }, (_, i) => body.subarray(Math.floor(i * body.length / 40), Math.floor((i + 1) * body.length / 40)));
      const res = await trickle(router({ pace: QUICK }), 'POST', streamPath(id),
        { Authorization: auth, 'Content-Type': 'application/json', 'Content-Length': String(body.length) }, parts, 50);
      assert.equal(res.status, 503, res.text);
      assert.ok(res.headers['retry-after']);
      assert.match(res.text, /too slowly/);
    });

    it('answers a body past the cap with 503, and a body that is no file_stream request still with 400', async () => {
      const id = await newRun();
      const res = await trickle(router(), 'POST', streamPath(id),
        { Authorization: auth, 'Content-Length': String(FILE_STREAM_BODY_CAP + 1) }, [Buffer.from('{"files": {')], 10);
      assert.equal(res.status, 503, res.text);
      assert.ok(res.headers['retry-after']);
      const bad = await supertest(router()).post(streamPath(id)).set('Authorization', auth).send('[1]');
      assert.equal(bad.status, 400);
      const encoded = await supertest(router()).post(streamPath(id)).set('Authorization', auth).set('Content-Encoding', 'br').send('{}');
      assert.equal(encoded.status, 400);
    });

    it('takes the inflated cap from the body budget before inflating a gzip body', async () => {
      const id = await newRun();
      const small = gzipSync(JSON.stringify({ files: { [HISTORY_STREAM]: { offset: 0, content: ['{"_step": 0, "a": 1}'] } } }));
      // 32 MiB of budget: plenty for the bytes sent and inflated, not for what inflating may take.
      const res = await supertest(router({ budget: 32 * 1024 * 1024 })).post(streamPath(id)).set('Authorization', auth)
        .set('Content-Encoding', 'gzip').serialize((b: unknown) => b as string).send(small);
      assert.equal(res.status, 503, res.text);
      assert.ok(res.headers['retry-after']);
      assert.equal(await tracking.runData.heartbeatAt(id), undefined, 'nothing was applied');
      const roomy = new BodyBudget(256 * 1024 * 1024);
      const app = express().use(wandbRouter({ tracking, bodyBudget: roomy, log: () => {} }));
      assert.equal((await supertest(app).post(streamPath(id)).set('Authorization', auth).set('Content-Encoding', 'gzip')
        .serialize((b: unknown) => b as string).send(small)).status, 200);
      assert.equal(roomy.inFlight, 0, 'the reservation is given back once answered');
    });

    it('logs a bounded number of dropped lines per request and file, and counts the rest', async () => {
      const id = await newRun();
      const lines: string[] = [];
      const content = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? 'not json' : JSON.stringify({ _step: i, a: i })));
      const res = await supertest(router({ log: (m) => lines.push(m) })).post(streamPath(id)).set('Authorization', auth)
        .send(JSON.stringify({ files: { [HISTORY_STREAM]: { offset: 0, content } } }));
      assert.equal(res.status, 200);
      const dropped = lines.filter((l) => l.includes(HISTORY_STREAM));
      assert.equal(dropped.length, MAX_LOGGED_DROPS + 1, dropped.join('\n'));
      assert.match(dropped[dropped.length - 1], new RegExp(`and ${25 - MAX_LOGGED_DROPS} more lines dropped`));
    });
  });

  describe('signed uploads', () => {
    const putPath = async (id: string, f: string) => `/storage/${await tracking.capabilities.sign(RUN_FILE_PUT, runFileClaims(id, f), 3600)}`;

    it('has no whole-request timeout: an upload that keeps sending is never cut', () => {
      const server = createHttpServer(() => {}, 30_000);
      assert.equal(server.requestTimeout, 0);
      server.close();
    });

    it('takes an upload that keeps pace for longer than the grace, and refuses a trickle', async () => {
      const id = await newRun();
      const steady = Array.from({ length: 10 }, () => Buffer.alloc(64 * 1024, 0x61));
      const ok = await trickle(router({ pace: QUICK }), 'PUT', await putPath(id, 'steady.bin'),
        { 'Content-Length': String(10 * 64 * 1024) }, steady, 40);
      assert.equal(ok.status, 200, ok.text);
      const stored = await tracking.artifacts.open(await tracking.artifacts.ofRun(id), 'steady.bin');
      assert.equal(stored.size, 10 * 64 * 1024);
      stored.stream.resume();
      const slow = Array.from({ length: 20 }, () => Buffer.from('x'));
      const refused = await trickle(router({ pace: QUICK }), 'PUT', await putPath(id, 'slow.bin'),
        { 'Content-Length': String(20) }, slow, 50);
      assert.equal(refused.status, 400, refused.text);
      assert.match(refused.text, /too slowly/);
    });

    it('holds upload bytes under the shared body budget (503 when spent)', async () => {
      const id = await newRun();
      const res = await supertest(router({ budget: 10 })).put(await putPath(id, 'big.bin')).send(Buffer.alloc(1024, 0x62));
      assert.equal(res.status, 503, res.text);
      assert.ok(res.headers['retry-after']);
    });

    it('keeps the capability token out of the access log', async () => {
      const id = await newRun();
      const logged: string[] = [];
      const app = buildApp(tracking, { accessLog: { format: 'text', write: (l) => logged.push(l) } });
      const url = await putPath(id, 'secret.txt');
      assert.equal((await supertest(app).put(url).send(Buffer.from('hello'))).status, 200);
      assert.equal((await supertest(app).put('/storage/forged.token')).status, 403);
      const token = url.slice('/storage/'.length);
      assert.equal(logged.length, 2);
      for (const l of logged) assert.ok(!l.includes(token.split('.')[1]) && !l.includes('forged'), l);
      assert.match(logged[0], /PUT \/storage\/<run-file-put> 200/);
      assert.match(logged[1], /PUT \/storage\/<token> 403/);
    });
  });
});
