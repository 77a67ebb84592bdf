/**
 * A large file_stream chunk is prepared a piece at a time (in one transaction; piece by piece, each
 * its own, when the chunk is refused whole), yet behaves as one: a bad line is dropped and the rest stored, a request that fails halfway and
 * is resent stores every line once, and a chunk sent again changes nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Tracking } from '../src/core/tracking';
import { TrackbridgeError } from '../src/core/errors';
import { FileStreamApplier, fileStreamRequestOf } from '../src/protocols/wandb/file-stream';
import { HISTORY_STREAM } from '../src/protocols/wandb/streams';
import { HISTORY_PIECE_ROWS as ROWS_PER_WRITE } from '../src/core/run-data';
import { createDatabase, FAST, openTracking, selectedDialects, type TestDatabase } from './support/databases';

const line = (o: Record<string, unknown>) => JSON.stringify(o);
const LINES = 2 * ROWS_PER_WRITE + 500;
const T0 = 1.7e9;

/** A chunk of LINES history lines from `offset`, metric `x` = step × `scale`. */
const chunk = (offset: number, scale: number, lines = LINES) => ({
  offset, content: Array.from({ length: lines }, (_, i) => line({ _step: offset + i, x: (offset + i) * scale, _timestamp: T0 + offset + i })),
});
const request = (files: Record<string, unknown>) => fileStreamRequestOf(JSON.stringify({ files }), () => {});

for (const dialect of selectedDialects()) {
  describe(`W&B file_stream, chunks larger than one write (${dialect})`, () => {
    let db: TestDatabase;
    let tracking: Tracking;
    let close: () => Promise<void>;
    let experimentId: string;
    let seq = 0;
    const logged: string[] = [];

    before(async () => {
      db = await createDatabase(dialect);
      const opened = await openTracking(db.url, FAST);
      tracking = opened.tracking;
      close = () => opened.store.close();
      experimentId = await tracking.experiments.create('alice/pieces', undefined, []);
    });
    after(async () => {
      await close();
      await db.drop();
    });

    async function newRun(): Promise<string> {
      const runId = `p${(seq++).toString(36).padStart(7, '0')}`;
      await tracking.ingest.run({
        runId, experiment: { experimentId }, name: runId, userId: 'alice', status: 'RUNNING', startTime: Date.now(),
        endTime: null, lifecycleStage: 'active', deletedTime: null, tags: [], params: [], metrics: [],
      });
      return runId;
    }

    const applier = (t: Tracking = tracking) => new FileStreamApplier(t, (m) => logged.push(m));
    const points = async (runId: string) => (await tracking.history.get(runId, 'x')).items.map((m) => [Number(m.step), m.value]);
    const offset = async (runId: string) => (await tracking.runData.streamOffsets(runId)).find((s) => s.stream === HISTORY_STREAM)?.nextOffset;
    const expected = (from: number, to: number, scale: number, skip: number[] = []) =>
      Array.from({ length: to - from }, (_, i) => from + i).filter((s) => !skip.includes(s)).map((s) => [s, s * scale]);

    it('stores every line of a chunk spanning several writes, a bad line and a bad key dropped', async () => {
      const runId = await newRun();
      const c = chunk(0, 1);
      const unreadable = ROWS_PER_WRITE + 7, badKey = 2 * ROWS_PER_WRITE + 3;
      c.content[unreadable] = '{"_step": oops';
      c.content[badKey] = line({ _step: badKey, x: badKey, ['k'.repeat(300)]: 1, _timestamp: T0 + badKey });
      logged.length = 0;
      await applier().apply(runId, request({ [HISTORY_STREAM]: c }), Date.now());
      assert.deepEqual(await points(runId), expected(0, LINES, 1, [unreadable]));
      assert.equal(await offset(runId), LINES);
      assert.ok(logged.some((m) => m.includes(`line ${unreadable} dropped`)), logged.join('\n'));
      assert.ok(logged.some((m) => m.includes(`line ${badKey} dropped`)), logged.join('\n'));
    });

    it('changes nothing when the chunk is sent again, with other values', async () => {
      const runId = await newRun();
      await applier().apply(runId, request({ [HISTORY_STREAM]: chunk(0, 1) }), Date.now());
      await applier().apply(runId, request({ [HISTORY_STREAM]: chunk(0, 100) }), Date.now());
      assert.deepEqual(await points(runId), expected(0, LINES, 1));
      assert.equal(await offset(runId), LINES);
    });

    /** `tracking` with its runData methods replaced by `over`. */
    const withRunData = (over: Partial<Tracking['runData']>): Tracking => {
      const runData = Object.assign(Object.create(tracking.runData), over) as Tracking['runData'];
      const t = Object.create(tracking) as Tracking;
      Object.defineProperty(t, 'runData', { value: runData });
      return t;
    };
    const busy = () => new TrackbridgeError('UNAVAILABLE', 'the store is busy');

    it('stores nothing of a chunk whose second piece fails, and every line once when it is resent', async () => {
      const runId = await newRun();
      const failing = withRunData({
        logHistoryPieces: (id, stream, off, count, rowsOf, refused) => tracking.runData.logHistoryPieces(id, stream, off, count,
          (start, end) => { if (start >= ROWS_PER_WRITE) throw busy(); return rowsOf(start, end); }, refused),
      });
      await assert.rejects(applier(failing).apply(runId, request({ [HISTORY_STREAM]: chunk(0, 1) }), Date.now()),
        (e: unknown) => e instanceof TrackbridgeError && e.code === 'UNAVAILABLE');
      assert.deepEqual(await points(runId), []);
      assert.equal(await offset(runId) ?? 0, 0);
      await applier().apply(runId, request({ [HISTORY_STREAM]: chunk(0, 1) }), Date.now());
      assert.deepEqual(await points(runId), expected(0, LINES, 1));
      assert.equal(await offset(runId), LINES);
    });

    it('falls back to piece-by-piece writes when the chunk is refused whole; a failure halfway then a resend stores every line once', async () => {
      const runId = await newRun();
      let writes = 0;
      const failing = withRunData({
        logHistoryPieces: async () => { throw new TrackbridgeError('INVALID_ARGUMENT', 'a row refused whole'); },
        logHistoryRows: async (...args) => {
          if (++writes === 2) throw busy();
          return tracking.runData.logHistoryRows(...args);
        },
      });
      await assert.rejects(applier(failing).apply(runId, request({ [HISTORY_STREAM]: chunk(0, 1) }), Date.now()),
        (e: unknown) => e instanceof TrackbridgeError && e.code === 'UNAVAILABLE');
      // The first piece is committed and counted; the request as a whole was not answered.
      assert.equal(await offset(runId), ROWS_PER_WRITE);
      await applier().apply(runId, request({ [HISTORY_STREAM]: chunk(0, 1) }), Date.now());
      assert.deepEqual(await points(runId), expected(0, LINES, 1));
      assert.equal(await offset(runId), LINES);
    });

    it('applies only the new lines of a long chunk overlapping what is stored', async () => {
      const runId = await newRun();
      await applier().apply(runId, request({ [HISTORY_STREAM]: chunk(0, 1, ROWS_PER_WRITE + 10) }), Date.now());
      await applier().apply(runId, request({ [HISTORY_STREAM]: chunk(5, 100) }), Date.now());
      const want = [...expected(0, ROWS_PER_WRITE + 10, 1), ...expected(ROWS_PER_WRITE + 10, LINES + 5, 100)];
      assert.deepEqual(await points(runId), want);
      assert.equal(await offset(runId), LINES + 5);
    });
  });
}
