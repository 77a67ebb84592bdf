/** Webhook secrets at rest: sealed under the server's key, bound to their webhook, and never used unread. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { SecretBox, SecretUnreadable } from '../src/core/webhooks/secret-box';
import { Webhooks } from '../src/core/webhooks/webhooks';
import { signDelivery } from '../src/core/webhooks/signing';
import { SqlStore } from '../src/store/sql-store';
import { createDatabase, FAST, type TestDatabase } from './support/databases';
import { HTTP_TRANSPORT } from '../src/outbound/webhook-post';

describe('webhook secrets', () => {
  it('seals with the key, opens only for the same webhook and key, and reads what was kept unsealed', () => {
    const box = new SecretBox('operator key');
    const sealed = box.seal('hook-1', 'sh-secret ✓');
    assert.match(sealed, /^e1:[A-Za-z0-9+/]+=*$/);
    assert.equal(sealed.includes('sh-secret'), false);
    assert.notEqual(box.seal('hook-1', 'sh-secret ✓'), sealed, 'a fresh IV each time');
    assert.equal(box.open('hook-1', sealed), 'sh-secret ✓');
    assert.throws(() => box.open('hook-2', sealed), SecretUnreadable);
    assert.throws(() => new SecretBox('another key').open('hook-1', sealed), /another TRACKBRIDGE_WEBHOOKS_SECRET_KEY/);
    assert.throws(() => new SecretBox().open('hook-1', sealed), /has no TRACKBRIDGE_WEBHOOKS_SECRET_KEY/);
    const tampered = `e1:${Buffer.from(Buffer.from(sealed.slice(3), 'base64').map((b, i) => (i === 40 ? b ^ 1 : b))).toString('base64')}`;
    assert.throws(() => box.open('hook-1', tampered), SecretUnreadable);
    const plain = new SecretBox().seal('hook-1', 'kept');
    assert.equal(plain, 'p:kept');
    assert.equal(box.open('hook-1', plain), 'kept', 'a key added later still reads secrets written before it');
    assert.throws(() => box.open('hook-1', 'kept'), /form this server does not know/);
  });

  describe('over a store', () => {
    let db: TestDatabase;
    let store: SqlStore;
    let server: http.Server;
    let url: string;
    const hits: http.IncomingHttpHeaders[] = [];
    const bodies: string[] = [];
    const services: Webhooks[] = [];
    const logs: string[] = [];
    const service = (secretKey?: string) => {
      const w = new Webhooks(store, { allowPrivate: true, transport: HTTP_TRANSPORT, secretKey, delivery: { backoffMs: () => 10 }, log: (m) => logs.push(m) });
      services.push(w);
      return w;
    };

    before(async () => {
      db = await createDatabase('sqlite');
      store = await SqlStore.open(db.url, FAST);
      server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => { hits.push(req.headers); bodies.push(Buffer.concat(chunks).toString('utf8')); res.end('ok'); });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });

    after(async () => {
      for (const w of services) await w.close(0);
      server.close();
      await store.close();
      await db.drop();
    });

    it('signs with the secret it sealed, and a server without the key sends nothing rather than an unsigned delivery', async () => {
      const keyed = service('k-1');
      const w = await keyed.create({ name: 'sealed', url, secret: 'the-secret', events: [{ entity: 'model_version', action: 'created' }] });
      const stored = (await store.getWebhook(w.webhookId))!.secret!;
      assert.match(stored, /^e1:/);
      assert.equal(stored.includes('the-secret'), false);

      assert.equal((await keyed.test(w.webhookId)).success, true);
      const h = hits[0];
      assert.equal(h['x-mlflow-signature'], signDelivery('the-secret', h['x-mlflow-delivery-id'] as string, h['x-mlflow-timestamp'] as string, bodies[0]));

      const keyless = service();
      const result = await keyless.test(w.webhookId);
      assert.deepEqual(result, { success: false, errorMessage: 'Failed to test webhook: the secret is encrypted and this server has no TRACKBRIDGE_WEBHOOKS_SECRET_KEY' });
      keyless.publish({ entity: 'model_version', action: 'created', payload: { name: 'm', version: '1', source: 's', tags: {} } });
      await keyless.idle();
      assert.equal(hits.length, 1, 'nothing was sent without the key');
      assert.ok(logs.some((m) => /was not sent: the secret is encrypted/.test(m)));

      keyed.publish({ entity: 'model_version', action: 'created', payload: { name: 'm', version: '1', source: 's', tags: {} } });
      await keyed.idle();
      assert.equal(hits.length, 2);
      assert.equal(hits[1]['x-mlflow-signature'], signDelivery('the-secret', hits[1]['x-mlflow-delivery-id'] as string, hits[1]['x-mlflow-timestamp'] as string, bodies[1]));
    });
  });
});
