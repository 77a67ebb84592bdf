/**
 * W&B artifacts through the GraphQL endpoint and the signed storage URLs, on every database: the
 * real client's documents for logging (create → manifest → files → PUT → manifest upload → PUT →
 * commit), reading back by id, by name and alias, files and manifest downloads, a run's logged
 * and used artifacts, digest dedupe, `latest` moving, version numbers under concurrency, and
 * hostile input and tokens.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';

import { buildApp } from '../src/server';
import { LocalArtifactStore } from '../src/artifacts/local';
import type { Tracking } from '../src/core/tracking';
import type { SqlStore } from '../src/store/sql-store';
import { createDatabase, FAST, openTracking, selectedDialects, type TestDatabase } from './support/databases';
import { DOCS } from './wandb-artifacts-documents';
import { GraphqlEngine } from '../src/protocols/wandb/graphql/engine';
import type { GraphqlArea } from '../src/protocols/wandb/graphql/area';
import { baseArea } from '../src/protocols/wandb/graphql/base';
import { artifactsArea } from '../src/protocols/wandb/graphql/artifacts';
import type { ProjectSource } from '../src/protocols/wandb/graphql/sources';
import type { WandbContext } from '../src/protocols/wandb/context';
import { RequestCost } from '../src/protocols/wandb/graphql/request-cost';

const md5b64 = (b: Buffer | string) => createHash('md5').update(b).digest('base64');
const md5hex = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

interface Ctx {
  db: TestDatabase; store: SqlStore; tracking: Tracking; server: http.Server; api: supertest.Agent;
  auth: string; root: string; runId: string; otherRunId: string;
}

async function start(dialect: Parameters<typeof createDatabase>[0]): Promise<Ctx> {
  const db = await createDatabase(dialect);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-wandb-art-'));
  const { store, tracking } = await openTracking(db.url, FAST, new LocalArtifactStore(root));
  const key = await tracking.accounts.createKey('alice');
  const experimentId = await tracking.experiments.create('proj', undefined, []);
  const run = await tracking.runs.create({ experimentId, tags: [] });
  const other = await tracking.runs.create({ experimentId, tags: [] });
  const app = buildApp(tracking);
  const server = await new Promise<http.Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  const api = supertest.agent(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return {
    db, store, tracking, server, api, root, runId: run.info.runId, otherRunId: other.info.runId,
    auth: `Basic ${Buffer.from(`api:${key.key}`).toString('base64')}`,
  };
}

async function gql(c: Ctx, name: keyof typeof DOCS, variables: Record<string, unknown>) {
  const res = await c.api.post('/graphql').set('Authorization', c.auth).send({ query: DOCS[name], variables, operationName: name });
  return res;
}

/** data of a request that must succeed. */
async function ok(c: Ctx, name: keyof typeof DOCS, variables: Record<string, unknown>) {
  const res = await gql(c, name, variables);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
  return res.body.data;
}

/** The message of a request that must be refused as a GraphQL error (never a 500). */
async function refused(c: Ctx, name: keyof typeof DOCS, variables: Record<string, unknown>): Promise<string> {
  const res = await gql(c, name, variables);
  assert.ok(res.status === 200 || res.status === 400, `status ${res.status}`);
  assert.ok(res.body.errors?.length, `expected an error: ${JSON.stringify(res.body)}`);
  const message = res.body.errors[0].message as string;
  assert.notEqual(message, 'internal server error');
  return message;
}

const pathOf = (url: string) => new URL(url).pathname;

/** A download's body as bytes, whatever its type. */
const download = (c: Ctx, url: string) => supertest(c.server).get(url.startsWith('/') ? url : pathOf(url)).buffer(true).parse((res, cb) => {
  const chunks: Buffer[] = []; res.on('data', (d: Buffer) => chunks.push(d)); res.on('end', () => cb(null, Buffer.concat(chunks)));
});

/**
 * Run.outputArtifacts and inputArtifacts are reached through Project.run, which another area
 * serves; this engine adds a stand-in for it so the artifact fields are tested on their own.
 */
const runLookup: GraphqlArea = {
  name: 'test-run-lookup', operations: [],
  sdl: 'extend type Project { run(name: String): Run }',
  resolvers: { Project: { run: async (p: ProjectSource, args: { name: string }, ctx: WandbContext) => ({ project: p, run: await ctx.tracking.runs.get(args.name) }) } },
};

async function runArtifacts(c: Ctx, op: 'RunOutputArtifacts' | 'RunInputArtifacts', runId: string) {
  const engine = new GraphqlEngine([baseArea, artifactsArea, runLookup]);
  const account = (await c.tracking.accounts.authenticate(Buffer.from(c.auth.slice(6), 'base64').toString().slice(4)))!;
  const ctx: WandbContext = { tracking: c.tracking, account, baseUrl: 'http://127.0.0.1', log: (m) => assert.fail(m), cost: new RequestCost() };
  const answer = await engine.run({ query: DOCS[op], variables: { entity: 'alice', project: 'proj', run: runId, cursor: null, perPage: 50 }, operationName: op }, ctx);
  assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
  return (answer.body.data as any).project.run.artifacts;
}

interface Logged { id: string; state: string; digest: string }

/** The client's whole logging sequence for files {path: content}; returns the artifact as committed. */
async function logArtifact(c: Ctx, name: string, files: Record<string, string>, opts: { aliases?: string[]; type?: string; clientID?: string } = {}): Promise<Logged> {
  const contents: Record<string, unknown> = {};
  for (const [p, text] of Object.entries(files)) contents[p] = { digest: md5b64(text), size: Buffer.byteLength(text) };
  const manifest = JSON.stringify({ version: 1, storagePolicy: 'wandb-storage-policy-v1', storagePolicyConfig: { storageLayout: 'V2' }, contents });
  const digest = md5hex(JSON.stringify(contents));
  const created = await ok(c, 'CreateArtifact', { input: {
    aliases: ['latest', ...(opts.aliases ?? [])].map((alias) => ({ alias, artifactCollectionName: name })),
    artifactCollectionName: name, artifactTypeName: opts.type ?? 'dataset', clientID: opts.clientID ?? `c-${Math.random()}`, digest,
    digestAlgorithm: 'MANIFEST_MD5', enableDigestDeduplication: true, entityName: 'alice', projectName: 'proj', runName: c.runId,
    metadata: '{"k":"v"}', description: null, historyStep: null, sequenceClientID: 's', storageRegion: null, ttlDurationSeconds: null,
  } });
  const art = created.createArtifact.artifact;
  if (art.state === 'COMMITTED') return { id: art.id, state: art.state, digest };
  assert.equal(art.state, 'PENDING');
  const base = { artifactID: art.id, baseArtifactID: null, name: 'wandb_manifest.json', entityName: 'alice', projectName: 'proj', runName: c.runId, manifestType: 'FULL' };
  const m1 = await ok(c, 'CreateArtifactManifest', { ...base, digest: '', includeUpload: false });
  const manifestId = m1.createArtifactManifest.artifactManifest.id;
  assert.ok(m1.createArtifactManifest.artifactManifest.file.id);
  const names = Object.keys(files);
  const filesOut = await ok(c, 'CreateArtifactFiles', { input: {
    artifactFiles: names.map((n) => ({ artifactID: art.id, artifactManifestID: manifestId, md5: md5b64(files[n]), mimetype: null, name: n, uploadPartsInput: null })),
    storageLayout: 'V2',
  } });
  const edges = filesOut.createArtifactFiles.files.edges;
  assert.equal(edges.length, names.length);
  for (let i = 0; i < names.length; i++) {
    const node = edges[i].node;
    assert.equal(node.artifact.id, art.id);
    assert.equal(node.uploadMultipartUrls, null);
    if (node.uploadUrl) {
      const put = await c.api.put(pathOf(node.uploadUrl)).send(Buffer.from(files[names[i]]));
      assert.equal(put.status, 200, put.text);
    }
  }
  const m2 = await ok(c, 'CreateArtifactManifest', { ...base, digest: md5b64(manifest), includeUpload: true });
  const upload = m2.createArtifactManifest.artifactManifest.file.uploadUrl;
  assert.deepEqual(m2.createArtifactManifest.artifactManifest.file.uploadHeaders, []);
  const putManifest = await c.api.put(pathOf(upload)).send(Buffer.from(manifest));
  assert.equal(putManifest.status, 200, putManifest.text);
  const committed = await ok(c, 'CommitArtifact', { artifactID: art.id });
  assert.equal(committed.commitArtifact.artifact.id, art.id);
  assert.equal(committed.commitArtifact.artifact.digest, digest);
  return { id: art.id, state: 'COMMITTED', digest };
}

for (const dialect of selectedDialects()) {
  describe(`W&B artifacts (${dialect})`, () => {
    let c: Ctx;
    before(async () => { c = await start(dialect); });
    after(async () => {
      await new Promise((r) => c?.server.close(r));
      await c?.store.close();
      await c?.db.drop();
      if (c) fs.rmSync(c.root, { recursive: true, force: true });
    });

    it('logs an artifact the way the client does and reads it back by id, name, alias, files and manifest', async () => {
      const logged = await logArtifact(c, 'mymodel', { 'model.txt': 'weights!', 'sub/dir/b.json': '{"b":1}' }, { aliases: ['best'], type: 'model' });
      const byId = (await ok(c, 'ArtifactByID', { id: logged.id })).artifact;
      assert.equal(byId.__typename, 'Artifact');
      assert.equal(byId.versionIndex, 0);
      assert.equal(byId.state, 'COMMITTED');
      assert.equal(byId.artifactType.name, 'model');
      assert.equal(byId.artifactSequence.__typename, 'ArtifactSequence');
      assert.equal(byId.artifactSequence.name, 'mymodel');
      assert.equal(byId.artifactSequence.project.name, 'proj');
      assert.equal(byId.artifactSequence.project.entity.name, 'alice');
      assert.equal(byId.fileCount, 2);
      assert.equal(byId.size, 8 + 7);
      assert.equal(byId.metadata, '{"k":"v"}');
      assert.equal(byId.ttlDurationSeconds, -2);
      assert.deepEqual(byId.tags, []);
      assert.deepEqual(byId.aliases.map((a: any) => a.alias).sort(), ['best', 'latest']);
      assert.equal(byId.aliases[0].artifactCollection.__typename, 'ArtifactSequence');

      const typed = await ok(c, 'ArtifactType', { entity: 'alice', project: 'proj', name: 'mymodel:latest' });
      assert.equal(typed.project.artifact.artifactType.name, 'model');
      assert.equal((await ok(c, 'ArtifactType', { entity: 'alice', project: 'proj', name: 'nothing:latest' })).project.artifact, null);

      for (const name of ['mymodel:v0', 'mymodel:latest', 'mymodel:best']) {
        const m = (await ok(c, 'ArtifactMembershipByName', { entity: 'alice', project: 'proj', name })).project.artifactCollectionMembership;
        assert.equal(m.__typename, 'ArtifactCollectionMembership');
        assert.equal(m.versionIndex, 0);
        assert.equal(m.artifact.id, logged.id);
        assert.equal(m.artifactCollection.name, 'mymodel');
      }
      assert.equal((await ok(c, 'ArtifactMembershipByName', { entity: 'alice', project: 'proj', name: 'mymodel:v7' })).project.artifactCollectionMembership, null);

      const urls = (await ok(c, 'GetArtifactMembershipFileUrls', { entity: 'alice', project: 'proj', collection: 'mymodel', alias: 'v0', cursor: null, perPage: 1 }))
        .project.artifactCollection.artifactMembership.files;
      assert.equal(urls.edges.length, 1);
      assert.equal(urls.pageInfo.hasNextPage, true);
      const rest = (await ok(c, 'GetArtifactMembershipFileUrls', { entity: 'alice', project: 'proj', collection: 'mymodel', alias: 'v0', cursor: urls.pageInfo.endCursor, perPage: 10 }))
        .project.artifactCollection.artifactMembership.files;
      assert.equal(rest.pageInfo.hasNextPage, false);
      const all = [...urls.edges, ...rest.edges].map((e: any) => e.node);
      assert.deepEqual(all.map((n: any) => n.name), ['model.txt', 'sub/dir/b.json']);
      assert.equal(all[0].__typename, 'File');
      // Downloads need no credentials: the URL is the permission.
      const got = await download(c, all[0].directUrl);
      assert.equal(got.status, 200);
      assert.equal(got.body.toString(), 'weights!');

      const manifest = (await ok(c, 'FetchArtifactManifest', { id: logged.id })).artifact.currentManifest.file.directUrl;
      const body = await supertest(c.server).get(pathOf(manifest));
      assert.equal(body.status, 200);
      assert.deepEqual(Object.keys(JSON.parse(body.text).contents).sort(), ['model.txt', 'sub/dir/b.json']);
      assert.ok((await ok(c, 'ArtifactManifest', { artifact_id: logged.id })).artifact.currentManifest.file.directUrl);

      const byEntries = (await ok(c, 'ArtifactFileURLsByManifestEntries', {
        id: logged.id, storageLayout: 'V2', manifestVersion: '1', entries: [{ name: 'model.txt', digest: md5b64('weights!'), birthArtifactID: logged.id }],
      })).artifact.filesByManifestEntries.edges;
      assert.equal(byEntries[0].node.name, 'model.txt');
      assert.equal((await supertest(c.server).get(pathOf(byEntries[0].node.directUrl))).status, 200);

      const outputs = await runArtifacts(c, 'RunOutputArtifacts', c.runId);
      assert.ok(outputs.totalCount >= 1);
      assert.ok(outputs.edges.some((e: any) => e.node.id === logged.id));

      const listed = (await ok(c, 'ArtifactMembershipFiles', { entity: 'alice', project: 'proj', collection: 'mymodel', alias: 'latest', fileNames: ['sub/dir/b.json'], cursor: null, perPage: 50 }))
        .project.artifactCollection.artifactMembership.files;
      assert.equal(listed.totalCount, 2);
      assert.equal(listed.edges.length, 1);
      assert.equal(listed.edges[0].node.name, 'sub/dir/b.json');
      assert.equal(listed.edges[0].node.sizeBytes, 7);
      assert.equal(listed.edges[0].node.md5, md5b64('{"b":1}'));
      assert.ok(listed.edges[0].node.updatedAt);
      assert.equal((await download(c, listed.edges[0].node.directUrl)).body.toString(), '{"b":1}');
      const createdBy = (await ok(c, 'ArtifactCreatedBy', { id: logged.id })).artifact.createdBy;
      assert.equal(createdBy.__typename, 'Run');
      assert.equal(createdBy.name, c.runId);
      assert.equal(createdBy.project.name, 'proj');

      const digestAlgorithm = await ok(c, 'FetchArtifactDigestAlgorithm', { entityName: 'alice', projectName: 'proj', artifactTypeName: 'model', artifactCollectionName: 'mymodel' });
      assert.deepEqual(digestAlgorithm.project.artifactType.artifactCollection, { __typename: 'ArtifactSequence', digestAlgorithm: 'MANIFEST_MD5' });
      assert.equal((await ok(c, 'XXHashDigestsEnabled', { entityName: 'alice' })).entity.xxhashDigestsEnabled, false);
      assert.equal((await ok(c, 'ClientIDMapping', { clientID: 'never-seen' })).clientIDMapping, null);
    });

    it('dedupes by digest: the same contents give back the committed version and skip stored files', async () => {
      const first = await logArtifact(c, 'data', { 'a.txt': 'same bytes' });
      const again = await logArtifact(c, 'data', { 'a.txt': 'same bytes' }, { aliases: ['again'] });
      assert.equal(again.state, 'COMMITTED');
      assert.equal(again.id, first.id);
      const m = (await ok(c, 'ArtifactMembershipByName', { entity: 'alice', project: 'proj', name: 'data:again' })).project.artifactCollectionMembership;
      assert.equal(m.versionIndex, 0);
      assert.equal((await ok(c, 'ArtifactMembershipByName', { entity: 'alice', project: 'proj', name: 'data:v1' })).project.artifactCollectionMembership, null);

      // A new version whose file is already stored is told to skip its upload.
      const pending = (await ok(c, 'CreateArtifact', { input: { artifactCollectionName: 'data', artifactTypeName: 'dataset', digest: 'f'.repeat(32), entityName: 'alice', projectName: 'proj', runName: c.runId, clientID: 'dd-1' } })).createArtifact.artifact;
      assert.equal(pending.state, 'PENDING');
      assert.equal(pending.artifactSequence.latestArtifact.id, first.id);
      const edges = (await ok(c, 'CreateArtifactFiles', { input: { artifactFiles: [
        { artifactID: pending.id, md5: md5b64('same bytes'), name: 'b.txt' },
        { artifactID: pending.id, md5: md5b64('new bytes'), name: 'c.txt' },
      ], storageLayout: 'V2' } })).createArtifactFiles.files.edges;
      assert.equal(edges[0].node.uploadUrl, null);
      assert.ok(edges[1].node.uploadUrl);
      // A retried create (same client id) is the same version.
      const retried = (await ok(c, 'CreateArtifact', { input: { artifactCollectionName: 'data', artifactTypeName: 'dataset', digest: 'f'.repeat(32), entityName: 'alice', projectName: 'proj', runName: c.runId, clientID: 'dd-1' } })).createArtifact.artifact;
      assert.equal(retried.id, pending.id);
      assert.equal((await ok(c, 'ClientIDMapping', { clientID: 'dd-1' })).clientIDMapping.serverID, pending.id);
    });

    it('moves latest to each new version and keeps vN and other aliases where they were', async () => {
      const v0 = await logArtifact(c, 'moving', { 'x': 'one' }, { aliases: ['first'] });
      const v1 = await logArtifact(c, 'moving', { 'x': 'two' });
      const at = async (name: string) => (await ok(c, 'ArtifactMembershipByName', { entity: 'alice', project: 'proj', name })).project.artifactCollectionMembership;
      assert.equal((await at('moving:latest')).artifact.id, v1.id);
      assert.equal((await at('moving:latest')).versionIndex, 1);
      assert.equal((await at('moving:v0')).artifact.id, v0.id);
      assert.equal((await at('moving:first')).artifact.id, v0.id);
      assert.deepEqual((await at('moving:v0')).aliases.map((a: any) => a.alias), ['first']);

      // api.artifacts / artifact_versions: newest first, with the client's default filter.
      const listed = (await ok(c, 'ProjectArtifacts', { entity: 'alice', project: 'proj', type: 'dataset', collection: 'moving', cursor: null, perPage: 1, filters: '{"state": "COMMITTED"}' }))
        .project.artifactType.artifactCollection.artifacts;
      assert.equal(listed.totalCount, 2);
      assert.deepEqual(listed.edges.map((e: any) => [e.version, e.node.id]), [['v1', v1.id]]);
      assert.equal(listed.pageInfo.hasNextPage, true);
      const next = (await ok(c, 'ProjectArtifacts', { entity: 'alice', project: 'proj', type: 'dataset', collection: 'moving', cursor: listed.pageInfo.endCursor, perPage: 5 }))
        .project.artifactType.artifactCollection.artifacts;
      assert.deepEqual(next.edges.map((e: any) => e.version), ['v0']);
      assert.match(await refused(c, 'ProjectArtifacts', { entity: 'alice', project: 'proj', type: 'dataset', collection: 'moving', filters: '{"metadata.k": 1}' }), /not served/);

      const type = (await ok(c, 'ProjectArtifactType', { entity: 'alice', project: 'proj', type: 'dataset' })).project.artifactType;
      assert.equal(type.__typename, 'ArtifactType');
      assert.equal(type.name, 'dataset');
      assert.ok(type.createdAt);
      assert.equal((await ok(c, 'ProjectArtifactType', { entity: 'alice', project: 'proj', type: 'nosuchtype' })).project.artifactType, null);
      const types = (await ok(c, 'ProjectArtifactTypes', { entity: 'alice', project: 'proj', cursor: null, perPage: 100 })).project.artifactTypes.edges.map((e: any) => e.node.name);
      assert.ok(types.includes('dataset'));
      const collection = (await ok(c, 'ProjectArtifactCollection', { entity: 'alice', project: 'proj', type: 'dataset', name: 'moving' })).project.artifactType.artifactCollection;
      assert.equal(collection.__typename, 'ArtifactSequence');
      assert.equal(collection.name, 'moving');
      assert.equal(collection.type.name, 'dataset');
      assert.deepEqual(collection.tags.edges, []);
      assert.equal(collection.project.entity.name, 'alice');
    });

    it('updates a logged version: description, metadata, aliases added and removed', async () => {
      const l = await logArtifact(c, 'edited', { 'e.txt': 'edit me' });
      const updated = (await ok(c, 'UpdateArtifact', { input: { artifactID: l.id, description: 'now described', metadata: '{"epoch":3}', tagsToAdd: [], tagsToDelete: [] } })).result.artifact;
      assert.equal(updated.description, 'now described');
      assert.equal(updated.metadata, '{"epoch":3}');
      const target = { entityName: 'alice', projectName: 'proj', artifactCollectionName: 'edited' };
      assert.equal((await ok(c, 'AddAliases', { input: { artifactID: l.id, aliases: [{ ...target, alias: 'prod' }, { ...target, alias: 'staging' }] } })).result.success, true);
      await ok(c, 'DeleteAliases', { input: { artifactID: l.id, aliases: [{ ...target, alias: 'staging' }] } });
      const m = (await ok(c, 'ArtifactMembershipByName', { entity: 'alice', project: 'proj', name: 'edited:prod' })).project.artifactCollectionMembership;
      assert.deepEqual(m.aliases.map((a: any) => a.alias), ['latest', 'prod']);
      assert.match(await refused(c, 'AddAliases', { input: { artifactID: l.id, aliases: [{ ...target, artifactCollectionName: 'other', alias: 'x' }] } }), /collection/);
      assert.match(await refused(c, 'DeleteAliases', { input: { artifactID: l.id, aliases: [{ ...target, alias: 'latest' }] } }), /latest/);
      assert.match(await refused(c, 'UpdateArtifact', { input: { artifactID: l.id, metadata: '[1]' } }), /metadata/);
    });

    it('makes a new version of the same digest when the client turns dedupe off', async () => {
      const first = await logArtifact(c, 'nodedupe', { 'n.txt': 'n' });
      const digest = first.digest;
      const second = (await ok(c, 'CreateArtifact', { input: { artifactCollectionName: 'nodedupe', artifactTypeName: 'dataset', digest, entityName: 'alice', projectName: 'proj', runName: c.runId, enableDigestDeduplication: false } })).createArtifact.artifact;
      assert.equal(second.state, 'PENDING');
      assert.notEqual(second.id, first.id);
    });

    it('numbers versions v0, v1, … without gaps or repeats when they commit concurrently', async () => {
      const logged = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => logArtifact(c, 'busy', { 'f.txt': `content ${i}` })));
      const versions = await Promise.all(logged.map(async (l) => (await ok(c, 'ArtifactByID', { id: l.id })).artifact.versionIndex));
      assert.deepEqual([...versions].sort(), [0, 1, 2, 3, 4, 5]);
    });

    it('records the runs that use an artifact', async () => {
      const l = await logArtifact(c, 'used', { 'u.txt': 'used' });
      const used = await ok(c, 'UseArtifact', { input: { entityName: 'alice', projectName: 'proj', runName: c.otherRunId, artifactID: l.id } });
      assert.equal(used.useArtifact.artifact.id, l.id);
      await ok(c, 'UseArtifact', { input: { entityName: 'alice', projectName: 'proj', runName: c.otherRunId, artifactID: l.id } });
      const inputs = await runArtifacts(c, 'RunInputArtifacts', c.otherRunId);
      assert.equal(inputs.totalCount, 1);
      assert.equal(inputs.edges[0].node.id, l.id);
      assert.match(await refused(c, 'UseArtifact', { input: { entityName: 'alice', projectName: 'proj', runName: 'nosuchrun', artifactID: l.id } }), /not found/);
      const usedBy = (await ok(c, 'ArtifactUsedBy', { id: l.id })).artifact.usedBy.edges;
      assert.deepEqual(usedBy.map((e: any) => e.node.name), [c.otherRunId]);
    });

    it('refuses hostile names, paths, sizes and digests, and stores nothing for them', async () => {
      const create = (over: Record<string, unknown>) => refused(c, 'CreateArtifact', { input: {
        artifactCollectionName: 'ok', artifactTypeName: 'dataset', digest: 'a'.repeat(32), entityName: 'alice', projectName: 'proj', runName: c.runId, ...over,
      } });
      assert.match(await create({ artifactCollectionName: '../etc' }), /only letters/);
      assert.match(await create({ artifactCollectionName: 'a/b' }), /only letters/);
      assert.match(await create({ artifactCollectionName: 'x'.repeat(129) }), /longer than 128/);
      assert.match(await create({ artifactTypeName: 'bad type' }), /only letters/);
      assert.match(await create({ digest: 'nothex' }), /digest/);
      assert.match(await create({ aliases: [{ alias: 'v3', artifactCollectionName: 'ok' }] }), /reserved/);
      assert.match(await create({ aliases: [{ alias: 'a:b', artifactCollectionName: 'ok' }] }), /alias/);
      assert.match(await create({ aliases: Array.from({ length: 101 }, (_, i) => `a${i}`) }), /at most 100/);
      assert.match(await create({ metadata: 'not json' }), /metadata/);
      assert.match(await create({ digestAlgorithm: 'MANIFEST_XXH128' }), /MANIFEST_MD5/);
      assert.match(await create({ runName: 'nosuchrun' }), /not found/);
      assert.match(await create({ projectName: 'nosuchproject' }), /not found/);
      assert.match(await refused(c, 'CreateArtifact', { input: 'a string' }), /object/);
      assert.match(await create({ artifactTypeName: 'model', artifactCollectionName: 'data' }), /type 'dataset'/);
      assert.equal((await ok(c, 'ArtifactMembershipByName', { entity: 'alice', project: 'proj', name: 'ok:latest' })).project.artifactCollectionMembership, null);

      const p = (await ok(c, 'CreateArtifact', { input: { artifactCollectionName: 'hostile', artifactTypeName: 'dataset', digest: 'b'.repeat(32), entityName: 'alice', projectName: 'proj', runName: c.runId } })).createArtifact.artifact;
      const files = (list: unknown[]) => refused(c, 'CreateArtifactFiles', { input: { artifactFiles: list, storageLayout: 'V2' } });
      for (const name of ['../../etc/passwd', '/abs', 'a\\b', 'a/../b', 'x;y', '%2e%2e/x']) {
        assert.match(await files([{ artifactID: p.id, md5: md5b64('x'), name }]), /Invalid artifact path/);
      }
      assert.match(await files([{ artifactID: p.id, md5: 'short', name: 'ok.txt' }]), /MD5/);
      assert.match(await files([{ artifactID: 'QXJ0aWZhY3Q6OTk5OQ==', md5: md5b64('x'), name: 'ok.txt' }]), /not found/);
      assert.match(await files([{ artifactID: 'garbage', md5: md5b64('x'), name: 'ok.txt' }]), /not an artifact id/);
      assert.match(await files(Array.from({ length: 10_001 }, (_, i) => ({ artifactID: p.id, md5: md5b64('x'), name: `f${i}` }))), /at most 10000/);

      // Bytes that are not what was announced are refused and never stored.
      const slot = (await ok(c, 'CreateArtifactFiles', { input: { artifactFiles: [{ artifactID: p.id, md5: md5b64('announced'), name: 'f.txt' }] } })).createArtifactFiles.files.edges[0].node;
      const wrong = await c.api.put(pathOf(slot.uploadUrl)).send(Buffer.from('something else'));
      assert.equal(wrong.status, 400);
      const again = (await ok(c, 'CreateArtifactFiles', { input: { artifactFiles: [{ artifactID: p.id, md5: md5b64('announced'), name: 'f.txt' }] } })).createArtifactFiles.files.edges[0].node;
      assert.ok(again.uploadUrl, 'the refused bytes were stored');

      // A manifest must be version 1 JSON with checked paths; commit needs it and every file in it.
      const m = (await ok(c, 'CreateArtifactManifest', { artifactID: p.id, name: 'wandb_manifest.json', digest: 'x', entityName: 'alice', projectName: 'proj', runName: c.runId, manifestType: 'FULL', includeUpload: true }))
        .createArtifactManifest.artifactManifest.file.uploadUrl;
      assert.match(await refused(c, 'CommitArtifact', { artifactID: p.id }), /manifest was not uploaded/);
      for (const bad of ['not json', '{"version":2,"contents":{}}', JSON.stringify({ version: 1, contents: { '../x': { digest: md5b64('x'), size: 1 } } }),
        JSON.stringify({ version: 1, contents: { x: { digest: md5b64('x'), size: -1 } } })]) {
        assert.equal((await c.api.put(pathOf(m)).send(Buffer.from(bad))).status, 400, bad);
      }
      assert.equal((await c.api.put(pathOf(m)).send(Buffer.from(JSON.stringify({ version: 1, contents: { 'f.txt': { digest: md5b64('announced'), size: 9 } } })))).status, 200);
      assert.match(await refused(c, 'CommitArtifact', { artifactID: p.id }), /was not uploaded/);
      assert.match(await refused(c, 'CreateArtifactManifest', { artifactID: p.id, name: 'x', digest: '', entityName: 'alice', projectName: 'proj', runName: c.runId, manifestType: 'INCREMENTAL', includeUpload: false }), /FULL/);
    });

    it('keeps the stored bytes out of reach of every MLflow path', async () => {
      await logArtifact(c, 'hidden', { 'h.txt': 'hidden bytes' });
      const hex = md5hex('hidden bytes');
      const proxied = await c.api.get(`/api/2.0/mlflow-artifacts/artifacts/:wandb-artifacts/files/${hex.slice(0, 2)}/${hex}`);
      assert.notEqual(proxied.status, 200);
      // An experiment cannot be placed there through the proxy, and one whose local folder is there gets no root.
      await assert.rejects(c.tracking.experiments.create('sneaky-proxied', 'mlflow-artifacts:/:wandb-artifacts', []), /must name a folder/);
      const experimentId = await c.tracking.experiments.create('sneaky', path.join(c.root, ':wandb-artifacts'), []);
      const run = await c.tracking.runs.create({ experimentId, tags: [] });
      const root = await c.tracking.artifacts.ofRun(run.info.runId);
      assert.equal(root.storePath, undefined);
      await assert.rejects(c.tracking.artifacts.open(root, `files/${hex.slice(0, 2)}/${hex}`), /does not store/);
    });

    it('refuses forged, expired and misused upload tokens', async () => {
      assert.equal((await c.api.put('/storage/garbage').send('x')).status, 403);
      const good = await c.tracking.capabilities.sign('wandb-artifact-file-upload', { m: md5hex('t') }, 60);
      const [payload, sig] = good.split('.');
      const forgedPayload = Buffer.from(JSON.stringify({ p: 'wandb-artifact-file-upload', c: { m: md5hex('u') }, e: 9_999_999_999 })).toString('base64url');
      assert.equal((await c.api.put(`/storage/${forgedPayload}.${sig}`).send('u')).status, 403);
      assert.equal((await c.api.put(`/storage/${payload}.${sig.slice(0, -2)}AA`).send('t')).status, 403);
      const realNow = Date.now;
      Date.now = () => realNow() - 120_000;
      let expired: string;
      try { expired = await c.tracking.capabilities.sign('wandb-artifact-file-upload', { m: md5hex('t') }, 60); } finally { Date.now = realNow; }
      assert.equal((await c.api.put(`/storage/${expired}`).send('t')).status, 403);
      // A download token does not upload, an upload token does not download.
      const downloadToken = await c.tracking.capabilities.sign('wandb-artifact-file', { m: md5hex('t') }, 60);
      assert.equal((await c.api.put(`/storage/${downloadToken}`).send('t')).status, 404);
      assert.equal((await c.api.get(`/storage/${good}`)).status, 404);
      assert.equal((await c.api.get(`/storage/${downloadToken}`)).status, 404);
      assert.equal((await c.api.put(`/storage/${good}`).send('t')).status, 200);
      assert.equal((await download(c, `/storage/${downloadToken}`)).body.toString(), 't');
      // A token whose claims are not what the purpose needs.
      const odd = await c.tracking.capabilities.sign('wandb-artifact-manifest', { m: 'x' }, 60);
      assert.equal((await c.api.get(`/storage/${odd}`)).status, 403);
    });

    it('answers GraphQL requests without a key with 401', async () => {
      const res = await c.api.post('/graphql').send({ query: DOCS.ArtifactByID, variables: { id: 'x' }, operationName: 'ArtifactByID' });
      assert.equal(res.status, 401);
    });
  });
}
