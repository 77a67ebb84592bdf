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
