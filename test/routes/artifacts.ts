/** The mlflow-artifacts proxy and the run-scoped list: round trips, and hostile paths kept inside the root. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { assertError, createExperiment, createRun, rawRequest, type RouteCtx } from './context';

const BASE = '/api/2.0/mlflow-artifacts/artifacts';

/** Every file under dir, as absolute paths. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

/** Paths an attacker might put after /artifacts/, exactly as sent on the wire. */
const TRAVERSALS = [
  '../outside.txt',
  '../../outside.txt',
  '../../../../../../../../tmp/outside.txt',
  'a/../../outside.txt',
  'a/b/../../../outside.txt',
  '..',
  '.',
  'a/./b.txt',
  '%2e%2e/outside.txt',
  '%2E%2E/%2E%2E/outside.txt',
  '%2e%2e%2foutside.txt',
  'a%2f..%2f..%2foutside.txt',
  '%252e%252e%252foutside.txt',
  '%252e%252e/outside.txt',
  '..%5coutside.txt',
  '..\\..\\outside.txt',
  'a\\..\\..\\outside.txt',
  '%5c..%5coutside.txt',
  '%2Fetc%2Foutside.txt',
  '/etc/outside.txt',
  '//etc/outside.txt',
  'C:%5cWindows%5coutside.txt',
  'C:/outside.txt',
  '..;/outside.txt',
  'a;/../../outside.txt',
  'a%3b/../outside.txt',
  'a%3B..%2f..%2foutside.txt',
  'a%00.txt',
  '..%00/outside.txt',
  '%c0%ae%c0%ae/outside.txt',
  '.%2e/outside.txt',
];

export function artifactTests(ctx: RouteCtx): void {
  describe('artifact proxy', () => {
    let exp = '';
    let run = '';
    let runRoot = '';
    before(async () => {
      exp = await createExperiment(ctx, 'artifacts');
      run = await createRun(ctx, exp);
      runRoot = `${exp}/${run}/artifacts`;
    });

    it('puts, gets, lists and deletes through the proxy', async () => {
      const text = 'hello artifacts\n';
      const put = await ctx.api.put(`${BASE}/${runRoot}/dir/a.txt`).set('Content-Type', 'text/plain').send(text);
      assert.equal(put.status, 200, put.text);
      assert.deepEqual(put.body, {});
      assert.equal(fs.readFileSync(path.join(ctx.artifactsRoot, runRoot, 'dir', 'a.txt'), 'utf8'), text);

      const bytes = randomBytes(200_000);
      const putBin = await ctx.api.put(`${BASE}/${runRoot}/model.bin`).set('Content-Type', 'application/octet-stream').send(bytes);
      assert.equal(putBin.status, 200, putBin.text);

      const got = await ctx.api.get(`${BASE}/${runRoot}/dir/a.txt`);
      assert.equal(got.status, 200);
      assert.equal(got.text, text);
      assert.match(String(got.headers['content-type']), /^text\/plain/);
      assert.match(String(got.headers['content-disposition']), /attachment/);
      const gotBin = await rawRequest(ctx, 'GET', `${BASE}/${runRoot}/model.bin`);
      assert.equal(gotBin.status, 200);
      assert.ok(gotBin.body.equals(bytes), 'binary bytes round-trip');

      const top = await ctx.api.get(BASE).query({ path: runRoot });
      assert.deepEqual(top.body, { files: [{ path: 'dir', is_dir: true }, { path: 'model.bin', is_dir: false, file_size: 200_000 }] });
      const sub = await ctx.api.get(BASE).query({ path: `${runRoot}/dir` });
      assert.deepEqual(sub.body, { files: [{ path: 'a.txt', is_dir: false, file_size: text.length }] });
      const nothing = await ctx.api.get(BASE).query({ path: `${runRoot}/nothing-here` });
      assert.deepEqual(nothing.body, {});

      // The run-scoped list names files relative to the run's artifact root.
      const listed = await ctx.api.get('/api/2.0/mlflow/artifacts/list').query({ run_id: run });
      assert.equal(listed.status, 200, listed.text);
      assert.equal(listed.body.root_uri, `mlflow-artifacts:/${runRoot}`);
      assert.deepEqual(listed.body.files, [{ path: 'dir', is_dir: true }, { path: 'model.bin', is_dir: false, file_size: 200_000 }]);
      const listedSub = await ctx.api.get('/api/2.0/mlflow/artifacts/list').query({ run_id: run, path: 'dir' });
      assert.deepEqual(listedSub.body.files, [{ path: 'dir/a.txt', is_dir: false, file_size: text.length }]);

      const overwritten = await ctx.api.put(`${BASE}/${runRoot}/dir/a.txt`).set('Content-Type', 'text/plain').send('v2');
      assert.equal(overwritten.status, 200);
      assert.equal((await ctx.api.get(`${BASE}/${runRoot}/dir/a.txt`)).text, 'v2');

      const del = await ctx.api.delete(`${BASE}/${runRoot}/dir/a.txt`);
      assert.equal(del.status, 200, del.text);
      assertError(await ctx.api.get(`${BASE}/${runRoot}/dir/a.txt`), 404, 'RESOURCE_DOES_NOT_EXIST');
      const delDir = await ctx.api.delete(`${BASE}/${runRoot}/dir`);
      assert.equal(delDir.status, 200);
      assert.deepEqual((await ctx.api.get(BASE).query({ path: runRoot })).body, { files: [{ path: 'model.bin', is_dir: false, file_size: 200_000 }] });
      assert.equal((await ctx.api.get(`${BASE.replace('/api/', '/ajax-api/')}/${runRoot}/model.bin`)).status, 200);
    });

    it('refuses traversal, absolute, backslash, double-encoded and ;-smuggled paths with a 400', async () => {
      // A file just outside the root that a successful traversal could read or overwrite.
      const outside = path.join(ctx.scratch, 'server', 'outside.txt');
      fs.writeFileSync(outside, 'secret');
      const before = filesUnder(ctx.scratch).filter((f) => !f.startsWith(ctx.artifactsRoot + path.sep)).sort();

      const accepted: string[] = [];
      for (const p of TRAVERSALS) {
        for (const method of ['PUT', 'GET', 'DELETE']) {
          const res = await rawRequest(ctx, method, `${BASE}/${p}`, method === 'PUT' ? 'pwned' : undefined, method === 'PUT' ? { 'Content-Type': 'text/plain' } : {});
          assert.ok(!res.text.includes('secret'), `${method} ${p} leaked the outside file`);
          assert.ok(res.status < 500, `${method} ${p} answered ${res.status}: ${res.text.slice(0, 200)}`);
          // Express itself refuses bytes it cannot decode (a 400 page); everything else is MLflow's JSON error.
          const json = /application\/json/.test(String(res.headers['content-type']));
          if (res.status !== 400 || (json && !res.text.includes('"error_code":"INVALID_PARAMETER_VALUE"'))) accepted.push(`${method} ${p} -> ${res.status} ${res.text.slice(0, 60)}`);
        }
      }
      for (const p of ['..', '../..', '../server', 'a/../..', '/etc', '//etc', '\\etc', 'a;b/..', '%2e%2e']) {
        const res = await ctx.api.get(BASE).query({ path: p });
        if (res.status !== 400) accepted.push(`list ?path=${p} -> ${res.status} ${res.text.slice(0, 60)}`);
        const scoped = await ctx.api.get('/api/2.0/mlflow/artifacts/list').query({ run_id: run, path: p });
        if (scoped.status !== 400) accepted.push(`run list ?path=${p} -> ${scoped.status} ${scoped.text.slice(0, 60)}`);
      }

      const after = filesUnder(ctx.scratch).filter((f) => !f.startsWith(ctx.artifactsRoot + path.sep)).sort();
      assert.deepEqual(after, before, 'nothing was written outside the artifact root');
      assert.equal(fs.readFileSync(outside, 'utf8'), 'secret');
      const planted = filesUnder(ctx.artifactsRoot).filter((f) => fs.readFileSync(f, 'utf8') === 'pwned').map((f) => path.relative(ctx.artifactsRoot, f));
      assert.deepEqual(planted, [], 'no hostile upload landed anywhere, not even inside the root');
      assert.deepEqual(accepted, [], `hostile paths that were not refused with 400:\n${accepted.join('\n')}`);
    });

    it('refuses the multipart and presigned routes with 501', async () => {
      for (const p of ['/api/2.0/mlflow-artifacts/mpu/create/a.bin', '/api/2.0/mlflow-artifacts/mpu/complete/a.bin', '/api/2.0/mlflow-artifacts/presigned/a.bin']) {
        const res = await ctx.api.post(p).send({});
        assertError(res, 501, 'NOT_IMPLEMENTED');
      }
    });
  });
}
