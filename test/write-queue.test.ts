/**
 * SQLite's single writer is bounded: a write unit past its deadline is rolled back and refused
 * without holding up the writes behind it, its later statements fail instead of landing in a
 * later group, a full queue refuses at once, and every acknowledged write is stored.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { TrackbridgeError } from '../src/core/errors';
import type { LockedRun } from '../src/core/store';
import type { SqlStore } from '../src/store/sql-store';
import { createDatabase, FAST, openTracking, type TestDatabase } from './support/databases';

const DEADLINE_MS = 300;

const never = () => new Promise<never>(() => {});

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => { open = r; });
  return { open, opened };
}

async function unavailable(p: Promise<unknown>): Promise<TrackbridgeError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  assert.ok(e instanceof TrackbridgeError, `expected UNAVAILABLE, got ${e === undefined ? 'success' : String(e)}`);
  assert.equal(e.code, 'UNAVAILABLE', e.message);
  return e;
}

describe('the SQLite writer is bounded', () => {
  let db: TestDatabase;
  let store: SqlStore;
  let runId: string;
  let run: LockedRun;

  const open = async (maxWaiting = 10_000) => {
    const opened = await openTracking(db.url, { ...FAST, writeLimits: { deadlineMs: DEADLINE_MS, maxWaiting } });
    store = opened.store;
    return opened.tracking;
  };
  const setTag = (key: string) => store.write((tx) => tx.runs.setTags(run, [{ key, value: 'v' }]));
  const tags = async () => Object.fromEntries((await store.getRun(runId))!.tags.map((t) => [t.key, t.value]));

  before(async () => {
    db = await createDatabase('sqlite');
    const tracking = await open();
    const experimentId = await tracking.experiments.create('bounded-writer', undefined, []);
    runId = (await tracking.runs.create({ experimentId, userId: 'u', startTime: 1, tags: [] })).info.runId;
    run = (await store.write((tx) => tx.runs.lock(runId)))!;
  });

  after(async () => {
    await store?.close();
    await db?.drop();
  });

  it('rolls back and refuses a lone unit that awaits something else past its deadline; the writes behind it go on', async () => {
    const holding = gate();
    const started = Date.now();
    const stuck = store.write(async (tx) => {
      await tx.runs.setTags(run, [{ key: 'stuck-alone', value: 'v' }]);
      holding.open();
      await never();
    });
    // Asked once the stuck unit holds the writer, so it is alone in its group.
    await holding.opened;
    const behind = setTag('behind-alone');
    await unavailable(stuck);
    await behind;
    assert.ok(Date.now() - started < DEADLINE_MS + 2000, `the write behind waited ${Date.now() - started} ms`);
    const t = await tags();
    assert.equal(t['stuck-alone'], undefined);
    assert.equal(t['behind-alone'], 'v');
  });

  it('rolls back only the overrunning unit of a group', async () => {
    // Asked in one tick, the three share a group: the stuck one sits between two others.
    const before = setTag('group-before');
    const stuck = store.write(async (tx) => {
      await tx.runs.setTags(run, [{ key: 'group-stuck', value: 'v' }]);
      await never();
    });
    const afterIt = setTag('group-after');
    await unavailable(stuck);
    await Promise.all([before, afterIt]);
    const t = await tags();
    assert.equal(t['group-stuck'], undefined);
    assert.equal(t['group-before'], 'v');
    assert.equal(t['group-after'], 'v');
  });

  it('counts only time outside statements: a write that keeps the database busy past the deadline commits', async () => {
    // Chunks of points until the unit has spent twice the deadline in the database, however fast it is.
    const chunk = 20_000;
    let chunksWritten = 0;
    const started = Date.now();
    await store.write(async (tx) => {
      while (Date.now() - started < 2 * DEADLINE_MS && chunksWritten < 500) {
        const base = chunksWritten * chunk;
        await tx.metrics.insert(run, Array.from({ length: chunk }, (_, i) => ({ key: 'busy', value: i, timestamp: 1, step: base + i })));
        chunksWritten++;
      }
    });
    assert.ok(Date.now() - started >= 2 * DEADLINE_MS, `the write took only ${Date.now() - started} ms`);
    let stored = 0;
    for await (const points of store.metricHistoryChunks(runId, 'busy', 0, 100_000_000)) stored += points.length;
    assert.equal(stored, chunksWritten * chunk);
  });

  it('does not count pauses: a unit that lets other work run between its statements past the deadline commits', async () => {
    const busy = (ms: number) => { const end = Date.now() + ms; while (Date.now() < end) { /* another request's work */ } };
    const started = Date.now();
    await store.write(async (tx) => {
      for (let i = 0; i < 12; i++) {
        await tx.runs.setTags(run, [{ key: `paused-${i}`, value: 'v' }]);
        // Queued before the pause's own turn, so it runs inside the pause.
        setImmediate(() => busy(DEADLINE_MS / 6));
        await tx.pause();
      }
    });
    assert.ok(Date.now() - started > 2 * DEADLINE_MS, `the unit took only ${Date.now() - started} ms`);
    const t = await tags();
    for (let i = 0; i < 12; i++) assert.equal(t[`paused-${i}`], 'v');
  });

  it('fails every statement an overrun unit issues afterwards, instead of running it in a later group', async () => {
    const late = gate();
    let lateError: unknown;
    const stuck = store.write(async (tx) => {
      await late.opened;
      try {
        await tx.runs.setTags(run, [{ key: 'too-late', value: 'v' }]);
      } catch (e) {
        lateError = e;
        throw e;
      }
    });
    await unavailable(stuck);
    // The writer has moved on: a later group is open when the late statement comes.
    const holder = gate();
    const reached = gate();
    const next = store.write(async (tx) => {
      await tx.runs.setTags(run, [{ key: 'next-group', value: 'v' }]);
      reached.open();
      await holder.opened;
    });
    await reached.opened;
    late.open();
    await new Promise((r) => setTimeout(r, 20));
    holder.open();
    await next;
    assert.ok(lateError instanceof TrackbridgeError && lateError.code === 'UNAVAILABLE', `the late statement gave ${String(lateError)}`);
    const t = await tags();
    assert.equal(t['too-late'], undefined);
    assert.equal(t['next-group'], 'v');
  });

  it('refuses new writes at once while the queue is full, and stores every write it acknowledged', async () => {
    await store.close();
    await open(3);
    const release = gate();
    const holding = gate();
    const holder = store.write(async (tx) => {
      await tx.runs.setTags(run, [{ key: 'full-holder', value: 'v' }]);
      holding.open();
      await release.opened;
    });
    await holding.opened;
    const waiting = [setTag('full-0'), setTag('full-1'), setTag('full-2')];
    const asked = Date.now();
    await unavailable(setTag('full-refused'));
    assert.ok(Date.now() - asked < DEADLINE_MS / 2, 'the refusal waited for the writer');
    release.open();
    await Promise.all([holder, ...waiting]);
    // Room again once the queue has drained.
    await setTag('full-after');

    // Many writes at once, some of them overrunning: reopened, the store holds exactly the acknowledged ones.
    await store.close();
    await open();
    const keys = Array.from({ length: 60 }, (_, i) => `load-${i}`);
    const results = await Promise.allSettled(keys.map((key, i) => store.write(async (tx) => {
      await tx.runs.setTags(run, [{ key, value: 'v' }]);
      if (i % 15 === 7) await never();
    })));
    await store.close();
    await open();
    const t = await tags();
    for (const key of ['full-holder', 'full-0', 'full-1', 'full-2', 'full-after']) assert.equal(t[key], 'v', key);
    assert.equal(t['full-refused'], undefined);
    keys.forEach((key, i) => {
      const r = results[i];
      if (i % 15 === 7) {
        assert.equal(r.status, 'rejected', key);
        assert.equal(t[key], undefined, key);
      } else {
        assert.equal(r.status, 'fulfilled', `${key}: ${r.status === 'rejected' ? String(r.reason) : ''}`);
        assert.equal(t[key], 'v', key);
      }
    });
  });
});
