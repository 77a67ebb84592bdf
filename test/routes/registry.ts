/**
 * The model registry over HTTP: every route of ModelRegistryService under /api and /ajax-api,
 * MLflow's answers field for field, its error codes and statuses, version numbering, aliases,
 * stages, prompt scoping of searches, the UI's file download, and hostile sources.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { assertClientError, assertError, createExperiment, createRun, getRun, rawRequest, type RouteCtx } from './context';
import { assertUntouched, HOSTILE_PATHS, LEAK, SECRET, snapshotTree } from '../support/hostile-paths';

const API = '/api/2.0/mlflow';
const RM = `${API}/registered-models`;
const MV = `${API}/model-versions`;

/** Every registry route as MLflow declares it. */
export const REGISTRY_ROUTES: Array<[string, string]> = [
  ['POST', '/registered-models/create'], ['POST', '/registered-models/rename'], ['PATCH', '/registered-models/update'],
  ['DELETE', '/registered-models/delete'], ['GET', '/registered-models/get'], ['GET', '/registered-models/search'],
  ['POST', '/registered-models/get-latest-versions'], ['GET', '/registered-models/get-latest-versions'],
  ['POST', '/model-versions/create'], ['PATCH', '/model-versions/update'], ['POST', '/model-versions/transition-stage'],
  ['DELETE', '/model-versions/delete'], ['GET', '/model-versions/get'], ['GET', '/model-versions/search'],
  ['GET', '/model-versions/get-download-uri'], ['POST', '/registered-models/set-tag'], ['POST', '/model-versions/set-tag'],
  ['DELETE', '/registered-models/delete-tag'], ['DELETE', '/model-versions/delete-tag'], ['POST', '/registered-models/alias'],
  ['DELETE', '/registered-models/alias'], ['GET', '/registered-models/alias'],
];

/** Sources that must never become a version's storage location. */
export const HOSTILE_SOURCES = [
  'file:///etc/passwd', '/etc/passwd', 'etc/passwd', 'file:/etc/passwd', 'FILE:///etc/shadow',
  'mlflow-artifacts:/../../etc/passwd', 'mlflow-artifacts:/0/%2e%2e/%2e%2e/secret', 'mlflow-artifacts:/0/%252e%252e%252fsecret',
  'mlflow-artifacts:/0/x;/../../secret', 'mlflow-artifacts:/0/a\\..\\..\\secret', 'mlflow-artifacts:/0/a\u0000b',
  '//proc/self/root/etc/passwd', 'mlflow-artifacts://proc/self/root', 's3://other-bucket/model', 'http://169.254.169.254/latest',
  'runs:/../../etc', 'runs://host/x', 'models:/../../etc', 'models://host/m-1', 'models:/m-doesnotexist', '', ' ',
];

async function ok(res: { status: number; text: string; body: any }) {
  assert.equal(res.status, 200, res.text);
  return res.body;
}

export function registryTests(ctx: RouteCtx): void {
  describe('model registry', () => {
    let exp = '';
    let run = '';
    let runUri = '';
    let modelId = '';
    let modelUri = '';

    before(async () => {
      exp = await createExperiment(ctx, 'registry');
      run = await createRun(ctx, exp);
      runUri = (await getRun(ctx, run)).info.artifact_uri;
      const lm = await ok(await ctx.api.post(`${API}/logged-models`).send({ experiment_id: exp, name: 'model', source_run_id: run }));
      modelId = lm.model.info.model_id;
      modelUri = lm.model.info.artifact_uri;
      const storePath = modelUri.replace(/^mlflow-artifacts:\/?/, '');
      await ok(await ctx.api.put(`/api/2.0/mlflow-artifacts/artifacts/${storePath}/MLmodel`).set('Content-Type', 'text/plain').send('flavors: {}\n'));
    });

    it('mounts every registry route under /api and /ajax-api and refuses other methods', async () => {
      for (const [verb, p] of REGISTRY_ROUTES) {
        for (const prefix of ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow']) {
          // A search needs nothing: an empty one answers, the others name their object.
          if (p.endsWith('/search')) {
            assert.equal((await ctx.api.get(`${prefix}${p}`)).status, 200);
            continue;
          }
          let req = ctx.api[verb.toLowerCase() as 'get'](`${prefix}${p}`);
          if (verb !== 'GET') req = req.set('Content-Type', 'application/json').send('{}');
          const res = await req;
          assert.ok(res.status < 500, `${verb} ${prefix}${p}: ${res.status} ${res.text}`);
          assert.equal(typeof res.body.error_code, 'string', `${verb} ${prefix}${p} should refuse an empty request: ${res.text}`);
        }
      }
      const res = await ctx.api.put(`${RM}/create`).send({});
      assert.equal(res.status, 405);
    });

    it('creates, gets, updates and deletes a registered model, answering as MLflow prints it', async () => {
      const created = await ok(await ctx.api.post(`${RM}/create`).send({ name: 'crud', tags: [{ key: 't', value: '1' }], description: 'd' }));
      assert.deepEqual(Object.keys(created.registered_model).sort(), ['creation_timestamp', 'description', 'last_updated_timestamp', 'name', 'tags']);
      assert.deepEqual(created.registered_model.tags, [{ key: 't', value: '1' }]);
      assertError(await ctx.api.post(`${RM}/create`).send({ name: 'crud' }), 400, 'RESOURCE_ALREADY_EXISTS', /^Registered Model \(name=crud\) already exists\.$/);
      const updated = await ok(await ctx.api.patch(`${RM}/update`).send({ name: 'crud', description: 'new' }));
      assert.equal(updated.registered_model.description, 'new');
      await ok(await ctx.api.post(`${RM}/set-tag`).send({ name: 'crud', key: 'k', value: 'v' }));
      await ok(await ctx.api.delete(`${RM}/delete-tag`).send({ name: 'crud', key: 't' }));
      // A key the model never had: 200, as in MLflow.
      await ok(await ctx.api.delete(`${RM}/delete-tag`).send({ name: 'crud', key: 'never' }));
      const got = await ok(await ctx.api.get(`${RM}/get`).query({ name: 'crud' }));
      assert.deepEqual(got.registered_model.tags, [{ key: 'k', value: 'v' }]);
      await ok(await ctx.api.delete(`${RM}/delete`).send({ name: 'crud' }));
      assertError(await ctx.api.get(`${RM}/get`).query({ name: 'crud' }), 404, 'RESOURCE_DOES_NOT_EXIST', /^Registered Model with name=crud not found$/);
      assertError(await ctx.api.delete(`${RM}/delete`).send({ name: 'crud' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it('refuses bad names, tags and descriptions with INVALID_PARAMETER_VALUE', async () => {
      for (const name of ['a/b', 'a:b', '   ', '.', '..x', 'x'.repeat(257), 'nul\u0000']) {
        assertError(await ctx.api.post(`${RM}/create`).send({ name }), 400, 'INVALID_PARAMETER_VALUE');
      }
      assertError(await ctx.api.post(`${RM}/create`).send({}), 400, 'INVALID_PARAMETER_VALUE', /Missing value for required parameter 'name'/);
      assertError(await ctx.api.post(`${RM}/create`).send({ name: 'tagged', tags: [{ key: 'bad key!', value: 'x' }] }), 400, 'INVALID_PARAMETER_VALUE');
      assertError(await ctx.api.post(`${RM}/create`).send({ name: 'tagged', tags: [{ key: 'k'.repeat(251), value: 'x' }] }), 400, 'INVALID_PARAMETER_VALUE');
      assertError(await ctx.api.post(`${RM}/create`).send({ name: 'tagged', tags: [{ key: 'k', value: 'v'.repeat(100_001) }] }), 400, 'INVALID_PARAMETER_VALUE');
      await ok(await ctx.api.post(`${RM}/create`).send({ name: 'tagged', tags: [{ key: 'k', value: 'v'.repeat(100_000) }] }));
      assertError(await ctx.api.get(`${RM}/get`).query({ name: 'tagged', extra: 'x' }).query({ name: 'a/b' }), 400, 'INVALID_PARAMETER_VALUE');
    });

    it('numbers versions from 1, never reuses a number, and resolves run and logged-model sources', async () => {
      await ok(await ctx.api.post(`${RM}/create`).send({ name: 'numbered' }));
      const v1 = (await ok(await ctx.api.post(`${MV}/create`).send({ name: 'numbered', source: `models:/${modelId}`, run_id: run, model_id: modelId }))).model_version;
      assert.deepEqual(v1, {
        name: 'numbered', version: '1', creation_timestamp: v1.creation_timestamp, last_updated_timestamp: v1.last_updated_timestamp,
        current_stage: 'None', description: '', source: `models:/${modelId}`, run_id: run, status: 'READY', run_link: '', model_id: modelId,
      });
      const uri = await ok(await ctx.api.get(`${MV}/get-download-uri`).query({ name: 'numbered', version: '1' }));
      assert.deepEqual(uri, { artifact_uri: modelUri });

      // Without run_id the logged model's run is recorded.
      const v2 = (await ok(await ctx.api.post(`${MV}/create`).send({ name: 'numbered', source: `models:/${modelId}`, model_id: modelId }))).model_version;
      assert.equal(v2.version, '2');
      assert.equal(v2.run_id, run);
      // The logged model's mlflow.modelVersions tag, byte for byte as MLflow's server writes it.
      const logged = await ok(await ctx.api.get(`${API}/logged-models/${modelId}`));
      const tag = logged.model.info.tags.find((t: any) => t.key === 'mlflow.modelVersions');
      assert.equal(tag.value, '[{"name": "numbered", "version": 1}, {"name": "numbered", "version": 2}]');

      const v3 = (await ok(await ctx.api.post(`${MV}/create`).send({ name: 'numbered', source: `runs:/${run}/model` }))).model_version;
      assert.equal(v3.version, '3');
      assert.equal((await ok(await ctx.api.get(`${MV}/get-download-uri`).query({ name: 'numbered', version: '3' }))).artifact_uri, `${runUri}/model`);

      const inside = (await ok(await ctx.api.post(`${MV}/create`).send({ name: 'numbered', source: `${runUri}/model`, run_id: run }))).model_version;
      assert.equal(inside.version, '4');
      const fromVersion = (await ok(await ctx.api.post(`${MV}/create`).send({ name: 'numbered', source: 'models:/numbered/1' }))).model_version;
      assert.equal(fromVersion.version, '5');
      assert.equal((await ok(await ctx.api.get(`${MV}/get-download-uri`).query({ name: 'numbered', version: '5' }))).artifact_uri, modelUri);

      await ok(await ctx.api.delete(`${MV}/delete`).send({ name: 'numbered', version: '5' }));
      assertError(await ctx.api.get(`${MV}/get`).query({ name: 'numbered', version: '5' }), 404, 'RESOURCE_DOES_NOT_EXIST', /^Model Version \(name=numbered, version=5\) not found$/);
      const v6 = (await ok(await ctx.api.post(`${MV}/create`).send({ name: 'numbered', source: `runs:/${run}/model` }))).model_version;
      assert.equal(v6.version, '6');

      assertError(await ctx.api.post(`${MV}/create`).send({ name: 'unregistered', source: `runs:/${run}/model` }), 404, 'RESOURCE_DOES_NOT_EXIST');
      assertError(await ctx.api.get(`${MV}/get`).query({ name: 'numbered', version: 'one' }), 400, 'INVALID_PARAMETER_VALUE', /must be an integer/);
      assertError(await ctx.api.post(`${MV}/create`).send({ name: 'numbered' }), 400, 'INVALID_PARAMETER_VALUE', /'source'/);
    });

    it('refuses every hostile source and stores nothing', async () => {
      await ok(await ctx.api.post(`${RM}/create`).send({ name: 'hostile' }));
      for (const source of HOSTILE_SOURCES) {
        for (const extra of [{ run_id: run }, { model_id: modelId }, {}]) {
          const res = await ctx.api.post(`${MV}/create`).send({ name: 'hostile', source, ...extra });
          assertError(res, 400, 'INVALID_PARAMETER_VALUE');
        }
      }
      // Every CVE class of the shared matrix, as the source itself and below each root a source may name.
      for (const { kind, value } of HOSTILE_PATHS) {
        const shapes: Array<[string, Record<string, string>]> = [
          [value, { run_id: run }], [`${runUri}/${value}`, { run_id: run }], [`${modelUri}/${value}`, { model_id: modelId }],
          [`runs:/${run}/${value}`, {}], [`models:/${modelId}/${value}`, { model_id: modelId }],
        ];
        for (const [source, extra] of shapes) {
          const res = await ctx.api.post(`${MV}/create`).send({ name: 'hostile', source, ...extra });
          assertError(res, 400, 'INVALID_PARAMETER_VALUE');
          assert.ok(res.status === 400, `${kind} ${JSON.stringify(source)}`);
        }
      }
      const mismatched = await ctx.api.post(`${MV}/create`).send({ name: 'hostile', source: `runs:/${run}/model`, run_id: '0123456789abcdef0123456789abcdef' });
      assertError(mismatched, 400, 'INVALID_PARAMETER_VALUE');
      const otherModel = await ctx.api.post(`${MV}/create`).send({ name: 'hostile', source: `models:/${modelId}`, model_id: 'm-other' });
      assertError(otherModel, 400, 'INVALID_PARAMETER_VALUE');
      const found = await ok(await ctx.api.get(`${MV}/search`).query({ filter: "name = 'hostile'" }));
      assert.deepEqual(found, {});
    });

    it('takes models:/ sources by registry lookup, for names a path may not hold', async () => {
      await ok(await ctx.api.post(`${RM}/create`).send({ name: 'copied-here' }));
      let copies = 0;
      for (const name of ['a%b', 'back\\slash', 'semi;colon', 'per%2e%2ecent', 'a..b', 'at@sign', 'ctl\u0001char']) {
        await ok(await ctx.api.post(`${RM}/create`).send({ name }));
        await ok(await ctx.api.post(`${MV}/create`).send({ name, source: `runs:/${run}/model` }));
        await ok(await ctx.api.post(`${RM}/alias`).send({ name, alias: 'champ', version: '1' }));
        await ok(await ctx.api.post(`${MV}/transition-stage`).send({ name, version: '1', stage: 'Production' }));
        for (const which of ['/1', '/latest', '/production', '@champ', '@latest']) {
          const copy = (await ok(await ctx.api.post(`${MV}/create`).send({ name: 'copied-here', source: `models:/${name}${which}` }))).model_version;
          copies++;
          assert.equal(copy.version, String(copies));
          assert.equal(copy.source, `models:/${name}/1`, `${name}${which}`);
          assert.equal(copy.run_id, run);
          const uri = await ok(await ctx.api.get(`${MV}/get-download-uri`).query({ name: 'copied-here', version: copy.version }));
          assert.equal(uri.artifact_uri, `${runUri}/model`);
        }
        // Below the version, path rules still hold; an unknown version or alias is refused.
        for (const tail of ['/1/..', '/1/x', '/2', '/../1', '@no-such', '@bad alias']) {
          assertError(await ctx.api.post(`${MV}/create`).send({ name: 'copied-here', source: `models:/${name}${tail}` }), 400, 'INVALID_PARAMETER_VALUE');
        }
      }
      for (const source of ['models:/a/b/1', 'models:/../1', 'models:/./1', 'models://a%b/1', 'models:/@champ', `models:/${'x'.repeat(257)}/1`]) {
        assertError(await ctx.api.post(`${MV}/create`).send({ name: 'copied-here', source }), 400, 'INVALID_PARAMETER_VALUE', undefined);
      }
      const all = await ok(await ctx.api.get(`${MV}/search`).query({ filter: "name = 'copied-here'", max_results: 1000 }));
      assert.equal(all.model_versions.length, copies);
    });

    it('sets, reads, moves and deletes aliases; latest and reserved names', async () => {
      await ok(await ctx.api.post(`${RM}/create`).send({ name: 'aliased' }));
      for (let i = 0; i < 2; i++) await ok(await ctx.api.post(`${MV}/create`).send({ name: 'aliased', source: `runs:/${run}/model` }));
      await ok(await ctx.api.post(`${RM}/alias`).send({ name: 'aliased', alias: 'champion', version: '1' }));
      const byAlias = await ok(await ctx.api.get(`${RM}/alias`).query({ name: 'aliased', alias: 'champion' }));
      assert.equal(byAlias.model_version.version, '1');
      assert.deepEqual(byAlias.model_version.aliases, ['champion']);
      const model = await ok(await ctx.api.get(`${RM}/get`).query({ name: 'aliased' }));
      assert.deepEqual(model.registered_model.aliases, [{ alias: 'champion', version: '1' }]);
      assert.deepEqual(model.registered_model.latest_versions.map((v: any) => [v.version, v.current_stage]), [['2', 'None']]);

      await ok(await ctx.api.post(`${RM}/alias`).send({ name: 'aliased', alias: 'champion', version: '2' }));
      assert.equal((await ok(await ctx.api.get(`${RM}/alias`).query({ name: 'aliased', alias: 'champion' }))).model_version.version, '2');
      assert.equal((await ok(await ctx.api.get(`${RM}/alias`).query({ name: 'aliased', alias: 'LATEST' }))).model_version.version, '2');

      assertError(await ctx.api.post(`${RM}/alias`).send({ name: 'aliased', alias: 'v1', version: '1' }), 400, 'INVALID_PARAMETER_VALUE', /^Version alias name 'v1' is reserved\.$/);
      assertError(await ctx.api.post(`${RM}/alias`).send({ name: 'aliased', alias: 'Latest', version: '1' }), 400, 'INVALID_PARAMETER_VALUE', /reserved/);
      assertError(await ctx.api.post(`${RM}/alias`).send({ name: 'aliased', alias: 'a b', version: '1' }), 400, 'INVALID_PARAMETER_VALUE', /Invalid alias name/);
      assertError(await ctx.api.post(`${RM}/alias`).send({ name: 'aliased', alias: 'x'.repeat(256), version: '1' }), 400, 'INVALID_PARAMETER_VALUE');
      assertError(await ctx.api.post(`${RM}/alias`).send({ name: 'aliased', alias: 'ok', version: '9' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      assertError(await ctx.api.get(`${RM}/alias`).query({ name: 'aliased', alias: 'a' }), 400, 'INVALID_PARAMETER_VALUE', /^Registered model alias a not found\.$/);
      assertError(await ctx.api.get(`${RM}/alias`).query({ name: 'nobody', alias: 'a' }), 404, 'RESOURCE_DOES_NOT_EXIST');

      await ok(await ctx.api.delete(`${RM}/alias`).send({ name: 'aliased', alias: 'champion' }));
      await ok(await ctx.api.delete(`${RM}/alias`).send({ name: 'aliased', alias: 'champion' }));
      assertError(await ctx.api.get(`${RM}/alias`).query({ name: 'aliased', alias: 'champion' }), 400, 'INVALID_PARAMETER_VALUE');

      // Deleting a version drops the aliases naming it.
      await ok(await ctx.api.post(`${RM}/alias`).send({ name: 'aliased', alias: 'gone', version: '1' }));
      await ok(await ctx.api.delete(`${MV}/delete`).send({ name: 'aliased', version: '1' }));
      assert.equal((await ok(await ctx.api.get(`${RM}/get`).query({ name: 'aliased' }))).registered_model.aliases, undefined);
    });

    it('transitions stages case-insensitively, archives only from active stages, and answers get-latest-versions', async () => {
      await ok(await ctx.api.post(`${RM}/create`).send({ name: 'staged' }));
      for (let i = 0; i < 3; i++) await ok(await ctx.api.post(`${MV}/create`).send({ name: 'staged', source: `runs:/${run}/model` }));
      const t = (s: string, version: string, archive = false) =>
        ctx.api.post(`${MV}/transition-stage`).send({ name: 'staged', version, stage: s, archive_existing_versions: archive });
      assert.equal((await ok(await t('production', '1'))).model_version.current_stage, 'Production');
      await ok(await t('STAGING', '2'));
      await ok(await t('Production', '3', true));
      const stageOf = async (v: string) => (await ok(await ctx.api.get(`${MV}/get`).query({ name: 'staged', version: v }))).model_version.current_stage;
      assert.deepEqual([await stageOf('1'), await stageOf('2'), await stageOf('3')], ['Archived', 'Staging', 'Production']);
      assertError(await t('Archived', '2', true), 400, 'INVALID_PARAMETER_VALUE', /not an Active stage/);
      assertError(await t('Prod', '2'), 400, 'INVALID_PARAMETER_VALUE', /Invalid Model Version stage: Prod/);

      const all = await ok(await ctx.api.post(`${RM}/get-latest-versions`).send({ name: 'staged' }));
      assert.deepEqual(all.model_versions.map((v: any) => [v.current_stage, v.version]).sort(), [['Archived', '1'], ['Production', '3'], ['Staging', '2']]);
      const some = await ok(await ctx.api.get(`${RM}/get-latest-versions`).query({ name: 'staged', stages: ['staging', 'None'] }));
      assert.deepEqual(some.model_versions.map((v: any) => v.version), ['2']);
      assertError(await ctx.api.post(`${RM}/get-latest-versions`).send({ name: 'staged', stages: ['nope'] }), 400, 'INVALID_PARAMETER_VALUE');
      assertError(await ctx.api.post(`${RM}/get-latest-versions`).send({ name: 'nobody' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it('updates and tags versions; a missing version tag deletes fine', async () => {
      await ok(await ctx.api.post(`${RM}/create`).send({ name: 'described' }));
      await ok(await ctx.api.post(`${MV}/create`).send({ name: 'described', source: `runs:/${run}/model`, description: 'first', tags: [{ key: 'a', value: '1' }] }));
      assert.equal((await ok(await ctx.api.patch(`${MV}/update`).send({ name: 'described', version: '1', description: 'better' }))).model_version.description, 'better');
      await ok(await ctx.api.post(`${MV}/set-tag`).send({ name: 'described', version: '1', key: 'b', value: '2' }));
      await ok(await ctx.api.delete(`${MV}/delete-tag`).send({ name: 'described', version: '1', key: 'a' }));
      await ok(await ctx.api.delete(`${MV}/delete-tag`).send({ name: 'described', version: '1', key: 'never' }));
      const v = (await ok(await ctx.api.get(`${MV}/get`).query({ name: 'described', version: '1' }))).model_version;
      assert.deepEqual(v.tags, [{ key: 'b', value: '2' }]);
      assertError(await ctx.api.post(`${MV}/set-tag`).send({ name: 'described', version: '7', key: 'b', value: '2' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it('renames a model with its versions, tags and aliases', async () => {
      await ok(await ctx.api.post(`${RM}/create`).send({ name: 'old-name', tags: [{ key: 'k', value: 'v' }] }));
      await ok(await ctx.api.post(`${MV}/create`).send({ name: 'old-name', source: `runs:/${run}/model` }));
      await ok(await ctx.api.post(`${RM}/alias`).send({ name: 'old-name', alias: 'a', version: '1' }));
      await ok(await ctx.api.post(`${RM}/create`).send({ name: 'taken' }));
      assertError(await ctx.api.post(`${RM}/rename`).send({ name: 'old-name', new_name: 'taken' }), 400, 'RESOURCE_ALREADY_EXISTS');
      assertError(await ctx.api.post(`${RM}/rename`).send({ name: 'old-name' }), 400, 'INVALID_PARAMETER_VALUE', /new_name/);
      const renamed = await ok(await ctx.api.post(`${RM}/rename`).send({ name: 'old-name', new_name: 'new-name' }));
      assert.equal(renamed.registered_model.name, 'new-name');
      assert.deepEqual(renamed.registered_model.aliases, [{ alias: 'a', version: '1' }]);
      assert.deepEqual(renamed.registered_model.tags, [{ key: 'k', value: 'v' }]);
      assert.equal((await ok(await ctx.api.get(`${RM}/alias`).query({ name: 'new-name', alias: 'a' }))).model_version.name, 'new-name');
      assertError(await ctx.api.get(`${RM}/get`).query({ name: 'old-name' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      // Onto its own name: nothing moves.
      assert.equal((await ok(await ctx.api.post(`${RM}/rename`).send({ name: 'new-name', new_name: 'new-name' }))).registered_model.name, 'new-name');
    });

    it('searches models with filters, order and pages, and hides prompts unless asked', async () => {
      for (let i = 0; i < 12; i++) await ok(await ctx.api.post(`${RM}/create`).send({ name: `srch-${String(i).padStart(2, '0')}` }));
      await ok(await ctx.api.post(`${RM}/create`).send({ name: 'srch-prompt', tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] }));
      const names = async (q: Record<string, unknown>) => ((await ok(await ctx.api.get(`${RM}/search`).query(q))).registered_models ?? []).map((m: any) => m.name);
      const all = [...Array(12).keys()].map((i) => `srch-${String(i).padStart(2, '0')}`);
      assert.deepEqual(await names({ filter: "name LIKE 'srch-%'" }), all);
      assert.deepEqual(await names({ filter: "name LIKE 'srch-%' AND tag.`mlflow.prompt.is_prompt` != 'true'" }), all);
      assert.deepEqual(await names({ filter: "name LIKE 'srch-%' AND tags.`mlflow.prompt.is_prompt` = 'true'" }), ['srch-prompt']);
      assert.deepEqual(await names({ filter: "name LIKE 'srch-%'", order_by: 'name DESC', max_results: 3 }), all.slice(-3).reverse());

      const first = await ok(await ctx.api.get(`${RM}/search`).query({ filter: "name LIKE 'srch-%'", max_results: 5 }));
      assert.equal(first.registered_models.length, 5);
      assert.equal(first.next_page_token, Buffer.from('{"offset": 5}').toString('base64'));
      const last = await ok(await ctx.api.get(`${RM}/search`).query({ filter: "name LIKE 'srch-%'", max_results: 5, page_token: Buffer.from('{"offset": 10}').toString('base64') }));
      assert.deepEqual(last.registered_models.map((m: any) => m.name), all.slice(10));
      assert.equal(last.next_page_token, undefined);

      assertError(await ctx.api.get(`${RM}/search`).query({ max_results: 1001 }), 400, 'INVALID_PARAMETER_VALUE');
      assertError(await ctx.api.get(`${RM}/search`).query({ max_results: 0 }), 400, 'INVALID_PARAMETER_VALUE');
      assertError(await ctx.api.get(`${RM}/search`).query({ filter: 'run_id = 1' }), 400, 'INVALID_PARAMETER_VALUE');
      assertError(await ctx.api.get(`${RM}/search`).query({ order_by: 'bogus' }), 400, 'INVALID_PARAMETER_VALUE');
      assertError(await ctx.api.get(`${RM}/search`).query({ page_token: 'not a token' }), 400, 'INVALID_PARAMETER_VALUE');
    });

    it('searches versions by name, run and tag, newest first by default, hiding prompt versions', async () => {
      await ok(await ctx.api.post(`${RM}/create`).send({ name: 'vsearch' }));
      for (let i = 0; i < 3; i++) {
        await ok(await ctx.api.post(`${MV}/create`).send({ name: 'vsearch', source: `runs:/${run}/model`, tags: [{ key: 'i', value: String(i) }] }));
      }
      const versions = async (q: Record<string, unknown>) => ((await ok(await ctx.api.get(`${MV}/search`).query(q))).model_versions ?? []).map((v: any) => v.version);
      assert.deepEqual(await versions({ filter: "name = 'vsearch'" }), ['3', '2', '1']);
      assert.deepEqual(await versions({ filter: "name = 'vsearch'", order_by: 'version_number ASC' }), ['1', '2', '3']);
      assert.deepEqual(await versions({ filter: "name = 'vsearch' AND tags.i = '1'" }), ['2']);
      assert.deepEqual(await versions({ filter: "name = 'vsearch' AND version_number > 1", order_by: 'version_number ASC' }), ['2', '3']);
      assert.ok((await versions({ filter: `run_id = '${run}'` })).length >= 3);
      const paged = await ok(await ctx.api.get(`${MV}/search`).query({ filter: "name = 'vsearch'", max_results: 2 }));
      assert.equal(paged.model_versions.length, 2);
      assert.ok(paged.next_page_token);
      assertError(await ctx.api.get(`${MV}/search`).query({ max_results: 200_001 }), 400, 'INVALID_PARAMETER_VALUE');
    });

    it('prompt versions take only placeholder sources', async () => {
      const promptTags = [{ key: 'mlflow.prompt.is_prompt', value: 'true' }];
      await ok(await ctx.api.post(`${RM}/create`).send({ name: 'a-prompt', tags: promptTags }));
      const v = await ok(await ctx.api.post(`${MV}/create`).send({ name: 'a-prompt', source: 'prompt-template', tags: [...promptTags, { key: 'mlflow.prompt.text', value: 'Hi {{x}}' }] }));
      assert.equal(v.model_version.version, '1');
      assertError(await ctx.api.post(`${MV}/create`).send({ name: 'a-prompt', source: `runs:/${run}/model`, tags: promptTags }), 400, 'INVALID_PARAMETER_VALUE', /Invalid prompt source/);
      assertError(await ctx.api.post(`${RM}/create`).send({ name: 'a-prompt' }), 400, 'RESOURCE_ALREADY_EXISTS', /already taken by a prompt/);
      // A prompt's versions cannot be another version's source.
      await ok(await ctx.api.post(`${RM}/create`).send({ name: 'from-prompt' }));
      assertError(await ctx.api.post(`${MV}/create`).send({ name: 'from-prompt', source: 'models:/a-prompt/1' }), 400, 'INVALID_PARAMETER_VALUE', /Prompt versions cannot/);
    });

    it('serves a version file as an attachment and keeps hostile paths inside', async () => {
      await ok(await ctx.api.post(`${RM}/create`).send({ name: 'files' }));
      await ok(await ctx.api.post(`${MV}/create`).send({ name: 'files', source: `models:/${modelId}`, model_id: modelId }));
      const res = await ctx.api.get('/model-versions/get-artifact').query({ name: 'files', version: '1', path: 'MLmodel' });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.text, 'flavors: {}\n');
      assert.match(String(res.headers['content-disposition']), /^attachment; filename=MLmodel$/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assertError(await ctx.api.get('/model-versions/get-artifact').query({ name: 'files', version: '1', path: 'missing.txt' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      assertError(await ctx.api.get('/model-versions/get-artifact').query({ name: 'files', version: '9', path: 'MLmodel' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      assertError(await ctx.api.get('/model-versions/get-artifact').query({ name: 'files', version: '1' }), 400, 'INVALID_PARAMETER_VALUE');
      // The version's folder is named as requested, never by where its files sit in the store.
      const folder = await ctx.api.get('/model-versions/get-artifact').query({ name: 'files', version: '1', path: '' });
      assertError(folder, 400, 'INVALID_PARAMETER_VALUE');
      assert.equal(folder.body.message, "Invalid artifact path: '' is a folder; list it to see its files");

      const storeDir = path.join(ctx.artifactsRoot, modelUri.replace(/^mlflow-artifacts:\/?/, ''));
      fs.writeFileSync(path.join(storeDir, '..', 'outside.txt'), SECRET);
      fs.writeFileSync(path.join(storeDir, '..', '..', 'outside.txt'), SECRET);
      const before = snapshotTree(ctx.scratch);
      for (const { kind, value } of HOSTILE_PATHS) {
        const raw = await rawRequest(ctx, 'GET', `/model-versions/get-artifact?name=files&version=1&path=${encodeURIComponent(value)}`);
        assert.ok(raw.status === 400 || raw.status === 404, `${kind} ${JSON.stringify(value)}: ${raw.status} ${raw.text}`);
        assert.doesNotMatch(raw.text, LEAK, `${kind} ${JSON.stringify(value)}`);
      }
      assertUntouched(ctx.scratch, before, 'a hostile get-artifact');
      // Judged before the model is looked up, also with the double slash of a joined base URL.
      const doubled = await rawRequest(ctx, 'GET', '//model-versions/get-artifact?name=nobody&version=1&path=../path');
      assert.equal(doubled.status, 400, doubled.text);
      assert.deepEqual(JSON.parse(doubled.text), { error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
      const post = await ctx.api.post('/model-versions/get-artifact');
      assert.equal(post.status, 405);
    });

    it('lists a logged model\u2019s registered versions on the logged model', async () => {
      await ok(await ctx.api.post(`${RM}/create`).send({ name: 'linked' }));
      await ok(await ctx.api.post(`${MV}/create`).send({ name: 'linked', source: `models:/${modelId}`, model_id: modelId }));
      const got = await ok(await ctx.api.get(`${API}/logged-models/${modelId}`));
      const regs = got.model.info.registrations as Array<{ name: string; version: string }>;
      assert.ok(regs.some((r) => r.name === 'linked' && r.version === '1'), JSON.stringify(regs));
      const searched = await ok(await ctx.api.post(`${API}/logged-models/search`).send({ experiment_ids: [exp] }));
      assert.ok(searched.models[0].info.registrations.length >= 1);
    });

    it('answers a bad body as a client error, never a 5xx', async () => {
      for (const [verb, p] of REGISTRY_ROUTES.filter(([v]) => v !== 'GET')) {
        for (const body of ['{"name": 5}', '{"name": "x", "tags": "nope"}', '{"name": "x", "version": {}}', '[1]', '{']) {
          const res = await ctx.api[verb.toLowerCase() as 'post'](`${API}${p}`).set('Content-Type', 'application/json').send(body);
          if (res.status !== 200) assertClientError(res, `${verb} ${p} ${body}`);
        }
      }
    });
  });
}
