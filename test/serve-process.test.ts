/**
 * `trackbridge serve` as a process (the built command: `npm run build` first): binding failures,
 * the Host allowlist and CORS, the access log, timeouts against silent clients, and SIGTERM under load.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { once } from 'node:events';
import { createDatabase } from './support/databases';

import { killLeftovers, removeScratchDirs, REPO, request, runCommand, scratchDir, serve, storeArgs, type Served } from './support/serve-process';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

after(() => {
  killLeftovers();
  removeScratchDirs();
});

async function takenPort(): Promise<net.Server> {
  const blocker = net.createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  return blocker;
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

describe('serve: start-up failures and the command line', () => {
  it('exits non-zero with one line naming the address when the port is taken', async () => {
    const blocker = await takenPort();
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const run = runCommand(['serve', '--port', String(port), '--host', '127.0.0.1', ...storeArgs(scratchDir())]);
      const exit = await withTimeout(run.exited, 8000, 'serve on a taken port exits');
      assert.notEqual(exit.code, 0);
      const lines = run.stderr().trim().split('\n');
      assert.equal(lines.length, 1, `one line on stderr, got:\n${run.stderr()}`);
      assert.match(lines[0], new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.match(lines[0], /EADDRINUSE|already in use/);
      assert.doesNotMatch(run.stdout() + run.stderr(), /listening/);
    } finally {
      blocker.close();
    }
  });

  it('exits non-zero naming the address when the host is not on this machine; --debug adds the stack', async () => {
    const run = runCommand(['serve', '--port', '5999', '--host', '10.9.9.9', ...storeArgs(scratchDir())]);
    const exit = await withTimeout(run.exited, 8000, 'serve on a foreign address exits');
    assert.notEqual(exit.code, 0);
    const lines = run.stderr().trim().split('\n');
    assert.equal(lines.length, 1, `one line on stderr, got:\n${run.stderr()}`);
    assert.match(lines[0], /10\.9\.9\.9:5999/);
    assert.match(lines[0], /EADDRNOTAVAIL|not available/);
    assert.doesNotMatch(run.stdout() + run.stderr(), /listening/);

    const debug = runCommand(['serve', '--debug', '--port', '5999', '--host', '10.9.9.9', ...storeArgs(scratchDir())]);
    assert.notEqual((await withTimeout(debug.exited, 8000, 'serve --debug exits')).code, 0);
    assert.match(debug.stderr(), /10\.9\.9\.9:5999/);
    assert.match(debug.stderr(), /\n\s+at /, 'the stack is printed with --debug');
  });

  it('refuses a malformed setting in one line before opening anything', async () => {
    const dir = scratchDir();
    const run = runCommand(['serve', '--port', '0', ...storeArgs(dir), '--cors-origins', 'https://ui.example/path']);
    assert.notEqual((await withTimeout(run.exited, 8000, 'serve with a bad origin exits')).code, 0);
    assert.equal(run.stderr().trim().split('\n').length, 1, run.stderr());
    assert.match(run.stderr(), /invalid CORS origin: https:\/\/ui\.example\/path/);
    assert.equal(fs.existsSync(path.join(dir, 'trackbridge.sqlite')), false, 'no database was created');
  });

  it('serves with no settings from an empty folder, making only its own data folder', async () => {
    const dir = scratchDir();
    const clean = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith('TRACKBRIDGE_')).map((k) => [k, undefined]));
    const run = runCommand(['serve', '--port', '0'], clean, dir);
    try {
      const [, url] = await run.waitFor('stderr', /listening on (http:\/\/\S+)/, 15000);
      const res = await fetch(`${url}/api/2.0/mlflow/experiments/search?max_results=5`);
      assert.equal(res.status, 200, await res.text());
      assert.ok(fs.statSync(path.join(dir, 'trackbridge-data', 'trackbridge.sqlite')).isFile());
    } finally {
      run.child.kill('SIGTERM');
      await withTimeout(run.exited, 8000, 'serve exits on SIGTERM');
    }
  });

  it('refuses a named SQLite database whose folder does not exist, creating nothing', async () => {
    const dir = scratchDir();
    const run = runCommand(['serve', '--port', '0', '--db', `sqlite:///${path.join(dir, 'typo', 'tb.sqlite')}`,
      '--artifacts-root', path.join(dir, 'artifacts')]);
    assert.notEqual((await withTimeout(run.exited, 8000, 'serve on a missing folder exits')).code, 0);
    assert.equal(run.stderr().trim().split('\n').length, 1, run.stderr());
    assert.match(run.stderr(), /typo/);
    assert.equal(fs.existsSync(path.join(dir, 'typo')), false, 'the folder was not created');
  });

  it('masks a password given as a query parameter in the listening line', async () => {
    const db = await createDatabase('postgres');
    try {
      const dir = scratchDir();
      const run = runCommand(['serve', '--port', '0', '--quiet', '--db', `${db.url}?password=secret`, '--artifacts-root', path.join(dir, 'artifacts')]);
      try {
        const [line] = await run.waitFor('stderr', /listening on .*/, 15000);
        assert.match(line, /password=\*\*\*/);
        assert.doesNotMatch(run.stderr(), /secret/);
      } finally {
        run.child.kill('SIGTERM');
        await withTimeout(run.exited, 8000, 'serve exits on SIGTERM');
      }
    } finally {
      await db.drop();
    }
  });

  it('refuses a foreign database before creating the artifact root', async () => {
    const dir = scratchDir();
    const file = path.join(dir, 'mlflow.db');
    const Database = require('better-sqlite3');
    const foreign = new Database(file);
    foreign.exec('CREATE TABLE alembic_version (version_num TEXT); CREATE TABLE experiments (experiment_id INTEGER)');
    foreign.close();
    const run = runCommand(['serve', '--port', '0', '--db', `sqlite:///${file}`, '--artifacts-root', path.join(dir, 'artifacts')]);
    assert.notEqual((await withTimeout(run.exited, 8000, 'serve on a foreign database exits')).code, 0);
    assert.match(run.stderr(), /Refusing to open the database/);
    assert.equal(fs.existsSync(path.join(dir, 'artifacts')), false, 'the artifact root was not created');
  });

  it('refuses an artifact root that cannot be a folder before listening', async () => {
    const dir = scratchDir();
    const notAFolder = path.join(dir, 'file');
    fs.writeFileSync(notAFolder, 'x');
    const run = runCommand(['serve', '--port', '0', '--db', `sqlite:///${path.join(dir, 'tb.sqlite')}`, '--artifacts-root', path.join(notAFolder, 'artifacts')]);
    assert.notEqual((await withTimeout(run.exited, 8000, 'serve on a bad artifact root exits')).code, 0);
    assert.doesNotMatch(run.stderr(), /listening on/);
  });

  it('removes the scratch folder of a server once it stops', async () => {
    const srv = await serve(['--quiet']);
    assert.ok(fs.existsSync(srv.dir));
    await srv.stop();
    assert.equal(fs.existsSync(srv.dir), false, `${srv.dir} is left behind`);
  });

  it('prints the package version with --version', async () => {
    const run = runCommand(['--version']);
    assert.equal((await withTimeout(run.exited, 8000, '--version exits')).code, 0);
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    assert.equal(run.stdout().trim(), pkg.version);
  });
});

describe('serve: Host allowlist, CORS and the JSON access log', () => {
  let srv: Served;
  const ui = 'http://ui.example:3000';
  before(async () => {
    srv = await serve(['--allowed-hosts', 'tracking.example', '--cors-origins', ui, '--log-format', 'json']);
  });
  after(async () => {
    await srv?.stop();
  });

  const search = '/api/2.0/mlflow/experiments/search?max_results=1';

  it('answers loopback names and addresses and the allowed hosts, with or without a port', async () => {
    for (const host of [`localhost:${srv.port}`, 'localhost', `127.0.0.1:${srv.port}`, '127.8.9.10', `[::1]:${srv.port}`, 'tracking.example', 'TRACKING.example:8080']) {
      const res = await request(srv.port, 'GET', search, { Host: host });
      assert.equal(res.status, 200, `Host: ${host} → ${res.status} ${res.text}`);
    }
  });

  it('refuses any other Host with PERMISSION_DENIED (403), a rebound delete included', async () => {
    for (const host of ['evil.example', `evil.example:${srv.port}`, 'localhost.evil.example', '127.0.0.1.evil.example', 'tracking.example.evil']) {
      const res = await request(srv.port, 'GET', search, { Host: host });
      assert.equal(res.status, 403, `Host: ${host} → ${res.status}`);
      assert.equal(res.json?.error_code, 'PERMISSION_DENIED');
      assert.equal(typeof res.json?.message, 'string');
    }
    const file = '/api/2.0/mlflow-artifacts/artifacts/kept/a.txt';
    assert.equal((await request(srv.port, 'PUT', file, { Host: `localhost:${srv.port}` }, 'kept')).status, 200);
    const rebound = await request(srv.port, 'DELETE', '/api/2.0/mlflow-artifacts/artifacts/kept', { Host: `rebind.evil.example:${srv.port}` });
    assert.equal(rebound.status, 403);
    assert.equal((await request(srv.port, 'GET', file)).text, 'kept', 'the refused delete removed nothing');
  });

  it('answers a malformed Host with INVALID_PARAMETER_VALUE', async () => {
    const res = await request(srv.port, 'GET', search, { Host: 'user@localhost' });
    assert.equal(res.status, 400);
    assert.equal(res.json?.error_code, 'INVALID_PARAMETER_VALUE');
  });

  it('gives foreign origins no CORS answer and refuses their requests and preflights', async () => {
    const foreign = 'http://foreign.example';
    const get = await request(srv.port, 'GET', search, { Origin: foreign });
    assert.equal(get.status, 403);
    assert.equal(get.json?.error_code, 'PERMISSION_DENIED');
    assert.equal(get.headers['access-control-allow-origin'], undefined);
    const post = await request(srv.port, 'POST', '/api/2.0/mlflow/experiments/create', { Origin: foreign, 'Content-Type': 'text/plain' }, '{"name":"from-a-form"}');
    assert.equal(post.status, 403);
    const preflight = await request(srv.port, 'OPTIONS', '/api/2.0/mlflow-artifacts/artifacts/kept', { Origin: foreign, 'Access-Control-Request-Method': 'DELETE' });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    const created = await request(srv.port, 'GET', '/api/2.0/mlflow/experiments/get-by-name?experiment_name=from-a-form');
    assert.equal(created.status, 404, 'the refused post created nothing');
  });

  it('answers CORS for a configured origin, and same-origin requests without it', async () => {
    const get = await request(srv.port, 'GET', search, { Origin: ui });
    assert.equal(get.status, 200);
    assert.equal(get.headers['access-control-allow-origin'], ui);
    assert.match(String(get.headers.vary), /Origin/);
    const preflight = await request(srv.port, 'OPTIONS', '/api/2.0/mlflow/runs/create', { Origin: ui, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], ui);
    assert.match(String(preflight.headers['access-control-allow-methods']), /POST/);
    assert.match(String(preflight.headers['access-control-allow-headers']), /content-type/i);
    const same = await request(srv.port, 'GET', search, { Origin: `http://127.0.0.1:${srv.port}` });
    assert.equal(same.status, 200);
    assert.equal(same.headers['access-control-allow-origin'], undefined);
  });

  it('writes one JSON access-log line per request on stdout', async () => {
    await request(srv.port, 'GET', `${search}&filter=secret`, { Host: `localhost:${srv.port}` });
    await request(srv.port, 'GET', search, { Host: 'evil.example' });
    await srv.waitFor('stdout', /"status":403/);
    const lines = srv.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const l of lines) {
      assert.equal(typeof l.method, 'string');
      assert.equal(typeof l.path, 'string');
      assert.equal(typeof l.status, 'number');
      assert.equal(typeof l.ms, 'number');
      assert.ok(!Number.isNaN(Date.parse(String(l.time))));
    }
    const searches = lines.filter((l) => l.path === '/api/2.0/mlflow/experiments/search');
    assert.ok(searches.some((l) => l.method === 'GET' && l.status === 200));
    assert.ok(searches.some((l) => l.status === 403));
    assert.ok(!srv.stdout().includes('secret'), 'query strings stay out of the log');
  });
});

describe('serve: silent clients', () => {
  let srv: Served;
  before(async () => {
    srv = await serve(['--client-timeout', '1.5', '--quiet']);
  });
  after(async () => {
    await srv?.stop();
  });

  const closedWithin = async (socket: net.Socket, ms: number) => {
    const t0 = Date.now();
    socket.on('error', () => {});
    socket.resume();
    await withTimeout(once(socket, 'close'), ms, 'the server closes the connection');
    return Date.now() - t0;
  };

  it('cuts a request whose body stalls longer than --client-timeout', async () => {
    const socket = net.connect(srv.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`PUT /api/2.0/mlflow-artifacts/artifacts/stalled/a.bin HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nContent-Length: 1000\r\n\r\nabc`);
    const ms = await closedWithin(socket, 5000);
    assert.ok(ms >= 1300, `cut after ${ms} ms, before the timeout`);
  });

  it('cuts a client that trickles its headers for longer than --client-timeout', async () => {
    const socket = net.connect(srv.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\n`);
    const trickle = setInterval(() => { if (!socket.destroyed) socket.write('X-Slow: 1\r\n'); }, 250);
    try {
      await closedWithin(socket, 6000);
    } finally {
      clearInterval(trickle);
    }
  });

  it('keeps an upload that keeps sending, however long it takes', async () => {
    const chunks = 10;
    const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: srv.port, method: 'PUT', path: '/api/2.0/mlflow-artifacts/artifacts/slow/b.bin', headers: { 'Content-Length': String(chunks) }, agent: false }, (r) => {
        let text = '';
        r.on('data', (c) => { text += c; });
        r.on('end', () => resolve({ status: r.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      let sent = 0;
      const tick = setInterval(() => {
        req.write('x');
        if (++sent === chunks) { clearInterval(tick); req.end(); }
      }, 250);
    });
    assert.equal(res.status, 200, res.text);
    assert.equal((await request(srv.port, 'GET', '/api/2.0/mlflow-artifacts/artifacts/slow/b.bin')).text, 'x'.repeat(chunks));
    assert.equal(srv.stdout(), '', '--quiet writes no access log');
  });
});

describe('serve: SIGTERM under load', () => {
  it('stops serving busy keep-alive connections at once, exits quickly and keeps every acknowledged write', async () => {
    const srv = await serve();
    try {
      const exp = await request(srv.port, 'POST', '/api/2.0/mlflow/experiments/create', JSON_HEADERS, JSON.stringify({ name: 'sigterm' }));
      const run = await request(srv.port, 'POST', '/api/2.0/mlflow/runs/create', JSON_HEADERS, JSON.stringify({ experiment_id: exp.json.experiment_id }));
      const runId = run.json.run.info.run_id as string;

      let stopSeen = false;
      let exited = false;
      let step = 0;
      /** status undefined: the connection was refused or closed without an answer. */
      interface Outcome { afterStop: boolean; reused: boolean; status?: number; step?: number }
      const outcomes: Outcome[] = [];
      const deadline = () => exited || Date.now() > hardStop;
      let hardStop = Date.now() + 20_000;

      const one = (agent: http.Agent, write: boolean): Promise<Outcome> => new Promise((resolve) => {
        const afterStop = stopSeen;
        const s = write ? step++ : undefined;
        const body = write ? JSON.stringify({ run_id: runId, key: 'm', value: s, timestamp: 1, step: s }) : undefined;
        const req = http.request({
          host: '127.0.0.1', port: srv.port, agent,
          method: write ? 'POST' : 'GET',
          path: write ? '/api/2.0/mlflow/runs/log-metric' : '/health',
          headers: write ? JSON_HEADERS : {},
        }, (res) => {
          res.resume();
          res.on('end', () => resolve({ afterStop, reused: req.reusedSocket, status: res.statusCode, step: s }));
          res.on('error', () => resolve({ afterStop, reused: req.reusedSocket, step: s }));
        });
        req.on('error', () => resolve({ afterStop, reused: req.reusedSocket, step: s }));
        req.end(body);
      });

      const hammer = async (write: boolean) => {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        try {
          while (!deadline()) {
            const o = await one(agent, write);
            outcomes.push(o);
            if (o.status !== 200) break; // refused or closed: this client is done
          }
        } finally {
          agent.destroy();
        }
      };
      const clients = [hammer(false), hammer(false), hammer(true), hammer(true)];
      while (outcomes.length < 200) await new Promise((r) => setTimeout(r, 10));

      const signalled = Date.now();
      srv.child.kill('SIGTERM');
      await srv.waitFor('either', /SIGTERM, finishing in-flight requests/);
      stopSeen = true;
      hardStop = Date.now() + 5000;
      const exit = await withTimeout(srv.exited.finally(() => { exited = true; }), 12000, 'the server exits after SIGTERM').catch((e) => {
        exited = true;
        throw e;
      });
      const took = Date.now() - signalled;
      await Promise.all(clients);

      assert.equal(exit.code, 0, srv.stderr());
      // Below the 10 s force-close: the in-flight requests finished, nothing was cut (the machine may be loaded).
      assert.ok(took < 9000, `exited ${took} ms after SIGTERM`);
      const servedAfterStop = outcomes.filter((o) => o.afterStop && o.status === 200);
      assert.equal(servedAfterStop.length, 0, `${servedAfterStop.length} requests sent after the stop were answered 200 (${servedAfterStop.filter((o) => o.reused).length} on kept-alive connections)`);
      assert.ok(outcomes.some((o) => o.reused), 'the clients did use kept-alive connections');

      // Every write that was acknowledged is in the store.
      const acked = outcomes.filter((o) => o.step !== undefined && o.status === 200).map((o) => o.step!);
      assert.ok(acked.length > 0);
      const again = await serve(['--quiet'], { dir: srv.dir });
      try {
        const history = await request(again.port, 'GET', `/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=m`);
        const stored = new Set((history.json.metrics as Array<{ step: string | number }>).map((m) => Number(m.step)));
        const lost = acked.filter((s) => !stored.has(s));
        assert.deepEqual(lost, [], 'acknowledged writes are committed');
      } finally {
        await again.stop();
      }
      assert.match(srv.stdout(), /^\d{4}-\d\d-\d\dT[\d:.]+Z GET \/health 200 \d+(\.\d)?ms$/m, 'plain-text access log by default');
    } finally {
      await srv.stop(1000);
    }
  });
});
