/**
 * The local artifact store: the shared ArtifactStore conformance suite, then what only a folder on
 * disk has (start-up checks, leftover temporary files, symbolic links planted inside the root).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { LocalArtifactStore } from '../src/artifacts/local';
import { TrackbridgeError } from '../src/core/errors';
import { loadConfig } from '../src/config';
import { startServer } from '../src/server';
import { artifactStoreConformance, bodyOf, interruptedBody, readAll, rejectsWith } from './conformance/artifact-store';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-artifact-store-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

let n = 0;
const freshDir = (label: string) => path.join(scratch, `${label}-${++n}`);

/** Every regular file and link under dir, relative to it. */
function entriesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

artifactStoreConformance('local folder', () => LocalArtifactStore.open(freshDir('conf')));

describe('local artifact store on disk', () => {
  it('an interrupted upload leaves no file anywhere under the root, temporary ones included', async () => {
    const root = freshDir('interrupt');
    const s = await LocalArtifactStore.open(root);
    await assert.rejects(s.put('a/b/big.bin', interruptedBody(256 * 1024)));
    await assert.rejects(s.put('top.bin', interruptedBody()));
    assert.deepEqual(entriesUnder(root), []);
  });

  it('creates a missing root, and keeps its temporary files where no artifact path can reach', async () => {
    const root = path.join(freshDir('create'), 'deeper', 'artifacts');
    const s = await LocalArtifactStore.open(root);
    assert.ok(fs.statSync(root).isDirectory());
    assert.ok(s.tempDir.startsWith(fs.realpathSync(root) + path.sep), s.tempDir);
    const tempName = path.basename(s.tempDir);
    await rejectsWith(s.get(tempName), 'INVALID_ARGUMENT', 'get of the temp folder by name');
    await rejectsWith(s.list(tempName), 'INVALID_ARGUMENT', 'list of the temp folder by name');
    await rejectsWith(s.delete(tempName), 'INVALID_ARGUMENT', 'delete of the temp folder by name');
    fs.writeFileSync(path.join(s.tempDir, 'someone-else-uploading'), 'x');
    assert.deepEqual(await s.list(''), []);
  });

  it('removes leftover temporary files when it opens, but not ones another process is still writing', async () => {
    const root = freshDir('leftover');
    const first = await LocalArtifactStore.open(root);
    const stale = path.join(first.tempDir, 'crashed-upload');
    const live = path.join(first.tempDir, 'upload-in-progress');
    fs.writeFileSync(stale, 'half a file');
    fs.writeFileSync(live, 'still arriving');
    const dayAgo = new Date(Date.now() - 24 * 3600_000);
    fs.utimesSync(stale, dayAgo, dayAgo);
    const second = await LocalArtifactStore.open(root);
    assert.equal(second.tempDir, first.tempDir);
    assert.equal(fs.existsSync(stale), false, 'the crashed upload was removed');
    assert.equal(fs.existsSync(live), true, 'a fresh temporary file is left to its writer');
  });

  it('refuses to open an unusable root with one line naming the folder, the cause and what to do', { timeout: 20_000 }, async () => {
    const file = path.join(freshDir('file'), 'not-a-folder');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'x');
    // Tests run as root, where permissions do not stop writes: a path under a regular file and
    // kernel-owned folders (/sys/kernel refuses new entries even to root; under /proc/self mkdir
    // answers ENOENT, where a recursive mkdir never returns) really fail.
    const cases = [[path.join(file, 'artifacts'), /ENOTDIR/], ['/sys/kernel', /EACCES|EPERM|EROFS/], ['/proc/self/artifacts/x', /ENOENT/]] as const;
    for (const [root, cause] of cases) {
      await assert.rejects(LocalArtifactStore.open(root), (e: unknown) => {
        assert.ok(e instanceof TrackbridgeError, `expected a TrackbridgeError, got ${String(e)}`);
        assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
        assert.ok(e.message.includes(root), `names the folder: ${e.message}`);
        assert.match(e.message, cause);
        assert.match(e.message, /--artifacts-root|TRACKBRIDGE_ARTIFACTS_ROOT/);
        return true;
      });
    }
    assert.equal(fs.readFileSync(file, 'utf8'), 'x');
  });

  it('startServer refuses an artifact root it cannot write, before it listens', async () => {
    const dir = freshDir('server');
    fs.mkdirSync(dir, { recursive: true });
    await assert.rejects(
      startServer(loadConfig({ host: '127.0.0.1', port: 0, db: `sqlite:///${path.join(dir, 'db.sqlite')}`, artifactsRoot: '/sys/kernel', sqliteSync: 'NORMAL' }, {})),
      (e: unknown) => e instanceof TrackbridgeError && e.message.includes('/sys/kernel'),
    );
  });
});

describe('local artifact store and symbolic links', () => {
  /** A root holding links that lead out of it, and a folder outside holding what they point at. */
  function planted() {
    const base = freshDir('links');
    const root = path.join(base, 'root');
    const outside = path.join(base, 'outside');
    fs.mkdirSync(path.join(outside, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
    fs.writeFileSync(path.join(outside, 'sub', 'deep.txt'), 'deep');
    fs.mkdirSync(path.join(root, 'real'), { recursive: true });
    fs.writeFileSync(path.join(root, 'real', 'f.txt'), 'inside');
    fs.symlinkSync(outside, path.join(root, 'out-dir'));
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'out-file'));
    fs.symlinkSync('/etc/passwd', path.join(root, 'passwd'));
    fs.symlinkSync(path.join(outside, 'not-yet'), path.join(root, 'dangling'));
    fs.symlinkSync(path.join(root, 'loop'), path.join(root, 'loop'));
    fs.symlinkSync(path.join(root, 'real'), path.join(root, 'alias'));
    const snapshot = () => entriesUnder(outside).map((f) => `${f}=${fs.readFileSync(path.join(outside, f), 'utf8')}`);
    return { root, outside, snapshot, before: snapshot() };
  }

  it('refuses to read through a link that leaves the root', async () => {
    const { root, snapshot, before } = planted();
    const s = await LocalArtifactStore.open(root);
    for (const p of ['out-file', 'passwd', 'out-dir/secret.txt', 'out-dir/sub/deep.txt', 'loop', 'loop/x']) {
      await rejectsWith(s.get(p), 'INVALID_ARGUMENT', `get ${p}`);
    }
    for (const p of ['out-dir', 'out-dir/sub', 'loop']) await rejectsWith(s.list(p), 'INVALID_ARGUMENT', `list ${p}`);
    assert.deepEqual(snapshot(), before);
  });

  it('refuses to write through a link that leaves the root, and writes nothing outside', async () => {
    const { root, outside, snapshot, before } = planted();
    const s = await LocalArtifactStore.open(root);
    for (const p of ['out-dir/secret.txt', 'out-dir/new.txt', 'out-dir/sub/deep.txt', 'out-dir/made/up/x.txt', 'dangling/x.txt', 'loop/x.txt']) {
      await rejectsWith(s.put(p, bodyOf('pwned')), 'INVALID_ARGUMENT', `put ${p}`);
    }
    assert.deepEqual(snapshot(), before);
    assert.equal(fs.existsSync(path.join(outside, 'not-yet')), false);
    assert.equal(fs.existsSync(path.join(outside, 'made')), false);
  });

  it('writing at a link replaces the link itself, never its target', async () => {
    const { root, snapshot, before } = planted();
    const s = await LocalArtifactStore.open(root);
    await s.put('out-file', bodyOf('replaced'));
    assert.equal(fs.lstatSync(path.join(root, 'out-file')).isFile(), true);
    assert.equal(await readAll(s, 'out-file'), 'replaced');
    assert.deepEqual(snapshot(), before);
  });

  it('refuses to delete through a link that leaves the root, and deleting a link removes only the link', async () => {
    const { root, snapshot, before } = planted();
    const s = await LocalArtifactStore.open(root);
    for (const p of ['out-dir/secret.txt', 'out-dir/sub', 'out-dir/sub/deep.txt']) {
      await rejectsWith(s.delete(p), 'INVALID_ARGUMENT', `delete ${p}`);
    }
    assert.deepEqual(snapshot(), before);
    for (const p of ['out-dir', 'out-file', 'passwd', 'dangling', 'alias']) await s.delete(p);
    assert.deepEqual(snapshot(), before);
    assert.equal(fs.readFileSync('/etc/passwd', 'utf8').length > 0, true);
    assert.equal(fs.readFileSync(path.join(root, 'real', 'f.txt'), 'utf8'), 'inside');
    for (const p of ['out-dir', 'out-file', 'passwd', 'dangling', 'alias']) assert.equal(fs.existsSync(path.join(root, p)), false, p);
  });

  it('follows a link that stays inside the root, and lists only entries that stay inside', async () => {
    const { root } = planted();
    const s = await LocalArtifactStore.open(root);
    assert.equal(await readAll(s, 'alias/f.txt'), 'inside');
    assert.deepEqual(await s.list('alias'), [{ name: 'f.txt', isDir: false, size: 6 }]);
    await s.put('alias/g.txt', bodyOf('via alias'));
    assert.equal(fs.readFileSync(path.join(root, 'real', 'g.txt'), 'utf8'), 'via alias');
    assert.deepEqual(await s.list(''), [{ name: 'alias', isDir: true }, { name: 'real', isDir: true }]);
  });

  it('a link into the temporary folder is refused like one leading out', async () => {
    const root = freshDir('peek');
    const s = await LocalArtifactStore.open(root);
    fs.writeFileSync(path.join(s.tempDir, 'in-flight'), 'partial');
    fs.symlinkSync(s.tempDir, path.join(root, 'peek'));
    await rejectsWith(s.list('peek'), 'INVALID_ARGUMENT', 'list peek');
    await rejectsWith(s.get('peek/in-flight'), 'INVALID_ARGUMENT', 'get peek/in-flight');
    await rejectsWith(s.delete('peek/in-flight'), 'INVALID_ARGUMENT', 'delete peek/in-flight');
    await rejectsWith(s.put('peek/in-flight', bodyOf('x')), 'INVALID_ARGUMENT', 'put peek/in-flight');
    assert.equal(fs.readFileSync(path.join(s.tempDir, 'in-flight'), 'utf8'), 'partial');
  });
});

describe('local artifact store: multipart staging', () => {
  it('keeps staged parts where no artifact path, listing or link reaches them', async () => {
    const root = freshDir('staging');
    const s = await LocalArtifactStore.open(root);
    const id = await s.beginUpload('w.bin', 2);
    await s.putPart(id, 1, bodyOf('part one'));
    assert.ok(s.staging.dir.startsWith(fs.realpathSync(root) + path.sep), s.staging.dir);
    assert.deepEqual(await s.list(''), []);
    const name = path.basename(s.staging.dir);
    await rejectsWith(s.get(`${name}/${id}/upload.json`), 'INVALID_ARGUMENT', 'get of the staging folder by name');
    fs.symlinkSync(s.staging.dir, path.join(root, 'peek'));
    await rejectsWith(s.list('peek'), 'INVALID_ARGUMENT', 'list through a link into staging');
    await rejectsWith(s.list(`peek/${id}`), 'INVALID_ARGUMENT', 'list of an upload through a link');
    await rejectsWith(s.delete(`peek/${id}`), 'INVALID_ARGUMENT', 'delete of an upload through a link');
    await rejectsWith(s.put(`peek/${id}/part-2-x`, bodyOf('x')), 'INVALID_ARGUMENT', 'put into an upload through a link');
    assert.deepEqual(await s.stagedUpload(id), { target: 'w.bin', parts: 2 });
    assert.equal(await s.storePathOfLocal(path.join(s.staging.dir, id)), undefined, 'a location inside staging is not ours to serve');
  });

  it('is shared by every store process on one root: begin on one, parts on another, complete on the first', async () => {
    const root = freshDir('shared');
    const a = await LocalArtifactStore.open(root);
    const b = new LocalArtifactStore(root);
    const id = await a.beginUpload('shared/out.bin', 2);
    const e1 = await b.putPart(id, 1, bodyOf('from b, '));
    const e2 = await a.putPart(id, 2, bodyOf('from a'));
    await a.completeUpload(id, [{ part: 1, etag: e1 }, { part: 2, etag: e2 }]);
    assert.equal(await readAll(b, 'shared/out.bin'), 'from b, from a');
    assert.equal(await b.stagedUpload(id), undefined);
  });

  it('removes uploads no part was written into for a day in a background sweep when it opens and then on a timer, not when one begins', async () => {
    const root = freshDir('abandoned');
    // No timer: begin alone never scans the staging folder.
    const s = new LocalArtifactStore(root);
    const old = await s.beginUpload('old.bin', 2);
    await s.putPart(old, 1, bodyOf('stale'));
    const recent = await s.beginUpload('recent.bin', 1);
    const dayAgo = new Date(Date.now() - 24 * 3600_000 - 60_000);
    fs.utimesSync(path.join(s.staging.dir, old), dayAgo, dayAgo);
    await s.beginUpload('new.bin', 1);
    assert.deepEqual(await s.stagedUpload(old), { target: 'old.bin', parts: 2 }, 'a begin does not sweep');
    const opened = await LocalArtifactStore.open(root, { sweepIntervalMs: 20 });
    try {
      await opened.staging.sweeping;
      assert.equal(await s.stagedUpload(old), undefined, 'swept when a store opens on the root');
      assert.equal(fs.existsSync(path.join(s.staging.dir, old)), false);
      assert.deepEqual(await s.stagedUpload(recent), { target: 'recent.bin', parts: 1 });
      fs.utimesSync(path.join(s.staging.dir, recent), dayAgo, dayAgo);
      for (let i = 0; i < 100 && (await s.stagedUpload(recent)); i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(await s.stagedUpload(recent), undefined, 'swept by the timer');
    } finally {
      await opened.close();
    }
    const quick = await LocalArtifactStore.open(root, { staleUploadMs: 0, sweepIntervalMs: 10 });
    try {
      const gone = await quick.beginUpload('a.bin', 1);
      for (let i = 0; i < 100 && (await quick.stagedUpload(gone)); i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(await quick.stagedUpload(gone), undefined, 'the expiry is a setting');
    } finally {
      await quick.close();
    }
  });

  it('bounds the uploads open in one root, across the processes sharing it, and takes new ones as others end', async () => {
    const root = freshDir('open-cap');
    const a = new LocalArtifactStore(root, { maxOpenUploads: 3 });
    const b = new LocalArtifactStore(root, { maxOpenUploads: 3 });
    const ids = [await a.beginUpload('1.bin', 1), await b.beginUpload('2.bin', 1), await a.beginUpload('3.bin', 1)];
    for (const s of [a, b]) {
      await assert.rejects(s.beginUpload('4.bin', 1), (e: unknown) => {
        assert.ok(e instanceof TrackbridgeError && e.code === 'INVALID_STATE' && e.wireCode === 'BAD_REQUEST', String(e));
        assert.match(e.message, /Too many multipart uploads are open \(3\)/);
        return true;
      });
    }
    await b.abortUpload(ids[0]);
    const e = await a.putPart(ids[1], 1, bodyOf('two'));
    await a.completeUpload(ids[1], [{ part: 1, etag: e }]);
    await a.beginUpload('4.bin', 1);
    await b.beginUpload('5.bin', 1);
    await rejectsWith(a.beginUpload('6.bin', 1), 'INVALID_STATE', 'the cap again');
  });

  it('a complete that fails once it has claimed the upload gives it back, and a folder left by a crashed complete is swept', async () => {
    const root = freshDir('claim');
    const s = new LocalArtifactStore(root);
    await s.put('taken/x', bodyOf('a file'));
    const id = await s.beginUpload('taken/y.bin', 1);
    const etag = await s.putPart(id, 1, bodyOf('bytes'));
    // The target's folder becomes a file between begin and complete: assembling fails.
    await s.delete('taken');
    await s.put('taken', bodyOf('now a file'));
    await rejectsWith(s.completeUpload(id, [{ part: 1, etag }]), 'INVALID_ARGUMENT', 'a target under a file');
    assert.deepEqual(await s.stagedUpload(id), { target: 'taken/y.bin', parts: 1 }, 'the upload is open again');
    await s.delete('taken');
    await s.completeUpload(id, [{ part: 1, etag }]);
    assert.equal(await readAll(s, 'taken/y.bin'), 'bytes');
    const crashed = await s.beginUpload('crashed.bin', 1);
    fs.renameSync(path.join(s.staging.dir, crashed), path.join(s.staging.dir, `${crashed}.completing`));
    await rejectsWith(s.abortUpload(crashed), 'NOT_FOUND', 'an upload being completed');
    const dayAgo = new Date(Date.now() - 24 * 3600_000 - 60_000);
    fs.utimesSync(path.join(s.staging.dir, `${crashed}.completing`), dayAgo, dayAgo);
    await s.staging.removeStale();
    assert.deepEqual(fs.readdirSync(s.staging.dir), []);
  });
});

describe('local artifact store: local locations', () => {
  it('names the store path of a local folder inside the root, resolving links once, and of nothing else', async () => {
    const base = freshDir('locations');
    const root = path.join(base, 'root');
    fs.mkdirSync(path.join(base, 'outside'), { recursive: true });
    const s = await LocalArtifactStore.open(root);
    fs.mkdirSync(path.join(root, 'exp', 'run'), { recursive: true });
    fs.symlinkSync(path.join(base, 'outside'), path.join(root, 'exp', 'out'));
    fs.symlinkSync(root, path.join(base, 'root-alias'));
    const real = fs.realpathSync(root);
    const cases: Array<[string, string | undefined]> = [
      [root, ''],
      [`${root}/exp/run/artifacts`, 'exp/run/artifacts'],
      [`${root}//exp/run/`, 'exp/run'],
      [`${real}/exp`, 'exp'],
      [path.join(base, 'root-alias', 'exp', 'run'), 'exp/run'],
      [`${root}/exp/out`, undefined],
      [`${root}/exp/out/deeper/artifacts`, undefined],
      [`${root}/../outside`, undefined],
      [`${root}/exp/./run`, undefined],
      [path.join(base, 'outside'), undefined],
      [base, undefined],
      ['/', undefined],
      ['/etc', undefined],
      ['relative/path', undefined],
      [`${root}/a\0b`, undefined],
      [`${root}/${'n'.repeat(300)}`, undefined],
    ];
    for (const [given, expected] of cases) assert.equal(await s.storePathOfLocal(given), expected, given);
  });
});
