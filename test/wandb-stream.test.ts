/**
 * The W&B data channel over HTTP: `POST /files/<entity>/<project>/<run>/file_stream` and the
 * signed run-file URLs, on every selected dialect.
 */
import { after, before, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { buildApp } from '../src/server';
import type { Tracking } from '../src/core/tracking';
import { LocalArtifactStore } from '../src/artifacts/local';
import { createDatabase, FAST, openTracking, selectedDialects, type TestDatabase } from './support/databases';
import { HOSTILE_PATHS, snapshotTree, assertUntouched, LEAK, SECRET } from './support/hostile-paths';
import { RUN_FILE_GET, RUN_FILE_PUT, runFileClaims } from '../src/protocols/wandb/run-files';
import type { Claims } from '../src/core/capabilities';

/** A key for the tests, issued as `trackbridge keys create` issues one. */
async function withKey(tracking: Tracking): Promise<string> {
  return (await tracking.accounts.createKey('alice')).key;
}

const sign = (tracking: Tracking, purpose: string, claims: Claims, ttl: number) => tracking.capabilities.sign(purpose, claims, ttl);

const basic = (key: string) => `Basic ${Buffer.from(`api:${key}`).toString('base64')}`;
const line = (o: Record<string, unknown>) => JSON.stringify(o);

for (const dialect of selectedDialects()) {
  describe(`W&B file_stream (${dialect})`, () => {
    let db: TestDatabase;
    let tracking: Tracking;
    let close: () => Promise<void>;
    let api: ReturnType<typeof supertest>;
    let key: string;
    let experimentId: string;
    let artifactRoot: string;
    let seq = 0;

    before(async () => {
      db = await createDatabase(dialect);
      artifactRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-wandb-stream-'));
      const opened = await openTracking(db.url, FAST, new LocalArtifactStore(path.join(artifactRoot, 'root')));
      tracking = opened.tracking;
      close = () => opened.store.close();
      key = await withKey(tracking);
      api = supertest(buildApp(tracking));
      experimentId = await tracking.experiments.create('alice/proj', undefined, []);
    });
    after(async () => {
      await close();
      await db.drop();
      fs.rmSync(artifactRoot, { recursive: true, force: true });
    });

    /** A fresh RUNNING run with an 8-character W&B id, made as UpsertBucket makes one. */
    async function newRun(): Promise<string> {
      const runId = `r${(seq++).toString(36).padStart(7, '0')}`;
      await tracking.ingest.run({
        runId, experiment: { experimentId }, name: runId, userId: 'alice', status: 'RUNNING', startTime: Date.now(),
        endTime: null, lifecycleStage: 'active', deletedTime: null, tags: [], params: [], metrics: [],
      });
      return runId;
    }

    const post = (runId: string, body: unknown, p = `/files/alice/proj/${runId}/file_stream`) =>
      api.post(p).set('Authorization', basic(key)).set('Content-Type', 'application/json').send(JSON.stringify(body));

    const points = async (runId: string, metric: string) =>
      (await tracking.history.get(runId, metric)).items.map((m) => ({ step: m.step, value: m.value, timestamp: m.timestamp }));

    it('applies history, events, summary and console lines, answering {}', async () => {
      const runId = await newRun();
      const res = await post(runId, {
        files: {
          'wandb-history.jsonl': { offset: 0, content: [
            line({ _runtime: 0.05, _step: 0, loss: 1, acc: 0, _timestamp: 1795737677.3727982 }),
            line({ _runtime: 0.1, _step: 1, loss: 0.5, nested: { a: 2, b: { c: 3 } }, _timestamp: 1795737678.001 }),
          ] },
          'wandb-events.jsonl': { offset: 0, content: [
            line({ _wandb: true, 'system.cpu': 33.7, 'system.disk./.usagePercent': 26.7, _timestamp: 1795737690.5, _runtime: 15 }),
          ] },
          'wandb-summary.json': { offset: 0, content: [line({ loss: 0.5, acc: 0, _wandb: { runtime: 0 }, _step: 1 })] },
          'output.log': { offset: 0, content: ['2026-11-27T00:01:17.382703 hello', 'ERROR 2026-11-27T00:01:17.383655 oops'] },
        },
        uploaded: ['config.yaml'],
        preempting: true,
      });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, {});
      assert.deepEqual(await points(runId, 'loss'), [{ step: 0, value: 1, timestamp: 1795737677373 }, { step: 1, value: 0.5, timestamp: 1795737678001 }]);
      assert.deepEqual(await points(runId, '_runtime'), [{ step: 0, value: 0.05, timestamp: 1795737677373 }, { step: 1, value: 0.1, timestamp: 1795737678001 }]);
      assert.deepEqual(await points(runId, 'nested.b.c'), [{ step: 1, value: 3, timestamp: 1795737678001 }]);
      assert.deepEqual(await points(runId, '_step'), []);
      assert.deepEqual(await points(runId, 'system/cpu'), [{ step: 0, value: 33.7, timestamp: 1795737690500 }]);
      assert.deepEqual(await points(runId, 'system/disk./.usagePercent'), [{ step: 0, value: 26.7, timestamp: 1795737690500 }]);
      assert.deepEqual(await tracking.runData.summary(runId), { loss: 0.5, acc: 0, _wandb: { runtime: 0 }, _step: 1 });
      assert.deepEqual(await tracking.runData.consoleLines(runId, 'output.log'),
        [{ line: 0, text: '2026-11-27T00:01:17.382703 hello' }, { line: 1, text: 'ERROR 2026-11-27T00:01:17.383655 oops' }]);
      const offsets = Object.fromEntries((await tracking.runData.streamOffsets(runId)).map((s) => [s.stream, s.nextOffset]));
      assert.deepEqual(offsets, { 'wandb-history.jsonl': 2, 'wandb-events.jsonl': 1, 'output.log': 2 });
      assert.equal((await tracking.runs.get(runId)).info.status, 'RUNNING');
      assert.ok((await tracking.runData.heartbeatAt(runId))! > Date.now() - 60_000);
    });

    it('takes a summary whose flattened keys collide (200, kept whole), and keeps history keys MLflow refuses or under system/ in the rows', async () => {
      const runId = await newRun();
      const res = await post(runId, {
        files: {
          'wandb-history.jsonl': { offset: 0, content: [
            line({ _step: 0, 'acc@1': 0.5, 'top-1 (%)': 97, loss: [0], 'loss[0]': 2, 'system/x': 1, y: 3, 'val.acc': 0.5, val: { acc: 0.6 } }),
          ] },
          'wandb-events.jsonl': { offset: 0, content: [line({ 'system.cpu': 10 })] },
          'wandb-summary.json': { offset: 0, content: [line({ 'val.acc': 0.5, val: { acc: 0.6 }, 'acc@1': 0.5 })] },
        },
      });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(await tracking.runData.summary(runId), { 'val.acc': 0.5, val: { acc: 0.6 }, 'acc@1': 0.5 });
      const [row] = await tracking.historyRows.page(runId, { limit: 10 });
      // Of two history entries both named val.acc, the row keeps the first (the core's once-per-row rule).
      assert.deepEqual(Object.fromEntries(row.values), { 'acc@1': 0.5, 'top-1 (%)': 97, loss: [0], 'loss[0]': 2, 'system/x': 1, y: 3, 'val.acc': 0.5 });
      const [sample] = await tracking.historyRows.page(runId, { limit: 10, system: true });
      assert.deepEqual(Object.fromEntries(sample.values), { 'system/cpu': 10 });
      assert.deepEqual((await tracking.runs.get(runId)).metrics.map((m) => m.key).sort(), ['system/cpu', 'val.acc', 'y']);
    });

    it('stores a chunk sent twice once, and only the new lines of an overlapping one', async () => {
      const runId = await newRun();
      const chunk = { offset: 0, content: [0, 1, 2].map((s) => line({ _step: s, x: s * 10, _timestamp: 1.7e9 + s })) };
      for (let i = 0; i < 2; i++) assert.equal((await post(runId, { files: { 'wandb-history.jsonl': chunk } })).status, 200);
      // Lines 1 and 2 again (a retry that crossed a new write), with values that must not replace the first ones.
      const overlap = { offset: 1, content: [1, 2, 3, 4].map((s) => line({ _step: s, x: s * 100, _timestamp: 1.7e9 + s })) };
      assert.equal((await post(runId, { files: { 'wandb-history.jsonl': overlap } })).status, 200);
      assert.deepEqual((await points(runId, 'x')).map((p) => [p.step, p.value]), [[0, 0], [1, 10], [2, 20], [3, 300], [4, 400]]);
      // Console lines sent again overwrite (a progress bar redrawn in place).
      await post(runId, { files: { 'output.log': { offset: 0, content: ['10%', 'b'] } } });
      await post(runId, { files: { 'output.log': { offset: 0, content: ['100%'] } } });
      assert.deepEqual(await tracking.runData.consoleLines(runId, 'output.log'), [{ line: 0, text: '100%' }, { line: 1, text: 'b' }]);
    });

    it('takes the heartbeat {} and an empty body', async () => {
      const runId = await newRun();
      assert.equal((await post(runId, {})).status, 200);
      const empty = await api.post(`/files/alice/proj/${runId}/file_stream`).set('Authorization', basic(key));
      assert.equal(empty.status, 200);
      assert.deepEqual(empty.body, {});
      assert.ok((await tracking.runData.heartbeatAt(runId)) !== undefined);
    });

    it('inflates a gzip body', async () => {
      const runId = await newRun();
      const body = JSON.stringify({ files: { 'wandb-history.jsonl': { offset: 0, content: [line({ _step: 0, g: 7, _timestamp: 1.7e9 })] } } });
      const res = await api.post(`/files/alice/proj/${runId}/file_stream`).set('Authorization', basic(key))
        .set('Content-Type', 'application/json').set('Content-Encoding', 'gzip')
        // Sent as the bytes they are: superagent would otherwise serialize a Buffer as JSON.
        .serialize((b: unknown) => b as string).send(gzipSync(body));
      assert.equal(res.status, 200, res.text);
      assert.deepEqual((await points(runId, 'g')).map((p) => p.value), [7]);
      const bad = await api.post(`/files/alice/proj/${runId}/file_stream`).set('Authorization', basic(key))
        .set('Content-Encoding', 'gzip').send(Buffer.from('not gzip at all'));
      assert.equal(bad.status, 400);
      // A bomb: small on the wire, past the inflated bound once read.
      const bomb = gzipSync(Buffer.alloc(80 * 1024 * 1024, 0x20));
      const refused = await api.post(`/files/alice/proj/${runId}/file_stream`).set('Authorization', basic(key))
        .set('Content-Encoding', 'gzip').send(bomb);
      // Past a cap: retried (503), not the end of the client's stream.
      assert.equal(refused.status, 503);
      assert.ok(refused.headers['retry-after']);
      assert.match(refused.body.error, /inflated/);
    });

    it('accepts a 16 MiB body', async () => {
      const runId = await newRun();
      const pad = 'p'.repeat(4 * 1024 * 1024);
      const content = [0, 1, 2, 3].map((s) => line({ _step: s, big: s, text: pad, _timestamp: 1.7e9 }));
      const res = await post(runId, { files: { 'wandb-history.jsonl': { offset: 0, content } } });
      assert.equal(res.status, 200);
      assert.deepEqual((await points(runId, 'big')).map((p) => p.value), [0, 1, 2, 3]);
      const texts: string[] = [];
      let pageToken: string | undefined;
      do {
        const page = await tracking.runData.historyValues(runId, { key: 'text', pageToken });
        texts.push(...page.items.map((v) => v.value as string));
        pageToken = page.nextPageToken;
      } while (pageToken);
      assert.deepEqual(texts.map((t) => t.length), [pad.length, pad.length, pad.length, pad.length]);
    });

    it('reads NaN, Infinity and exact big integers, and keeps media, tables and histograms whole', async () => {
      const runId = await newRun();
      const image = { _type: 'image-file', path: 'media/images/img_0_b83b0991ed53a60f7d53.png', sha256: 'b8', size: 268, format: 'png', width: 8, height: 8 };
      const table = { _type: 'table-file', path: 'media/table/tbl_0_f87e.table.json', ncols: 2, nrows: 2, artifact_path: 'wandb-client-artifact://x/tbl.table.json' };
      const hist = { _type: 'histogram', values: [1, 0, 2], bins: [1, 2, 3, 4] };
      const content = [
        '{"_step":0,"n":NaN,"p":Infinity,"m":-Infinity,"big":4611686018427387904,"huge":1.1805916207174113e+21,"_timestamp":1.7e9}',
        line({ _step: 1, img: image, tbl: table, hist, tags: ['a', 'b'], name: 'x', ok: true, none: null, _timestamp: 1.7e9 }),
      ];
      assert.equal((await post(runId, { files: { 'wandb-history.jsonl': { offset: 0, content } } })).status, 200);
      assert.ok(Number.isNaN((await points(runId, 'n'))[0].value));
      assert.equal((await points(runId, 'p'))[0].value, Infinity);
      assert.equal((await points(runId, 'm'))[0].value, -Infinity);
      assert.equal((await points(runId, 'huge'))[0].value, 1.1805916207174113e+21);
      const values = Object.fromEntries((await tracking.runData.historyValues(runId)).items.map((v) => [v.key, [v.kind, v.value, v.step]]));
      assert.deepEqual(values, {
        big: ['integer', 4611686018427387904n, 0],
        img: ['media', image, 1],
        tbl: ['table', table, 1],
        hist: ['histogram', hist, 1],
        tags: ['list', ['a', 'b'], 1],
        name: ['string', 'x', 1],
        ok: ['bool', true, 1],
        none: ['null', null, 1],
      });
    });

    it('gives a row without _step its line index as step', async () => {
      const runId = await newRun();
      await post(runId, { files: { 'wandb-history.jsonl': { offset: 5, content: [line({ y: 1, _timestamp: 1.7e9 }), line({ y: 2, _step: 'x' })] } } });
      const ys = await points(runId, 'y');
      assert.deepEqual(ys.map((p) => [p.step, p.value]), [[5, 1], [6, 2]]);
      assert.ok((ys[1].timestamp as number) > Date.now() - 60_000, 'a row without a time takes its arrival time');
    });

    it('keeps the stored _step when a resumed run re-sends its summary without it', async () => {
      const runId = await newRun();
      await post(runId, { files: { 'wandb-summary.json': { offset: 0, content: [line({ _step: 9, _runtime: 12.5, loss: 0.1 })] } } });
      await post(runId, { files: { 'wandb-summary.json': { offset: 0, content: [line({ _runtime: 12.5, _wandb: { runtime: 12 }, loss: 0.1 })] } } });
      assert.deepEqual(await tracking.runData.summary(runId), { _runtime: 12.5, _wandb: { runtime: 12 }, loss: 0.1, _step: 9 });
      await post(runId, { files: { 'wandb-summary.json': { offset: 0, content: [line({ _step: 10, loss: 0.05 })] } } });
      // Otherwise the new summary replaces the old one whole.
      assert.deepEqual(await tracking.runData.summary(runId), { _step: 10, loss: 0.05 });
    });

    for (const [exitcode, status] of [[0, 'FINISHED'], [1, 'FAILED'], [255, 'KILLED']] as const) {
      it(`ends the run on complete with exitcode ${exitcode}: ${status}`, async () => {
        const runId = await newRun();
        const res = await post(runId, {
          files: { 'wandb-history.jsonl': { offset: 0, content: [line({ _step: 0, last: 1 })] } },
          complete: true, exitcode,
        });
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, {});
        const info = (await tracking.runs.get(runId)).info;
        assert.equal(info.status, status);
        assert.ok(info.endTime! > Date.now() - 60_000);
        assert.equal((await points(runId, 'last')).length, 1);
      });
    }

    it('drops a line it cannot read or store, keeps the rest of the chunk, and answers 200', async () => {
      const runId = await newRun();
      const content = [
        line({ _step: 0, a: 1 }),
        '{"_step":1,"a":',                    // cut short
        '[1,2,3]',                            // not an object
        line({ _step: 3, a: 3, 'bad\u0000key': 1, 'k@y!': 2 }), // keys the core refuses: the row keeps the rest
        42,                                   // not a string
        line({ _step: 5, a: 5 }),
      ];
      const res = await post(runId, { files: {
        'wandb-history.jsonl': { offset: 0, content },
        'output.log': { offset: 0, content: ['fine', 'nul\u0000here', 7, 'also fine'] },
        'wandb-summary.json': { offset: 0, content: ['{not json'] },
        'some-other-file.txt': { offset: 0, content: ['x'] },
        'wandb-events.jsonl': { offset: 'x', content: [] },
      } });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, {});
      assert.deepEqual((await points(runId, 'a')).map((p) => p.step), [0, 3, 5]);
      const offsets = Object.fromEntries((await tracking.runData.streamOffsets(runId)).map((s) => [s.stream, s.nextOffset]));
      assert.equal(offsets['wandb-history.jsonl'], 6);
      assert.deepEqual(await tracking.runData.consoleLines(runId, 'output.log'), [{ line: 0, text: 'fine' }, { line: 3, text: 'also fine' }]);
      assert.deepEqual(await tracking.runData.summary(runId), {});
    });

    it('keeps the good lines of a long chunk with a few bad ones', async () => {
      const runId = await newRun();
      const bad = new Set([17, 9_001, 19_999]);
      const content = Array.from({ length: 20_000 }, (_, i) => (bad.has(i) ? `bad\u0000${i}` : `line ${i}`));
      assert.equal((await post(runId, { files: { 'output.log': { offset: 0, content } } })).status, 200);
      const stored: number[] = [];
      for (let from = 0; ;) {
        const page = await tracking.runData.consoleLines(runId, 'output.log', from, 25_000);
        if (page.length === 0) break;
        stored.push(...page.map((l) => l.line));
        from = page[page.length - 1].line + 1;
      }
      assert.equal(stored.length, 19_997);
      assert.ok(stored.every((l) => !bad.has(l)));
    });

    it('accepts the path a client without an entity builds, and finds the run by id', async () => {
      const runId = await newRun();
      assert.equal((await post(runId, {}, `/files/proj/${runId}/file_stream`)).status, 200);
      assert.equal((await post(runId, {}, `/files/someone-else/other/${runId}/file_stream`)).status, 200);
    });

    it('refuses what is no file_stream request (400), a wrong key (401) and an unknown run (404)', async () => {
      const runId = await newRun();
      for (const body of ['[1,2]', '"text"', '42', 'null', '{"files":[1]}', '{"files":"x"}', '{oops']) {
        const res = await api.post(`/files/alice/proj/${runId}/file_stream`).set('Authorization', basic(key))
          .set('Content-Type', 'application/json').send(body);
        assert.equal(res.status, 400, body);
        assert.equal(res.body.stopped, undefined);
      }
      assert.equal((await api.post(`/files/alice/proj/${runId}/file_stream`).send('{}')).status, 401);
      assert.equal((await api.post(`/files/alice/proj/${runId}/file_stream`).set('Authorization', basic(`tb-${'z'.repeat(40)}`)).send('{}')).status, 401);
      assert.equal((await post('nosuchrun', {})).status, 404);
      assert.equal((await tracking.runData.heartbeatAt(runId)), undefined, 'a refused request stores nothing');
    });

    it('ends the stream of a deleted run (409): it takes no data', async () => {
      const runId = await newRun();
      await tracking.runs.delete(runId);
      const res = await post(runId, { files: { 'wandb-history.jsonl': { offset: 0, content: [line({ _step: 0, a: 1 })] } } });
      assert.equal(res.status, 409);
      assert.deepEqual(await points(runId, 'a'), []);
    });

    it('counts complete without an exit code as a success', async () => {
      const runId = await newRun();
      assert.equal((await post(runId, { complete: true })).status, 200);
      assert.equal((await tracking.runs.get(runId)).info.status, 'FINISHED');
    });

    it('answers 503 (retried) when the body budget is spent', async () => {
      const runId = await newRun();
      const { BodyBudget } = await import('../src/http/request-body');
      const express = (await import('express')).default;
      const { wandbRouter } = await import('../src/protocols/wandb/router');
      const app = express().use(wandbRouter({ tracking, bodyBudget: new BodyBudget(10), log: () => {} }));
      const res = await supertest(app).post(`/files/alice/proj/${runId}/file_stream`).set('Authorization', basic(key))
        .send(JSON.stringify({ files: { 'output.log': { offset: 0, content: ['a line longer than ten bytes'] } } }));
      assert.equal(res.status, 503);
      assert.ok(res.headers['retry-after']);
    });

    describe('run files through signed URLs', () => {
      const putUrl = async (runId: string, f: string, ttl = 3600) => `/storage/${await sign(tracking, RUN_FILE_PUT, runFileClaims(runId, f), ttl)}`;
      const getUrl = async (runId: string, f: string) => `/storage/${await sign(tracking, RUN_FILE_GET, runFileClaims(runId, f), 3600)}`;

      it('stores a PUT as the run artifact, overwrites it, and serves it back to MLflow and W&B', async () => {
        const runId = await newRun();
        for (const f of ['output.log', 'wandb-metadata.json', 'media/images/img_0_abc.png']) {
          const res = await api.put(await putUrl(runId, f)).set('Content-Type', 'application/octet-stream').send(Buffer.from(`first ${f}`));
          assert.equal(res.status, 200, f);
        }
        assert.equal((await api.put(await putUrl(runId, 'output.log')).send(Buffer.from('second'))).status, 200);
        const root = await tracking.artifacts.ofRun(runId);
        const listing = await tracking.artifacts.list(root, '');
        assert.deepEqual(listing.entries.map((e) => e.name).sort(), ['media', 'output.log', 'wandb-metadata.json']);
        const got = await api.get(await getUrl(runId, 'output.log')).buffer(true).parse((r, cb) => {
          const parts: Buffer[] = [];
          r.on('data', (c: Buffer) => parts.push(c));
          r.on('end', () => cb(null, Buffer.concat(parts)));
        });
        assert.equal(got.status, 200);
        assert.equal((got.body as Buffer).toString(), 'second');
        const viaMlflow = await api.get('/get-artifact').query({ run_uuid: runId, path: 'media/images/img_0_abc.png' });
        assert.equal(viaMlflow.status, 200);
        assert.equal((await api.get(await getUrl(runId, 'missing.txt'))).status, 404);
      });

      it('answers a refused PUT or GET with a client status, never a 500 (the client retries a 5xx for days)', async () => {
        // Tokens for a run that does not exist (or no longer does): every refusal is a 4xx.
        for (const res of [await api.put(await putUrl('nosuchrun', 'a.txt')).send('x'), await api.get(await getUrl('nosuchrun', 'a.txt'))]) {
          assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}: ${res.text}`);
        }
      });

      it('refuses a forged, expired or wrong-purpose token and stores nothing', async () => {
        const runId = await newRun();
        const before = snapshotTree(artifactRoot);
        const good = await putUrl(runId, 'x.txt');
        const forged = `${good.slice(0, -3)}${good.endsWith('AAA') ? 'BBB' : 'AAA'}`;
        assert.equal((await api.put(forged).send('x')).status, 403);
        assert.equal((await api.put('/storage/not-a-token').send('x')).status, 403);
        const expired = await putUrl(runId, 'x.txt', 1);
        const real = Date.now;
        const later = mock.method(Date, 'now', () => real() + 5_000);
        try {
          assert.equal((await api.put(expired).send('x')).status, 403);
        } finally {
          later.mock.restore();
        }
        // A download token does not upload.
        assert.equal((await api.put(await getUrl(runId, 'x.txt')).send('x')).status, 404);
        assertUntouched(artifactRoot, before, 'refused PUTs');
      });

      it('refuses hostile paths without touching the disk', async () => {
        const runId = await newRun();
        fs.writeFileSync(path.join(artifactRoot, 'outside.txt'), SECRET);
        const before = snapshotTree(artifactRoot);
        for (const h of HOSTILE_PATHS) {
          const put = await api.put(await putUrl(runId, h.value)).send('overwritten');
          assert.ok(put.status >= 400 && put.status < 500, `${h.kind} ${JSON.stringify(h.value)}: ${put.status}`);
          const get = await api.get(await getUrl(runId, h.value));
          assert.ok(get.status >= 400 && get.status < 500, `GET ${h.kind} ${JSON.stringify(h.value)}: ${get.status}`);
          assert.doesNotMatch(get.text ?? '', LEAK);
        }
        assertUntouched(artifactRoot, before, 'hostile PUTs');
      });

      it('a PUT for an unknown run is a 404', async () => {
        assert.equal((await api.put(await putUrl('nosuchrun', 'a.txt')).send('x')).status, 404);
      });
    });
  });
}

