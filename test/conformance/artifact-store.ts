/**
 * The ArtifactStore conformance suite: what every implementation (local folder today, object
 * stores later) must do, driven through the interface only. Each test gets a fresh, empty store.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';

import type { ArtifactEntry, ArtifactStore } from '../../src/core/artifact-store';
import { TrackbridgeError } from '../../src/core/errors';

export type OpenArtifactStore = () => Promise<ArtifactStore>;

export const bodyOf = (data: string | Buffer) => Readable.from([Buffer.from(data)]);

/** A body that delivers some bytes, then fails the way a client that hangs up mid-upload does. */
export function interruptedBody(bytes = 64 * 1024): Readable {
  const body = new Readable({ read() {} });
  body.push(Buffer.alloc(bytes, 7));
  setTimeout(() => body.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })), 20);
  return body;
}

export async function readAll(store: ArtifactStore, p: string): Promise<string | undefined> {
  const found = await store.get(p);
  if (!found) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of found.stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Rejects with a TrackbridgeError of the given code. */
export async function rejectsWith(p: Promise<unknown>, code: string, what: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof TrackbridgeError, `${what}: expected a TrackbridgeError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    assert.equal(e.code, code, `${what}: ${e.message}`);
    return true;
  }, what);
}

const names = (entries: ArtifactEntry[]) => entries.map((e) => e.name);

export function artifactStoreConformance(label: string, open: OpenArtifactStore): void {
  describe(`artifact store conformance: ${label}`, () => {
    it('puts, gets, lists, overwrites and deletes', async () => {
      const s = await open();
      await s.put('a/b/c.txt', bodyOf('hello'));
      await s.put('a/top.bin', bodyOf(Buffer.alloc(1000, 1)));
      assert.equal(await readAll(s, 'a/b/c.txt'), 'hello');
      assert.equal((await s.get('a/b/c.txt'))?.size, 5);
      assert.deepEqual(await s.list(''), [{ name: 'a', isDir: true }]);
      assert.deepEqual(await s.list('a'), [{ name: 'b', isDir: true }, { name: 'top.bin', isDir: false, size: 1000 }]);
      await s.put('a/b/c.txt', bodyOf('v2'));
      assert.equal(await readAll(s, 'a/b/c.txt'), 'v2');
      await s.delete('a/b/c.txt');
      assert.equal(await s.get('a/b/c.txt'), undefined);
      await s.delete('a');
      assert.deepEqual(await s.list(''), []);
    });

    it('stores names ending in .part, .tmp or a temp-like suffix like any other name', async () => {
      const s = await open();
      const odd = ['model.part', 'weights.0f1e2d3c-aaaa-bbbb-cccc-0123456789ab.part', 'x.tmp', '.part', 'dir.part/inner.part'];
      for (const n of odd) await s.put(n, bodyOf(n));
      assert.deepEqual(names(await s.list('')), ['.part', 'dir.part', 'model.part', 'weights.0f1e2d3c-aaaa-bbbb-cccc-0123456789ab.part', 'x.tmp']);
      assert.deepEqual(await s.list('dir.part'), [{ name: 'inner.part', isDir: false, size: 'dir.part/inner.part'.length }]);
      for (const n of odd) assert.equal(await readAll(s, n), n, n);
      await s.delete('model.part');
      assert.equal(await s.get('model.part'), undefined);
    });

    it('answers missing things the way MLflow does: nothing to get, an empty list, a quiet delete', async () => {
      const s = await open();
      await s.put('f.txt', bodyOf('x'));
      assert.equal(await s.get('nope.txt'), undefined);
      assert.equal(await s.get('f.txt/under-a-file'), undefined);
      assert.deepEqual(await s.list('nope'), []);
      // The MLflow client probes "is this a folder?" by listing it, so listing a file is empty, not an error.
      assert.deepEqual(await s.list('f.txt'), []);
      await s.delete('nope/deeper.txt');
      await s.delete('f.txt/under-a-file');
      assert.equal(await readAll(s, 'f.txt'), 'x');
    });

    it('refuses to get a folder, to write over a folder and to write under a file', async () => {
      const s = await open();
      await s.put('dir/inside.txt', bodyOf('in'));
      await s.put('file.txt', bodyOf('f'));
      await rejectsWith(s.get('dir'), 'INVALID_ARGUMENT', 'get of a folder');
      await rejectsWith(s.put('dir', bodyOf('over')), 'INVALID_ARGUMENT', 'put where a folder is');
      await rejectsWith(s.put('file.txt/child.txt', bodyOf('under')), 'INVALID_ARGUMENT', 'put under a file');
      await rejectsWith(s.put('file.txt/a/b/c.txt', bodyOf('under')), 'INVALID_ARGUMENT', 'deep put under a file');
      await rejectsWith(s.put('', bodyOf('root')), 'INVALID_ARGUMENT', 'put at the root');
      assert.equal(await readAll(s, 'dir/inside.txt'), 'in');
      assert.equal(await readAll(s, 'file.txt'), 'f');
      assert.deepEqual(names(await s.list('')), ['dir', 'file.txt']);
    });

    it('refuses over-long names and paths as invalid input', async () => {
      const s = await open();
      const longest = 'n'.repeat(255);
      await s.put(`ok/${longest}`, bodyOf('edge'));
      assert.equal(await readAll(s, `ok/${longest}`), 'edge');
      const over = [
        'n'.repeat(256),
        `ok/${'é'.repeat(128)}.txt`, // 256 bytes in UTF-8
        Array.from({ length: 40 }, () => 'd'.repeat(120)).join('/'), // ~4.8 KB in all, every segment short
      ];
      for (const p of over) {
        const what = `${p.slice(0, 20)}… (${Buffer.byteLength(p)} bytes)`;
        await rejectsWith(s.put(p, bodyOf('x')), 'INVALID_ARGUMENT', `put ${what}`);
        await rejectsWith(s.get(p), 'INVALID_ARGUMENT', `get ${what}`);
        await rejectsWith(s.list(p), 'INVALID_ARGUMENT', `list ${what}`);
        await rejectsWith(s.delete(p), 'INVALID_ARGUMENT', `delete ${what}`);
      }
      assert.deepEqual(names(await s.list('')), ['ok']);
    });

    it('an interrupted upload leaves nothing behind and keeps the previous version', async () => {
      const s = await open();
      await s.put('kept.txt', bodyOf('v1'));
      await assert.rejects(s.put('kept.txt', interruptedBody()));
      await assert.rejects(s.put('fresh/new.bin', interruptedBody()));
      assert.equal(await readAll(s, 'kept.txt'), 'v1');
      assert.equal(await s.get('fresh/new.bin'), undefined);
      // Folders are made only once the bytes are in, so a failed upload does not even leave its folder.
      assert.deepEqual(await s.list(''), [{ name: 'kept.txt', isDir: false, size: 2 }]);
    });

    it('takes any async iterable as a body, and a body refused with a reason keeps that reason', async () => {
      const s = await open();
      await s.put('iter/a.bin', (async function* () { yield Buffer.from('ab'); yield new Uint8Array([0x63]); })());
      assert.equal(await readAll(s, 'iter/a.bin'), 'abc');
      const refused = new TrackbridgeError('INVALID_ARGUMENT', 'Artifact size is too large.');
      await assert.rejects(
        s.put('iter/b.bin', (async function* () { yield Buffer.alloc(1000, 1); throw refused; })()),
        (e: unknown) => e === refused,
      );
      assert.equal(await s.get('iter/b.bin'), undefined);
      assert.deepEqual(names(await s.list('iter')), ['a.bin']);
    });

    it('assembles a multipart upload from parts staged in any order, into a file that appears whole', async () => {
      const s = await open();
      const parts = [Buffer.alloc(3 * 1024 * 1024, 1), Buffer.alloc(3 * 1024 * 1024, 2), Buffer.from('tail')];
      const id = await s.beginUpload('big/weights.bin', 3);
      assert.match(id, /^[0-9a-f]{32}$/);
      assert.notEqual(id, await s.beginUpload('big/weights.bin', 3), 'every upload has its own id');
      assert.deepEqual(await s.stagedUpload(id), { target: 'big/weights.bin', parts: 3 });
      const etags: string[] = [];
      for (const i of [2, 0, 1]) etags[i] = await s.putPart(id, i + 1, bodyOf(parts[i]));
      // Staged parts are no artifacts: the root lists nothing yet, and the target is not there.
      assert.deepEqual(await s.list(''), []);
      assert.equal(await s.get('big/weights.bin'), undefined);
      let seen = 0;
      let partial = 0;
      const watching = (async () => {
        for (let i = 0; i < 200 && seen === 0; i++) {
          const got = await s.get('big/weights.bin');
          if (got) {
            got.stream.destroy();
            if (got.size !== 6 * 1024 * 1024 + 4) partial++;
            seen++;
          }
          await new Promise((r) => setImmediate(r));
        }
      })();
      await s.completeUpload(id, etags.map((etag, i) => ({ part: i + 1, etag })));
      await watching;
      assert.equal(partial, 0, 'the file never showed half written');
      const got = await s.get('big/weights.bin');
      assert.equal(got?.size, 6 * 1024 * 1024 + 4);
      const chunks: Buffer[] = [];
      for await (const c of got!.stream) chunks.push(c as Buffer);
      assert.ok(Buffer.concat(chunks).equals(Buffer.concat(parts)), 'parts joined in order');
      assert.equal(await s.stagedUpload(id), undefined, 'a completed upload is gone');
      await rejectsWith(s.putPart(id, 1, bodyOf('late')), 'NOT_FOUND', 'a part after completion');
      assert.deepEqual(names(await s.list('')), ['big']);
    });

    it('refuses to complete with a part missing or of another etag, and leaves the staged parts', async () => {
      const s = await open();
      await s.put('keep/old.bin', bodyOf('old'));
      const id = await s.beginUpload('keep/old.bin', 3);
      const e1 = await s.putPart(id, 1, bodyOf('one '));
      const e2 = await s.putPart(id, 2, bodyOf('two '));
      await rejectsWith(s.completeUpload(id, [{ part: 1, etag: e1 }, { part: 2, etag: e2 }, { part: 3, etag: e2 }]), 'INVALID_ARGUMENT', 'part 3 never uploaded');
      await rejectsWith(s.completeUpload(id, [{ part: 1, etag: e2 }, { part: 2, etag: e2 }]), 'INVALID_ARGUMENT', 'part 1 with the etag of part 2');
      await rejectsWith(s.completeUpload(id, [{ part: 1, etag: '../../x' }]), 'INVALID_ARGUMENT', 'an etag that is a path');
      assert.equal(await readAll(s, 'keep/old.bin'), 'old', 'the old file stays');
      assert.deepEqual(await s.stagedUpload(id), { target: 'keep/old.bin', parts: 3 });
      // A part sent again replaces its earlier copy; completing then takes the new bytes.
      const e2b = await s.putPart(id, 2, bodyOf('TWO '));
      await rejectsWith(s.completeUpload(id, [{ part: 1, etag: e1 }, { part: 2, etag: e2 }]), 'INVALID_ARGUMENT', 'the superseded etag');
      const e3 = await s.putPart(id, 3, bodyOf('three'));
      await s.completeUpload(id, [{ part: 1, etag: e1 }, { part: 2, etag: e2b }, { part: 3, etag: e3 }]);
      assert.equal(await readAll(s, 'keep/old.bin'), 'one TWO three');
    });

    it('of one part sent twice at once, one copy stays whole and completes the upload', async () => {
      const s = await open();
      const id = await s.beginUpload('race.bin', 1);
      const a = Buffer.alloc(2 * 1024 * 1024, 0x61);
      const b = Buffer.alloc(2 * 1024 * 1024, 0x62);
      const [ea, eb] = await Promise.all([s.putPart(id, 1, bodyOf(a)), s.putPart(id, 1, bodyOf(b))]);
      let completed: Buffer | undefined;
      for (const [etag, bytes] of [[ea, a], [eb, b]] as const) {
        try {
          await s.completeUpload(id, [{ part: 1, etag }]);
          completed = bytes;
          break;
        } catch (e) {
          assert.ok(e instanceof TrackbridgeError && e.code === 'INVALID_ARGUMENT', String(e));
        }
      }
      assert.ok(completed, 'one of the two copies completes the upload');
      const got = await s.get('race.bin');
      const chunks: Buffer[] = [];
      for await (const c of got!.stream) chunks.push(c as Buffer);
      assert.ok(Buffer.concat(chunks).equals(completed), 'the file is that copy, whole');
    });

    it('aborts an upload, removing its parts; unknown ids are NOT_FOUND and an interrupted part stages nothing', async () => {
      const s = await open();
      const id = await s.beginUpload('gone.bin', 2);
      const e1 = await s.putPart(id, 1, bodyOf('one'));
      await assert.rejects(s.putPart(id, 2, interruptedBody()));
      await rejectsWith(s.completeUpload(id, [{ part: 1, etag: e1 }, { part: 2, etag: e1 }]), 'INVALID_ARGUMENT', 'the interrupted part');
      await s.abortUpload(id);
      assert.equal(await s.stagedUpload(id), undefined);
      await rejectsWith(s.completeUpload(id, [{ part: 1, etag: e1 }]), 'NOT_FOUND', 'complete after abort');
      await rejectsWith(s.abortUpload(id), 'NOT_FOUND', 'abort twice');
      for (const bad of ['0'.repeat(32), '..', '../x', '', 'a'.repeat(1000)]) {
        assert.equal(await s.stagedUpload(bad), undefined, bad);
        await rejectsWith(s.putPart(bad, 1, bodyOf('x')), 'NOT_FOUND', `part of ${bad}`);
      }
      assert.equal(await s.get('gone.bin'), undefined);
      assert.deepEqual(await s.list(''), []);
      await rejectsWith(s.beginUpload('../out.bin', 1), 'INVALID_ARGUMENT', 'an upload out of the root');
    });

    it('of two completes sent at once, one assembles the file and the other is refused; the first one\'s file stands', async () => {
      const s = await open();
      const parts = [Buffer.alloc(8 * 1024 * 1024, 1), Buffer.alloc(8 * 1024 * 1024, 2)];
      const id = await s.beginUpload('twice.bin', 2);
      const refs = [{ part: 1, etag: await s.putPart(id, 1, bodyOf(parts[0])) }, { part: 2, etag: await s.putPart(id, 2, bodyOf(parts[1])) }];
      const outcomes = await Promise.allSettled([s.completeUpload(id, refs), s.completeUpload(id, refs), s.completeUpload(id, refs)]);
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, 'exactly one complete assembled the file');
      for (const o of outcomes) {
        if (o.status === 'fulfilled') continue;
        const e = o.reason;
        assert.ok(e instanceof TrackbridgeError && e.code === 'NOT_FOUND', String(e));
        assert.match(e.message, /is being completed|does not exist/);
      }
      const got = await s.get('twice.bin');
      assert.equal(got?.size, 16 * 1024 * 1024);
      const chunks: Buffer[] = [];
      for await (const c of got!.stream) chunks.push(c as Buffer);
      assert.ok(Buffer.concat(chunks).equals(Buffer.concat(parts)));
      assert.equal(await s.stagedUpload(id), undefined);
    });

    it('a complete and an abort sent at once: exactly one of them takes the upload', async () => {
      const s = await open();
      for (let round = 0; round < 4; round++) {
        const id = await s.beginUpload(`raced-${round}.bin`, 1);
        const bytes = Buffer.alloc(4 * 1024 * 1024, 0x41 + round);
        const etag = await s.putPart(id, 1, bodyOf(bytes));
        // Alternate who starts first.
        const calls = [() => s.completeUpload(id, [{ part: 1, etag }]), () => s.abortUpload(id)];
        if (round % 2) calls.reverse();
        const outcomes = await Promise.allSettled(calls.map((c) => c()));
        assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, `round ${round}: ${outcomes.map((o) => o.status === 'rejected' ? String(o.reason) : 'ok').join(', ')}`);
        for (const o of outcomes) if (o.status === 'rejected') assert.ok(o.reason instanceof TrackbridgeError && o.reason.code === 'NOT_FOUND', String(o.reason));
        const completed = outcomes[round % 2 ? 1 : 0].status === 'fulfilled';
        const got = await s.get(`raced-${round}.bin`);
        if (completed) {
          assert.equal(got?.size, bytes.length, 'the completed file is whole');
          got!.stream.destroy();
        } else {
          assert.equal(got, undefined, 'an aborted upload leaves no file');
        }
        assert.equal(await s.stagedUpload(id), undefined);
      }
    });

    it('lists only artifacts at the root, even while an upload is under way', async () => {
      const s = await open();
      const slow = new Readable({ read() {} });
      slow.push('first half ');
      const pending = s.put('slow.txt', slow);
      await new Promise((r) => setTimeout(r, 30));
      await s.put('done.txt', bodyOf('done'));
      assert.deepEqual(names(await s.list('')), ['done.txt']);
      slow.push('second half');
      slow.push(null);
      await pending;
      assert.deepEqual(names(await s.list('')), ['done.txt', 'slow.txt']);
      assert.equal(await readAll(s, 'slow.txt'), 'first half second half');
    });
  });
}
