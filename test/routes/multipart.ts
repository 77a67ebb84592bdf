/** Multipart upload into the proxy over HTTP, as MLflow's client drives it, and its refusals. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import type { AddressInfo } from 'node:net';

import { buildApp } from '../../src/server';
import { Tracking } from '../../src/core/tracking';
import { LocalArtifactStore } from '../../src/artifacts/local';
import { assertError, createExperiment, createRun, rawRequest, STRICT, type RawResponse, type RouteCtx } from './context';

const MPU = '/api/2.0/mlflow-artifacts/mpu';
const BASE = '/api/2.0/mlflow-artifacts/artifacts';

const json = (res: RawResponse) => JSON.parse(res.text);
const post = (ctx: RouteCtx, url: string, body: unknown) =>
  rawRequest(ctx, 'POST', url, typeof body === 'string' ? body : JSON.stringify(body), { 'Content-Type': 'application/json' });
/** A part PUT as the client sends it: to the URL it was given, with nothing but the bytes. */
const putPart = (ctx: RouteCtx, url: string, bytes: Buffer | string) => rawRequest(ctx, 'PUT', new URL(url).pathname, bytes);

export function multipartTests(ctx: RouteCtx): void {
  describe('multipart upload into the proxy', () => {
    let runRoot = '';
    let staging = '';
    before(async () => {
      const exp = await createExperiment(ctx, 'multipart');
      const run = await createRun(ctx, exp);
      runRoot = `${exp}/${run}/artifacts`;
      staging = path.join(ctx.artifactsRoot, '.trackbridge;multipart');
    });

    const create = async (folder: string, localPath: string, numParts: number, api = '/api/2.0') => {
      const res = await post(ctx, `${api}/mlflow-artifacts/mpu/create/${folder}`, { path: localPath, num_parts: numParts });
      assert.equal(res.status, 200, res.text);
      return json(res) as { upload_id: string; credentials: Array<{ url: string; part_number: number; headers?: Record<string, string> }> };
    };

    it('takes parts in any order and assembles them in order into the file the local path names', async () => {
      const parts = [randomBytes(1024 * 1024), randomBytes(1024 * 1024), randomBytes(777)];
      const up = await create(`${runRoot}/weights`, '/home/user/../user/train/model.bin', 3);
      assert.match(up.upload_id, /^[0-9a-f]{32}$/);
      assert.deepEqual(up.credentials.map((c) => c.part_number), [1, 2, 3]);
      for (const c of up.credentials) assert.equal(c.url, `http://127.0.0.1:${ctx.port}${MPU}/part/${up.upload_id}/${c.part_number}`);
      const etags: string[] = [];
      for (const i of [2, 0, 1]) {
        const res = await putPart(ctx, up.credentials[i].url, parts[i]);
        assert.equal(res.status, 200, res.text);
        etags[i] = String(res.headers.etag);
        assert.equal(etags[i], `"${createHash('md5').update(parts[i]).digest('hex')}"`);
      }
      // While staged, nothing shows: not the file, not the staging.
      assert.deepEqual(json(await rawRequest(ctx, 'GET', `${BASE}?path=${runRoot}/weights`)), {});
      assert.ok(!(json(await rawRequest(ctx, 'GET', BASE)).files ?? []).some((f: { path: string }) => f.path.startsWith('.')));
      const done = await post(ctx, `${MPU}/complete/${runRoot}/weights`, {
        path: '/home/user/../user/train/model.bin', upload_id: up.upload_id,
        parts: etags.map((etag, i) => ({ part_number: i + 1, etag, url: up.credentials[i].url })),
      });
      assert.equal(done.status, 200, done.text);
      assert.deepEqual(json(done), {});
      assert.ok(fs.readFileSync(path.join(ctx.artifactsRoot, runRoot, 'weights', 'model.bin')).equals(Buffer.concat(parts)));
      assert.deepEqual(fs.readdirSync(staging), [], 'nothing staged is left');
      const got = await rawRequest(ctx, 'GET', `${BASE}/${runRoot}/weights/model.bin`);
      assert.ok(got.body.equals(Buffer.concat(parts)));
    });

    it('serves /ajax-api too, a folder-less upload at the top, and a Windows path\'s last name', async () => {
      const up = await create(runRoot, 'C:\\Users\\me\\top.bin', 1, '/ajax-api/2.0');
      assert.match(up.credentials[0].url, /\/ajax-api\/2\.0\/mlflow-artifacts\/mpu\/part\//);
      const etag = String((await putPart(ctx, up.credentials[0].url, 'top')).headers.etag);
      const done = await post(ctx, `/ajax-api/2.0/mlflow-artifacts/mpu/complete/${runRoot}`, { path: 'C:\\Users\\me\\top.bin', upload_id: up.upload_id, parts: [{ part_number: 1, etag }] });
      assert.equal(done.status, 200, done.text);
      assert.equal(fs.readFileSync(path.join(ctx.artifactsRoot, runRoot, 'top.bin'), 'utf8'), 'top');
    });

    it('refuses a complete with a part missing, out of order, of another etag or for another file, and leaves the staged parts', async () => {
      const folder = `${runRoot}/refused`;
      const up = await create(folder, 'r.bin', 3);
      const etags: string[] = [];
      for (const c of up.credentials.slice(0, 2)) etags.push(String((await putPart(ctx, c.url, `part ${c.part_number}`)).headers.etag));
      const complete = (parts: unknown, extra: Record<string, unknown> = {}, at = folder) =>
        post(ctx, `${MPU}/complete/${at}`, { path: 'r.bin', upload_id: up.upload_id, parts, ...extra });
      const p = (n: number, etag = etags[n - 1] ?? etags[0]) => ({ part_number: n, etag });
      const refusals: Array<[string, RawResponse]> = [
        ['part 3 missing', await complete([p(1), p(2), p(3)])],
        ['only two listed', await complete([p(1), p(2)])],
        ['out of order', await complete([p(2), p(1), p(3)])],
        ['twice', await complete([p(1), p(1), p(2)])],
        ['part 0', await complete([p(0), p(1), p(2)])],
        ['part 4', await complete([p(1), p(2), p(4)])],
        ['another etag', await complete([p(1, etags[1]), p(2), p(3)])],
        ['another file', await complete([p(1), p(2), p(3)], { path: 'other.bin' })],
        ['another folder', await complete([p(1), p(2), p(3)], {}, `${runRoot}/elsewhere`)],
        ['parts not a list', await complete({ part_number: 1 })],
        ['no parts', await complete(undefined)],
        ['a part number as text', await complete([{ part_number: 'one', etag: etags[0] }])],
      ];
      for (const [what, res] of refusals) {
        assert.equal(res.status, 400, `${what}: ${res.text}`);
        assert.equal(json(res).error_code, 'INVALID_PARAMETER_VALUE', what);
      }
      assert.equal(fs.existsSync(path.join(ctx.artifactsRoot, folder)), false, 'no file and no folder');
      assert.equal(fs.readdirSync(path.join(staging, up.upload_id)).filter((n) => n.startsWith('part-')).length, 2, 'the staged parts stay');
      // The upload is still good: send the last part and complete.
      etags.push(String((await putPart(ctx, up.credentials[2].url, 'part 3')).headers.etag));
      assert.equal((await complete([p(1), p(2), p(3)])).status, 200);
      assert.equal(fs.readFileSync(path.join(ctx.artifactsRoot, folder, 'r.bin'), 'utf8'), 'part 1part 2part 3');
    });

    it('aborts, removing the staged parts; a finished or unknown upload is RESOURCE_DOES_NOT_EXIST', async () => {
      const up = await create(`${runRoot}/aborted`, 'a.bin', 2);
      await putPart(ctx, up.credentials[0].url, 'one');
      const otherFile = await post(ctx, `${MPU}/abort/${runRoot}/aborted`, { path: 'b.bin', upload_id: up.upload_id });
      assert.equal(otherFile.status, 400, otherFile.text);
      assert.equal(json(otherFile).error_code, 'INVALID_PARAMETER_VALUE');
      const ab = await post(ctx, `${MPU}/abort/${runRoot}/aborted`, { path: 'a.bin', upload_id: up.upload_id });
      assert.equal(ab.status, 200, ab.text);
      assert.equal(fs.existsSync(path.join(staging, up.upload_id)), false);
      for (const res of [
        await putPart(ctx, up.credentials[1].url, 'two'),
        await post(ctx, `${MPU}/complete/${runRoot}/aborted`, { path: 'a.bin', upload_id: up.upload_id, parts: [{ part_number: 1, etag: 'x' }] }),
        await post(ctx, `${MPU}/abort/${runRoot}/aborted`, { path: 'a.bin', upload_id: up.upload_id }),
        await putPart(ctx, `http://h${MPU}/part/${'0'.repeat(32)}/1`, 'x'),
      ]) {
        assert.equal(res.status, 404, res.text);
        assert.equal(json(res).error_code, 'RESOURCE_DOES_NOT_EXIST');
      }
      assert.equal(fs.existsSync(path.join(ctx.artifactsRoot, runRoot, 'aborted')), false);
    });

    it('bounds num_parts and part numbers, and refuses a part declared over the part cap before reading it', async () => {
      for (const n of [0, -1, 10_001, 1.5, '12abc', 'abc', true, [], 1e300, '99999999999999999999']) {
        const res = await post(ctx, `${MPU}/create/${runRoot}/bounds`, { path: 'b.bin', num_parts: n });
        assert.equal(res.status, 400, `num_parts=${JSON.stringify(n)}: ${res.text}`);
        assert.equal(json(res).error_code, 'INVALID_PARAMETER_VALUE');
      }
      assert.equal((await post(ctx, `${MPU}/create/${runRoot}/bounds`, { path: 'b.bin' })).status, 400, 'num_parts missing');
      const most = await create(`${runRoot}/bounds`, 'b.bin', 10_000);
      assert.equal(most.credentials.length, 10_000);
      const up = await create(`${runRoot}/bounds`, 'b.bin', 2);
      for (const n of ['0', '3', '10001', '99999999', '-1', '1e0', 'abc', '%2e%2e', '1;x', '01x', '1%00']) {
        const res = await rawRequest(ctx, 'PUT', `${MPU}/part/${up.upload_id}/${n}`, 'x');
        assert.ok(res.status === 400 || res.status === 404, `part ${n}: ${res.status} ${res.text}`);
        if (res.status === 400) assert.equal(json(res).error_code, 'INVALID_PARAMETER_VALUE', `part ${n}`);
      }
      const declared = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: ctx.port, method: 'PUT', path: `${MPU}/part/${up.upload_id}/1`, agent: false,
          headers: { 'Content-Length': String(5 * 1024 ** 3 + 1) } }, (res) => {
          let text = '';
          res.on('data', (c) => { text += c; });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.flushHeaders();
      });
      assert.equal(declared.status, 400, declared.text);
      assert.deepEqual(fs.readdirSync(path.join(staging, up.upload_id)), ['upload.json'], 'nothing was staged');
      for (const id of [most.upload_id, up.upload_id]) {
        assert.equal((await post(ctx, `${MPU}/abort/${runRoot}/bounds`, { path: 'b.bin', upload_id: id })).status, 200);
      }
    });

    it('is served by any process on the shared root: created on one, parts to both, completed on the other', async () => {
      // A second server process: its own app and artifact store object over the same database and root.
      const tracking = new Tracking(ctx.store, { defaultArtifactRoot: 'mlflow-artifacts:/' }, new LocalArtifactStore(ctx.artifactsRoot));
      const server = await new Promise<http.Server>((resolve) => { const srv = buildApp(tracking, STRICT).listen(0, '127.0.0.1', () => resolve(srv)); });
      const other = { ...ctx, port: (server.address() as AddressInfo).port };
      try {
        const up = await create(`${runRoot}/shared`, 'shared.bin', 2);
        const e1 = String((await putPart(other, up.credentials[0].url, 'first half, ')).headers.etag);
        const e2 = String((await putPart(ctx, up.credentials[1].url, 'second half')).headers.etag);
        const done = await post(other, `${MPU}/complete/${runRoot}/shared`, { path: 'shared.bin', upload_id: up.upload_id, parts: [{ part_number: 1, etag: e1 }, { part_number: 2, etag: e2 }] });
        assert.equal(done.status, 200, done.text);
        assert.equal((await rawRequest(ctx, 'GET', `${BASE}/${runRoot}/shared/shared.bin`)).text, 'first half, second half');
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    it('of completes sent at once, one assembles the file and the others are told it is being completed or gone', async () => {
      const parts = [randomBytes(6 * 1024 * 1024), randomBytes(6 * 1024 * 1024)];
      const up = await create(`${runRoot}/concurrent`, 'c.bin', 2);
      const etags = [];
      for (let i = 0; i < 2; i++) etags.push(String((await putPart(ctx, up.credentials[i].url, parts[i])).headers.etag));
      const body = { path: 'c.bin', upload_id: up.upload_id, parts: etags.map((etag, i) => ({ part_number: i + 1, etag })) };
      const answers = await Promise.all([1, 2, 3].map(() => post(ctx, `${MPU}/complete/${runRoot}/concurrent`, body)));
      assert.equal(answers.filter((a) => a.status === 200).length, 1, answers.map((a) => `${a.status} ${a.text}`).join('\n'));
      for (const a of answers.filter((r) => r.status !== 200)) {
        assert.equal(a.status, 404, a.text);
        assert.equal(json(a).error_code, 'RESOURCE_DOES_NOT_EXIST');
        assert.match(json(a).message, /is being completed|does not exist/);
      }
      const got = await rawRequest(ctx, 'GET', `${BASE}/${runRoot}/concurrent/c.bin`);
      assert.ok(got.body.equals(Buffer.concat(parts)), 'the file is the parts, once');
      // A complete racing an abort: one of them takes the upload.
      const raced = await create(`${runRoot}/concurrent`, 'r.bin', 1);
      const etag = String((await putPart(ctx, raced.credentials[0].url, parts[0])).headers.etag);
      const [done, aborted] = await Promise.all([
        post(ctx, `${MPU}/complete/${runRoot}/concurrent`, { path: 'r.bin', upload_id: raced.upload_id, parts: [{ part_number: 1, etag }] }),
        post(ctx, `${MPU}/abort/${runRoot}/concurrent`, { path: 'r.bin', upload_id: raced.upload_id }),
      ]);
      assert.deepEqual([done.status, aborted.status].sort(), [200, 404], `${done.text} ${aborted.text}`);
      const file = await rawRequest(ctx, 'GET', `${BASE}/${runRoot}/concurrent/r.bin`);
      assert.equal(file.status, done.status === 200 ? 200 : 404);
    });

    it('refuses an upload past the cap on open ones with a 400 the client does not retry', async () => {
      const root = path.join(ctx.scratch, 'capped-artifacts');
      const tracking = new Tracking(ctx.store, { defaultArtifactRoot: 'mlflow-artifacts:/' }, new LocalArtifactStore(root, { maxOpenUploads: 2 }));
      const server = await new Promise<http.Server>((resolve) => { const srv = buildApp(tracking, STRICT).listen(0, '127.0.0.1', () => resolve(srv)); });
      const capped = { ...ctx, port: (server.address() as AddressInfo).port };
      try {
        const ids: string[] = [];
        for (let i = 0; i < 2; i++) ids.push(json(await post(capped, `${MPU}/create/cap`, { path: `${i}.bin`, num_parts: 1 })).upload_id);
        const refused = await post(capped, `${MPU}/create/cap`, { path: 'more.bin', num_parts: 1 });
        assert.equal(refused.status, 400, refused.text);
        assert.deepEqual(json(refused), { error_code: 'BAD_REQUEST', message: 'Too many multipart uploads are open (2): complete or abort some, or wait for abandoned ones to expire' });
        assert.equal((await post(capped, `${MPU}/abort/cap`, { path: '0.bin', upload_id: ids[0] })).status, 200);
        assert.equal((await post(capped, `${MPU}/create/cap`, { path: 'more.bin', num_parts: 1 })).status, 200);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    it('builds part URLs from the public URL when one is set, else from the request\'s scheme and Host', async () => {
      // Without one, a proxy's view is what the client is sent to (today's behaviour, kept).
      const plain = await post(ctx, `${MPU}/create/${runRoot}/public`, { path: 'p.bin', num_parts: 1 });
      assert.equal(json(plain).credentials[0].url, `http://127.0.0.1:${ctx.port}${MPU}/part/${json(plain).upload_id}/1`);
      const tracking = new Tracking(ctx.store, { defaultArtifactRoot: 'mlflow-artifacts:/' }, new LocalArtifactStore(ctx.artifactsRoot));
      const server = await new Promise<http.Server>((resolve) => {
        const srv = buildApp(tracking, { ...STRICT, publicUrl: 'https://mlflow.example/team-a' }).listen(0, '127.0.0.1', () => resolve(srv));
      });
      const proxied = { ...ctx, port: (server.address() as AddressInfo).port };
      try {
        for (const api of ['/api/2.0', '/ajax-api/2.0']) {
          const res = await post(proxied, `${api}/mlflow-artifacts/mpu/create/${runRoot}/public`, { path: 'p.bin', num_parts: 2 });
          assert.equal(res.status, 200, res.text);
          const up = json(res);
          assert.deepEqual(up.credentials.map((c: { url: string }) => c.url),
            [1, 2].map((n) => `https://mlflow.example/team-a${api}/mlflow-artifacts/mpu/part/${up.upload_id}/${n}`));
          // The proxy strips its prefix: the path below it is one this server answers.
          const etag = String((await putPart(proxied, up.credentials[0].url.replace('https://mlflow.example/team-a', 'http://x'), 'one')).headers.etag);
          assert.match(etag, /^"[0-9a-f]{32}"$/);
          assert.equal((await post(proxied, `${api}/mlflow-artifacts/mpu/abort/${runRoot}/public`, { path: 'p.bin', upload_id: up.upload_id })).status, 200);
        }
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      assert.equal((await post(ctx, `${MPU}/abort/${runRoot}/public`, { path: 'p.bin', upload_id: json(plain).upload_id })).status, 200);
    });

    it('answers other methods with 405 and presigned downloads with 501, which sends the client through the proxy', async () => {
      assert.equal((await rawRequest(ctx, 'GET', `${MPU}/create/${runRoot}/x`)).status, 405);
      assert.equal((await rawRequest(ctx, 'GET', `${MPU}/part/${'0'.repeat(32)}/1`)).status, 405);
      assertError(await ctx.api.get(`/api/2.0/mlflow-artifacts/presigned/${runRoot}/weights/model.bin`), 501, 'NOT_IMPLEMENTED', /^Multipart download is not supported/);
      assert.equal((await rawRequest(ctx, 'POST', `${MPU}/create/${runRoot}/x`, '{"path": "x"}', { 'Content-Type': 'text/plain' })).status, 400);
      assert.equal((await rawRequest(ctx, 'POST', `${MPU}/create/${runRoot}/x`, '{"path": ', { 'Content-Type': 'application/json' })).status, 400);
    });
  });
}
