/** The HTTP-level settings: which hosts and origins are answered, and how flags and TRACKBRIDGE_* set them. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import supertest from 'supertest';

import { loadConfig } from '../src/config';
import { HostAllowlist, parseHost } from '../src/http/hosts';
import { CorsPolicy } from '../src/http/origins';
import { createHttpServer, listen } from '../src/http/listen';
import { buildApp } from '../src/server';
import { createDatabase, FAST, openTracking, type TestDatabase } from './support/databases';
import type { SqlStore } from '../src/store/sql-store';
import type { Tracking } from '../src/core/tracking';

const allows = (list: HostAllowlist, header: string) => {
  const host = parseHost(header);
  assert.ok(host, `parses ${header}`);
  return list.allows(host);
};

describe('Host allowlist', () => {
  it('answers loopback names and addresses in every spelling a browser sends, with or without a port', () => {
    const list = HostAllowlist.from([]);
    for (const h of ['localhost', 'localhost:5000', 'LocalHost:80', '127.0.0.1', '127.0.0.1:5000', '127.255.0.9:1', '[::1]', '[::1]:5000', '[0:0:0:0:0:0:0:1]:5000']) {
      assert.equal(allows(list, h), true, h);
    }
    for (const h of ['evil.example', 'localhost.evil.example', '127.0.0.1.nip.io', '128.0.0.1', '10.0.0.1', '[::2]', '0.0.0.0', 'localhostx']) {
      assert.equal(allows(list, h), false, h);
    }
  });

  it('adds configured names, host:port pairs and *.domain suffixes; * answers any host', () => {
    const list = HostAllowlist.from(['tracking.example', 'proxy.example:8443', '*.lab.example']);
    assert.equal(allows(list, 'tracking.example:9999'), true);
    assert.equal(allows(list, 'proxy.example:8443'), true);
    assert.equal(allows(list, 'proxy.example:8080'), false);
    assert.equal(allows(list, 'a.lab.example'), true);
    assert.equal(allows(list, 'a.b.lab.example:1'), true);
    assert.equal(allows(list, 'lab.example'), false);
    assert.equal(allows(list, 'evillab.example'), false);
    assert.equal(allows(HostAllowlist.from(['*']), 'anything.example'), true);
    assert.throws(() => HostAllowlist.from(['a b']), /invalid allowed host: a b/);
    assert.throws(() => HostAllowlist.from(['http://x/']), /invalid allowed host/);
  });

  it('answers the bound address when the server binds a non-loopback one', () => {
    assert.equal(allows(HostAllowlist.from([], '10.1.2.3'), '10.1.2.3:5000'), true);
    assert.equal(allows(HostAllowlist.from([], '10.1.2.3'), '10.1.2.4:5000'), false);
    assert.equal(allows(HostAllowlist.from([], 'fd00::5'), '[fd00::5]:5000'), true);
    const everyInterface = HostAllowlist.from([], '0.0.0.0');
    const external = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) assert.equal(allows(everyInterface, `${external.address}:5000`), true);
    assert.equal(allows(everyInterface, 'evil.example'), false);
  });
});

describe('CORS policy', () => {
  it('answers only configured origins, compared as browsers serialize them', () => {
    const policy = CorsPolicy.from(['https://ui.example', 'http://localhost:3000']);
    assert.equal(policy.allowOrigin('https://ui.example'), 'https://ui.example');
    assert.equal(policy.allowOrigin('https://ui.example:443'), 'https://ui.example');
    assert.equal(policy.allowOrigin('http://localhost:3000'), 'http://localhost:3000');
    assert.equal(policy.allowOrigin('http://ui.example'), undefined);
    assert.equal(policy.allowOrigin('null'), undefined);
    assert.equal(CorsPolicy.from([]).allowOrigin('http://localhost:3000'), undefined);
    assert.equal(CorsPolicy.from(['*']).allowOrigin('https://any.example'), '*');
    assert.throws(() => CorsPolicy.from(['https://ui.example/app']), /invalid CORS origin/);
    assert.throws(() => CorsPolicy.from(['ui.example']), /invalid CORS origin/);
  });
});

describe('settings from flags and TRACKBRIDGE_* variables', () => {
  it('reads every HTTP setting from the environment, flags winning', () => {
    const env = {
      TRACKBRIDGE_ALLOWED_HOSTS: 'a.example, b.example:8080',
      TRACKBRIDGE_CORS_ORIGINS: 'https://ui.example',
      TRACKBRIDGE_LOG_FORMAT: 'json',
      TRACKBRIDGE_CLIENT_TIMEOUT: '2.5',
      TRACKBRIDGE_DEBUG: '1',
    };
    const cfg = loadConfig({}, env);
    assert.deepEqual(cfg.allowedHosts, ['a.example', 'b.example:8080']);
    assert.deepEqual(cfg.corsOrigins, ['https://ui.example']);
    assert.equal(cfg.logFormat, 'json');
    assert.equal(cfg.clientTimeoutMs, 2500);
    assert.equal(cfg.debug, true);
    const flagged = loadConfig({ allowedHosts: 'c.example', corsOrigins: '*', logFormat: 'text', clientTimeout: '9' }, env);
    assert.deepEqual(flagged.allowedHosts, ['c.example']);
    assert.deepEqual(flagged.corsOrigins, ['*']);
    assert.equal(flagged.logFormat, 'text');
    assert.equal(flagged.clientTimeoutMs, 9000);
    assert.equal(loadConfig({ quiet: true }, env).logFormat, 'none');
  });

  it('defaults to loopback only, no CORS, a text access log and 60 s for silent clients', () => {
    const cfg = loadConfig({}, {});
    assert.deepEqual(cfg.allowedHosts, []);
    assert.deepEqual(cfg.corsOrigins, []);
    assert.equal(cfg.logFormat, 'text');
    assert.equal(cfg.clientTimeoutMs, 60_000);
    assert.equal(cfg.debug, false);
  });

  it('takes a public URL from --public-url or TRACKBRIDGE_PUBLIC_URL, without its trailing slash, and none by default', () => {
    assert.equal(loadConfig({}, {}).publicUrl, undefined);
    assert.equal(loadConfig({}, { TRACKBRIDGE_PUBLIC_URL: 'https://mlflow.example/team-a/' }).publicUrl, 'https://mlflow.example/team-a');
    assert.equal(loadConfig({ publicUrl: 'http://10.0.0.5:8080' }, { TRACKBRIDGE_PUBLIC_URL: 'https://other.example' }).publicUrl, 'http://10.0.0.5:8080');
    for (const bad of ['mlflow.example', 'ftp://mlflow.example', 'https://mlflow.example/?x=1', 'https://mlflow.example/#top', 'https://u:p@mlflow.example']) {
      assert.throws(() => loadConfig({ publicUrl: bad }, {}), /invalid public URL/, bad);
    }
  });

  it('refuses malformed values', () => {
    assert.throws(() => loadConfig({ logFormat: 'xml' }, {}), /invalid log format: xml/);
    assert.throws(() => loadConfig({}, { TRACKBRIDGE_CLIENT_TIMEOUT: 'soon' }), /invalid client timeout/);
    assert.throws(() => loadConfig({ clientTimeout: '0' }, {}), /invalid client timeout/);
  });
});

describe('buildApp without HTTP options', () => {
  let db: TestDatabase;
  let store: SqlStore;
  let tracking: Tracking;
  let scratch: string;
  before(async () => {
    db = await createDatabase('sqlite');
    ({ store, tracking } = await openTracking(db.url, FAST));
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-http-'));
  });
  after(async () => {
    await store.close();
    await db.drop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('answers loopback hosts only and no foreign origin', async () => {
    const api = supertest(buildApp(tracking));
    const url = '/api/2.0/mlflow/experiments/search?max_results=1';
    assert.equal((await api.get(url)).status, 200);
    const rebound = await api.get(url).set('Host', 'evil.example');
    assert.equal(rebound.status, 403);
    assert.equal(rebound.body.error_code, 'PERMISSION_DENIED');
    const foreign = await api.get(url).set('Origin', 'https://evil.example');
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers['access-control-allow-origin'], undefined);
    assert.equal((await api.get('/health').set('Host', 'pod-10-0-0-7.cluster')).status, 200, 'probes answer any name');
  });
});

describe('requests the HTTP parser refuses', () => {
  /** Sends bytes on a fresh socket and returns everything the server wrote back before closing. */
  async function exchange(port: number, bytes: string): Promise<string> {
    const socket = net.connect(port, '127.0.0.1');
    socket.setEncoding('utf8');
    let got = '';
    socket.on('data', (d: string) => { got += d; });
    socket.write(bytes);
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    return got;
  }

  it('answers malformed requests and oversized headers in the JSON error shape, with Node\'s statuses', async () => {
    const server = createHttpServer((_req, res) => { res.end('ok'); }, 5_000);
    await listen(server, 0, '127.0.0.1');
    const port = (server.address() as net.AddressInfo).port;
    try {
      const bad = await exchange(port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nNot a header line\r\n\r\n');
      assert.match(bad, /^HTTP\/1\.1 400 /);
      const body = JSON.parse(bad.slice(bad.indexOf('\r\n\r\n') + 4));
      assert.equal(body.error_code, 'MALFORMED_REQUEST');
      assert.equal(typeof body.message, 'string');

      const big = await exchange(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`);
      assert.match(big, /^HTTP\/1\.1 431 /);
      assert.match(big, /"error_code":"INVALID_PARAMETER_VALUE"/);
    } finally {
      server.close();
    }
  });

  it('answers a malformed request in the JSON error shape on a kept-alive connection that already carried an answer', async () => {
    const server = createHttpServer((_req, res) => { res.end('ok'); }, 5_000);
    await listen(server, 0, '127.0.0.1');
    const port = (server.address() as net.AddressInfo).port;
    try {
      const socket = net.connect(port, '127.0.0.1');
      socket.setEncoding('utf8');
      let got = '';
      socket.on('data', (d: string) => { got += d; });
      socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await new Promise<void>((resolve) => { const poll = () => (got.endsWith('ok') ? resolve() : setTimeout(poll, 5)); poll(); });
      const first = got.length;
      socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nNot a header line\r\n\r\n');
      await new Promise<void>((resolve) => socket.on('close', () => resolve()));
      const second = got.slice(first);
      assert.match(second, /^HTTP\/1\.1 400 /);
      assert.equal(JSON.parse(second.slice(second.indexOf('\r\n\r\n') + 4)).error_code, 'MALFORMED_REQUEST');
    } finally {
      server.close();
    }
  });
});
