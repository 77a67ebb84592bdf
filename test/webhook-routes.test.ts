/**
 * /api/2.0/mlflow/webhooks over HTTP, answering strictly: MLflow's shapes for each route, its
 * errors, and `test` against a local receiver, from a server that allows private targets and
 * from one over the same store that does not.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';

import { buildApp } from '../src/server';
import { Tracking } from '../src/core/tracking';
import { LocalArtifactStore } from '../src/artifacts/local';
import { SqlStore } from '../src/store/sql-store';
import { signDelivery } from '../src/core/webhooks/signing';
import { createDatabase, FAST, type TestDatabase } from './support/databases';
import { assertError } from './routes/context';
import { HTTP_TRANSPORT } from '../src/outbound/webhook-post';

const BASE = '/api/2.0/mlflow/webhooks';

describe('webhook routes', () => {
  let db: TestDatabase;
  let store: SqlStore;
  let open: supertest.Agent;
  let closed: supertest.Agent;
  const trackings: Tracking[] = [];
  const hits: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  let answer = { status: 200, body: 'received' };
  let receiver: http.Server;
  let hookUrl: string;

  const app = (allowPrivate: boolean) => {
    const t = new Tracking(store, { defaultArtifactRoot: 'mlflow-artifacts:/' }, new LocalArtifactStore(path.join(os.tmpdir(), `tb-wh-${process.pid}`)),
      { webhooks: { allowPrivate, transport: HTTP_TRANSPORT, log: () => {} } });
    trackings.push(t);
    return supertest.agent(buildApp(t, { strictResponses: true }));
  };

  before(async () => {
    db = await createDatabase('sqlite');
    store = await SqlStore.open(db.url, FAST);
    open = app(true);
    closed = app(false);
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.statusCode = answer.status;
        res.end(answer.body);
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });

  after(async () => {
    for (const t of trackings) await t.webhooks.close(0);
    receiver.closeAllConnections();
    receiver.close();
    await store.close();
    await db.drop();
  });

  const create = (agent: supertest.Agent, body: Record<string, unknown>) => agent.post(BASE).send(body);
  const events = [{ entity: 'MODEL_VERSION', action: 'CREATED' }, { entity: 'MODEL_VERSION_ALIAS', action: 'DELETED' }];

  it('creates, gets, updates, lists and deletes in MLflow\'s shapes, never answering the secret', async () => {
    const res = await create(open, { name: 'ci-hook', description: 'for CI', url: hookUrl, events, secret: 'sh' });
    assert.equal(res.status, 200, res.text);
    const w = res.body.webhook;
    assert.deepEqual(Object.keys(w).sort(), ['creation_timestamp', 'description', 'events', 'last_updated_timestamp', 'name', 'status', 'url', 'webhook_id']);
    assert.deepEqual({ ...w, webhook_id: 'x', creation_timestamp: 0, last_updated_timestamp: 0 }, {
      webhook_id: 'x', name: 'ci-hook', description: 'for CI', url: hookUrl, events, status: 'ACTIVE', creation_timestamp: 0, last_updated_timestamp: 0,
    });
    assert.equal(typeof w.creation_timestamp, 'number');
    assert.doesNotMatch(res.text, /"sh"/);

    const got = await open.get(`${BASE}/${w.webhook_id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, { webhook: w });
    const ajax = await open.get(`/ajax-api/2.0/mlflow/webhooks/${w.webhook_id}`);
    assert.deepEqual(ajax.body, { webhook: w });

    const upd = await open.patch(`${BASE}/${w.webhook_id}`).send({ status: 'DISABLED', description: '', events: [{ entity: 'PROMPT', action: 'CREATED' }] });
    assert.equal(upd.status, 200, upd.text);
    assert.equal(upd.body.webhook.status, 'DISABLED');
    assert.equal('description' in upd.body.webhook, false);
    assert.deepEqual(upd.body.webhook.events, [{ entity: 'PROMPT', action: 'CREATED' }]);
    assert.equal(upd.body.webhook.name, 'ci-hook');

    const list = await open.get(BASE).query({ max_results: 10 });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body, { webhooks: [upd.body.webhook] });

    const del = await open.delete(`${BASE}/${w.webhook_id}`);
    assert.deepEqual([del.status, del.body], [200, {}]);
    assertError(await open.get(`${BASE}/${w.webhook_id}`), 404, 'RESOURCE_DOES_NOT_EXIST', /Webhook with ID .* not found\./);
    assertError(await open.delete(`${BASE}/${w.webhook_id}`), 404, 'RESOURCE_DOES_NOT_EXIST');
    assertError(await open.patch(`${BASE}/${w.webhook_id}`).send({ name: 'x' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    assert.deepEqual((await open.get(BASE)).body, {});
  });

  it('pages the list with next_page_token and bounds max_results', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create(open, { name: `p${i}`, url: hookUrl, events })).body.webhook.webhook_id);
    const first = await open.get(BASE).query({ max_results: 2 });
    assert.equal(first.body.webhooks.length, 2);
    assert.equal(typeof first.body.next_page_token, 'string');
    const rest = await open.get(BASE).query({ max_results: 10, page_token: first.body.next_page_token });
    assert.equal(rest.body.webhooks.length, 3);
    assert.equal(rest.body.next_page_token, undefined);
    assert.deepEqual(new Set([...first.body.webhooks, ...rest.body.webhooks].map((w: any) => w.webhook_id)), new Set(ids));
    assertError(await open.get(BASE).query({ max_results: 1001 }), 400, 'INVALID_PARAMETER_VALUE', /max_results must be between 1 and 1000/);
    assertError(await open.get(BASE).query({ page_token: 'x' }), 400, 'INVALID_PARAMETER_VALUE', /page token/);
    for (const id of ids) await open.delete(`${BASE}/${id}`);
  });

  it('refuses bad requests with MLflow\'s errors', async () => {
    assertError(await create(open, { url: hookUrl, events }), 400, 'INVALID_PARAMETER_VALUE', /Missing value for required parameter 'name'/);
    assertError(await create(open, { name: 'a', events }), 400, 'INVALID_PARAMETER_VALUE', /Missing value for required parameter 'url'/);
    assertError(await create(open, { name: 'a', url: hookUrl, events: [] }), 400, 'INVALID_PARAMETER_VALUE', /Missing value for required parameter 'events'/);
    assertError(await create(open, { name: 'bad name', url: hookUrl, events }), 400, 'INVALID_PARAMETER_VALUE', /Webhook name 'bad name' is invalid/);
    assertError(await create(open, { name: 'a', url: 'gopher://h/x', events }), 400, 'INVALID_PARAMETER_VALUE', /Invalid webhook URL scheme: 'gopher'/);
    assertError(await create(open, { name: 'a', url: hookUrl, events: [{ entity: 'PROMPT', action: 'SET' }] }), 400, 'INVALID_PARAMETER_VALUE',
      /Invalid action 'set' for entity 'prompt'. Valid actions are: \['created'\]/);
    assertError(await create(open, { name: 'a', url: hookUrl, events: [{ entity: 'NOPE', action: 'CREATED' }] }), 400, 'INVALID_PARAMETER_VALUE', /entity/);
    assertError(await create(open, { name: 'a', url: hookUrl, events: [{ action: 'CREATED' }] }), 400, 'INVALID_PARAMETER_VALUE', /entity/);
    assertError(await create(open, { name: 'a', url: hookUrl, events: 'MODEL_VERSION' }), 400, 'INVALID_PARAMETER_VALUE', /events/);
    assertError(await create(open, { name: 'a', url: 12, events }), 400, 'INVALID_PARAMETER_VALUE', /url/);
    assertError(await create(closed, { name: 'a', url: hookUrl, events }), 400, 'INVALID_PARAMETER_VALUE', /non-public IP address.*loopback/);
    assertError(await create(closed, { name: 'a', url: 'http://[::ffff:169.254.169.254]/latest/meta-data', events }), 400, 'INVALID_PARAMETER_VALUE', /link-local/);
    for (const id of ['x'.repeat(5000), encodeURIComponent('ü/../1'), '%20', "1' OR '1'='1"]) {
      assertError(await open.get(`${BASE}/${id}`), 404, 'RESOURCE_DOES_NOT_EXIST');
      assertError(await open.post(`${BASE}/${id}/test`).send({}), 404, 'RESOURCE_DOES_NOT_EXIST');
    }
    assertError(await open.get(`${BASE}/a%00b`), 400, 'INVALID_PARAMETER_VALUE', /NUL/);
    const wrongVerb = await open.put(BASE).send({});
    assert.equal(wrongVerb.status, 405);
    assert.deepEqual((await open.get(BASE)).body, {}, 'nothing was created');
  });

  it('tests a webhook: one signed example delivery, and how the receiver answered', async () => {
    const w = (await create(open, { name: 'tested', url: hookUrl, events, secret: 'test-secret', status: 'DISABLED' })).body.webhook;
    hits.length = 0;
    answer = { status: 200, body: 'received' };
    const res = await open.post(`${BASE}/${w.webhook_id}/test`).send({});
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { result: { success: true, response_status: 200, response_body: 'received' } });
    assert.equal(hits.length, 1);
    const h = hits[0];
    assert.equal(h.headers['x-mlflow-signature'], signDelivery('test-secret', h.headers['x-mlflow-delivery-id'] as string, h.headers['x-mlflow-timestamp'] as string, h.body));
    const body = JSON.parse(h.body);
    assert.deepEqual([body.entity, body.action, body.data], ['model_version', 'created', {
      name: 'example_model', version: '1', source: 'models:/123', run_id: 'abcd1234abcd5678', tags: { example_key: 'example_value' }, description: 'An example model version',
    }]);

    answer = { status: 503, body: 'x'.repeat(20_000) };
    const failed = await open.post(`${BASE}/${w.webhook_id}/test`).send({ event: { entity: 'PROMPT_ALIAS', action: 'DELETED' } });
    assert.equal(failed.status, 200);
    assert.equal(failed.body.result.success, false);
    assert.equal(failed.body.result.response_status, 503);
    assert.equal(failed.body.result.response_body.length, 8192, 'only the start of a long answer is kept');
    assert.deepEqual(JSON.parse(hits[1].body).data, { name: 'example_prompt', alias: 'example_alias' });
    assert.equal(hits.length, 2, 'a test is sent once, not retried');

    assertError(await open.post(`${BASE}/${w.webhook_id}/test`).send({ event: { entity: 'PROMPT_ALIAS', action: 'SET' } }), 400, 'INVALID_PARAMETER_VALUE');
    assertError(await open.post(`${BASE}/nope/test`).send({}), 404, 'RESOURCE_DOES_NOT_EXIST');

    // An empty secret removes it: deliveries go unsigned.
    await open.patch(`${BASE}/${w.webhook_id}`).send({ secret: '' });
    answer = { status: 200, body: '' };
    // An empty answer is an empty response_body, as MLflow's server prints it (the field is set).
    assert.deepEqual((await open.post(`${BASE}/${w.webhook_id}/test`).send({})).body, { result: { success: true, response_status: 200, response_body: '' } });
    assert.equal(hits[2].headers['x-mlflow-signature'], undefined);
    assert.equal(typeof hits[2].headers['x-mlflow-delivery-id'], 'string');
    await open.delete(`${BASE}/${w.webhook_id}`);
  });

  it('a server that does not allow private targets sends nothing to one, and says why', async () => {
    const w = (await create(open, { name: 'inward', url: hookUrl, events })).body.webhook;
    hits.length = 0;
    const res = await closed.post(`${BASE}/${w.webhook_id}/test`).send({});
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.result.success, false);
    assert.equal(res.body.result.response_status, undefined);
    assert.match(res.body.result.error_message, /^Failed to test webhook: '127\.0\.0\.1' resolves to 127\.0\.0\.1, which is not a public address \(loopback\)/);
    assert.equal(hits.length, 0);
    await open.delete(`${BASE}/${w.webhook_id}`);
  });
});
