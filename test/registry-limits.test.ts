/**
 * Every registry field at the core's limit, in multi-byte text, stored and read back exactly on
 * every database (TRACKBRIDGE_TEST_DBS), over HTTP as the Python client sends it (non-ASCII
 * \u-escaped, six bytes a character); one past the limit is INVALID_PARAMETER_VALUE and writes
 * nothing. The registry routes' body caps hold those messages and refuse a byte more.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { assertError, createExperiment, createRun, getRun, rawRequest, startRoutes, stopRoutes, type RouteCtx } from './routes/context';
import { selectedDialects } from './support/databases';
import { REGISTRY_LIMITS as R } from '../src/core/registry-checks';
import { bodyCapOf } from '../src/protocols/mlflow/body-caps';

const API = '/api/2.0/mlflow';
const RM = `${API}/registered-models`;
const MV = `${API}/model-versions`;

/** JSON as Python's json.dumps writes it: every non-ASCII UTF-16 unit as \uXXXX. */
const escaped = (o: unknown) => JSON.stringify(o).replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Texts of `n` UTF-16 units: two-byte, three-byte and four-byte (surrogate pair) UTF-8. */
const TEXTS = { 'é': (n: number) => 'é'.repeat(n), '翻': (n: number) => '翻'.repeat(n), '😀': (n: number) => '😀'.repeat(n / 2) };
const fill = (n: number) => TEXTS['翻'](n);

const ROUTES: Record<string, [string, string]> = {
  createRegisteredModel: ['POST', `${RM}/create`],
  updateRegisteredModel: ['PATCH', `${RM}/update`],
  setRegisteredModelTag: ['POST', `${RM}/set-tag`],
  createModelVersion: ['POST', `${MV}/create`],
  updateModelVersion: ['PATCH', `${MV}/update`],
  setModelVersionTag: ['POST', `${MV}/set-tag`],
};

for (const dialect of selectedDialects()) {
  describe(`registry fields at their limits (${dialect})`, () => {
    const ctx = {} as RouteCtx;
    let run = '';
    let runUri = '';

    before(async () => {
      Object.assign(ctx, await startRoutes(dialect));
      run = await createRun(ctx, await createExperiment(ctx, 'limits'));
      runUri = (await getRun(ctx, run)).info.artifact_uri;
    });
    after(async () => { await stopRoutes(ctx); });

    async function send(rpc: keyof typeof ROUTES, body: unknown) {
      const text = typeof body === 'string' ? body : escaped(body);
      const [method, url] = ROUTES[rpc];
      const res = await rawRequest(ctx, method, url, text, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) });
      let json: any;
      try {
        json = JSON.parse(res.text);
      } catch {
        json = undefined;
      }
      return { status: res.status, body: json, text: res.text.slice(0, 300) };
    }
    async function ok(rpc: keyof typeof ROUTES, body: unknown) {
      const res = await send(rpc, body);
      assert.equal(res.status, 200, `${rpc}: ${res.text}`);
      return res.body;
    }
    const getModel = async (name: string) => (await ctx.api.get(`${RM}/get`).query({ name })).body.registered_model;
    const getVersion = async (name: string, version: string) => (await ctx.api.get(`${MV}/get`).query({ name, version })).body.model_version;

    it('stores descriptions of 100,000 characters in any script and reads them back exactly', async () => {
      for (const [script, text] of Object.entries(TEXTS)) {
        const name = `desc-${script}`;
        const description = text(R.descriptionLength);
        assert.equal(description.length, R.descriptionLength);
        await ok('createRegisteredModel', { name, description });
        assert.equal((await getModel(name)).description, description, script);
        const updated = await ok('updateRegisteredModel', { name, description: `${description.slice(2)}ab` });
        assert.equal(updated.registered_model.description, `${description.slice(2)}ab`);
        const v = await ok('createModelVersion', { name, source: `runs:/${run}/model`, description });
        assert.equal(v.model_version.description, description);
        assert.equal((await getVersion(name, '1')).description, description, script);
        await ok('updateModelVersion', { name, version: '1', description: `${description.slice(2)}ab` });
        assert.equal((await getVersion(name, '1')).description, `${description.slice(2)}ab`);
      }
    });

    it('refuses a description past 100,000 characters and writes nothing', async () => {
      const over = fill(R.descriptionLength + 1);
      assertError(await send('createRegisteredModel', { name: 'desc-over', description: over }), 400, 'INVALID_PARAMETER_VALUE', /'description' exceeds/);
      assert.equal((await ctx.api.get(`${RM}/get`).query({ name: 'desc-over' })).status, 404);
      await ok('createRegisteredModel', { name: 'desc-over', description: 'kept' });
      assertError(await send('updateRegisteredModel', { name: 'desc-over', description: over }), 400, 'INVALID_PARAMETER_VALUE');
      assert.equal((await getModel('desc-over')).description, 'kept');
      assertError(await send('createModelVersion', { name: 'desc-over', source: `runs:/${run}/model`, description: over }), 400, 'INVALID_PARAMETER_VALUE');
      assert.equal((await ctx.api.get(`${MV}/search`).query({ filter: "name = 'desc-over'" })).body.model_versions, undefined);
      await ok('createModelVersion', { name: 'desc-over', source: `runs:/${run}/model`, description: 'kept' });
      assertError(await send('updateModelVersion', { name: 'desc-over', version: '1', description: over }), 400, 'INVALID_PARAMETER_VALUE');
      assert.equal((await getVersion('desc-over', '1')).description, 'kept');
    });

    it('checks deployment_job_id: 256 characters stored, one more refused and nothing written', async () => {
      const id = fill(R.deploymentJobIdLength);
      const made = await ok('createRegisteredModel', { name: 'job', deployment_job_id: id });
      assert.equal(made.registered_model.deployment_job_id, id);
      assert.equal((await getModel('job')).deployment_job_id, id);
      assertError(await send('createRegisteredModel', { name: 'job-over', deployment_job_id: `${id}x` }), 400, 'INVALID_PARAMETER_VALUE', /deployment_job_id/);
      assert.equal((await ctx.api.get(`${RM}/get`).query({ name: 'job-over' })).status, 404);
      assertError(await send('updateRegisteredModel', { name: 'job', deployment_job_id: `${id}x` }), 400, 'INVALID_PARAMETER_VALUE', /deployment_job_id/);
      assertError(await send('createRegisteredModel', { name: 'job-nul', deployment_job_id: 'a\u0000b' }), 400, 'INVALID_PARAMETER_VALUE');
      assert.equal((await getModel('job')).deployment_job_id, id);
    });

    it('holds every other registry field at its limit in multi-byte text', async () => {
      const name = fill(R.nameLength);
      const key = fill(R.tagKeyLength);
      const value = fill(R.tagValueLength);
      const made = await ok('createRegisteredModel', { name, tags: [{ key, value }] });
      assert.equal(made.registered_model.name, name);
      assert.deepEqual((await getModel(name)).tags, [{ key, value }]);
      await ok('setRegisteredModelTag', { name, key: `${key.slice(1)}x`, value });
      assert.equal((await getModel(name)).tags.length, 2);

      const runLink = fill(R.runLinkLength);
      // A location inside the run's artifacts and a runs:/ source, each with a path at the
      // artifact-path limit (1,024 bytes, 255 a name), which bounds a source well inside its 4,096 characters.
      const longestPath = Array.from({ length: 4 }, () => fill(85)).join('/');
      assert.equal(Buffer.byteLength(longestPath), 1023);
      const located = `${runUri}/${longestPath}`;
      const runsPrefix = `runs:/${run}/`;
      const viaRuns = `${runsPrefix}${longestPath}`;
      const v1 = await ok('createModelVersion', { name, source: located, run_id: run, run_link: runLink, tags: [{ key, value }] });
      assert.equal(v1.model_version.source, located);
      const v2 = await ok('createModelVersion', { name, source: viaRuns, tags: [{ key, value }] });
      const got1 = await getVersion(name, '1');
      assert.equal(got1.source, located);
      assert.equal(got1.run_link, runLink);
      assert.deepEqual(got1.tags, [{ key, value }]);
      assert.equal((await getVersion(name, v2.model_version.version)).source, viaRuns);
      const uri = await ctx.api.get(`${MV}/get-download-uri`).query({ name, version: v2.model_version.version });
      assert.equal(uri.body.artifact_uri, `${runUri}/${viaRuns.slice(runsPrefix.length)}`);
      await ok('setModelVersionTag', { name, version: '1', key: `${key.slice(1)}x`, value });
      assert.equal((await getVersion(name, '1')).tags.length, 2);

      const alias = fill(R.aliasLength);
      const set = await rawRequest(ctx, 'POST', `${RM}/alias`, escaped({ name, alias, version: '1' }), { 'Content-Type': 'application/json' });
      assert.equal(set.status, 200, set.text.slice(0, 300));
      const byAlias = await ctx.api.get(`${RM}/alias`).query({ name, alias });
      assert.equal(byAlias.status, 200, byAlias.text.slice(0, 300));
      assert.deepEqual(byAlias.body.model_version.aliases, [alias]);

      // A prompt version's run and model ids are kept as given, at the 256 characters the id rule admits.
      const prompt = 'limits-prompt';
      const promptTag = { key: 'mlflow.prompt.is_prompt', value: 'true' };
      await ok('createRegisteredModel', { name: prompt, tags: [promptTag] });
      const runId = `r${'0'.repeat(255)}`;
      const modelId = `m${'1'.repeat(255)}`;
      const pv = await ok('createModelVersion', { name: prompt, source: 'prompt-template', run_id: runId, model_id: modelId, tags: [promptTag] });
      assert.equal(pv.model_version.run_id, runId);
      assert.equal(pv.model_version.model_id, modelId);
    });

    it('answers past-limit names, keys, values and aliases with INVALID_PARAMETER_VALUE', async () => {
      assertError(await send('createRegisteredModel', { name: fill(R.nameLength + 1) }), 400, 'INVALID_PARAMETER_VALUE');
      assertError(await send('createRegisteredModel', { name: 'tags-over', tags: [{ key: fill(R.tagKeyLength + 1), value: 'v' }] }), 400, 'INVALID_PARAMETER_VALUE');
      assertError(await send('createRegisteredModel', { name: 'tags-over', tags: [{ key: 'k', value: fill(R.tagValueLength + 1) }] }), 400, 'INVALID_PARAMETER_VALUE');
      assert.equal((await ctx.api.get(`${RM}/get`).query({ name: 'tags-over' })).status, 404);
      await ok('createRegisteredModel', { name: 'tags-over' });
      assertError(await send('createModelVersion', { name: 'tags-over', source: `runs:/${run}/model`, run_link: fill(R.runLinkLength + 1) }), 400, 'INVALID_PARAMETER_VALUE');
      const runsPrefix = `runs:/${run}/`;
      assertError(await send('createModelVersion', { name: 'tags-over', source: `${runsPrefix}${fill(R.sourceLength + 1 - runsPrefix.length)}` }), 400, 'INVALID_PARAMETER_VALUE');
      assert.equal((await ctx.api.get(`${MV}/search`).query({ filter: "name = 'tags-over'" })).body.model_versions, undefined);
    });

    it('takes a registry message at its limits within its route\'s body cap, \\u-escaped', async () => {
      // A prompt's template of 100,000 CJK characters: 600,000 bytes on the wire.
      const template = fill(R.tagValueLength);
      const promptTags = [{ key: 'mlflow.prompt.is_prompt', value: 'true' }];
      await ok('createRegisteredModel', { name: 'big-prompt', tags: promptTags, description: TEXTS['é'](R.descriptionLength) });
      const body = escaped({
        name: 'big-prompt', source: 'prompt-template', description: fill(R.descriptionLength),
        tags: [...promptTags, { key: '_mlflow_prompt_type', value: 'text' }, { key: 'mlflow.prompt.text', value: template }],
      });
      assert.ok(body.length > 6 * 2 * R.tagValueLength);
      await ok('createModelVersion', body);
      assert.equal((await getVersion('big-prompt', '1')).tags.find((t: any) => t.key === 'mlflow.prompt.text').value, template);

      // 200 tags of 1,000 characters each.
      const tags = Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, value: TEXTS['é'](1000) }));
      await ok('createRegisteredModel', { name: 'many-tags', tags });
      assert.equal((await getModel('many-tags')).tags.length, 200);
      await ok('createModelVersion', { name: 'many-tags', source: `runs:/${run}/model`, tags });
      assert.equal((await getVersion('many-tags', '1')).tags.length, 200);
      await ok('setRegisteredModelTag', { name: 'many-tags', key: fill(R.tagKeyLength), value: template });
      await ok('setModelVersionTag', { name: 'many-tags', version: '1', key: fill(R.tagKeyLength), value: template });
    });

    it('lets a body of exactly its cap through to the core and refuses one byte more', async () => {
      for (const rpc of Object.keys(ROUTES) as Array<keyof typeof ROUTES>) {
        const cap = bodyCapOf(rpc);
        // A create would succeed, so it gets a name the core refuses; the others name no model.
        const creates = rpc === 'createRegisteredModel';
        const message = { name: creates ? 'bad/name' : 'nobody-at-the-cap', version: '1', key: 'k', value: 'v', source: `runs:/${run}/model`, pad: '' };
        const pad = 'x'.repeat(cap - JSON.stringify(message).length);
        const atCap = JSON.stringify({ ...message, pad });
        assert.equal(atCap.length, cap);
        const res = await send(rpc, atCap);
        // The core answers, and about the message, not its size.
        if (creates) assertError(res, 400, 'INVALID_PARAMETER_VALUE', /Invalid model name/);
        else assertError(res, 404, 'RESOURCE_DOES_NOT_EXIST');
        const over = JSON.stringify({ ...message, pad: `${pad}x` });
        assertError(await send(rpc, over), 400, 'INVALID_PARAMETER_VALUE', new RegExp(`at most ${cap} bytes`));
      }
    });
  });
}
