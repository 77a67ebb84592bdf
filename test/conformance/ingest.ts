/**
 * Ingest: objects written whole with their own ids, times, status, lifecycle and origin, found
 * again by origin or id so a second ingest updates instead of duplicating, and refused when an id
 * belongs to another object. An ingested run reads exactly like a native one.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { IngestExperiment, IngestRun } from '../../src/core/ingest';
import type { MetricPoint, Run } from '../../src/core/model';
import { LIMITS } from '../../src/core/limits';
import { type Ctx, expectError, newExperiment, newRun, paramsOf, point, tagsOf, uniq } from './context';

const BIG_TS = 2n ** 55n + 7n;
const BIG_STEP = 2n ** 60n + 3n;

/** The tables an ingest writes; their row counts show that a repeated ingest added nothing. */
const TABLES = ['experiments', 'experiment_tags', 'runs', 'params', 'tags', 'metrics', 'latest_metrics', 'datasets', 'run_inputs', 'origins'];

async function rowCounts(ctx: Ctx): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = Number((await ctx.store.db(t).count({ n: '*' }))[0].n);
  return out;
}

async function history(ctx: Ctx, runId: string, key: string): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of ctx.store.metricHistoryChunks(runId, key, 0, 1_000_000_000)) {
    for (const p of chunk) out.push(`${p.timestamp}/${p.step}/${Number.isNaN(p.value) ? 'NaN' : p.value}`);
  }
  return out;
}

function experimentOf(over: Partial<IngestExperiment> = {}): IngestExperiment {
  return {
    name: `ingested-${uniq()}`,
    lifecycleStage: 'active',
    creationTime: 1_600_000_000_000,
    lastUpdateTime: 1_600_000_100_000,
    tags: [{ key: 'mlflow.note.content', value: 'from elsewhere' }],
    ...over,
  };
}

function runOf(experimentId: string, over: Partial<IngestRun> = {}): IngestRun {
  return {
    runId: uniq() + uniq() + uniq() + uniq(),
    experiment: { experimentId },
    name: 'imported-run',
    userId: 'bob',
    status: 'FAILED',
    startTime: 1_600_000_000_123,
    endTime: 1_600_000_999_000,
    lifecycleStage: 'active',
    deletedTime: null,
    tags: [{ key: 'team', value: 'red' }],
    params: [{ key: 'lr', value: '0.01' }, { key: 'layers', value: '4' }],
    metrics: [
      point('loss', 0.9, 0, 1_600_000_000_200), point('loss', 0.5, 1, 1_600_000_000_300), point('loss', NaN, 2, 1_600_000_000_400),
      { key: 'loss', value: 0.1, step: BIG_STEP, timestamp: BIG_TS } as MetricPoint,
      point('acc', 0.7, 5, 1_600_000_000_500),
    ],
    ...over,
  };
}

/** A run as read, with what is meant to differ between two runs (ids, the location derived from them) taken out. */
function comparable(run: Run) {
  const { runId: _r, experimentId: _e, artifactUri: _a, ...info } = run.info;
  return { ...run, info };
}

export function ingestTests(ctx: Ctx): void {
  describe('ingest', () => {
    it('keeps ids, times, status, lifecycle, int64 steps and timestamps and the origin', async () => {
      const origin = { system: 'mlflow', id: `exp-${uniq()}`, url: 'http://mlflow.example:5000/#/experiments/7' };
      const expId = `7${Date.now()}${Math.floor(Math.random() * 1000)}`;
      const e = await ctx.tracking.ingest.experiment(experimentOf({ experimentId: expId, lifecycleStage: 'deleted', origin }));
      assert.deepEqual(e, { id: expId, created: true, warnings: [] });
      const exp = await ctx.tracking.experiments.get(expId);
      assert.equal(exp.lifecycleStage, 'deleted');
      assert.equal(exp.creationTime, 1_600_000_000_000);
      assert.equal(exp.lastUpdateTime, 1_600_000_100_000);
      assert.equal(exp.artifactLocation, `mlflow-artifacts:/${expId}`);
      assert.deepEqual(exp.tags, [{ key: 'mlflow.note.content', value: 'from elsewhere' }]);

      const runOrigin = { system: 'mlflow', id: `run-${uniq()}`, url: 'http://mlflow.example:5000/#/runs/abc' };
      const r = runOf(expId, { lifecycleStage: 'deleted', deletedTime: 1_600_001_000_000, origin: runOrigin, status: 'KILLED' });
      const res = await ctx.tracking.ingest.run(r);
      assert.deepEqual(res, { id: r.runId, created: true, warnings: [] });
      const run = await ctx.tracking.runs.get(r.runId);
      assert.deepEqual(run.info, {
        runId: r.runId, experimentId: expId, runName: 'imported-run', userId: 'bob', status: 'KILLED',
        startTime: 1_600_000_000_123, endTime: 1_600_000_999_000, artifactUri: `mlflow-artifacts:/${expId}/${r.runId}/artifacts`, lifecycleStage: 'deleted',
      });
      const row = await ctx.store.db('runs').where({ run_uuid: r.runId }).first();
      assert.equal(Number(row.deleted_time), 1_600_001_000_000);
      assert.deepEqual(tagsOf(run), { team: 'red', 'mlflow.runName': 'imported-run' });
      assert.deepEqual(paramsOf(run), { lr: '0.01', layers: '4' });
      assert.deepEqual(await history(ctx, r.runId, 'loss'), [
        '1600000000200/0/0.9', '1600000000300/1/0.5', '1600000000400/2/NaN', `${BIG_TS}/${BIG_STEP}/0.1`,
      ]);
      const latest = run.metrics.find((m) => m.key === 'loss')!;
      assert.equal(latest.step, BIG_STEP);
      assert.equal(latest.timestamp, BIG_TS);

      const [o] = await ctx.tracking.ingest.origins('run', r.runId);
      assert.deepEqual({ system: o.system, id: o.id, url: o.url, kind: o.kind, localId: o.localId }, { ...runOrigin, kind: 'run', localId: r.runId });
      assert.ok(o.firstIngestTime > 0 && o.lastIngestTime >= o.firstIngestTime);
      assert.equal(await ctx.tracking.ingest.localId('run', runOrigin), r.runId);
      assert.equal(await ctx.tracking.ingest.localId('experiment', origin), expId);
      assert.equal(await ctx.tracking.ingest.localId('run', origin), undefined, 'origins are kept per kind');
      assert.deepEqual(await ctx.tracking.ingest.origins('run', await newRun(ctx, await newExperiment(ctx, 'native'))), []);
    });

    it('gives an experiment without an id the next one, and finds it again by origin or, without one, by name', async () => {
      const origin = { system: 'wandb', id: `entity/project-${uniq()}` };
      const first = await ctx.tracking.ingest.experiment(experimentOf({ name: `ent/${uniq()}`, origin }));
      assert.equal(first.created, true);
      assert.match(first.id, /^\d+$/);
      const again = await ctx.tracking.ingest.experiment(experimentOf({ name: `renamed/${uniq()}`, origin }));
      assert.deepEqual(again, { id: first.id, created: false, warnings: [] });

      const byName = experimentOf();
      const a = await ctx.tracking.ingest.experiment(byName);
      const b = await ctx.tracking.ingest.experiment({ ...byName, lastUpdateTime: 1_700_000_000_000 });
      assert.deepEqual(b, { id: a.id, created: false, warnings: [] });
      assert.equal((await ctx.tracking.experiments.get(a.id)).lastUpdateTime, 1_700_000_000_000);
      // A run may name its experiment by the experiment's origin.
      const run = await ctx.tracking.ingest.run(runOf('unused', { experiment: { origin } }));
      assert.equal((await ctx.tracking.runs.get(run.id)).info.experimentId, first.id);
    });

    it('a second ingest of the same objects changes nothing; an updated one updates in place', async () => {
      const origin = { system: 'archive', id: `e-${uniq()}` };
      const e = experimentOf({ experimentId: `a${uniq()}`, origin });
      await ctx.tracking.ingest.experiment(e);
      const r = runOf(e.experimentId!, {
        origin: { system: 'archive', id: `r-${uniq()}` },
        datasetInputs: [{ dataset: { name: 'train', digest: 'd1', sourceType: 'local', source: '/data' }, tags: [{ key: 'mlflow.data.context', value: 'training' }] }],
      });
      await ctx.tracking.ingest.run(r);
      const counts = await rowCounts(ctx);
      const before = { exp: await ctx.tracking.experiments.get(e.experimentId!), run: await ctx.tracking.runs.get(r.runId), loss: await history(ctx, r.runId, 'loss') };

      assert.deepEqual(await ctx.tracking.ingest.experiment(e), { id: e.experimentId, created: false, warnings: [] });
      assert.deepEqual(await ctx.tracking.ingest.run(r), { id: r.runId, created: false, warnings: [] });
      assert.deepEqual(await rowCounts(ctx), counts);
      assert.deepEqual(await ctx.tracking.experiments.get(e.experimentId!), before.exp);
      assert.deepEqual(await ctx.tracking.runs.get(r.runId), before.run);
      assert.deepEqual(await history(ctx, r.runId, 'loss'), before.loss);

      // The source moved on: the run finished, was renamed, a param and a tag changed, points were added.
      const updated: IngestRun = {
        ...r,
        name: 'renamed-run',
        status: 'FINISHED',
        endTime: 1_600_002_000_000,
        lifecycleStage: 'deleted',
        deletedTime: 1_600_003_000_000,
        tags: [{ key: 'team', value: 'blue' }, { key: 'extra', value: 'x' }],
        params: [{ key: 'lr', value: '0.02' }],
        metrics: [...r.metrics, { key: 'loss', value: 0.05, step: BIG_STEP + 1n, timestamp: BIG_TS + 1n } as MetricPoint],
      };
      assert.deepEqual(await ctx.tracking.ingest.run(updated), { id: r.runId, created: false, warnings: [] });
      const after = await ctx.tracking.runs.get(r.runId);
      assert.equal(after.info.status, 'FINISHED');
      assert.equal(after.info.runName, 'renamed-run');
      assert.equal(after.info.endTime, 1_600_002_000_000);
      assert.equal(after.info.lifecycleStage, 'deleted');
      assert.equal(after.info.artifactUri, before.run.info.artifactUri);
      assert.deepEqual(tagsOf(after), { team: 'blue', extra: 'x', 'mlflow.runName': 'renamed-run' });
      assert.deepEqual(paramsOf(after), { lr: '0.02', layers: '4' });
      assert.deepEqual(await history(ctx, r.runId, 'loss'), [...before.loss, `${BIG_TS + 1n}/${BIG_STEP + 1n}/0.05`]);
      assert.equal(after.metrics.find((m) => m.key === 'loss')!.step, BIG_STEP + 1n);
      assert.deepEqual(after.datasetInputs, before.run.datasetInputs);
      const grown = await rowCounts(ctx);
      assert.deepEqual(grown, { ...counts, tags: counts.tags + 1, metrics: counts.metrics + 1 });
      const [o] = await ctx.tracking.ingest.origins('run', r.runId);
      assert.ok(o.lastIngestTime >= o.firstIngestTime);
    });

    it('refuses an id that belongs to another object, and stores nothing', async () => {
      const exp = await newExperiment(ctx, 'owner');
      const native = await newRun(ctx, exp);
      const counts = await rowCounts(ctx);
      const nativeBefore = await ctx.tracking.runs.get(native);
      const originA = { system: 'mlflow', id: `A-${uniq()}` };

      // A native run's id, claimed by an ingest from somewhere else.
      await expectError(ctx.tracking.ingest.run(runOf(exp, { runId: native, origin: originA })), 'ALREADY_EXISTS', /was created here/);
      assert.deepEqual(await ctx.tracking.runs.get(native), nativeBefore);
      assert.deepEqual(await rowCounts(ctx), counts);
      assert.equal(await ctx.tracking.ingest.localId('run', originA), undefined);

      // A run of origin A, claimed by origin B, or by an ingest naming no origin.
      const ofA = runOf(exp, { origin: originA });
      await ctx.tracking.ingest.run(ofA);
      const afterA = await rowCounts(ctx);
      const readA = await ctx.tracking.runs.get(ofA.runId);
      const changed = { ...ofA, status: 'RUNNING' as const, metrics: [point('new', 1)] };
      await expectError(ctx.tracking.ingest.run({ ...changed, origin: { system: 'wandb', id: 'B' } }), 'ALREADY_EXISTS', /ingested from mlflow/);
      await expectError(ctx.tracking.ingest.run({ ...changed, origin: undefined }), 'ALREADY_EXISTS', /ingested from mlflow/);
      // Origin A again, under another id.
      await expectError(ctx.tracking.ingest.run({ ...changed, runId: `other${uniq()}` }), 'ALREADY_EXISTS', new RegExp(`ingested as run ${ofA.runId}`));
      assert.deepEqual(await ctx.tracking.runs.get(ofA.runId), readA);
      assert.deepEqual(await rowCounts(ctx), afterA);

      // Experiments: a native id, a name held by another experiment.
      await expectError(ctx.tracking.ingest.experiment(experimentOf({ experimentId: exp, origin: originA })), 'ALREADY_EXISTS', /was created here/);
      const held = (await ctx.tracking.experiments.get(exp)).name;
      await expectError(ctx.tracking.ingest.experiment(experimentOf({ experimentId: `n${uniq()}`, name: held })), 'ALREADY_EXISTS', /already exists/);
      await expectError(ctx.tracking.ingest.experiment(experimentOf({ name: held, origin: { system: 'wandb', id: uniq() } })), 'ALREADY_EXISTS', /already exists/);
      assert.deepEqual(await rowCounts(ctx), afterA);

      // A run's experiment must exist, and a run stays in its experiment.
      await expectError(ctx.tracking.ingest.run(runOf('404404404')), 'NOT_FOUND', /No Experiment with id=404404404/);
      await expectError(ctx.tracking.ingest.run(runOf('x', { experiment: { origin: { system: 'mlflow', id: 'nowhere' } } })), 'NOT_FOUND');
      const other = await newExperiment(ctx, 'other');
      await expectError(ctx.tracking.ingest.run({ ...ofA, experiment: { experimentId: other } }), 'ALREADY_EXISTS', /cannot be ingested into experiment/);
      assert.deepEqual(await rowCounts(ctx), { ...afterA, experiments: afterA.experiments + 1 });
    });

    it('two ingests of one new object at once make one object: one creates it, the other updates it', async () => {
      const origin = { system: 'wandb', id: `race-${uniq()}` };
      const e = experimentOf({ origin });
      const [a, b] = await Promise.all([ctx.tracking.ingest.experiment(e), ctx.tracking.ingest.experiment(e)]);
      assert.equal(a.id, b.id);
      assert.deepEqual([a.created, b.created].sort(), [false, true]);
      assert.equal((await ctx.store.db('experiments').where({ name: e.name })).length, 1);

      const r = runOf(a.id, { origin: { system: 'wandb', id: `run-${uniq()}` } });
      const runs = await Promise.all([ctx.tracking.ingest.run(r), ctx.tracking.ingest.run(r), ctx.tracking.ingest.run(r)]);
      assert.deepEqual(runs.map((x) => x.created).sort(), [false, false, true]);
      assert.equal((await ctx.store.db('runs').where({ run_uuid: r.runId })).length, 1);
      assert.equal((await ctx.tracking.ingest.origins('run', r.runId)).length, 1);
      assert.deepEqual((await history(ctx, r.runId, 'loss')).length, 4);
    });

    it('two ingests of one origin at once under different ids: one wins, the other is refused and stores nothing', async () => {
      const exp = (await ctx.tracking.ingest.experiment(experimentOf({ origin: { system: 'wandb', id: `race-ids-${uniq()}` } }))).id;
      for (let round = 0; round < 3; round++) {
        const origin = { system: 'wandb', id: `twin-${uniq()}` };
        const twins = [runOf(exp, { origin }), runOf(exp, { origin })];
        const results = await Promise.allSettled(twins.map((r) => ctx.tracking.ingest.run(r)));
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [twins[i].runId] : []));
        assert.equal(won.length, 1, `round ${round}: ${results.map((r) => r.status === 'rejected' ? String(r.reason) : 'ok').join('; ')}`);
        const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        assert.equal(lost.reason.code, 'ALREADY_EXISTS', String(lost.reason));
        assert.equal(await ctx.tracking.ingest.localId('run', origin), won[0]);
        const stored = await ctx.store.db('runs').whereIn('run_uuid', twins.map((r) => r.runId));
        assert.deepEqual(stored.map((r: any) => r.run_uuid), won);
      }
    });

    it('updates a native run by id when the ingest names no origin', async () => {
      const exp = await newExperiment(ctx, 'native-update');
      const id = await newRun(ctx, exp, { runName: 'n' });
      const res = await ctx.tracking.ingest.run(runOf(exp, { runId: id, status: 'FINISHED' }));
      assert.deepEqual(res, { id, created: false, warnings: [] });
      assert.equal((await ctx.tracking.runs.get(id)).info.status, 'FINISHED');
    });

    it('refuses statuses, lifecycles and times no path may store', async () => {
      const exp = await newExperiment(ctx, 'checks');
      const counts = await rowCounts(ctx);
      await expectError(ctx.tracking.ingest.run(runOf(exp, { status: 'crashed' as never })), 'INVALID_ARGUMENT', /'status'.*RUNNING, SCHEDULED, FINISHED, FAILED, KILLED/);
      await expectError(ctx.tracking.ingest.run(runOf(exp, { lifecycleStage: 'gone' as never })), 'INVALID_ARGUMENT', /lifecycle_stage/);
      await expectError(ctx.tracking.ingest.run(runOf(exp, { endTime: -5 })), 'INVALID_ARGUMENT', /end_time/);
      await expectError(ctx.tracking.ingest.run(runOf(exp, { startTime: 1.5 })), 'INVALID_ARGUMENT', /start_time/);
      await expectError(ctx.tracking.ingest.run(runOf(exp, { deletedTime: -1 })), 'INVALID_ARGUMENT', /deleted_time/);
      await expectError(ctx.tracking.ingest.run(runOf(exp, { metrics: [point('m', 1, 0, -3)] })), 'INVALID_ARGUMENT', /timestamp/);
      await expectError(ctx.tracking.ingest.run(runOf(exp, { runId: '../etc' })), 'INVALID_ARGUMENT', /run_id/);
      await expectError(ctx.tracking.ingest.experiment(experimentOf({ creationTime: -1 })), 'INVALID_ARGUMENT', /creation_time/);
      assert.deepEqual(await rowCounts(ctx), counts);
      // The same rules hold on the MLflow path, whatever its codec lets through.
      const id = await newRun(ctx, exp);
      await expectError(ctx.tracking.runs.update(id, { status: 'crashed' as never }), 'INVALID_ARGUMENT', /'status'/);
      await expectError(ctx.tracking.runs.update(id, { endTime: -5 }), 'INVALID_ARGUMENT', /end_time/);
      await expectError(ctx.tracking.runs.create({ experimentId: exp, startTime: -7, tags: [] }), 'INVALID_ARGUMENT', /start_time/);
      const info = (await ctx.tracking.runs.get(id)).info;
      assert.equal(info.status, 'RUNNING');
      assert.equal(info.endTime, null);
    });

    it('reports every clipped value, or refuses when asked to', async () => {
      const exp = await newExperiment(ctx, 'clip');
      const longKey = `k${'x'.repeat(LIMITS.keyLength + 10)}`;
      const r = runOf(exp, {
        name: 'n'.repeat(LIMITS.runNameLength + 1),
        params: [{ key: 'p', value: 'v'.repeat(LIMITS.paramValueLength + 5) }],
        tags: [{ key: 't', value: 't'.repeat(LIMITS.runTagValueLength + 2) }],
        metrics: [point(longKey, 1, 0), point(longKey, 2, 1)],
      });
      const counts = await rowCounts(ctx);
      const refused = await expectError(ctx.tracking.ingest.run(r, { truncate: 'refuse' }), 'INVALID_ARGUMENT', /over the limit.*nothing was stored/);
      assert.match(refused.message, /'tags\[0\]\.value' of run /);
      assert.deepEqual(await rowCounts(ctx), counts);

      const res = await ctx.tracking.ingest.run(r);
      assert.deepEqual(res.warnings, [
        { kind: 'run', object: r.runId, field: 'tags[0].value', length: LIMITS.runTagValueLength + 2, limit: LIMITS.runTagValueLength },
        { kind: 'run', object: r.runId, field: 'name', length: LIMITS.runNameLength + 1, limit: LIMITS.runNameLength },
        { kind: 'run', object: r.runId, field: 'params[0].value', length: LIMITS.paramValueLength + 5, limit: LIMITS.paramValueLength },
        { kind: 'run', object: r.runId, field: 'metrics[0].key', length: longKey.length, limit: LIMITS.keyLength },
      ]);
      const run = await ctx.tracking.runs.get(r.runId);
      assert.equal(run.info.runName.length, LIMITS.runNameLength);
      assert.equal(paramsOf(run).p.length, LIMITS.paramValueLength);
      assert.equal(tagsOf(run).t.length, LIMITS.runTagValueLength);
      assert.equal((await history(ctx, r.runId, longKey.slice(0, LIMITS.keyLength))).length, 2);

      // Two keys the source told apart are not merged by clipping.
      const twins = runOf(exp, { params: [{ key: `${longKey}a`, value: '1' }, { key: `${longKey}b`, value: '2' }] });
      await expectError(ctx.tracking.ingest.run(twins), 'INVALID_ARGUMENT', /become the same key/);
      const e = await ctx.tracking.ingest.experiment(experimentOf({ tags: [{ key: 'd', value: 'd'.repeat(LIMITS.experimentTagValueLength + 1) }] }));
      assert.deepEqual(e.warnings.map((w) => [w.kind, w.field, w.length, w.limit]), [['experiment', 'tags[0].value', LIMITS.experimentTagValueLength + 1, LIMITS.experimentTagValueLength]]);
    });

    it('an ingested run reads exactly like a native one: getRun, searchRuns and metric history', async () => {
      const exp = await newExperiment(ctx, 'alike');
      const metrics = [point('m', 1, 0, 1_000), point('m', 2, 1, 2_000), point('n', -1, 0, 1_500)];
      const nativeId = await newRun(ctx, exp, { runName: 'same', startTime: 1_650_000_000_000, userId: 'u', tags: [{ key: 't', value: '1' }] });
      await ctx.tracking.runs.logBatch(nativeId, { metrics, params: [{ key: 'p', value: 'x' }], tags: [] });
      await ctx.tracking.runs.update(nativeId, { status: 'FINISHED', endTime: 1_650_000_500_000 });
      const native = await ctx.tracking.runs.get(nativeId);

      const ingested = await ctx.tracking.ingest.run({
        runId: `${uniq()}${uniq()}${uniq()}${uniq()}`, experiment: { experimentId: exp }, name: 'same', userId: 'u', status: 'FINISHED',
        startTime: 1_650_000_000_000, endTime: 1_650_000_500_000, lifecycleStage: 'active', deletedTime: null,
        tags: [{ key: 't', value: '1' }], params: [{ key: 'p', value: 'x' }], metrics, origin: { system: 'mlflow', id: uniq() },
      });
      const copy = await ctx.tracking.runs.get(ingested.id);
      assert.deepEqual(comparable(copy), comparable(native));
      assert.equal(copy.info.artifactUri, native.info.artifactUri.replace(nativeId, ingested.id));

      const found = await ctx.tracking.runs.search({ experimentIds: [exp], filter: "metrics.m = 2 and params.p = 'x'", orderBy: ['start_time DESC'], viewType: 'ALL' });
      assert.deepEqual(new Set(found.items.map((r) => r.info.runId)), new Set([nativeId, ingested.id]));
      assert.deepEqual(comparable(found.items.find((r) => r.info.runId === ingested.id)!), comparable(native));
      for (const key of ['m', 'n']) assert.deepEqual(await history(ctx, ingested.id, key), await history(ctx, nativeId, key));
      const bulk = await ctx.store.metricHistoryBulk([nativeId, ingested.id], 'm', 100);
      const byRun = (id: string) => bulk.filter((p) => p.runId === id).map(({ runId: _, ...p }) => p);
      assert.deepEqual(byRun(ingested.id), byRun(nativeId));
    });

    it('appends a streamed history with points(), each call idempotent', async () => {
      const exp = await newExperiment(ctx, 'points');
      const r = runOf(exp, { metrics: [] });
      await ctx.tracking.ingest.run(r);
      const all = Array.from({ length: 25 }, (_, i) => ({ key: 's', value: i, step: BigInt(i) + 2n ** 60n, timestamp: 1_000 + i } as MetricPoint));
      for (let i = 0; i < all.length; i += 10) {
        assert.deepEqual(await ctx.tracking.ingest.points(r.runId, all.slice(i, i + 10)), { id: r.runId, created: false, warnings: [] });
      }
      const expected = all.map((p) => `${p.timestamp}/${p.step}/${p.value}`);
      assert.deepEqual(await history(ctx, r.runId, 's'), expected);
      // A stream cut short and sent again from its start adds nothing.
      const counts = await rowCounts(ctx);
      await ctx.tracking.ingest.points(r.runId, all.slice(0, 15));
      assert.deepEqual(await rowCounts(ctx), counts);
      assert.deepEqual(await history(ctx, r.runId, 's'), expected);
      assert.equal((await ctx.tracking.runs.get(r.runId)).metrics.find((m) => m.key === 's')!.step, 24n + 2n ** 60n);

      await expectError(ctx.tracking.ingest.points('0123456789abcdef0123456789abcdef', all), 'NOT_FOUND', /Run with id=0123456789abcdef0123456789abcdef not found/);
      await expectError(ctx.tracking.ingest.points(r.runId, [point('s', 1, 0, -1)]), 'INVALID_ARGUMENT', /timestamp/);
      const longKey = 'k'.repeat(LIMITS.keyLength + 1);
      await expectError(ctx.tracking.ingest.points(r.runId, [point(longKey, 1)], { truncate: 'refuse' }), 'INVALID_ARGUMENT', /over the limit/);
      assert.deepEqual(await rowCounts(ctx), counts);
      const clipped = await ctx.tracking.ingest.points(r.runId, [point(longKey, 1)]);
      assert.deepEqual(clipped.warnings, [{ kind: 'run', object: r.runId, field: 'metrics[0].key', length: LIMITS.keyLength + 1, limit: LIMITS.keyLength }]);
    });

    it('writes a run of a million points in one ingest, and again without duplicating them', { timeout: 600_000 }, async () => {
      const exp = await newExperiment(ctx, 'million');
      const n = 1_000_000;
      const metrics: MetricPoint[] = new Array(n);
      for (let i = 0; i < n; i++) metrics[i] = { key: i % 2 ? 'odd' : 'even', value: i / 7, step: i, timestamp: 1_700_000_000_000 + i };
      const r = runOf(exp, { metrics });
      const started = Date.now();
      assert.equal((await ctx.tracking.ingest.run(r)).created, true);
      const first = Date.now() - started;
      const count = async () => Number((await ctx.store.db('metrics as m').join('runs as r', 'r.rid', 'm.rid').where('r.run_uuid', r.runId).count({ n: '*' }))[0].n);
      assert.equal(await count(), n);
      const run = await ctx.tracking.runs.get(r.runId);
      assert.deepEqual(run.metrics.map((m) => [m.key, m.step]).sort(), [['even', n - 2], ['odd', n - 1]]);
      assert.equal((await ctx.tracking.ingest.run(r)).created, false);
      assert.equal(await count(), n);
      console.log(`# ${ctx.dialect}: ingest of ${n} points took ${first} ms, again ${Date.now() - started - first} ms`);
    });
  });
}
