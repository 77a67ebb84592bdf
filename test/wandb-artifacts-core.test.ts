/**
 * The core's artifact versions over the store, on every database: numbering under concurrency,
 * retries, commit rules, file bytes checked against their MD5, and manifests checked entry by entry.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { LocalArtifactStore } from '../src/artifacts/local';
import { ARTIFACT_LIMITS, manifestEntries, verified } from '../src/core/artifact-version-rules';
import type { Tracking } from '../src/core/tracking';
import type { SqlStore } from '../src/store/sql-store';
import { createDatabase, FAST, openTracking, selectedDialects, type TestDatabase } from './support/databases';

const md5 = (s: string) => createHash('md5').update(s);
const bytes = (s: string) => (async function* () { yield Buffer.from(s); })();
const manifestOf = (files: Record<string, string>) => JSON.stringify({
  version: 1, storagePolicy: 'wandb-storage-policy-v1',
  contents: Object.fromEntries(Object.entries(files).map(([p, t]) => [p, { digest: md5(t).digest('base64'), size: Buffer.byteLength(t) }])),
});
const digestOf = (files: Record<string, string>) => md5(JSON.stringify(files)).digest('hex');
const isCode = (code: string) => (e: unknown) => (e as { code?: string }).code === code;

describe('manifest entries', () => {
  it('takes a version 1 manifest and refuses anything else', () => {
    assert.deepEqual(manifestEntries(Buffer.from(manifestOf({ 'a/b.txt': 'x' }))), [{ path: 'a/b.txt', digest: md5('x').digest('base64'), size: 1, ref: null }]);
    const ref = manifestEntries(Buffer.from(JSON.stringify({ version: 1, contents: { r: { digest: 'etag-ish', ref: 's3://b/k', size: 5 } } })));
    assert.equal(ref[0].ref, 's3://b/k');
    for (const bad of ['', 'null', '[]', '{"version":1}', '{"version":2,"contents":{}}', '{"version":1,"contents":[]}',
      JSON.stringify({ version: 1, contents: { '/abs': { digest: md5('x').digest('base64') } } }),
      JSON.stringify({ version: 1, contents: { 'a/../b': { digest: md5('x').digest('base64') } } }),
      JSON.stringify({ version: 1, contents: { 'a//b': { digest: md5('x').digest('base64') } } }),
      JSON.stringify({ version: 1, contents: { x: { digest: 'not-md5' } } }),
      JSON.stringify({ version: 1, contents: { x: { digest: md5('x').digest('base64'), size: 1.5 } } }),
      JSON.stringify({ version: 1, contents: { x: 'string' } })]) {
      assert.throws(() => manifestEntries(Buffer.from(bad)), isCode('INVALID_ARGUMENT'), bad);
    }
  });
});

describe('first uploads into one new folder', () => {
  it('all succeed when they run at once (the client uploads an artifact\'s files in parallel)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-wandb-race-'));
    try {
      // Bodies that take a little while, started a little apart: one upload's check falls between
      // another's look at the folders and its making them.
      const slow = (i: number) => (async function* () { await new Promise((r) => setTimeout(r, i % 3)); yield Buffer.from(`file ${i}`); })();
      for (let round = 0; round < 30; round++) {
        const store = new LocalArtifactStore(path.join(dir, String(round)));
        await Promise.all(Array.from({ length: 12 }, (_, i) => new Promise<void>((resolve, reject) => {
          setTimeout(() => store.put(`:wandb-artifacts/files/ab/f${i}`, slow(i)).then(resolve, reject), i % 4);
        })));
        assert.equal((await store.list(':wandb-artifacts/files/ab')).length, 12);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('upload bounds', () => {
  it('stops reading an upload as soon as it passes its cap', async () => {
    let read = 0;
    const endless = (async function* () { for (;;) { read += 4; yield Buffer.from('abcd'); } })();
    await assert.rejects((async () => { for await (const _ of verified(endless, md5('x').digest('hex'), 10)) { /* drained */ } })(), /at most 10 bytes/);
    assert.ok(read <= 12, `read ${read} bytes`);
  });
});

for (const dialect of selectedDialects()) {
  describe(`artifact versions in the core (${dialect})`, () => {
    let db: TestDatabase;
    let store: SqlStore;
    let tracking: Tracking;
    let root: string;
    let experimentId: string;
    let runId: string;

    before(async () => {
      db = await createDatabase(dialect);
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-wandb-core-'));
      ({ store, tracking } = await openTracking(db.url, FAST, new LocalArtifactStore(root)));
      experimentId = await tracking.experiments.create('core-proj', undefined, []);
      runId = (await tracking.runs.create({ experimentId, tags: [] })).info.runId;
    });
    after(async () => {
      await store?.close();
      await db?.drop();
      fs.rmSync(root, { recursive: true, force: true });
    });

    const av = () => tracking.artifactVersions;

    async function logged(name: string, files: Record<string, string>, extra: { aliases?: string[]; clientId?: string } = {}) {
      const v = await av().create({ experimentId, typeName: 'dataset', collectionName: name, digest: digestOf(files), runId, ...extra });
      if (v.state === 'COMMITTED') return v;
      for (const [, text] of Object.entries(files)) await av().putFile(md5(text).digest('hex'), bytes(text));
      await av().putManifest(v.artifactId, bytes(manifestOf(files)));
      return av().commit(v.artifactId);
    }

    it('numbers concurrent commits of one collection 0..n-1 and moves latest to the highest', async () => {
      const all = await Promise.all(Array.from({ length: 10 }, (_, i) => logged('many', { f: `v${i}` })));
      assert.deepEqual(all.map((v) => v.versionIndex).sort((a, b) => a! - b!), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const collection = (await av().collection(experimentId, 'many'))!;
      const latest = await av().inCollection(collection, 'latest');
      assert.equal(latest?.versionIndex, 9);
      assert.deepEqual(await av().aliases(latest!.artifactId), ['latest']);
    });

    it('answers a retried create and a second commit with the same version', async () => {
      const first = await av().create({ experimentId, typeName: 'dataset', collectionName: 'retry', digest: 'c'.repeat(32), clientId: 'client-1', runId });
      const again = await av().create({ experimentId, typeName: 'dataset', collectionName: 'retry', digest: 'c'.repeat(32), clientId: 'client-1', runId });
      assert.equal(again.artifactId, first.artifactId);
      await av().putManifest(first.artifactId, bytes(JSON.stringify({ version: 1, contents: {} })));
      const c1 = await av().commit(first.artifactId);
      const c2 = await av().commit(first.artifactId);
      assert.equal(c1.versionIndex, 0);
      assert.equal(c2.versionIndex, 0);
      await assert.rejects(av().putManifest(first.artifactId, bytes('{}')), isCode('INVALID_ARGUMENT'));
      await assert.rejects(av().fileSlots(first.artifactId, [{ name: 'x', md5: md5('x').digest('base64') }]), isCode('INVALID_STATE'));
    });

    it('dedupes a committed digest and applies the new aliases to it', async () => {
      const v = await logged('dup', { a: 'A' });
      const again = await logged('dup', { a: 'A' }, { aliases: ['prod'] });
      assert.equal(again.artifactId, v.artifactId);
      assert.deepEqual(await av().aliases(v.artifactId), ['latest', 'prod']);
    });

    it('stores file bytes only when they have the announced MD5', async () => {
      const hex = md5('right').digest('hex');
      await assert.rejects(av().putFile(hex, bytes('wrong')), /MD5/);
      await assert.rejects(av().openFile(hex), isCode('NOT_FOUND'));
      await av().putFile(hex, bytes('right'));
      assert.equal((await av().openFile(hex)).size, 5);
      await assert.rejects(av().putFile('../etc', bytes('x')), isCode('INVALID_ARGUMENT'));
      await assert.rejects(av().openFile('../etc'), isCode('NOT_FOUND'));
    });

    it('refuses a manifest larger than the cap, having read no more than that', async () => {
      const v = await av().create({ experimentId, typeName: 'dataset', collectionName: 'bigmanifest', digest: 'e'.repeat(32) });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const huge = (async function* () { while (sent <= ARTIFACT_LIMITS.manifestBytes * 2) { sent += chunk.length; yield chunk; } })();
      await assert.rejects(av().putManifest(v.artifactId, huge), /larger than/);
      assert.ok(sent <= ARTIFACT_LIMITS.manifestBytes + chunk.length, `read ${sent} bytes`);
      await assert.rejects(av().openManifest(v.artifactId), isCode('NOT_FOUND'));
    });

    it('refuses a type that differs from the collection, an unknown run, and ids that are not numbers', async () => {
      await logged('typed', { t: 'T' });
      await assert.rejects(av().create({ experimentId, typeName: 'model', collectionName: 'typed', digest: 'd'.repeat(32) }), /of type 'dataset'/);
      await assert.rejects(av().runIn(experimentId, 'nosuchrun'), isCode('NOT_FOUND'));
      await assert.rejects(av().get('1 OR 1=1'), isCode('NOT_FOUND'));
      assert.equal(await av().byName(experimentId, 'typed:v99'), undefined);
      assert.equal(await av().byName(experimentId, 'absent'), undefined);
      assert.throws(() => av().collection(experimentId, '../x'), isCode('INVALID_ARGUMENT'));
    });

    it('lists what a run logged and used', async () => {
      const before = await av().loggedBy(runId, 0, 1000);
      const other = (await tracking.runs.create({ experimentId, tags: [] })).info.runId;
      const v = await logged('listed', { l: 'L' });
      await av().use(v.artifactId, other);
      await av().use(v.artifactId, other);
      assert.equal((await av().loggedBy(runId, 0, 1000)).total, before.total + 1);
      const used = await av().usedBy(other, 0, 10);
      assert.equal(used.total, 1);
      assert.equal(used.items[0].artifactId, v.artifactId);
      assert.deepEqual(await av().users(v.artifactId), [other]);
    });
  });
}
