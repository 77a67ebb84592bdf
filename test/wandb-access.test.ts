/**
 * Who may write which W&B runs (core/run-access.ts), and the run edits that depend on it: a key
 * writes its own entity's runs and the default entity's, never another's (UpsertBucket,
 * file_stream, CreateRunFiles); reads stay open. The public API's Run.update() edits a run in
 * its own project; a resumed run that had ended is running again.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import supertest from 'supertest';

import { createDatabase, FAST, openTracking, selectedDialects, type OpenTracking, type TestDatabase } from './support/databases';
import { buildApp } from '../src/server';

const UPSERT = `
mutation UpsertBucket ($id: String, $name: String, $project: String, $entity: String, $notes: String, $config: JSONString, $host: String, $program: String, $state: String, $tags: [String!]) {
	upsertBucket(input: {id:$id,name:$name,modelName:$project,entityName:$entity,notes:$notes,config:$config,host:$host,jobProgram:$program,state:$state,tags:$tags}) {
		bucket { id name project { name entity { name } } }
		inserted
	}
}`;

/** wandb/apis/public/runs.py Run.update(), input exactly as the public API sends it. */
const API_UPDATE = `
mutation UpsertBucket($id: String!, $description: String, $display_name: String, $notes: String, $tags: [String!], $config: JSONString!, $groupName: String, $jobType: String) {
    upsertBucket(input: {id: $id, description: $description, displayName: $display_name, notes: $notes, tags: $tags, config: $config, groupName: $groupName, jobType: $jobType}) {
        bucket { id name tags notes project { name entity { name } } }
    }
}`;

const RESUME = `
query RunResumeStatus ($project: String, $entity: String, $name: String!) {
	model(name: $project, entityName: $entity) {
		bucket(name: $name, missingOk: true) { id name historyLineCount }
	}
}`;

const CREATE_FILES = `
mutation CreateRunFiles ($entity: String!, $project: String!, $run: String!, $files: [String!]!) {
	createRunFiles(input: {entityName:$entity,projectName:$project,runName:$run,files:$files}) { runID files { name uploadUrl } }
}`;

for (const dialect of selectedDialects()) describe(`W&B write access (${dialect})`, () => {
  let db: TestDatabase;
  let t: OpenTracking;
  let agent: supertest.Agent;
  const keys: Record<string, string> = {};
  const basic = (who: string) => `Basic ${Buffer.from(`api:${keys[who]}`).toString('base64')}`;
  const gql = (who: string, query: string, variables: unknown, operationName: string) =>
    agent.post('/graphql').set('Authorization', basic(who)).send({ query, variables, operationName });
  const tagsOf = async (runId: string) => Object.fromEntries((await t.tracking.runs.get(runId)).tags.map((x) => [x.key, x.value]));
  const errorOf = (res: supertest.Response) => res.body.errors?.[0]?.message as string | undefined;

  before(async () => {
    db = await createDatabase(dialect);
    t = await openTracking(db.url, FAST);
    agent = supertest.agent(buildApp(t.tracking));
    // alice is the first user, so hers is the default entity every key shares.
    for (const who of ['alice', 'bob', 'carol']) keys[who] = (await t.tracking.accounts.createKey(who)).key;
    const c = await gql('carol', UPSERT, { name: 'carolrun', project: 'cp', notes: 'mine', tags: ['c'] }, 'UpsertBucket');
    assert.equal(c.body.data.upsertBucket.bucket.project.entity.name, 'carol');
  });
  after(async () => {
    await t.store.close();
    await db.drop();
  });

  it('refuses an upsert of another entity\'s run, or of a new run in it, and stores nothing', async () => {
    const before = await tagsOf('carolrun');
    const edit = await gql('bob', UPSERT, { name: 'carolrun', project: 'cp', entity: 'carol', notes: 'hacked', tags: ['owned-by-bob'] }, 'UpsertBucket');
    assert.match(errorOf(edit) ?? '', /Permission denied.*entity 'carol'/);
    assert.equal(edit.body.errors[0].extensions?.code ?? 'PERMISSION_DENIED', 'PERMISSION_DENIED');
    assert.deepEqual(await tagsOf('carolrun'), before);
    const create = await gql('bob', UPSERT, { name: 'bobincarol', project: 'np', entity: 'carol' }, 'UpsertBucket');
    assert.match(errorOf(create) ?? '', /Permission denied/);
    assert.equal(await t.tracking.runs.find('bobincarol'), undefined);
    assert.equal(await t.tracking.experiments.findByName('carol/np'), undefined);
    // By storage id alone (the public API's update) the run is as foreign.
    const byId = await gql('bob', API_UPDATE, { id: Buffer.from('Run:carolrun').toString('base64'), tags: ['x'], config: '{}' }, 'UpsertBucket');
    assert.match(errorOf(byId) ?? '', /Permission denied/);
    assert.deepEqual(await tagsOf('carolrun'), before);
  });

  it('lets a key write its own entity and the default one, MLflow\'s runs included', async () => {
    const own = await gql('bob', UPSERT, { name: 'bobrun01', project: 'bp' }, 'UpsertBucket');
    assert.equal(own.body.data.upsertBucket.bucket.project.entity.name, 'bob');
    const shared = await gql('bob', UPSERT, { name: 'bobshared', project: 'team', entity: 'alice' }, 'UpsertBucket');
    assert.equal(errorOf(shared), undefined);
    assert.equal(shared.body.data.upsertBucket.bucket.project.entity.name, 'alice');
    const mlflow = await t.tracking.runs.create({ experimentId: '0', userId: 'm', startTime: Date.now(), tags: [] } as never);
    const fs = await agent.post(`/files/alice/Default/${mlflow.info.runId}/file_stream`).set('Authorization', basic('carol')).send({});
    assert.equal(fs.status, 200);
  });

  it('answers a file_stream to another entity\'s run with 403 and applies nothing', async () => {
    const res = await agent.post('/files/bob/whatever/carolrun/file_stream').set('Authorization', basic('bob'))
      .send({ files: { 'wandb-summary.json': { offset: 0, content: ['{"hacked":1}'] } }, complete: true, exitcode: 1 });
    assert.equal(res.status, 403);
    assert.match(res.body.error, /Permission denied/);
    const run = await t.tracking.runs.get('carolrun');
    assert.equal(run.info.status, 'RUNNING');
    const own = await agent.post('/files/carol/cp/carolrun/file_stream').set('Authorization', basic('carol')).send({});
    assert.equal(own.status, 200);
    const missing = await agent.post('/files/bob/bp/nosuchrun/file_stream').set('Authorization', basic('bob')).send({});
    assert.equal(missing.status, 404);
  });

  it('gives upload URLs only for runs the key may write; reads stay open', async () => {
    const foreign = await gql('bob', CREATE_FILES, { entity: 'carol', project: 'cp', run: 'carolrun', files: ['a.txt'] }, 'CreateRunFiles');
    assert.match(errorOf(foreign) ?? '', /Permission denied/);
    const own = await gql('carol', CREATE_FILES, { entity: 'carol', project: 'cp', run: 'carolrun', files: ['a.txt'] }, 'CreateRunFiles');
    assert.ok(own.body.data.createRunFiles.files[0].uploadUrl);
    const read = await gql('bob', RESUME, { entity: 'carol', project: 'cp', name: 'carolrun' }, 'RunResumeStatus');
    assert.equal(read.body.data.model.bucket.name, 'carolrun');
  });

  it('edits a run through the public API\'s Run.update() in its own project, leaving it ended', async () => {
    const made = await gql('alice', UPSERT, { name: 'resrun01', project: 'p2', tags: ['a'] }, 'UpsertBucket');
    await agent.post('/files/alice/p2/resrun01/file_stream').set('Authorization', basic('alice')).send({ complete: true, exitcode: 0 });
    const res = await gql('alice', API_UPDATE, {
      id: made.body.data.upsertBucket.bucket.id, description: null, display_name: 'renamed', notes: 'later', tags: ['a', 'viaapi'],
      config: JSON.stringify({ lr: { value: 0.5 } }), groupName: null, jobType: null,
    }, 'UpsertBucket');
    assert.equal(errorOf(res), undefined);
    assert.deepEqual(res.body.data.upsertBucket.bucket.project, { name: 'p2', entity: { name: 'alice' } });
    assert.deepEqual(res.body.data.upsertBucket.bucket.tags, ['a', 'viaapi']);
    const run = await t.tracking.runs.get('resrun01');
    assert.equal(run.info.status, 'FINISHED');
    assert.ok(run.info.endTime);
    assert.equal(run.info.runName, 'renamed');
    assert.equal(Object.fromEntries(run.params.map((p) => [p.key, p.value])).lr, '0.5');
    const unknown = await gql('alice', API_UPDATE, { id: Buffer.from('Run:nosuch99').toString('base64'), config: '{}' }, 'UpsertBucket');
    assert.match(errorOf(unknown) ?? '', /nosuch99/);
    assert.equal(await t.tracking.runs.find('nosuch99'), undefined);
  });

  it('reopens an ended run its client resumes (RunResumeStatus, then UpsertBucket), and only then', async () => {
    await gql('alice', UPSERT, { name: 'resrun02', project: 'p3' }, 'UpsertBucket');
    await agent.post('/files/alice/p3/resrun02/file_stream').set('Authorization', basic('alice')).send({ complete: true, exitcode: 0 });
    // An upsert without the ask (a late config write, an edit) leaves it ended; so does another entity's ask.
    await gql('alice', UPSERT, { name: 'resrun02', project: 'p3', notes: 'late' }, 'UpsertBucket');
    await gql('bob', RESUME, { entity: 'alice', project: 'p3', name: 'resrun02' }, 'RunResumeStatus');
    await gql('alice', UPSERT, { name: 'resrun02', project: 'p3', notes: 'late again' }, 'UpsertBucket');
    assert.equal((await t.tracking.runs.get('resrun02')).info.status, 'FINISHED');
    const asked = await gql('alice', RESUME, { entity: null, project: 'p3', name: 'resrun02' }, 'RunResumeStatus');
    const id = asked.body.data.model.bucket.id;
    const up = await gql('alice', UPSERT, { id, name: 'resrun02', project: 'p3', host: 'vm', program: 'x.py' }, 'UpsertBucket');
    assert.equal(errorOf(up), undefined);
    const run = await t.tracking.runs.get('resrun02');
    assert.equal(run.info.status, 'RUNNING');
    assert.equal(run.info.endTime ?? null, null);
    // Ending it again is the stream's `complete` as usual.
    await agent.post('/files/alice/p3/resrun02/file_stream').set('Authorization', basic('alice')).send({ complete: true, exitcode: 1 });
    assert.equal((await t.tracking.runs.get('resrun02')).info.status, 'FAILED');
  });
});

describe('W&B front-end layering', () => {
  it('reads through the core services, never the store', () => {
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
    });
    const offending = files(join(__dirname, '..', 'src', 'protocols', 'wandb')).filter((p) => /tracking\.store\b/.test(readFileSync(p, 'utf8')));
    assert.deepEqual(offending, []);
  });
});
