/**
 * The traversal matrix: every hostile path of test/support/hostile-paths.ts, and links planted
 * inside the root that lead out of it, against every route that takes an artifact path, on
 * read, write, list and delete. Each is refused with 400 INVALID_PARAMETER_VALUE, shows no
 * byte from outside, and leaves the disk exactly as it was, inside the root and out.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { createExperiment, createRun, rawRequest, type RawResponse, type RouteCtx } from './context';
import { assertUntouched, HOSTILE_PATHS, inUrlPath, LEAK, SECRET, snapshotTree } from '../support/hostile-paths';

const PROXY = '/api/2.0/mlflow-artifacts/artifacts';
const MPU = '/api/2.0/mlflow-artifacts/mpu';
const STAGING = '.trackbridge;multipart';

type Action = 'read' | 'write' | 'list' | 'delete';

interface Route {
  name: string;
  action: Action;
  /** Whether a path names a place in the whole store (the proxy) rather than below a run's or model's root. */
  storeWide: boolean;
  send(p: string): Promise<RawResponse>;
}

const q = encodeURIComponent;
const json = { 'Content-Type': 'application/json' };

/** Links inside a run's and a model's root that lead out, by what each action tries through them. */
const THROUGH_LINKS: Record<Action, string[]> = {
  read: ['links/passwd', 'links/out/secret.txt'],
  list: ['links/out', 'links/out/sub'],
  write: ['links/out/new.txt', 'links/out/secret.txt', 'links/out/made/up/new.txt'],
  delete: ['links/out/secret.txt', 'links/out/sub'],
};

export function pathMatrixTests(ctx: RouteCtx): void {
  describe('the traversal matrix on every path-bearing route', () => {
    let runRoot = '';
    let modelRoot = '';
    let routes: Route[] = [];
    let uploadId = '';
    let etag = '';

    before(async () => {
      const exp = await createExperiment(ctx, 'path-matrix');
      const run = await createRun(ctx, exp);
      const created = await ctx.api.post('/api/2.0/mlflow/logged-models').send({ experiment_id: exp, name: 'matrix' });
      const model = created.body.model.info.model_id as string;
      runRoot = `${exp}/${run}/artifacts`;
      modelRoot = `${exp}/models/${model}/artifacts`;

      // What a traversal would reach: a secret beside the root and a folder outside it.
      const server = path.dirname(ctx.artifactsRoot);
      fs.writeFileSync(path.join(server, 'outside.txt'), SECRET);
      const outside = path.join(server, 'outside-matrix');
      fs.mkdirSync(path.join(outside, 'sub'), { recursive: true });
      fs.writeFileSync(path.join(outside, 'secret.txt'), SECRET);
      fs.writeFileSync(path.join(outside, 'sub', 'deep.txt'), SECRET);
      for (const root of [runRoot, modelRoot]) {
        const links = path.join(ctx.artifactsRoot, root, 'links');
        fs.mkdirSync(links, { recursive: true });
        fs.writeFileSync(path.join(ctx.artifactsRoot, root, 'inside.txt'), 'inside');
        fs.symlinkSync(outside, path.join(links, 'out'));
        fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(links, 'passwd'));
      }
      // A live upload, so that the upload id, part and etag of complete are judged on their own.
      const up = await rawRequest(ctx, 'POST', `${MPU}/create/${runRoot}/mpu`, JSON.stringify({ path: 'x.bin', num_parts: 1 }), json);
      assert.equal(up.status, 200, up.text);
      uploadId = JSON.parse(up.text).upload_id;
      etag = String((await rawRequest(ctx, 'PUT', `${MPU}/part/${uploadId}/1`, 'one')).headers.etag);

      const complete = (folder: string, body: Record<string, unknown> = {}) => rawRequest(ctx, 'POST', `${MPU}/complete/${folder}`,
        JSON.stringify({ path: 'x.bin', upload_id: uploadId, parts: [{ part_number: 1, etag }], ...body }), json);
      routes = [
        { name: 'proxy GET', action: 'read', storeWide: true, send: (p) => rawRequest(ctx, 'GET', `${PROXY}/${inUrlPath(p)}`) },
        { name: 'proxy PUT', action: 'write', storeWide: true, send: (p) => rawRequest(ctx, 'PUT', `${PROXY}/${inUrlPath(p)}`, 'pwned') },
        { name: 'proxy DELETE', action: 'delete', storeWide: true, send: (p) => rawRequest(ctx, 'DELETE', `${PROXY}/${inUrlPath(p)}`) },
        { name: 'proxy list', action: 'list', storeWide: true, send: (p) => rawRequest(ctx, 'GET', `${PROXY}?path=${q(p)}`) },
        { name: 'artifacts/list', action: 'list', storeWide: false, send: (p) => rawRequest(ctx, 'GET', `/api/2.0/mlflow/artifacts/list?run_id=${run}&path=${q(p)}`) },
        { name: 'get-artifact', action: 'read', storeWide: false, send: (p) => rawRequest(ctx, 'GET', `/get-artifact?run_id=${run}&path=${q(p)}`) },
        { name: 'logged-model directories', action: 'list', storeWide: false,
          send: (p) => rawRequest(ctx, 'GET', `/api/2.0/mlflow/logged-models/${model}/artifacts/directories?artifact_directory_path=${q(p)}`) },
        { name: 'logged-model files', action: 'read', storeWide: false,
          send: (p) => rawRequest(ctx, 'GET', `/ajax-api/2.0/mlflow/logged-models/${model}/artifacts/files?artifact_file_path=${q(p)}`) },
        { name: 'upload-artifact', action: 'write', storeWide: false, send: (p) => rawRequest(ctx, 'POST', `/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${run}&path=${q(p)}`, 'pwned') },
        { name: 'mpu create folder', action: 'write', storeWide: true,
          send: (p) => rawRequest(ctx, 'POST', `${MPU}/create/${inUrlPath(p)}`, JSON.stringify({ path: 'x.bin', num_parts: 1 }), json) },
        { name: 'mpu complete folder', action: 'write', storeWide: true, send: (p) => complete(inUrlPath(p)) },
        { name: 'mpu abort folder', action: 'delete', storeWide: true,
          send: (p) => rawRequest(ctx, 'POST', `${MPU}/abort/${inUrlPath(p)}`, JSON.stringify({ path: 'x.bin', upload_id: uploadId }), json) },
        { name: 'mpu complete upload_id', action: 'write', storeWide: false, send: (p) => complete(`${runRoot}/mpu`, { upload_id: p }) },
        { name: 'mpu abort upload_id', action: 'delete', storeWide: false,
          send: (p) => rawRequest(ctx, 'POST', `${MPU}/abort/${runRoot}/mpu`, JSON.stringify({ path: 'x.bin', upload_id: p }), json) },
        { name: 'mpu complete etag', action: 'write', storeWide: false, send: (p) => complete(`${runRoot}/mpu`, { parts: [{ part_number: 1, etag: p }] }) },
        { name: 'mpu part upload id', action: 'write', storeWide: false, send: (p) => rawRequest(ctx, 'PUT', `${MPU}/part/${inUrlPath(p)}/1`, 'pwned') },
        { name: 'mpu part number', action: 'write', storeWide: false, send: (p) => rawRequest(ctx, 'PUT', `${MPU}/part/${uploadId}/${inUrlPath(p)}`, 'pwned') },
      ];
    });

    const failures: string[] = [];
    let judged = 0;

    /** Sends p, and records anything but a clean refusal that left the disk as it was. */
    async function refused(r: Route, p: string): Promise<void> {
      judged++;
      const before = snapshotTree(ctx.scratch);
      const res = await r.send(p);
      const what = `${r.name} ${JSON.stringify(p)}`;
      let code: unknown;
      try { code = JSON.parse(res.text).error_code; } catch { code = undefined; }
      if (res.status !== 400 || code !== 'INVALID_PARAMETER_VALUE') failures.push(`${what} -> ${res.status} ${res.text.slice(0, 120)}`);
      if (LEAK.test(res.text)) failures.push(`${what} leaked: ${res.text.slice(0, 120)}`);
      try {
        assertUntouched(ctx.scratch, before, what);
      } catch (e) {
        failures.push((e as Error).message.split('\n').slice(0, 6).join(' '));
      }
    }

    it('refuses every hostile path on every route and action, touching nothing', async () => {
      for (const r of routes) for (const { value } of HOSTILE_PATHS) await refused(r, value);
      assert.deepEqual(failures.splice(0), []);
    });

    it('refuses to read, list, write or delete through a link planted inside the root that leads out', async () => {
      const pathRoutes = routes.filter((r) => !/upload_id|etag|part /.test(r.name));
      for (const r of pathRoutes) {
        for (const p of THROUGH_LINKS[r.action]) {
          // The multipart routes take a folder; the file they name is x.bin inside it.
          const target = r.name.startsWith('mpu') ? p.replace(/\/[^/]*$/, '') : p;
          await refused(r, r.storeWide ? `${runRoot}/${target}` : target);
        }
      }
      assert.deepEqual(failures.splice(0), []);
    });

    it('takes only the last name of a multipart upload\'s local path: a hostile one is refused, folders before it lead nowhere', async () => {
      const staged = path.join(ctx.artifactsRoot, STAGING);
      const outsideRoot = () => snapshotTree(ctx.scratch).filter((e) => !e.startsWith(path.relative(ctx.scratch, ctx.artifactsRoot)));
      for (const { value } of HOSTILE_PATHS) {
        judged++;
        const last = value.split(/[\\/]/).pop()!;
        const clean = /^[A-Za-z0-9._-]+$/.test(last) && last !== '.' && last !== '..' && !value.includes('\0');
        const before = outsideRoot();
        const res = await rawRequest(ctx, 'POST', `${MPU}/create/${runRoot}/local-path`, JSON.stringify({ path: value, num_parts: 1 }), json);
        const what = `mpu create path=${JSON.stringify(value)}`;
        if (clean) {
          if (res.status !== 200) failures.push(`${what} -> ${res.status} ${res.text.slice(0, 120)}`);
          else {
            const id = JSON.parse(res.text).upload_id;
            const record = JSON.parse(fs.readFileSync(path.join(staged, id, 'upload.json'), 'utf8'));
            if (record.target !== `${runRoot}/local-path/${last}`) failures.push(`${what} targets ${record.target}`);
            await rawRequest(ctx, 'POST', `${MPU}/abort/${runRoot}/local-path`, JSON.stringify({ path: value, upload_id: id }), json);
          }
        } else {
          let code: unknown;
          try { code = JSON.parse(res.text).error_code; } catch { code = undefined; }
          if (res.status !== 400 || code !== 'INVALID_PARAMETER_VALUE') failures.push(`${what} -> ${res.status} ${res.text.slice(0, 120)}`);
        }
        assert.deepEqual(outsideRoot(), before, what);
      }
      assert.equal(fs.existsSync(path.join(ctx.artifactsRoot, runRoot, 'local-path')), false);
      assert.deepEqual(failures.splice(0), []);
    });

    it('judged them all, and the planted files and links are as they were', async () => {
      assert.ok(judged >= HOSTILE_PATHS.length * routes.length, `only ${judged} requests were judged`);
      const server = path.dirname(ctx.artifactsRoot);
      assert.equal(fs.readFileSync(path.join(server, 'outside.txt'), 'utf8'), SECRET);
      assert.equal(fs.readFileSync(path.join(ctx.artifactsRoot, runRoot, 'links', 'passwd'), 'utf8'), SECRET);
      assert.deepEqual(fs.readdirSync(path.join(server, 'outside-matrix')).sort(), ['secret.txt', 'sub']);
      // The live upload was never disturbed: it still completes.
      const done = await rawRequest(ctx, 'POST', `${MPU}/complete/${runRoot}/mpu`, JSON.stringify({ path: 'x.bin', upload_id: uploadId, parts: [{ part_number: 1, etag }] }), json);
      assert.equal(done.status, 200, done.text);
      assert.equal(fs.readFileSync(path.join(ctx.artifactsRoot, runRoot, 'mpu', 'x.bin'), 'utf8'), 'one');
    });
  });
}
