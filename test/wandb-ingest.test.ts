/**
 * The W&B operations through which a client creates and updates its runs, over HTTP on the
 * built app, with the documents the real clients send (captures/wandb-0.31.0): Viewer, server
 * features, UpsertBucket (create, partial update, config → params and tags), RunResumeStatus,
 * CreateRunFiles, the Run fields clients read, and hostile input answered as GraphQL errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import supertest from 'supertest';

import { createDatabase, FAST, openTracking, selectedDialects, type OpenTracking, type TestDatabase } from './support/databases';
import { buildApp } from '../src/server';

const UPSERT = `
mutation UpsertBucket ($id: String, $name: String, $project: String, $entity: String, $groupName: String, $description: String, $displayName: String, $notes: String, $commit: String, $config: JSONString, $host: String, $debug: Boolean, $program: String, $repo: String, $jobType: String, $state: String, $sweep: String, $tags: [String!], $summaryMetrics: JSONString) {
	upsertBucket(input: {id:$id,name:$name,groupName:$groupName,modelName:$project,entityName:$entity,description:$description,displayName:$displayName,notes:$notes,config:$config,commit:$commit,host:$host,debug:$debug,jobProgram:$program,jobRepo:$repo,jobType:$jobType,state:$state,sweep:$sweep,tags:$tags,summaryMetrics:$summaryMetrics}) {
		bucket { id name displayName description config sweepName project { id name entity { id name } } historyLineCount }
		inserted
	}
}`;

const RESUME = `
query RunResumeStatus ($project: String, $entity: String, $name: String!) {
	model(name: $project, entityName: $entity) {
		id name entity { id name }
		bucket(name: $name, missingOk: true) {
			id name summaryMetrics displayName logLineCount historyLineCount eventsLineCount historyTail eventsTail config tags notes wandbConfig(keys: ["t"])
		}
	}
}`;

/** The public API's RunFragment fields, asked under an operation the ingest area serves. */
const RUN_FIELDS = `
query RunResumeStatus ($project: String, $entity: String, $name: String!) {
	model(name: $project, entityName: $entity) {
		bucket(name: $name, missingOk: true) {
			id tags name displayName sweepName state config group jobType commit host readOnly createdAt heartbeatAt
			description notes systemMetrics summaryMetrics historyLineCount user { name username } projectId
		}
	}
}`;

const CREATE_FILES = `
mutation CreateRunFiles ($entity: String!, $project: String!, $run: String!, $files: [String!]!) {
	createRunFiles(input: {entityName:$entity,projectName:$project,runName:$run,files:$files}) {
		runID uploadHeaders files { name uploadUrl }
	}
}`;

const VIEWER = 'query Viewer { viewer { id entity username email flags teams { edges { node { name } } } } }';

const CONFIG = JSON.stringify({
  layers: { value: [1, 2] }, nested: { value: { a: 1, b: { c: 'x' } } },
  _wandb: { value: { t: { 3: [13, 15, 16], 5: '0.31.0' }, m: [], cli_version: '0.31.0' } }, lr: { value: 0.01 },
});

const FIRST = {
  id: null, name: 'tu7wldth', project: 'proj1', entity: null, groupName: 'g1', description: null, displayName: 'my-display-name',
  notes: 'some notes', commit: 'abc123', config: CONFIG, host: 'vm', debug: null, program: '/home/u/train.py', repo: 'git@x:y.git',
  jobType: 'train', state: null, sweep: null, tags: ['t1', 't2'], summaryMetrics: null,
};

for (const dialect of selectedDialects()) describe(`W&B ingest operations (${dialect})`, () => {
  let db: TestDatabase;
  let t: OpenTracking;
  let agent: supertest.Agent;
  let key = '';
  let bobKey = '';

  const gql = (query: string, variables: unknown, operationName: string, auth = key) =>
    agent.post('/graphql').set('Authorization', `Basic ${Buffer.from(`api:${auth}`).toString('base64')}`)
      .send({ query, variables, operationName });
  const upsert = (vars: Record<string, unknown>, auth = key) => gql(UPSERT, { ...FIRST, ...vars }, 'UpsertBucket', auth);
  const tagsOf = async (runId: string) => Object.fromEntries((await t.tracking.runs.get(runId)).tags.map((x) => [x.key, x.value]));
  const paramsOf = async (runId: string) => Object.fromEntries((await t.tracking.runs.get(runId)).params.map((x) => [x.key, x.value]));

  before(async () => {
    db = await createDatabase(dialect);
    t = await openTracking(db.url, FAST);
    agent = supertest.agent(buildApp(t.tracking));
    key = (await t.tracking.accounts.createKey('alice')).key;
    bobKey = (await t.tracking.accounts.createKey('bob')).key;
  });
  after(async () => {
    await t.store.close();
    await db.drop();
  });

  it('answers the client telemetry routes 404 without asking for a key (only a 404 or 405 turns its exporters off)', async () => {
    for (const path of ['/sdk/otel/v1/metrics', '/sdk/otel/v1/logs', '/sdk/otel/v1/traces', '/sdk/otel']) {
      const res = await agent.post(path).set('Content-Type', 'application/x-protobuf').send(Buffer.from([0x0a, 0x00]));
      assert.equal(res.status, 404, path);
    }
    // A route that needs a key still asks for one.
    assert.equal((await agent.post('/graphql').send({ query: VIEWER, operationName: 'Viewer' })).status, 401);
  });

  it('answers Viewer, GetDefaultEntity, server features and the organization probe', async () => {
    const v = await gql(VIEWER, undefined, 'Viewer');
    assert.equal(v.status, 200);
    assert.deepEqual(v.body.data.viewer, { id: v.body.data.viewer.id, entity: 'alice', username: 'alice', email: null, flags: '{}', teams: { edges: [] } });
    const d = await gql('query GetDefaultEntity { viewer { id entity } }', {}, '');
    assert.equal(d.body.data.viewer.entity, 'alice');
    const b = await gql(VIEWER, undefined, 'Viewer', bobKey);
    assert.equal(b.body.data.viewer.entity, 'bob');
    const f = await gql('query ServerFeaturesQuery { serverInfo { features { name isEnabled } } }', undefined, 'ServerFeaturesQuery');
    assert.deepEqual(f.body, { data: { serverInfo: { features: [] } } });
    const o = await gql('query OrganizationCoreWeaveOrganizationID ($entityName: String!) { entity(name: $entityName) { organization { coreWeaveOrganizationId } } }',
      { entityName: 'alice' }, 'OrganizationCoreWeaveOrganizationID');
    assert.deepEqual(o.body, { data: { entity: { organization: null } } });
  });

  it('refuses a wrong key or none with 401, and an unknown operation with a GraphQL error', async () => {
    const wrong = await gql(VIEWER, undefined, 'Viewer', `tb-${'x'.repeat(40)}`);
    assert.equal(wrong.status, 401);
    assert.ok(wrong.body.errors[0].message);
    const none = await agent.post('/graphql').send({ query: VIEWER, operationName: 'Viewer' });
    assert.equal(none.status, 401);
    const unknown = await gql('query NoSuchThing { viewer { id } }', undefined, 'NoSuchThing');
    assert.equal(unknown.status, 200);
    assert.match(unknown.body.errors[0].message, /unsupported operation: NoSuchThing/);
  });

  it('creates the run on the first UpsertBucket, with config → params and the labels → tags', async () => {
    const res = await upsert({});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const { bucket, inserted } = res.body.data.upsertBucket;
    assert.equal(inserted, true);
    assert.equal(bucket.name, 'tu7wldth');
    assert.equal(bucket.displayName, 'my-display-name');
    assert.equal(bucket.project.name, 'proj1');
    assert.equal(bucket.project.entity.name, 'alice');
    assert.equal(bucket.historyLineCount, 0);
    assert.equal(bucket.sweepName, null);
    assert.deepEqual(JSON.parse(bucket.config), JSON.parse(CONFIG));
    assert.equal(typeof bucket.id, 'string');

    // alice is the default entity: her project is the experiment of its own name.
    const run = await t.tracking.runs.get('tu7wldth');
    const experiment = await t.tracking.experiments.get(run.info.experimentId);
    assert.equal(experiment.name, 'proj1');
    assert.equal(run.info.runName, 'my-display-name');
    assert.equal(run.info.userId, 'alice');
    assert.equal(run.info.status, 'RUNNING');
    assert.deepEqual(await paramsOf('tu7wldth'), { layers: '[1,2]', 'nested.a': '1', 'nested.b.c': 'x', lr: '0.01' });
    const tags = await tagsOf('tu7wldth');
    assert.equal(tags['mlflow.runName'], 'my-display-name');
    assert.equal(tags['wandb.tags'], '["t1","t2"]');
    assert.equal(tags['mlflow.note.content'], 'some notes');
    assert.equal(tags['wandb.group'], 'g1');
    assert.equal(tags['wandb.job_type'], 'train');
    assert.equal(tags['wandb.host'], 'vm');
    assert.equal(tags['mlflow.source.name'], '/home/u/train.py');
    assert.equal(tags['mlflow.source.git.commit'], 'abc123');
    assert.equal(tags['mlflow.source.git.repoURL'], 'git@x:y.git');
    assert.equal(tags['mlflow.user'], 'alice');
    // The whole config, _wandb included, is kept.
    assert.deepEqual(await t.tracking.runData.config('tu7wldth'), JSON.parse(CONFIG));
    assert.equal(await t.tracking.ingest.localId('run', { system: 'wandb', id: 'alice/proj1/tu7wldth' }), 'tu7wldth');
  });

  it('treats later calls as partial updates: null leaves a field as it is', async () => {
    const config = JSON.stringify({ ...JSON.parse(CONFIG), lr: { value: 0.02 }, extra: { value: 'yes' } });
    const res = await gql(UPSERT, {
      id: null, name: 'tu7wldth', project: 'proj1', entity: 'alice', groupName: null, description: null, displayName: null, notes: null,
      commit: null, config, host: null, debug: null, program: null, repo: null, jobType: null, state: null, sweep: null, tags: null, summaryMetrics: null,
    }, 'UpsertBucket');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.data.upsertBucket.inserted, false);
    assert.equal(res.body.data.upsertBucket.bucket.displayName, 'my-display-name');
    const tags = await tagsOf('tu7wldth');
    assert.equal(tags['wandb.tags'], '["t1","t2"]');
    assert.equal(tags['mlflow.note.content'], 'some notes');
    assert.equal(tags['wandb.group'], 'g1');
    const params = await paramsOf('tu7wldth');
    assert.equal(params.lr, '0.02');
    assert.equal(params.extra, 'yes');

    // By storage id, as the client sends it once it has one: new labels, a new name.
    const byId = await gql(UPSERT, { id: res.body.data.upsertBucket.bucket.id, name: null, project: 'proj1', entity: 'alice', tags: ['t3'], displayName: 'second' }, 'UpsertBucket');
    assert.equal(byId.body.data.upsertBucket.bucket.name, 'tu7wldth');
    assert.equal(byId.body.data.upsertBucket.bucket.displayName, 'second');
    const after = await tagsOf('tu7wldth');
    assert.equal(after['wandb.tags'], '["t3"]');
    assert.equal(after['mlflow.runName'], 'second');
    // Sent again, the same call changes nothing.
    const again = await gql(UPSERT, { id: res.body.data.upsertBucket.bucket.id, project: 'proj1', entity: 'alice', tags: ['t3'], displayName: 'second' }, 'UpsertBucket');
    assert.equal(again.body.data.upsertBucket.inserted, false);
    assert.deepEqual(await tagsOf('tu7wldth'), after);
  });

  it('puts a run with no project in uncategorized, and runs of other entities under entity/project', async () => {
    const res = await upsert({ name: 'noproj01', project: null, tags: null });
    assert.equal(res.body.data.upsertBucket.bucket.project.name, 'uncategorized');
    const bob = await upsert({ name: 'bobrun01', project: 'bp' }, bobKey);
    assert.equal(bob.body.data.upsertBucket.bucket.project.entity.name, 'bob');
    const run = await t.tracking.runs.get('bobrun01');
    assert.equal((await t.tracking.experiments.get(run.info.experimentId)).name, 'bob/bp');
    assert.equal((await tagsOf('bobrun01'))['mlflow.user'], 'bob');
  });

  it('takes a config whose flattened keys collide, and keeps it whole', async () => {
    const config = { 'a.b': { value: 1 }, a: { value: { b: 2 } } };
    const res = await upsert({ name: 'collide1', config: JSON.stringify(config) });
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    assert.deepEqual(JSON.parse(res.body.data.upsertBucket.bucket.config), config);
    assert.deepEqual(await t.tracking.runData.config('collide1'), config);
  });

  it('refuses a run id that exists in another project with a clear GraphQL error', async () => {
    const res = await upsert({ project: 'elsewhere' });
    assert.equal(res.status, 200);
    assert.equal(res.body.data.upsertBucket, null);
    assert.match(res.body.errors[0].message, /Run tu7wldth already exists in experiment 'proj1'/);
    assert.equal(await t.store.getExperimentByName('elsewhere'), undefined);
  });

  it('answers RunResumeStatus: null for an unknown run, every field the client needs for a known one', async () => {
    const unknown = await gql(RESUME, { project: 'proj1', entity: null, name: 'nosuchrun' }, 'RunResumeStatus');
    assert.equal(unknown.body.data.model.bucket, null);
    const noProject = await gql(RESUME, { project: 'nosuchproject', entity: null, name: 'x' }, 'RunResumeStatus');
    assert.equal(noProject.body.data.model, null);

    const fresh = await gql(RESUME, { project: 'proj1', entity: null, name: 'tu7wldth' }, 'RunResumeStatus');
    const b0 = fresh.body.data.model.bucket;
    assert.deepEqual([b0.historyLineCount, b0.eventsLineCount, b0.logLineCount, b0.historyTail, b0.eventsTail], [0, 0, 0, '[]', '[]']);

    const T = 1_700_000_000_000;
    const rows = Array.from({ length: 10 }, (_, i) => ({ step: i, timestamp: T + i, metrics: [{ key: 'loss', value: 1 / (i + 1) }], values: [] }));
    await t.tracking.runData.logHistoryRows('tu7wldth', 'wandb-history.jsonl', 0, rows);
    await t.tracking.runData.logHistoryRows('tu7wldth', 'wandb-events.jsonl', 0, [0, 1].map((i) => ({ step: i, timestamp: T, metrics: [{ key: 'system/cpu', value: 5 }], values: [] })));
    await t.tracking.runData.logConsoleLines('tu7wldth', 'output.log', 0, ['a', 'b', 'c', 'd']);
    await t.tracking.runData.setSummary('tu7wldth', { loss: 0.1, _step: 9, _runtime: 12.5, _timestamp: 1_700_000_009, _wandb: { runtime: 12 } });

    const res = await gql(RESUME, { project: 'proj1', entity: null, name: 'tu7wldth' }, 'RunResumeStatus');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const m = res.body.data.model;
    assert.equal(m.name, 'proj1');
    assert.equal(m.entity.name, 'alice');
    const b = m.bucket;
    assert.equal(b.name, 'tu7wldth');
    assert.equal(b.historyLineCount, 10);
    assert.equal(b.eventsLineCount, 2);
    assert.equal(b.logLineCount, 4);
    const tail = JSON.parse(b.historyTail);
    assert.ok(Array.isArray(tail) && tail.length >= 1);
    const last = JSON.parse(tail[tail.length - 1]);
    assert.equal(last._step, 9);
    assert.equal(last._runtime, 12.5);
    assert.ok(Array.isArray(JSON.parse(b.eventsTail)));
    assert.deepEqual(JSON.parse(b.summaryMetrics)._step, 9);
    assert.deepEqual(JSON.parse(b.wandbConfig), { t: { 3: [13, 15, 16], 5: '0.31.0' } });
    assert.equal(JSON.parse(b.config).lr.value, 0.02);
    assert.deepEqual(b.tags, ['t3']);
    assert.equal(b.notes, 'some notes');
    assert.equal(b.displayName, 'second');
  });

  it('answers the fields the public API reads, for W&B and MLflow runs alike', async () => {
    const res = await gql(RUN_FIELDS, { project: 'proj1', name: 'tu7wldth' }, 'RunResumeStatus');
    const r = res.body.data.model.bucket;
    assert.equal(r.state, 'running');
    assert.deepEqual(r.tags, ['t3']);
    assert.equal(r.group, 'g1');
    assert.equal(r.jobType, 'train');
    assert.equal(r.commit, 'abc123');
    assert.equal(r.host, 'vm');
    assert.equal(r.readOnly, false);
    assert.match(r.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.match(r.heartbeatAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.deepEqual(r.user, { name: 'alice', username: 'alice' });
    // The public API reads it with int().
    assert.match(r.projectId, /^\d+$/);
    assert.equal(JSON.parse(r.systemMetrics)['system.cpu'], 5);
    assert.equal(JSON.parse(r.summaryMetrics).loss, 0.1);

    // A client not heard from for over five minutes has crashed.
    await t.tracking.runData.heartbeat('tu7wldth', Date.now() - 6 * 60 * 1000);
    const crashed = await gql(RUN_FIELDS, { project: 'proj1', name: 'tu7wldth' }, 'RunResumeStatus');
    assert.equal(crashed.body.data.model.bucket.state, 'crashed');
    await t.tracking.runData.heartbeat('tu7wldth', Date.now());

    // An MLflow run: params as the config, latest metrics as the summary.
    const expId = await t.tracking.experiments.create('mlflow-exp', undefined, []);
    const ml = await t.tracking.runs.create({ experimentId: expId, userId: 'carol', tags: [] });
    const runId = ml.info.runId;
    await t.tracking.runs.logBatch(runId, {
      params: [{ key: 'alpha', value: '0.5' }], tags: [],
      metrics: [{ key: 'acc', value: 0.9, step: 3, timestamp: 1 }, { key: 'system/gpu', value: 7, step: 0, timestamp: 1 }],
    });
    await t.tracking.runs.update(runId, { status: 'FINISHED', endTime: Date.now() });
    const m = (await gql(RUN_FIELDS, { project: 'mlflow-exp', name: runId }, 'RunResumeStatus')).body.data.model.bucket;
    assert.equal(m.state, 'finished');
    assert.deepEqual(JSON.parse(m.config), { alpha: { value: '0.5' } });
    assert.deepEqual(JSON.parse(m.summaryMetrics), { acc: 0.9 });
    assert.deepEqual(JSON.parse(m.systemMetrics), { 'system.gpu': 7 });
    assert.deepEqual(m.tags, []);
    assert.deepEqual(m.user, { name: 'carol', username: 'carol' });
    const resume = (await gql(RESUME, { project: 'mlflow-exp', name: runId }, 'RunResumeStatus')).body.data.model.bucket;
    assert.deepEqual(JSON.parse(resume.wandbConfig), { t: {} });
  });

  it('answers CreateRunFiles one for one, with no URL for a name that is no safe relative path', async () => {
    const files = ['output.log', 'wandb-summary.json', '../escape.txt', 'media/images/img_0_abc.png', '/etc/passwd', 'a\\b', '', 'dir/', 'x%2e%2e/y', 'ok.txt'];
    const res = await gql(CREATE_FILES, { entity: 'alice', project: 'proj1', run: 'tu7wldth', files }, 'CreateRunFiles');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const out = res.body.data.createRunFiles;
    assert.deepEqual(out.uploadHeaders, []);
    assert.equal(typeof out.runID, 'string');
    assert.deepEqual(out.files.map((f: { name: string }) => f.name), files);
    const safe = out.files.map((f: { uploadUrl: string | null }) => f.uploadUrl !== null);
    assert.deepEqual(safe, [true, true, false, true, false, false, false, false, false, true]);
    for (const f of out.files) if (f.uploadUrl) assert.match(f.uploadUrl, /^http:\/\/127\.0\.0\.1:\d+\/storage\/[A-Za-z0-9_.-]+$/);
    const verified = await t.tracking.capabilities.verify(out.files[0].uploadUrl.split('/storage/')[1]);
    assert.deepEqual(verified, { purpose: 'run-file-put', claims: { r: 'tu7wldth', f: 'output.log' } });

    const missing = await gql(CREATE_FILES, { entity: 'alice', project: 'proj1', run: 'nosuchrun', files: ['a'] }, 'CreateRunFiles');
    assert.match(missing.body.errors[0].message, /not found/);
    const otherProject = await gql(CREATE_FILES, { entity: 'bob', project: 'bp', run: 'tu7wldth', files: ['a'] }, 'CreateRunFiles');
    assert.match(otherProject.body.errors[0].message, /not found/);
  });

  it('answers hostile input with GraphQL errors, never a 500, and stores nothing', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['a config that is not JSON', { name: 'hostile1', config: '{"a":' }, /config/],
      ['a config that is not an object', { name: 'hostile1', config: '[1,2]' }, /JSON object/],
      ['a huge config', { name: 'hostile1', config: JSON.stringify({ a: { value: 'x'.repeat(8 * 1024 * 1024) } }) }, /maximum size/],
      ['a deeply nested config', { name: 'hostile1', config: `${'{"a":'.repeat(500)}1${'}'.repeat(500)}` }, /nests deeper/],
      ['an entity with a slash', { name: 'hostile1', entity: 'a/b' }, /entityName/],
      ['a long project name', { name: 'hostile1', project: 'p'.repeat(129) }, /modelName/],
      ['a huge display name', { name: 'hostile1', displayName: 'd'.repeat(2 * 1024 * 1024) }, /displayName/],
      ['a bad run id', { name: '../../etc' }, /run id/],
      ['an unknown state', { name: 'hostile1', state: 'exploded' }, /state/],
      ['a storage id of something else', { id: 'bm90IGEgcnVu', name: 'hostile1' }, /'id'/],
      ['too many labels', { name: 'hostile1', tags: Array.from({ length: 1001 }, (_, i) => `t${i}`) }, /tags/],
      ['labels too long together', { name: 'hostile1', tags: Array.from({ length: 100 }, () => 'x'.repeat(200)) }, /tags/],
    ];
    for (const [what, vars, re] of cases) {
      const res = await upsert({ tags: null, ...vars });
      assert.equal(res.status, 200, `${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      assert.ok(res.body.errors?.length, what);
      assert.match(res.body.errors[0].message, re, what);
      assert.notEqual(res.body.errors[0].message, 'internal server error', what);
    }
    // Wrong types, inline where the variables' declared types do not guard them.
    const inline = [
      'mutation UpsertBucket { upsertBucket(input: {name: 5}) { bucket { id } } }',
      'mutation UpsertBucket { upsertBucket(input: {name: "hostile2", tags: "t1"}) { bucket { id } } }',
      'mutation UpsertBucket { upsertBucket(input: {name: "hostile2", tags: [1, 2]}) { bucket { id } } }',
      'mutation UpsertBucket { upsertBucket(input: {name: "hostile2", config: 7}) { bucket { id } } }',
      'mutation UpsertBucket { upsertBucket(input: "x") { bucket { id } } }',
      'mutation UpsertBucket { upsertBucket { bucket { id } } }',
      'mutation UpsertBucket { upsertBucket(input: {name: "hostile2", debug: "yes"}) { bucket { id } } }',
      'mutation CreateRunFiles { createRunFiles(input: {entityName: "alice", projectName: "proj1", runName: "tu7wldth", files: "output.log"}) { runID } }',
      'mutation CreateRunFiles { createRunFiles(input: {entityName: "alice", projectName: "proj1", runName: "tu7wldth", files: [{a: 1}]}) { runID } }',
      'query RunResumeStatus { model(name: "proj1") { bucket(name: 5, missingOk: true) { id } } }',
      'query RunResumeStatus { model(name: "proj1") { bucket(name: "tu7wldth") { wandbConfig(keys: [1]) } } }',
    ];
    for (const query of inline) {
      const name = /^\w+ (\w+)/.exec(query)![1];
      const res = await gql(query, {}, name);
      assert.equal(res.status, 200, `${query}: ${res.status}`);
      assert.ok(res.body.errors?.length, query);
      assert.notEqual(res.body.errors[0].message, 'internal server error', query);
    }
    // A variable of the wrong scalar type is refused by the variables' own types.
    const typed = await gql(UPSERT, { ...FIRST, name: 123 }, 'UpsertBucket');
    assert.equal(typed.status, 200);
    assert.match(typed.body.errors[0].message, /String cannot represent a non string value/);
    for (const id of ['hostile1', 'hostile2']) assert.equal(await t.store.getRun(id), undefined);
  });
});
