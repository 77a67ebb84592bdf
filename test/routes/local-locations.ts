/** Runs and logged models whose location is a local folder: served when it lies inside the server's artifact root. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { assertError, createRun, rawRequest, type RouteCtx } from './context';

export function localLocationTests(ctx: RouteCtx): void {
  describe('local artifact locations', () => {
    let outside = '';
    before(() => {
      outside = path.join(ctx.scratch, 'server', 'outside-locations');
      fs.mkdirSync(outside, { recursive: true });
      fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
    });

    /** An experiment at `location`, a run and a logged model in it, and the folders their locations name. */
    const objectsAt = async (location: string) => {
      const created = await ctx.api.post('/api/2.0/mlflow/experiments/create').send({ name: `local-${Math.random().toString(36).slice(2)}`, artifact_location: location });
      assert.equal(created.status, 200, created.text);
      const exp = created.body.experiment_id;
      const run = await createRun(ctx, exp);
      const model = (await ctx.api.post('/api/2.0/mlflow/logged-models').send({ experiment_id: exp, name: 'm' })).body.model.info;
      return { exp, run, model: model.model_id as string, runUri: (await ctx.api.get('/api/2.0/mlflow/runs/get').query({ run_id: run })).body.run.info.artifact_uri as string, modelUri: model.artifact_uri as string };
    };

    const writeUnder = (dir: string, files: Record<string, string>) => {
      for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
      }
    };

    for (const [label, locationOf, folderOf] of [
      ['a file: URI', (root: string) => `file://${root}/local-uri`, (root: string) => path.join(root, 'local-uri')],
      ['an encoded file: URI', (root: string) => `file://${root}/with%20space`, (root: string) => path.join(root, 'with space')],
      ['a file://localhost URI', (root: string) => `file://localhost${root}/on-localhost`, (root: string) => path.join(root, 'on-localhost')],
      ['an absolute path', (root: string) => `${root}/plain-path`, (root: string) => path.join(root, 'plain-path')],
    ] as const) {
      it(`lists and serves a run's and a logged model's files at ${label} inside the artifact root`, async () => {
        const o = await objectsAt(locationOf(ctx.artifactsRoot));
        const folder = folderOf(ctx.artifactsRoot);
        writeUnder(path.join(folder, o.run, 'artifacts'), { 'metrics.json': '{"a": 1}', 'plots/loss.png': 'png' });
        writeUnder(path.join(folder, 'models', o.model, 'artifacts'), { MLmodel: 'flavors: {}', 'data/model.pkl': 'pkl' });

        const listed = await ctx.api.get('/api/2.0/mlflow/artifacts/list').query({ run_id: o.run });
        assert.equal(listed.status, 200, listed.text);
        assert.deepEqual(listed.body, { root_uri: o.runUri, files: [{ path: 'metrics.json', is_dir: false, file_size: 8 }, { path: 'plots', is_dir: true }] });
        assert.deepEqual((await ctx.api.get('/api/2.0/mlflow/artifacts/list').query({ run_id: o.run, path: 'plots' })).body.files, [{ path: 'plots/loss.png', is_dir: false, file_size: 3 }]);
        const got = await rawRequest(ctx, 'GET', `/get-artifact?run_id=${o.run}&path=plots/loss.png`);
        assert.equal(got.status, 200, got.text);
        assert.equal(got.text, 'png');

        const dirs = await ctx.api.get(`/api/2.0/mlflow/logged-models/${o.model}/artifacts/directories`);
        assert.equal(dirs.status, 200, dirs.text);
        assert.deepEqual(dirs.body, { root_uri: o.modelUri, files: [{ path: 'MLmodel', is_dir: false, file_size: 11 }, { path: 'data', is_dir: true }] });
        const file = await rawRequest(ctx, 'GET', `/ajax-api/2.0/mlflow/logged-models/${o.model}/artifacts/files?artifact_file_path=data/model.pkl`);
        assert.equal(file.status, 200, file.text);
        assert.equal(file.text, 'pkl');
      });
    }

    it('outside the root, through a link leading out, or spelt with "..", a local location is not served', async () => {
      fs.symlinkSync(outside, path.join(ctx.artifactsRoot, 'leads-out'));
      for (const location of [`file://${outside}`, outside, `file://${ctx.artifactsRoot}/leads-out`, `file://${ctx.artifactsRoot}/../outside-locations`, `file://${ctx.artifactsRoot}/a/./b`]) {
        const o = await objectsAt(location);
        // Files where the location points, which must stay unseen.
        for (const dir of [path.join(outside, o.run, 'artifacts'), path.join(outside, 'models', o.model, 'artifacts')]) writeUnder(dir, { 'secret.txt': 'secret' });
        const listed = await ctx.api.get('/api/2.0/mlflow/artifacts/list').query({ run_id: o.run });
        assert.deepEqual(listed.body, { root_uri: o.runUri }, location);
        assertError(await ctx.api.get('/get-artifact').query({ run_id: o.run, path: 'secret.txt' }), 400, 'INVALID_PARAMETER_VALUE', /does not store/);
        assert.deepEqual((await ctx.api.get(`/api/2.0/mlflow/logged-models/${o.model}/artifacts/directories`)).body, { root_uri: o.modelUri }, location);
        assertError(await ctx.api.get(`/ajax-api/2.0/mlflow/logged-models/${o.model}/artifacts/files`).query({ artifact_file_path: 'secret.txt' }), 400, 'INVALID_PARAMETER_VALUE', /does not store/);
        assertError(await ctx.api.post('/ajax-api/2.0/mlflow/upload-artifact').query({ run_uuid: o.run, path: 'pwned.txt' }).send('pwned'), 400, 'INVALID_PARAMETER_VALUE');
      }
      assert.equal(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8'), 'secret');
      assert.ok(!fs.readdirSync(outside, { recursive: true }).some((n) => String(n).endsWith('pwned.txt')));
      fs.unlinkSync(path.join(ctx.artifactsRoot, 'leads-out'));
    });
  });
}
