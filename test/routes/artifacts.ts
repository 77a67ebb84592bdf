/** The mlflow-artifacts proxy and the run-scoped list: round trips, and hostile paths kept inside the root. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';

import express from 'express';
import { buildApp } from '../../src/server';
import { Tracking } from '../../src/core/tracking';
import { LocalArtifactStore } from '../../src/artifacts/local';
import { mlflowRouter } from '../../src/protocols/mlflow/router';
import { BodyBudget } from '../../src/http/request-body';
import { assertError, createExperiment, createRun, isJson, rawRequest, STRICT, type RouteCtx } from './context';

const BASE = '/api/2.0/mlflow-artifacts/artifacts';
const UPLOAD = '/ajax-api/2.0/mlflow/upload-artifact';
const MiB = 1024 * 1024;

/** MLflow's answer to a path that escapes its root, word for word. */
const INVALID_PATH = { error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' };

/** A POST whose body goes out in chunks without a Content-Length, as a streaming client sends it. */
function chunkedPost(port: number, rawPath: string, total: number, chunk = 64 * 1024): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: rawPath, agent: false, headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    let sent = 0;
    const more = () => {
      while (sent < total) {
        const n = Math.min(chunk, total - sent);
        sent += n;
        if (!req.write(Buffer.alloc(n, 0x61))) { req.once('drain', more); return; }
      }
      req.end();
    };
    more();
  });
}

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

    it('lists, fetches and deletes artifacts whose names end in .part', async () => {
      for (const name of ['model.part', 'shard.0f1e2d3c-aaaa-bbbb-cccc-0123456789ab.part']) {
        const put = await ctx.api.put(`${BASE}/${runRoot}/parts/${name}`).set('Content-Type', 'application/octet-stream').send(Buffer.from(name));
        assert.equal(put.status, 200, put.text);
      }
      const listed = await ctx.api.get(BASE).query({ path: `${runRoot}/parts` });
      assert.deepEqual(listed.body.files?.map((f: { path: string }) => f.path), ['model.part', 'shard.0f1e2d3c-aaaa-bbbb-cccc-0123456789ab.part']);
      const scoped = await ctx.api.get('/api/2.0/mlflow/artifacts/list').query({ run_id: run, path: 'parts' });
      assert.deepEqual(scoped.body.files?.map((f: { path: string }) => f.path), ['parts/model.part', 'parts/shard.0f1e2d3c-aaaa-bbbb-cccc-0123456789ab.part']);
      assert.equal((await rawRequest(ctx, 'GET', `${BASE}/${runRoot}/parts/model.part`)).text, 'model.part');
      assert.equal((await ctx.api.delete(`${BASE}/${runRoot}/parts`)).status, 200);
    });

    it('the root listing shows artifacts only, never the store\'s temporary files', async () => {
      const top = await ctx.api.get(BASE);
      assert.equal(top.status, 200, top.text);
      const listed = (top.body.files ?? []).map((f: { path: string }) => f.path);
      assert.ok(listed.includes(exp), `lists the experiment folder: ${listed}`);
      assert.deepEqual(listed.filter((p: string) => !/^\d+$/.test(p)), [], 'nothing but experiment folders at the root');
    });

    it('answers hostile names and shapes with a 4xx in MLflow\'s shape', async () => {
      const dir = `${runRoot}/shapes`;
      assert.equal((await ctx.api.put(`${BASE}/${dir}/file.txt`).send('f')).status, 200);
      assert.equal((await ctx.api.put(`${BASE}/${dir}/folder/inner.txt`).send('i')).status, 200);
      const bad: Array<[string, string, string?]> = [
        ['PUT', `${dir}/${'n'.repeat(256)}`, 'x'],
        ['GET', `${dir}/${'n'.repeat(256)}`],
        ['DELETE', `${dir}/${'n'.repeat(256)}`],
        ['PUT', `${dir}/${'%C3%A9'.repeat(128)}`, 'x'],
        ['PUT', `${dir}/${Array.from({ length: 40 }, () => 'd'.repeat(120)).join('/')}`, 'x'],
        ['GET', `${dir}/${Array.from({ length: 40 }, () => 'd'.repeat(120)).join('/')}`],
        ['PUT', `${dir}/file.txt/child.txt`, 'x'],
        ['PUT', `${dir}/folder`, 'x'],
        ['GET', `${dir}/folder`],
      ];
      for (const [method, p, body] of bad) {
        const res = await rawRequest(ctx, method, `${BASE}/${p}`, body, body === undefined ? {} : { 'Content-Type': 'application/octet-stream' });
        const what = `${method} ${p.slice(0, 60)}…`;
        assert.equal(res.status, 400, `${what} -> ${res.status} ${res.text.slice(0, 200)}`);
        assert.ok(isJson(res), what);
        assert.equal(JSON.parse(res.text).error_code, 'INVALID_PARAMETER_VALUE', what);
      }
      const longList = await ctx.api.get(BASE).query({ path: `${dir}/${'n'.repeat(256)}` });
      assertError(longList, 400, 'INVALID_PARAMETER_VALUE');
      // MLflow: deleting what is not there succeeds, listing a file is empty (its client probes folders that way).
      const gone = await ctx.api.delete(`${BASE}/${dir}/never-was.txt`);
      assert.equal(gone.status, 200, gone.text);
      assert.deepEqual(gone.body, {});
      const fileList = await ctx.api.get(BASE).query({ path: `${dir}/file.txt` });
      assert.equal(fileList.status, 200, fileList.text);
      assert.deepEqual(fileList.body, {});
      assert.equal(fs.readFileSync(path.join(ctx.artifactsRoot, dir, 'file.txt'), 'utf8'), 'f');
      assert.equal(fs.readFileSync(path.join(ctx.artifactsRoot, dir, 'folder', 'inner.txt'), 'utf8'), 'i');
    });

    it('an upload the client abandons midway leaves nothing behind and the server keeps serving', async () => {
      const before = filesUnder(ctx.artifactsRoot).sort();
      for (const target of [`${runRoot}/aborted/big.bin`, `${runRoot}/aborted-top.bin`]) {
        await new Promise<void>((resolve) => {
          const req = http.request({
            host: '127.0.0.1', port: ctx.port, method: 'PUT', path: `${BASE}/${target}`, agent: false,
            headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(4 * 1024 * 1024) },
          });
          req.on('error', () => resolve());
          req.on('response', (res) => { res.resume(); res.on('end', resolve); res.on('error', () => resolve()); });
          req.write(Buffer.alloc(256 * 1024, 1), () => setTimeout(() => { req.destroy(); resolve(); }, 50));
        });
      }
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(filesUnder(ctx.artifactsRoot).sort(), before, 'no file, temporary or not, was left');
      assert.equal(fs.existsSync(path.join(ctx.artifactsRoot, runRoot, 'aborted')), false, 'not even the folder');
      const alive = await ctx.api.get(BASE).query({ path: runRoot });
      assert.equal(alive.status, 200);
    });

    it('a download the client abandons midway closes the file', async () => {
      const rel = `${runRoot}/abandoned/big.bin`;
      assert.equal((await ctx.api.put(`${BASE}/${rel}`).set('Content-Type', 'application/octet-stream').send(randomBytes(8 * 1024 * 1024))).status, 200);
      const onDisk = fs.realpathSync(path.join(ctx.artifactsRoot, rel));
      const openOnIt = () => fs.readdirSync('/proc/self/fd').filter((fd) => {
        try { return fs.readlinkSync(`/proc/self/fd/${fd}`) === onDisk; } catch { return false; }
      }).length;
      await new Promise<void>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port: ctx.port, path: `${BASE}/${rel}`, agent: false }, (res) => {
          res.once('data', () => { req.destroy(); resolve(); });
        });
        req.on('error', (e) => (req.destroyed ? undefined : reject(e)));
      });
      for (let i = 0; i < 50 && openOnIt() > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(openOnIt(), 0, 'the artifact is still open after its client went away');
      assert.equal((await ctx.api.delete(`${BASE}/${runRoot}/abandoned`)).status, 200);
    });

    it('refuses links planted inside the root that lead out of it, and touches nothing outside', async () => {
      const outside = path.join(ctx.scratch, 'server', 'outside-dir');
      fs.mkdirSync(outside, { recursive: true });
      fs.writeFileSync(path.join(outside, 'keep.txt'), 'keep');
      const linkRoot = path.join(ctx.artifactsRoot, runRoot, 'links');
      fs.mkdirSync(linkRoot, { recursive: true });
      fs.symlinkSync('/etc/passwd', path.join(linkRoot, 'passwd'));
      fs.symlinkSync(outside, path.join(linkRoot, 'out'));
      const rel = `${runRoot}/links`;

      const passwd = await rawRequest(ctx, 'GET', `${BASE}/${rel}/passwd`);
      assert.ok(!passwd.text.includes('root:'), 'the passwd file leaked');
      assertError({ status: passwd.status, body: JSON.parse(passwd.text), text: passwd.text }, 400, 'INVALID_PARAMETER_VALUE');
      assertError(await ctx.api.get(`${BASE}/${rel}/out/keep.txt`), 400, 'INVALID_PARAMETER_VALUE');
      assertError(await ctx.api.get(BASE).query({ path: `${rel}/out` }), 400, 'INVALID_PARAMETER_VALUE');
      assertError(await ctx.api.get('/api/2.0/mlflow/artifacts/list').query({ run_id: run, path: 'links/out' }), 400, 'INVALID_PARAMETER_VALUE');
      assertError(await ctx.api.put(`${BASE}/${rel}/out/keep.txt`).send('pwned'), 400, 'INVALID_PARAMETER_VALUE');
      assertError(await ctx.api.put(`${BASE}/${rel}/out/new/deeper.txt`).send('pwned'), 400, 'INVALID_PARAMETER_VALUE');
      assertError(await ctx.api.delete(`${BASE}/${rel}/out/keep.txt`), 400, 'INVALID_PARAMETER_VALUE');
      assert.deepEqual(fs.readdirSync(outside), ['keep.txt']);
      assert.equal(fs.readFileSync(path.join(outside, 'keep.txt'), 'utf8'), 'keep');

      // Deleting the folder that holds the links removes the links, not what they point at.
      assert.equal((await ctx.api.delete(`${BASE}/${rel}/out`)).status, 200);
      assert.equal((await ctx.api.delete(`${BASE}/${rel}`)).status, 200);
      assert.equal(fs.existsSync(linkRoot), false);
      assert.equal(fs.readFileSync(path.join(outside, 'keep.txt'), 'utf8'), 'keep');
      assert.ok(fs.readFileSync('/etc/passwd', 'utf8').length > 0);
    });

    it('refuses the presigned routes with 501 (multipart uploads: routes/multipart.ts)', async () => {
      for (const p of ['/api/2.0/mlflow-artifacts/presigned/a.bin', '/ajax-api/2.0/mlflow-artifacts/presigned/a/b.bin']) {
        assertError(await ctx.api.get(p), 501, 'NOT_IMPLEMENTED');
      }
    });
  });
  describe('artifact routes of the web UI and logged models', () => {
    let exp = '';
    let run = '';
    let runRoot = '';
    let model = '';
    let modelRoot = '';
    before(async () => {
      exp = await createExperiment(ctx, 'ui-artifacts');
      run = await createRun(ctx, exp);
      runRoot = `${exp}/${run}/artifacts`;
      const created = await ctx.api.post('/api/2.0/mlflow/logged-models').send({ experiment_id: exp, name: 'ui-model' });
      assert.equal(created.status, 200, created.text);
      model = created.body.model.info.model_id;
      modelRoot = `${exp}/models/${model}/artifacts`;
      assert.equal(created.body.model.info.artifact_uri, `mlflow-artifacts:/${modelRoot}`);
      for (const [p, body] of [['MLmodel', `model_id: ${model}\n`], ['conda.yaml', 'name: x\n'], ['data/weights.bin', 'wwww'], ['data/deep/x.json', '{}']]) {
        assert.equal((await ctx.api.put(`${BASE}/${modelRoot}/${p}`).send(body)).status, 200);
      }
    });

    it('lists a logged model\'s artifacts under /api and /ajax-api, named relative to its root', async () => {
      for (const api of ['/api/2.0', '/ajax-api/2.0']) {
        const url = `${api}/mlflow/logged-models/${model}/artifacts/directories`;
        const top = await ctx.api.get(url);
        assert.equal(top.status, 200, top.text);
        assert.deepEqual(top.body, {
          root_uri: `mlflow-artifacts:/${modelRoot}`,
          files: [{ path: 'MLmodel', is_dir: false, file_size: `model_id: ${model}\n`.length }, { path: 'conda.yaml', is_dir: false, file_size: 8 }, { path: 'data', is_dir: true }],
        });
        const sub = await ctx.api.get(url).query({ artifact_directory_path: 'data' });
        assert.deepEqual(sub.body.files, [{ path: 'data/deep', is_dir: true }, { path: 'data/weights.bin', is_dir: false, file_size: 4 }]);
        assert.deepEqual((await ctx.api.get(url).query({ artifact_directory_path: 'nothing' })).body, { root_uri: `mlflow-artifacts:/${modelRoot}` });
        assert.deepEqual((await ctx.api.get(url).query({ artifact_directory_path: '../path' })).body, INVALID_PATH);
        assertError(await ctx.api.get(`${api}/mlflow/logged-models/m-0000/artifacts/directories`), 404, 'RESOURCE_DOES_NOT_EXIST', /Logged model with ID 'm-0000' not found/);
      }
    });

    it('downloads a logged model\'s file as an attachment, under /ajax-api only', async () => {
      const url = `/ajax-api/2.0/mlflow/logged-models/${model}/artifacts/files`;
      const got = await ctx.api.get(url).query({ artifact_file_path: 'MLmodel' }).buffer(true);
      assert.equal(got.status, 200, got.text);
      assert.equal(got.text, `model_id: ${model}\n`);
      assert.equal(got.headers['content-type'], 'text/plain');
      assert.equal(got.headers['content-disposition'], 'attachment; filename=MLmodel');
      assert.equal(got.headers['x-content-type-options'], 'nosniff');
      const bin = await rawRequest(ctx, 'GET', `${url}?artifact_file_path=data/weights.bin`);
      assert.equal(bin.text, 'wwww');
      assert.equal(bin.headers['content-type'], 'application/octet-stream');

      for (const q of ['', '?artifact_file_path=']) {
        const res = await rawRequest(ctx, 'GET', `${url}${q}`);
        assert.equal(res.status, 400, res.text);
        assert.deepEqual(JSON.parse(res.text), { error_code: 'BAD_REQUEST', message: 'Request must include the "artifact_file_path" query parameter.' });
      }
      for (const p of ['../path', '%2e%2e/path', '/etc/passwd', 'a#b']) {
        const res = await rawRequest(ctx, 'GET', `${url}?artifact_file_path=${encodeURIComponent(p)}`);
        assert.equal(res.status, 400, `${p}: ${res.text}`);
        assert.deepEqual(JSON.parse(res.text), INVALID_PATH, p);
      }
      assertError(await ctx.api.get(url).query({ artifact_file_path: 'no-such-file' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      assertError(await ctx.api.get(url).query({ artifact_file_path: 'data' }), 400, 'INVALID_PARAMETER_VALUE');
      assertError(await ctx.api.get(`/ajax-api/2.0/mlflow/logged-models/m-0000/artifacts/files`).query({ artifact_file_path: 'MLmodel' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      // MLflow mounts the download under /ajax-api only.
      assertError(await ctx.api.get(`/api/2.0/mlflow/logged-models/${model}/artifacts/files`).query({ artifact_file_path: 'MLmodel' }), 404, 'ENDPOINT_NOT_FOUND');
      assert.equal((await ctx.api.post(url).send({})).status, 405);
    });

    it('get-artifact serves a run\'s file by run_id or run_uuid, with MLflow\'s content types', async () => {
      const files: Array<[string, string, string]> = [
        ['notes.txt', 'text/plain', 'attachment; filename=notes.txt'],
        ['metrics.json', 'text/plain', 'attachment; filename=metrics.json'],
        ['README.md', 'text/plain', 'attachment; filename=README.md'],
        ['plot.png', 'image/png', 'attachment; filename=plot.png'],
        ['page.html', 'text/html', 'attachment; filename=page.html'],
        ['model.pkl', 'application/octet-stream', 'attachment; filename=model.pkl'],
        ['sub/my file.txt', 'text/plain', 'attachment; filename="my file.txt"'],
        ['sub/é.txt', 'text/plain', "attachment; filename=e.txt; filename*=UTF-8''%C3%A9.txt"],
      ];
      for (const [p] of files) assert.equal((await ctx.api.put(`${BASE}/${runRoot}/${p.split('/').map(encodeURIComponent).join('/')}`).send(`bytes of ${p}`)).status, 200, p);
      for (const [p, type, disposition] of files) {
        for (const key of ['run_id', 'run_uuid']) {
          const got = await rawRequest(ctx, 'GET', `/get-artifact?${key}=${run}&path=${encodeURIComponent(p)}`);
          assert.equal(got.status, 200, `${p}: ${got.text}`);
          assert.equal(got.text, `bytes of ${p}`);
          assert.equal(got.headers['content-type'], type, p);
          assert.equal(got.headers['content-disposition'], disposition, p);
          assert.equal(got.headers['x-content-type-options'], 'nosniff');
        }
      }
      assertError(await ctx.api.get('/get-artifact').query({ run_id: run, path: 'absent.txt' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      // A folder, or a path through a file, is refused naming the path as asked, not the run's folder in the store.
      for (const p of ['sub', '']) {
        const got = await ctx.api.get('/get-artifact').query({ run_id: run, path: p });
        assertError(got, 400, 'INVALID_PARAMETER_VALUE');
        assert.equal(got.body.message, `Invalid artifact path: '${p}' is a folder; list it to see its files`);
      }
      const underFile = await ctx.api.post('/ajax-api/2.0/mlflow/upload-artifact').query({ run_uuid: run, path: 'notes.txt/x' }).type('text/plain').send('x');
      assertError(underFile, 400, 'INVALID_PARAMETER_VALUE');
      assert.equal(underFile.body.message, "Invalid artifact path: 'notes.txt/x': a part of it is a file, not a folder");
      assertError(await ctx.api.get('/get-artifact').query({ run_id: 'f'.repeat(32), path: 'notes.txt' }), 404, 'RESOURCE_DOES_NOT_EXIST', /Run with id=f+ not found/);
      assertError(await ctx.api.get('/get-artifact').query({ run_id: run }), 400, 'INVALID_PARAMETER_VALUE', /'path'/);
      assertError(await ctx.api.get('/get-artifact').query({ path: 'notes.txt' }), 400, 'INVALID_PARAMETER_VALUE', /'run_id'/);
      assert.equal((await ctx.api.post('/get-artifact').query({ run_id: run, path: 'notes.txt' }).send({})).status, 405);
    });

    it('answers a path that escapes with MLflow\'s "Invalid path", before looking the run up', async () => {
      for (const runId of [run, 'f'.repeat(32)]) {
        for (const p of ['../path', 'a/../../path', '%2e%2e/path', '%252e%252e%252fpath', '/abs', 'file:///etc/passwd', 'C:\\x', 'x#y']) {
          const listed = await ctx.api.get('/api/2.0/mlflow/artifacts/list').query({ run_id: runId, path: p });
          assert.equal(listed.status, 400, `list ${p}: ${listed.text}`);
          assert.deepEqual(listed.body, INVALID_PATH, `list ${p}`);
          const got = await ctx.api.get('/get-artifact').query({ run_id: runId, path: p });
          assert.equal(got.status, 400, `get ${p}: ${got.text}`);
          assert.deepEqual(got.body, INVALID_PATH, `get ${p}`);
        }
      }
      // The proxy speaks the same words.
      assert.deepEqual(JSON.parse((await rawRequest(ctx, 'GET', `${BASE}/%2e%2e/x`)).text), INVALID_PATH);
      assert.deepEqual((await ctx.api.get(BASE).query({ path: '../x' })).body, INVALID_PATH);
    });

    it('upload-artifact refuses what MLflow refuses, in its order and words', async () => {
      const cases: Array<[Record<string, string>, string | undefined, string]> = [
        [{}, 'x', 'Request must specify run_uuid.'],
        [{ run_uuid: run }, 'x', 'Request must specify path.'],
        [{ run_uuid: run, path: '' }, 'x', 'Request must specify path.'],
        [{ run_uuid: run, path: '../test.txt' }, 'x', 'Invalid path'],
        [{ run_uuid: 'f'.repeat(32), path: '../test.txt' }, 'x', 'Invalid path'],
        [{ run_uuid: run, path: 'test.txt' }, undefined, 'Request must specify data.'],
        [{ run_uuid: 'f'.repeat(32), path: 'test.txt' }, undefined, 'Request must specify data.'],
      ];
      for (const [query, body, message] of cases) {
        const res = await rawRequest(ctx, 'POST', `${UPLOAD}?${new URLSearchParams(query)}`, body);
        assert.equal(res.status, 400, `${JSON.stringify(query)}: ${res.text}`);
        assert.deepEqual(JSON.parse(res.text), { error_code: 'INVALID_PARAMETER_VALUE', message });
      }
      // A chunked body with no bytes is no data either.
      const empty = await chunkedPost(ctx.port, `${UPLOAD}?run_uuid=${run}&path=test.txt`, 0);
      assert.deepEqual(JSON.parse(empty.text), { error_code: 'INVALID_PARAMETER_VALUE', message: 'Request must specify data.' });
      assertError(await ctx.api.post(UPLOAD).query({ run_uuid: 'f'.repeat(32), path: 'test.txt' }).send('hello'), 404, 'RESOURCE_DOES_NOT_EXIST');
      assert.equal(fs.existsSync(path.join(ctx.artifactsRoot, runRoot, 'test.txt')), false);
      assert.equal((await ctx.api.get(UPLOAD)).status, 405);
      assertError(await ctx.api.post(UPLOAD.replace('/ajax-api/', '/api/')).query({ run_uuid: run, path: 'a.txt' }).send('x'), 404, 'ENDPOINT_NOT_FOUND');
    });

    it('upload-artifact streams a raw body into the run\'s root, which get-artifact then serves', async () => {
      const up = await rawRequest(ctx, 'POST', `${UPLOAD}?run_uuid=${run}&path=test.txt`, 'hello world');
      assert.equal(up.status, 200, up.text);
      assert.equal(up.text, '');
      assert.equal(up.headers['content-type'], 'application/json');
      assert.equal(fs.readFileSync(path.join(ctx.artifactsRoot, runRoot, 'test.txt'), 'utf8'), 'hello world');
      const got = await ctx.api.get('/get-artifact').query({ run_uuid: run, path: 'test.txt' });
      assert.equal(got.text, 'hello world');

      const bytes = randomBytes(3 * MiB);
      const nested = await ctx.api.post(UPLOAD).query({ run_uuid: run, path: 'up/deep/blob.bin' }).set('Content-Type', 'application/octet-stream').send(bytes);
      assert.equal(nested.status, 200, nested.text);
      assert.ok(fs.readFileSync(path.join(ctx.artifactsRoot, runRoot, 'up', 'deep', 'blob.bin')).equals(bytes));
      const chunked = await chunkedPost(ctx.port, `${UPLOAD}?run_uuid=${run}&path=up/chunked.bin`, 2 * MiB + 17);
      assert.equal(chunked.status, 200, chunked.text);
      assert.equal(fs.statSync(path.join(ctx.artifactsRoot, runRoot, 'up', 'chunked.bin')).size, 2 * MiB + 17);
    });

    it('upload-artifact refuses a body over 10 MB, declared or streamed, and writes nothing', async () => {
      const declared = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: ctx.port, method: 'POST', path: `${UPLOAD}?run_uuid=${run}&path=big/declared.bin`, agent: false,
          headers: { 'Content-Length': String(10 * MiB + 1) } }, (res) => {
          let text = '';
          res.on('data', (c) => { text += c; });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        // Nothing is sent: the answer must come from the header alone.
        req.flushHeaders();
      });
      assert.equal(declared.status, 400);
      assert.deepEqual(JSON.parse(declared.text), { error_code: 'INVALID_PARAMETER_VALUE', message: 'Artifact size is too large. Max size is 10MB.' });
      const streamed = await chunkedPost(ctx.port, `${UPLOAD}?run_uuid=${run}&path=big/streamed.bin`, 11 * MiB);
      assert.equal(streamed.status, 400, streamed.text);
      assert.deepEqual(JSON.parse(streamed.text), { error_code: 'INVALID_PARAMETER_VALUE', message: 'Artifact size is too large. Max size is 10MB.' });
      assert.equal(fs.existsSync(path.join(ctx.artifactsRoot, runRoot, 'big')), false);
      assert.deepEqual(fs.readdirSync(path.join(ctx.artifactsRoot, '.trackbridge;uploads')), [], 'no temporary file left');
      const exact = await chunkedPost(ctx.port, `${UPLOAD}?run_uuid=${run}&path=big/exact.bin`, 10 * MiB);
      assert.equal(exact.status, 200, exact.text);
      assert.equal((await ctx.api.delete(`${BASE}/${runRoot}/big`)).status, 200);
    });

    it('a root the server does not store lists as empty, and its files are refused with a 400 that says why', async () => {
      const created = await ctx.api.post('/api/2.0/mlflow/experiments/create').send({ name: 'ui-elsewhere', artifact_location: 'file:///srv/elsewhere' });
      assert.equal(created.status, 200, created.text);
      const elsewhere = await createRun(ctx, created.body.experiment_id);
      const root = `file:///srv/elsewhere/${elsewhere}/artifacts`;
      assert.deepEqual((await ctx.api.get('/api/2.0/mlflow/artifacts/list').query({ run_id: elsewhere })).body, { root_uri: root });
      const got = await ctx.api.get('/get-artifact').query({ run_id: elsewhere, path: 'a.txt' });
      assertError(got, 400, 'INVALID_PARAMETER_VALUE', /file:\/\/\/srv\/elsewhere.*does not store/);
      assertError(await ctx.api.post(UPLOAD).query({ run_uuid: elsewhere, path: 'a.txt' }).send('x'), 400, 'INVALID_PARAMETER_VALUE', /does not store/);
      const m = await ctx.api.post('/api/2.0/mlflow/logged-models').send({ experiment_id: created.body.experiment_id, name: 'elsewhere' });
      const id = m.body.model.info.model_id;
      assert.deepEqual((await ctx.api.get(`/api/2.0/mlflow/logged-models/${id}/artifacts/directories`)).body, { root_uri: `file:///srv/elsewhere/models/${id}/artifacts` });
      assertError(await ctx.api.get(`/ajax-api/2.0/mlflow/logged-models/${id}/artifacts/files`).query({ artifact_file_path: 'MLmodel' }), 400, 'INVALID_PARAMETER_VALUE', /does not store/);
    });

    describe('upload-artifact under the server-wide body budget', () => {
      const budget = new BodyBudget(256 * 1024);
      let server: http.Server;
      let port = 0;
      before(async () => {
        const app = express();
        app.use(mlflowRouter({ tracking: ctx.tracking }, { ...STRICT, bodyBudget: budget }));
        server = await new Promise<http.Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
        port = (server.address() as AddressInfo).port;
      });
      after(async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      });

      it('holds a chunk at a time: 8 MB pass through a 256 KiB budget, which is whole again afterwards', async () => {
        const res = await chunkedPost(port, `${UPLOAD}?run_uuid=${run}&path=budget/big.bin`, 8 * MiB);
        assert.equal(res.status, 200, res.text);
        assert.equal(fs.statSync(path.join(ctx.artifactsRoot, runRoot, 'budget', 'big.bin')).size, 8 * MiB);
        assert.equal(budget.inFlight, 0);
        const refused = await chunkedPost(port, `${UPLOAD}?run_uuid=${run}&path=budget/over.bin`, 11 * MiB);
        assert.equal(refused.status, 400, refused.text);
        assert.equal(budget.inFlight, 0);
      });

      it('answers 503 with Retry-After while the budget is spent, and writes nothing', async () => {
        assert.ok(budget.tryTake(budget.total));
        try {
          const res = await chunkedPost(port, `${UPLOAD}?run_uuid=${run}&path=budget/busy.bin`, MiB);
          assert.equal(res.status, 503, res.text);
          assert.equal(JSON.parse(res.text).error_code, 'TEMPORARILY_UNAVAILABLE');
          assert.equal(res.headers['retry-after'], '1');
        } finally {
          budget.give(budget.total);
        }
        assert.equal(fs.existsSync(path.join(ctx.artifactsRoot, runRoot, 'budget', 'busy.bin')), false);
        assert.equal(budget.inFlight, 0);
        assert.equal((await ctx.api.delete(`${BASE}/${runRoot}/budget`)).status, 200);
      });
    });
  });

  describe('experiment artifact locations', () => {
    const WORKDIR = '/srv/trackbridge-work';
    let api: supertest.Agent;
    let server: http.Server;
    before(async () => {
      const tracking = new Tracking(ctx.store, { defaultArtifactRoot: 'mlflow-artifacts:/', workingDir: WORKDIR },
        new LocalArtifactStore(path.join(ctx.scratch, 'locations-artifacts')));
      const app = buildApp(tracking, STRICT);
      server = await new Promise<http.Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
      api = supertest.agent(server);
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const locationOf = async (artifactLocation: string) => {
      const created = await api.post('/api/2.0/mlflow/experiments/create').send({ name: `loc-${randomBytes(6).toString('hex')}`, artifact_location: artifactLocation });
      assert.equal(created.status, 200, created.text);
      const got = await api.get('/api/2.0/mlflow/experiments/get').query({ experiment_id: created.body.experiment_id });
      return { id: created.body.experiment_id as string, location: got.body.experiment.artifact_location as string };
    };

    it('resolves a relative local location against the server\'s working folder, as MLflow does', async () => {
      const cases: Array<[string, string]> = [
        ['rel/dir', `${WORKDIR}/rel/dir`],
        ['./x/', `${WORKDIR}/x`],
        ['a//b/./c', `${WORKDIR}/a/b/c`],
        ['../up', `${WORKDIR}/../up`],
        ['with%20space', `${WORKDIR}/with space`],
        ['.', WORKDIR],
        ['file:rel/f', `file://${WORKDIR}/rel/f`],
        ['file:./g', `file://${WORKDIR}/g`],
      ];
      for (const [given, expected] of cases) assert.equal((await locationOf(given)).location, expected, given);
      const { id, location } = await locationOf('runs-here');
      const run = await api.post('/api/2.0/mlflow/runs/create').send({ experiment_id: id, start_time: 1 });
      assert.equal(run.status, 200, run.text);
      assert.equal(run.body.run.info.artifact_uri, `${location}/${run.body.run.info.run_id}/artifacts`);
    });

    it('keeps absolute paths and every URI with a scheme as given', async () => {
      for (const given of ['/abs/path', 'file:///abs/x', 'file:/abs/y', 'file://localhost/z', 's3://bucket/k', 'mlflow-artifacts:/5', 'mlflow-artifacts://localhost/6', 'hdfs:/h', 'gs://b/p', 'databricks']) {
        assert.equal((await locationOf(given)).location, given, given);
      }
    });

    it('refuses a file URI naming another machine', async () => {
      const res = await api.post('/api/2.0/mlflow/experiments/create').send({ name: `loc-${randomBytes(6).toString('hex')}`, artifact_location: 'file://elsewhere/x' });
      assertError(res, 400, 'INVALID_PARAMETER_VALUE');
    });

    it('without a working folder, a relative location is refused rather than stored as given', async () => {
      const res = await ctx.api.post('/api/2.0/mlflow/experiments/create').send({ name: `loc-${randomBytes(6).toString('hex')}`, artifact_location: 'rel/dir' });
      assertError(res, 400, 'INVALID_PARAMETER_VALUE');
    });
  });
}
