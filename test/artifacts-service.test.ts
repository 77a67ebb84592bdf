/**
 * The core's artifacts service, without HTTP: where runs and logged models keep their files, and
 * reads and writes through it, as every front-end and importer uses it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { LocalArtifactStore } from '../src/artifacts/local';
import { loggedModelArtifactLocation, runArtifactUri } from '../src/core/artifacts';
import { localFolderOf } from '../src/core/artifact-paths';
import { uploadedFileName } from '../src/core/multipart';
import type { Experiment } from '../src/core/model';
import type { Tracking } from '../src/core/tracking';
import type { SqlStore } from '../src/store/sql-store';
import { createDatabase, FAST, openTracking, type TestDatabase } from './support/databases';
import { bodyOf, rejectsWith } from './conformance/artifact-store';

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const experiment = (artifactLocation: string): Experiment => ({
  experimentId: '7', name: 'e', artifactLocation, lifecycleStage: 'active', creationTime: 0, lastUpdateTime: 0, tags: [],
});

describe('artifact locations', () => {
  it('puts a run under <experiment>/<run id>/artifacts and a logged model under <experiment>/models/<id>/artifacts, with or without a trailing slash', () => {
    assert.equal(runArtifactUri(experiment('mlflow-artifacts:/7'), 'abc'), 'mlflow-artifacts:/7/abc/artifacts');
    assert.equal(runArtifactUri(experiment('s3://bucket/x/'), 'abc'), 's3://bucket/x/abc/artifacts');
    assert.equal(loggedModelArtifactLocation(experiment('mlflow-artifacts:/7'), 'm-1'), 'mlflow-artifacts:/7/models/m-1/artifacts');
  });
});

describe('local locations and uploaded file names', () => {
  it('reads the local folder a location names, decoded once, and names none for anything doubtful', () => {
    const cases: Array<[string, string | undefined]> = [
      ['/srv/a/b', '/srv/a/b'],
      ['/srv//a/b/', '/srv/a/b'],
      ['file:///srv/a', '/srv/a'],
      ['file:/srv/a', '/srv/a'],
      ['file://localhost/srv/a', '/srv/a'],
      ['file://127.0.0.1/srv/a', '/srv/a'],
      ['file:///srv/with%20space', '/srv/with space'],
      ['file:///srv/%2525', '/srv/%25'],
      ['file://elsewhere/srv/a', undefined],
      ['file:///srv/../etc', undefined],
      ['file:///srv/%2e%2e/etc', undefined],
      ['/srv/./a', undefined],
      ['file:///srv/a%00b', undefined],
      ['file:///srv/a%5cb', undefined],
      ['file:///srv/%zz', undefined],
      ['file:relative', undefined],
      ['relative/dir', undefined],
      ['mlflow-artifacts:/1', undefined],
      ['s3://bucket/x', undefined],
      ['file:///srv/a?x=1', undefined],
    ];
    for (const [given, expected] of cases) assert.equal(localFolderOf(given), expected, given);
  });

  it('takes the last name of a client\'s local file path, split at either separator, and holds it to the name rules', () => {
    for (const [given, expected] of [['/tmp/x/model.bin', 'model.bin'], ['model.bin', 'model.bin'], ['../../up/w.bin', 'w.bin'],
      ['C:\\Users\\me\\w.bin', 'w.bin'], ['/etc/passwd', 'passwd']] as const) {
      assert.equal(uploadedFileName(given), expected, given);
    }
    for (const bad of ['', '/tmp/x/', 'dir/..', '..', '.', 'a\0b', '/tmp/a;b', '/tmp/%2e%2e', 'x/file:y', 'n'.repeat(256)]) {
      assert.throws(() => uploadedFileName(bad), (e: unknown) => (e as { code?: string }).code === 'INVALID_ARGUMENT', JSON.stringify(bad));
    }
  });
});

describe('artifacts service', () => {
  let db: TestDatabase;
  let store: SqlStore;
  let tracking: Tracking;
  let scratch: string;
  let experimentId: string;

  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-artifacts-service-'));
    db = await createDatabase('sqlite');
    ({ store, tracking } = await openTracking(db.url, FAST, new LocalArtifactStore(path.join(scratch, 'root'))));
    experimentId = await tracking.experiments.create('files', undefined, []);
  });
  after(async () => {
    await store.close();
    await db.drop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('writes, lists and opens a run\'s files below its root, and names entries from the root', async () => {
    const run = await tracking.runs.create({ experimentId, tags: [] });
    const root = await tracking.artifacts.ofRun(run.info.runId);
    assert.equal(root.uri, run.info.artifactUri);
    await tracking.artifacts.write(root, 'model/MLmodel', bodyOf('flavors: {}'));
    await tracking.artifacts.write(root, 'notes.txt', bodyOf('hello'));
    const top = await tracking.artifacts.list(root, '');
    assert.deepEqual(top.entries.map((e) => [e.name, e.isDir]), [['model', true], ['notes.txt', false]]);
    const sub = await tracking.artifacts.list(root, 'model');
    assert.deepEqual(sub.entries.map((e) => [e.name, e.size]), [['model/MLmodel', 11]]);
    const file = await tracking.artifacts.open(root, 'model/MLmodel');
    assert.equal(file.name, 'MLmodel');
    assert.equal(await text(file.stream), 'flavors: {}');
    // The same bytes through the proxy, where the client sees the store's own paths.
    const proxied = root.find('notes.txt')!;
    assert.equal(await text((await tracking.artifacts.openProxied(proxied)).stream), 'hello');
  });

  it('refuses hostile paths before touching the store, and says what is missing', async () => {
    const run = await tracking.runs.create({ experimentId, tags: [] });
    const root = await tracking.artifacts.ofRun(run.info.runId);
    for (const p of ['../x', '/etc/passwd', 'a/%2e%2e/b', 'a\\b']) {
      await rejectsWith(tracking.artifacts.write(root, p, bodyOf('x')), 'INVALID_ARGUMENT', `write ${p}`);
      await rejectsWith(tracking.artifacts.list(root, p), 'INVALID_ARGUMENT', `list ${p}`);
    }
    for (const p of ['file:x.txt', ':/x.txt', 's3://bucket/x.txt', 'mlflow-artifacts:/1/x.txt', 'FILE:/x']) {
      await rejectsWith(tracking.artifacts.write(root, p, bodyOf('x')), 'INVALID_ARGUMENT', `write ${p}`);
    }
    // A colon inside a name is no scheme.
    for (const p of ['epoch:3.txt', 'model:v1/w.bin', 'plots/10:00.png']) {
      await tracking.artifacts.write(root, p, bodyOf(p));
      assert.equal(await text((await tracking.artifacts.open(root, p)).stream), p);
    }
    await rejectsWith(tracking.artifacts.open(root, 'absent.txt'), 'NOT_FOUND', 'missing file');
    await rejectsWith(tracking.artifacts.ofRun('0'.repeat(32)), 'NOT_FOUND', 'unknown run');
  });

  it('lists a root the store does not hold as empty, and refuses to read or write there', async () => {
    const elsewhere = await tracking.experiments.create('elsewhere', path.join(scratch, 'client-side'), []);
    const run = await tracking.runs.create({ experimentId: elsewhere, tags: [] });
    const root = await tracking.artifacts.ofRun(run.info.runId);
    assert.equal(root.storePath, undefined);
    assert.deepEqual(await tracking.artifacts.list(root, ''), { rootUri: root.uri, entries: [] });
    await rejectsWith(tracking.artifacts.write(root, 'a.txt', bodyOf('x')), 'INVALID_ARGUMENT', 'write outside the store');
    await rejectsWith(tracking.artifacts.open(root, 'a.txt'), 'INVALID_ARGUMENT', 'read outside the store');
  });

  it('keeps a logged model\'s files apart from its run\'s', async () => {
    const run = await tracking.runs.create({ experimentId, tags: [] });
    const model = await tracking.loggedModels.create({ experimentId, sourceRunId: run.info.runId, tags: [], params: [] });
    const root = await tracking.artifacts.ofLoggedModel(model.modelId);
    await tracking.artifacts.write(root, 'MLmodel', bodyOf('m'));
    assert.deepEqual((await tracking.artifacts.list(root, '')).entries.map((e) => e.name), ['MLmodel']);
    assert.deepEqual((await tracking.artifacts.list(await tracking.artifacts.ofRun(run.info.runId), '')).entries, []);
  });
});
