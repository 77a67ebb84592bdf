/**
 * Request bodies under bounds: each route's cap refused from Content-Length before a byte is
 * read, chunked bodies refused as they pass the cap, a server-wide budget of body bytes in
 * flight (503 TEMPORARILY_UNAVAILABLE with Retry-After past it), and only real application/json.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';

import { routesOf } from '../../src/protocols/mlflow/schema';
import { mlflowRouter } from '../../src/protocols/mlflow/router';
import { BodyBudget } from '../../src/http/request-body';
import { bodyCapOf, LOG_INPUTS_BODY, LONG_VALUE_BODY } from '../../src/protocols/mlflow/body-caps';
import { LIMITS } from '../../src/core/limits';
import { assertError, createExperiment, createRun, STRICT, type RouteCtx } from './context';

const MB = 1024 * 1024;

interface Answer { status: number; headers: http.IncomingHttpHeaders; json: any; ms: number }

/**
 * Opens a request and writes `chunks` (waiting `gapMs` between them), but settles as soon as
 * the answer arrives: a server that refuses early answers before the body is sent.
 */
function stream(port: number, path: string, headers: Record<string, string | number>, chunks: Array<string | Buffer>, gapMs = 0): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path, headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let json: unknown;
        try { json = JSON.parse(text); } catch { json = text; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json, ms: Date.now() - started });
        req.destroy();
      });
    });
    req.on('error', (err) => { if (!req.destroyed || (err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err); });
    (async () => {
      for (const chunk of chunks) {
        if (req.destroyed) return;
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
      if (!req.destroyed) req.end();
    })().catch(() => undefined);
  });
}

const urlOf = (r: ReturnType<typeof routesOf>[number]) =>
  `${r.ajaxOnly ? '/ajax-api' : '/api'}/${r.since}.0${r.path.replace(/\{model_id\}/g, 'm-0000').replace(/\{(\w+)\}/g, 'x')}`;

export function requestBodyTests(ctx: RouteCtx): void {
  describe('request bodies', () => {
    let run = '';
    before(async () => {
      run = await createRun(ctx, await createExperiment(ctx, 'bodies'));
    });

    it('sizes each route\'s cap to what its message needs, at six bytes a character', () => {
      assert.equal(bodyCapOf('logBatch'), 1_000_000);
      assert.ok(LOG_INPUTS_BODY >= 6 * (LIMITS.datasetProfile + LIMITS.datasetSchema + LIMITS.datasetSource), 'log-inputs holds a full dataset, \\u-escaped');
      assert.ok(LONG_VALUE_BODY >= 6 * 1024 * 1024, 'a million-character param or tag, \\u-escaped');
      for (const r of routesOf('mlflow.MlflowService')) {
        // One param or tag, truncated past its limit, may arrive at a million characters.
        const most = r.rpc === 'logInputs' ? LOG_INPUTS_BODY : r.rpc === 'logParam' || r.rpc === 'setTag' ? LONG_VALUE_BODY : 1_000_000;
        assert.ok(bodyCapOf(r.rpc) <= most, `${r.rpc}: ${bodyCapOf(r.rpc)}`);
      }
      const small = 6 * (LIMITS.keyLength + LIMITS.experimentTagValueLength);
      for (const rpc of ['getExperiment', 'deleteRun', 'setExperimentTag']) {
        assert.ok(bodyCapOf(rpc) >= small && bodyCapOf(rpc) <= small + 16 * 1024, `${rpc}: ${bodyCapOf(rpc)}`);
      }
    });

    it('accepts an experiment tag at its limit in non-ASCII text, \\u-escaped as the Python client sends it, and refuses a body past the cap', async () => {
      const exp = await createExperiment(ctx, 'escaped-tag');
      const escaped = (o: unknown) => JSON.stringify(o).replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      const url = '/api/2.0/mlflow/experiments/set-experiment-tag';
      const body = escaped({ experiment_id: exp, key: 'k'.repeat(LIMITS.keyLength), value: 'é'.repeat(LIMITS.experimentTagValueLength) });
      assert.ok(body.length > 6 * LIMITS.experimentTagValueLength);
      const ok = await stream(ctx.port, url, { 'Content-Type': 'application/json', 'Content-Length': body.length }, [body]);
      assert.equal(ok.status, 200, JSON.stringify(ok.json).slice(0, 300));
      const got = await ctx.api.get('/api/2.0/mlflow/experiments/get').query({ experiment_id: exp });
      assert.equal(got.body.experiment.tags.find((t: { key: string }) => t.key.startsWith('k')).value, 'é'.repeat(LIMITS.experimentTagValueLength));

      const cap = bodyCapOf('setExperimentTag');
      const over = escaped({ experiment_id: exp, key: 'k', value: 'é'.repeat(Math.ceil(cap / 6)) });
      const refused = await stream(ctx.port, url, { 'Content-Type': 'application/json', 'Content-Length': over.length }, [over]);
      assertError({ status: refused.status, body: refused.json }, 400, 'INVALID_PARAMETER_VALUE', new RegExp(`at most ${cap} bytes`));
    });

    it('refuses a body over the route\'s cap from Content-Length, before reading it', async () => {
      for (const r of routesOf('mlflow.MlflowService').filter((x) => x.verb !== 'get')) {
        const cap = bodyCapOf(r.rpc);
        // Nothing of the body is sent: only a server that decides from the header can answer.
        const req = http.request({ host: '127.0.0.1', port: ctx.port, method: r.verb.toUpperCase(), path: urlOf(r), agent: false,
          headers: { 'Content-Type': 'application/json', 'Content-Length': cap + 1 } });
        const answer = await new Promise<{ status: number; body: any }>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${r.rpc}: no answer before the body was sent`)), 3000);
          req.on('response', (res) => {
            const parts: Buffer[] = [];
            res.on('data', (c: Buffer) => parts.push(c));
            res.on('end', () => { clearTimeout(timer); resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(parts).toString('utf8')) }); });
          });
          req.on('error', () => undefined);
          req.flushHeaders();
        });
        req.destroy();
        assertError({ status: answer.status, body: answer.body }, 400, 'INVALID_PARAMETER_VALUE', new RegExp(`at most ${cap} bytes, got a request of size ${cap + 1}`));
      }
    });

    it('accepts a body at the cap (the size is not what is refused)', async () => {
      const cap = bodyCapOf('deleteRun');
      const base = JSON.stringify({ run_id: '0123456789abcdef0123456789abcdef', pad: '' });
      const body = JSON.stringify({ run_id: '0123456789abcdef0123456789abcdef', pad: 'x'.repeat(cap - base.length) });
      assert.equal(body.length, cap);
      const res = await ctx.api.post('/api/2.0/mlflow/runs/delete').set('Content-Type', 'application/json').send(body);
      assertError(res, 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it('refuses a chunked body as soon as it passes the cap', async () => {
      const chunk = Buffer.alloc(256 * 1024, 'x');
      const chunks = [Buffer.from(`{"run_id": "${run}", "pad": "`), ...Array.from({ length: 40 }, () => chunk), Buffer.from('"}')];
      const answer = await stream(ctx.port, '/api/2.0/mlflow/runs/create', { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, chunks, 2);
      assertError({ status: answer.status, body: answer.json }, 400, 'INVALID_PARAMETER_VALUE', /at most 1000000 bytes, got a request of more than/);
    });

    it('survives eight concurrent 60 MB bodies and keeps answering others', async () => {
      const before = process.memoryUsage().heapUsed;
      const piece = Buffer.alloc(MB, ' ');
      const big = Array.from({ length: 8 }, () => stream(ctx.port, '/api/2.0/mlflow/runs/create',
        { 'Content-Type': 'application/json', 'Content-Length': 60 * MB }, Array.from({ length: 60 }, () => piece)));
      const chunked = Array.from({ length: 8 }, () => stream(ctx.port, '/api/2.0/mlflow/runs/log-batch',
        { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, [Buffer.from('{"pad": "'), ...Array.from({ length: 60 }, () => piece)]));
      const probeStarted = Date.now();
      const probe = await ctx.api.get('/api/2.0/mlflow/experiments/get').query({ experiment_id: '0' });
      const probeMs = Date.now() - probeStarted;
      const answers = await Promise.all([...big, ...chunked]);
      for (const a of answers) assertError({ status: a.status, body: a.json }, 400, 'INVALID_PARAMETER_VALUE', /at most/);
      assert.equal(probe.status, 200);
      assert.ok(probeMs < 2000, `a small request waited ${probeMs} ms`);
      assert.ok(Math.max(...answers.slice(0, 8).map((a) => a.ms)) < 2000, 'refused from Content-Length without reading 60 MB');
      const grown = (process.memoryUsage().heapUsed - before) / MB;
      assert.ok(grown < 64, `heap grew by ${grown.toFixed(0)} MB`);
    });

    it('holds all requests to one budget of body bytes: past it a 503 with Retry-After, and the budget comes back', async () => {
      const budget = new BodyBudget(2 * MB);
      const app = express();
      app.use(mlflowRouter({ tracking: ctx.tracking }, { ...STRICT, bodyBudget: budget }));
      const server = await new Promise<http.Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
      try {
        const port = (server.address() as AddressInfo).port;
        const head = Buffer.from(`{"run_id": "${run}", "tags": [{"key": "budget", "value": "v"}], "pad": "`);
        const body = (i: number) => [head, Buffer.alloc(300 * 1024, 'a'), Buffer.alloc(300 * 1024, String.fromCharCode(98 + i)), Buffer.from('"}')];
        // Ten 600 KB bodies sent slowly side by side: 6 MB in flight would be three times the budget.
        const answers = await Promise.all(Array.from({ length: 10 }, (_, i) =>
          stream(port, '/api/2.0/mlflow/runs/log-batch', { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, body(i), 150)));
        const busy = answers.filter((a) => a.status === 503);
        const ok = answers.filter((a) => a.status === 200);
        assert.ok(busy.length > 0, `no request was refused: ${answers.map((a) => a.status)}`);
        assert.ok(ok.length > 0, `every request was refused: ${answers.map((a) => a.status)}`);
        assert.equal(ok.length + busy.length, answers.length, answers.map((a) => JSON.stringify(a.json)).join('\n'));
        for (const a of busy) {
          assertError({ status: a.status, body: a.json }, 503, 'TEMPORARILY_UNAVAILABLE');
          assert.equal(a.headers['retry-after'], '1');
        }
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(budget.inFlight, 0, 'every byte taken was given back');
        const again = await stream(port, '/api/2.0/mlflow/runs/log-batch', { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, body(0));
        assert.equal(again.status, 200, JSON.stringify(again.json));
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    describe('a body that holds the budget must keep arriving', () => {
      const budget = new BodyBudget(4 * MB);
      const pace = { graceMs: 200, minBytesPerSecond: 20_000, lingerMs: 100 };
      let server: http.Server;
      let port = 0;
      before(async () => {
        const app = express();
        app.use(mlflowRouter({ tracking: ctx.tracking }, { ...STRICT, bodyBudget: budget, bodyPace: pace }));
        server = await new Promise<http.Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
        port = (server.address() as AddressInfo).port;
      });
      after(async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      });

      /** Writes `chunk` every `gapMs` until the server cuts the connection; resolves with the answer and when the cut came. */
      function trickle(path: string, chunk: string | Buffer, gapMs: number): Promise<Answer & { cutMs: number }> {
        const started = Date.now();
        return new Promise((resolve, reject) => {
          let answer: Answer | undefined;
          let cutMs = -1;
          const settle = () => { if (answer && cutMs >= 0) resolve({ ...answer, cutMs }); };
          const req = http.request({ host: '127.0.0.1', port, method: 'POST', path, agent: false,
            headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }, (res) => {
            const parts: Buffer[] = [];
            res.on('data', (c: Buffer) => parts.push(c));
            res.on('end', () => {
              answer = { status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(Buffer.concat(parts).toString('utf8')), ms: Date.now() - started };
              settle();
            });
          });
          const cut = () => { if (cutMs < 0) { cutMs = Date.now() - started; clearInterval(timer); settle(); } };
          req.on('error', cut);
          req.on('close', cut);
          req.write(`{"run_id": "${run}", "pad": "`);
          const timer = setInterval(() => { if (!req.destroyed) req.write(chunk); }, gapMs);
          setTimeout(() => reject(new Error('the server neither answered nor cut the connection')), 4000).unref();
        });
      }

      it('refuses a trickled body past the grace period, gives its budget back and cuts the connection', { timeout: 5000 }, async () => {
        const a = await trickle('/api/2.0/mlflow/runs/log-batch', 'x', 50);
        assertError({ status: a.status, body: a.json }, 400, 'INVALID_PARAMETER_VALUE', /too slowly; send at least 20000 bytes a second/);
        assert.ok(a.ms < 1500, `answered after ${a.ms} ms`);
        assert.equal(a.headers.connection, 'close');
        assert.equal(budget.inFlight, 0);
      });

      it('cuts a refused body that keeps coming instead of draining it', { timeout: 5000 }, async () => {
        const a = await trickle('/api/2.0/mlflow/runs/create', Buffer.alloc(256 * 1024, 'x'), 5);
        assertError({ status: a.status, body: a.json }, 400, 'INVALID_PARAMETER_VALUE', /at most 1000000 bytes/);
        assert.equal(a.headers.connection, 'close');
        assert.ok(a.cutMs - a.ms < 2000, `the connection lived ${a.cutMs - a.ms} ms after the answer`);
        assert.equal(budget.inFlight, 0);
      });

      it('accepts a body that keeps its pace', { timeout: 5000 }, async () => {
        const body = JSON.stringify({ run_id: run, tags: [{ key: 'paced', value: 'v' }], pad: 'p'.repeat(30_000) });
        const a = await stream(port, '/api/2.0/mlflow/runs/log-batch', { 'Content-Type': 'application/json', 'Content-Length': body.length },
          Array.from({ length: 10 }, (_, i) => body.slice(i * body.length / 10, (i + 1) * body.length / 10)), 50);
        assert.equal(a.status, 200, JSON.stringify(a.json));
      });
    });

    it('accepts only application/json itself on POST, with parameters such as a UTF-8 charset', async () => {
      const url = '/api/2.0/mlflow/experiments/create';
      let n = 0;
      const send = (type: string | undefined) => {
        const req = ctx.api.post(url);
        if (type !== undefined) req.set('Content-Type', type);
        return req.send(JSON.stringify({ name: `ctype-${n++}` }));
      };
      for (const type of ['application/json', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"', 'Application/JSON', ' application/json ']) {
        const res = await send(type);
        assert.equal(res.status, 200, `${type}: ${res.text}`);
      }
      for (const type of ['application/json-patch+json', 'application/jsonx', 'application/json5', 'text/json', 'application/x-json', 'application/json; charset=latin1', 'application/json-seq']) {
        assertError(await send(type), 400, 'INVALID_PARAMETER_VALUE', /Content-Type|UTF-8/);
      }
      // A bare POST: supertest always names a type for a string body, so go raw.
      const bare = await stream(ctx.port, url, { 'Content-Length': 12 }, ['{"name":"b"}']);
      assertError({ status: bare.status, body: bare.json }, 400, 'INVALID_PARAMETER_VALUE', /^Bad Request\. Content-Type header is missing\.$/);
    });

    it('reads PATCH and DELETE bodies as JSON, refusing another named type', async () => {
      const created = await ctx.api.post('/api/2.0/mlflow/logged-models').send({ experiment_id: '0', name: 'ctype-model' });
      const id = created.body.model.info.model_id;
      const patch = (type?: string) => {
        const req = ctx.api.patch(`/api/2.0/mlflow/logged-models/${id}`);
        if (type) req.set('Content-Type', type);
        return req.send(JSON.stringify({ status: 'LOGGED_MODEL_READY' }));
      };
      assertError(await patch('text/plain'), 400, 'INVALID_PARAMETER_VALUE', /Content-Type/);
      assertError(await patch('application/json-patch+json'), 400, 'INVALID_PARAMETER_VALUE', /Content-Type/);
      assert.equal((await patch('application/json')).status, 200);
      const del = await ctx.api.delete(`/api/2.0/mlflow/logged-models/${id}`);
      assert.equal(del.status, 200, del.text);
    });

    it('refuses compressed bodies rather than inflating them', async () => {
      const res = await ctx.api.post('/api/2.0/mlflow/experiments/create').set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send('{"name": "gz"}');
      assertError(res, 400, 'INVALID_PARAMETER_VALUE', /Content-Encoding/);
    });
  });
}
