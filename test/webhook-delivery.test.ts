/**
 * Webhook delivery from the background queue, to real local receivers: the payload and signature
 * of a registry event, retries after failures and their bounds, Retry-After, timeouts, no
 * redirects, the queue's bound, and the grace given at shutdown.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { SqlStore } from '../src/store/sql-store';
import { Webhooks, type WebhookOptions } from '../src/core/webhooks/webhooks';
import type { DeliverySettings } from '../src/core/webhooks/delivery';
import { signDelivery } from '../src/core/webhooks/signing';
import type { RegistryEvent } from '../src/core/registry-events';
import { createDatabase, FAST, type TestDatabase } from './support/databases';
import { HTTP_TRANSPORT } from '../src/outbound/webhook-post';

interface Hit { headers: http.IncomingHttpHeaders; body: string; at: number; path: string }

/** A receiver whose answer to the n-th request (0-based) `answer` decides. */
async function receiver(answer: (n: number, req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now(), path: req.url ?? '' });
      answer(hits.length - 1, req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { hits, url, close: () => { server.closeAllConnections(); return new Promise<void>((r) => server.close(() => r())); } };
}

const FAST_RETRIES: Partial<DeliverySettings> = { backoffMs: () => 50, timeoutMs: 1000 };

const versionCreated = (name: string): RegistryEvent => ({
  entity: 'model_version', action: 'created', payload: { name, version: '3', source: 'models:/m-1', tags: { k: 'v' } },
});

describe('webhook delivery', () => {
  let db: TestDatabase;
  let store: SqlStore;
  const open: Webhooks[] = [];
  const logs: string[] = [];

  const service = (delivery: Partial<DeliverySettings> = FAST_RETRIES, extra: WebhookOptions = {}) => {
    const w = new Webhooks(store, { allowPrivate: true, transport: HTTP_TRANSPORT, delivery, log: (m) => logs.push(m), ...extra });
    open.push(w);
    return w;
  };

  before(async () => {
    db = await createDatabase('sqlite');
    store = await SqlStore.open(db.url, FAST);
  });

  after(async () => {
    for (const w of open) await w.close(0);
    await store.close();
    await db.drop();
  });

  /** Removes every webhook so each test sees only its own subscribers. */
  async function clean(w: Webhooks) {
    for (const x of (await w.list({ maxResults: 1000 })).items) await w.delete(x.webhookId);
  }

  it('delivers a registry event to each active subscriber, as MLflow writes it, signed with the secret', async () => {
    const r = await receiver((_n, _req, res) => res.end('ok'));
    try {
      const w = service();
      await clean(w);
      await w.create({ name: 'signed', url: `${r.url}/signed`, secret: 'top-secret', events: [{ entity: 'model_version', action: 'created' }] });
      await w.create({ name: 'plain', url: `${r.url}/plain`, events: [{ entity: 'model_version', action: 'created' }, { entity: 'prompt', action: 'created' }] });
      await w.create({ name: 'off', url: `${r.url}/off`, status: 'DISABLED', events: [{ entity: 'model_version', action: 'created' }] });
      await w.create({ name: 'other', url: `${r.url}/other`, events: [{ entity: 'model_version_tag', action: 'set' }] });
      const before = Math.floor(Date.now() / 1000);
      w.publish(versionCreated('clf'));
      await w.idle();
      assert.deepEqual(r.hits.map((h) => h.path).sort(), ['/plain', '/signed']);
      const signed = r.hits.find((h) => h.path === '/signed')!;
      const body = JSON.parse(signed.body);
      assert.deepEqual(Object.keys(body), ['entity', 'action', 'timestamp', 'data']);
      assert.equal(body.entity, 'model_version');
      assert.equal(body.action, 'created');
      assert.match(body.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
      // MLflow's fields in MLflow's order; what was not given is null.
      assert.equal(JSON.stringify(body.data), '{"name":"clf","version":"3","source":"models:/m-1","run_id":null,"tags":{"k":"v"},"description":null}');
      assert.match(signed.body, /^\{"entity": "model_version", "action": "created", /);
      const id = signed.headers['x-mlflow-delivery-id'] as string;
      const ts = signed.headers['x-mlflow-timestamp'] as string;
      assert.match(id, /^[0-9a-f-]{36}$/);
      assert.ok(Number(ts) >= before && Number(ts) <= before + 5);
      assert.equal(signed.headers['content-type'], 'application/json');
      assert.equal(signed.headers['x-mlflow-signature'], signDelivery('top-secret', id, ts, signed.body));
      const plain = r.hits.find((h) => h.path === '/plain')!;
      assert.equal(plain.headers['x-mlflow-signature'], undefined);
      assert.notEqual(plain.headers['x-mlflow-delivery-id'], id);
      assert.equal(w.deliveryStats.delivered, 2);
    } finally {
      await r.close();
    }
  });

  it('retries after 5xx and 429 with the same bytes, id and signature, and stops at the bound', async () => {
    const flaky = await receiver((n, _req, res) => { res.statusCode = n < 2 ? 503 : 200; res.end(); });
    const down = await receiver((_n, _req, res) => { res.statusCode = 500; res.end('boom'); });
    try {
      const w = service({ ...FAST_RETRIES, maxAttempts: 3 });
      await clean(w);
      await w.create({ name: 'flaky', url: flaky.url, secret: 's', events: [{ entity: 'model_version_alias', action: 'created' }] });
      await w.create({ name: 'down', url: down.url, events: [{ entity: 'model_version_alias', action: 'created' }] });
      w.publish({ entity: 'model_version_alias', action: 'created', payload: { name: 'clf', alias: 'champion', version: '2' } });
      await w.idle();
      assert.equal(flaky.hits.length, 3, 'fails twice, then succeeds');
      const sent = flaky.hits.map((h) => [h.body, h.headers['x-mlflow-delivery-id'], h.headers['x-mlflow-timestamp'], h.headers['x-mlflow-signature']]);
      assert.deepEqual(sent[1], sent[0]);
      assert.deepEqual(sent[2], sent[0]);
      assert.equal(JSON.parse(flaky.hits[0].body).data.alias, 'champion');
      assert.equal(down.hits.length, 3, 'gives up after maxAttempts');
      assert.ok(flaky.hits[1].at - flaky.hits[0].at >= 40, 'waits between tries');
      assert.ok(logs.some((m) => /model_version_alias\.created to webhook .* was not delivered after 3 attempt\(s\): the receiver answered 500/.test(m)));
      assert.deepEqual([w.deliveryStats.delivered, w.deliveryStats.failed, w.deliveryStats.retried], [1, 1, 4]);
    } finally {
      await flaky.close();
      await down.close();
    }
  });

  it('honours Retry-After up to its bound, and does not retry a 4xx', async () => {
    const limited = await receiver((n, _req, res) => {
      if (n === 0) { res.statusCode = 429; res.setHeader('Retry-After', '1'); } else if (n === 1) { res.statusCode = 503; res.setHeader('Retry-After', '3600'); }
      res.end();
    });
    const refusing = await receiver((_n, _req, res) => { res.statusCode = 400; res.end(); });
    try {
      const w = service({ ...FAST_RETRIES, maxRetryAfterMs: 300 });
      await clean(w);
      await w.create({ name: 'limited', url: limited.url, events: [{ entity: 'prompt_tag', action: 'set' }] });
      await w.create({ name: 'refusing', url: refusing.url, events: [{ entity: 'prompt_tag', action: 'set' }] });
      w.publish({ entity: 'prompt_tag', action: 'set', payload: { name: 'p', key: 'k', value: 'v' } });
      await w.idle();
      assert.equal(limited.hits.length, 3);
      // One second asked for is shortened to the 300 ms bound, and so is an hour.
      const [a, b, c] = limited.hits.map((h) => h.at);
      assert.ok(b - a >= 280 && b - a < 900, `waited ${b - a} ms`);
      assert.ok(c - b >= 280 && c - b < 900, `waited ${c - b} ms`);
      assert.equal(refusing.hits.length, 1);
    } finally {
      await limited.close();
      await refusing.close();
    }
  });

  it('gives an attempt a deadline, follows no redirect, and retries a receiver that cannot be reached', async () => {
    const silent = await receiver(() => { /* never answers */ });
    const target = await receiver((_n, _req, res) => res.end('should not be reached'));
    const redirecting = await receiver((_n, _req, res) => { res.statusCode = 307; res.setHeader('Location', `${target.url}/x`); res.end(); });
    const gone = await receiver((_n, _req, res) => res.end());
    const goneUrl = gone.url;
    await gone.close();
    try {
      const w = service({ ...FAST_RETRIES, timeoutMs: 200, maxAttempts: 2 });
      await clean(w);
      for (const [name, url] of [['silent', silent.url], ['redirecting', redirecting.url], ['gone', goneUrl]]) {
        await w.create({ name, url, events: [{ entity: 'registered_model', action: 'created' }] });
      }
      const started = Date.now();
      w.publish({ entity: 'registered_model', action: 'created', payload: { name: 'm', tags: {} } });
      await w.idle();
      assert.equal(silent.hits.length, 2, 'timed out twice');
      assert.ok(Date.now() - started < 3000);
      assert.equal(redirecting.hits.length, 1);
      assert.equal(target.hits.length, 0);
      assert.ok(logs.some((m) => /no answer within 200 ms/.test(m)));
      assert.ok(logs.some((m) => /ECONNREFUSED/.test(m)));
      assert.equal(JSON.parse(redirecting.hits[0].body).data.description, '', "a model's missing description is '' as in MLflow");
    } finally {
      await silent.close();
      await target.close();
      await redirecting.close();
    }
  });

  it('keeps at most `capacity` items, dropping the oldest with a warning, and publish never waits', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const slow = await receiver((_n, _req, res) => { gate.then(() => res.end()); });
    try {
      const w = service({ ...FAST_RETRIES, capacity: 5, concurrency: 1, timeoutMs: 5000 });
      await clean(w);
      await w.create({ name: 'slow', url: slow.url, events: [{ entity: 'model_version_tag', action: 'deleted' }] });
      const started = process.hrtime.bigint();
      for (let i = 0; i < 50; i++) w.publish({ entity: 'model_version_tag', action: 'deleted', payload: { name: 'm', version: '1', key: `k${i}` } });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      assert.ok(ms < 50, `50 publishes took ${ms} ms`);
      assert.ok(w.deliveryStats.dropped >= 40, `dropped ${w.deliveryStats.dropped}`);
      assert.ok(logs.some((m) => /delivery queue is full \(5\); dropped the oldest/.test(m)));
      release();
      await w.idle();
      const keys = slow.hits.map((h) => JSON.parse(h.body).data.key);
      assert.ok(keys.length <= 6, `${keys.length} delivered`);
      assert.equal(keys.at(-1), 'k49', 'the newest events are the ones kept');
    } finally {
      release();
      await slow.close();
    }
  });

  it('gives pending deliveries a short grace at shutdown, then drops them', async () => {
    const hung = await receiver(() => { /* never answers */ });
    try {
      const w = service({ ...FAST_RETRIES, timeoutMs: 60_000 });
      await clean(w);
      await w.create({ name: 'hung', url: hung.url, events: [{ entity: 'prompt_alias', action: 'deleted' }] });
      w.publish({ entity: 'prompt_alias', action: 'deleted', payload: { name: 'p', alias: 'a' } });
      while (hung.hits.length === 0) await new Promise((r) => setTimeout(r, 10));
      const started = Date.now();
      await w.close(200);
      const took = Date.now() - started;
      assert.ok(took >= 190 && took < 1500, `close took ${took} ms`);
      await w.idle();
      w.publish({ entity: 'prompt_alias', action: 'deleted', payload: { name: 'p', alias: 'a' } });
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(hung.hits.length, 1, 'nothing is sent after close');
    } finally {
      await hung.close();
    }
  });
});
