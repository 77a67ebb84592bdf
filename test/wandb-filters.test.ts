/**
 * W&B run filters and orders: their translation into the core's filter tree, hostile input
 * refused with clear messages, and the searches they make over W&B-logged and MLflow-logged runs
 * on every database (the config/summary value index, migration 0012).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { TrackbridgeError } from '../src/core/errors';
import { LIMITS } from '../src/core/limits';
import { regexToLike, runFilterOf, runOrderOf } from '../src/protocols/wandb/filters';
import { createDatabase, FAST, openTracking, selectedDialects, type OpenTracking, type TestDatabase } from './support/databases';

const refused = (f: () => unknown, pattern: RegExp) => assert.throws(f, (e: unknown) => e instanceof TrackbridgeError && e.code === 'INVALID_ARGUMENT' && pattern.test(e.message));

describe('W&B filter translation', () => {
  it('translates fields, operators and nesting into the core tree', () => {
    assert.deepEqual(runFilterOf(undefined), { kind: 'and', terms: [] });
    assert.deepEqual(runFilterOf('{"state": "finished"}'), { kind: 'compare', entity: 'attribute', key: 'status', op: '=', value: 'FINISHED' });
    assert.deepEqual(runFilterOf({ 'config.lr.value': { $gt: 0.01 } }), { kind: 'compare', entity: 'config', key: 'lr', op: '>', value: 0.01 });
    assert.deepEqual(runFilterOf({ 'config.opt.value.name': 'adam' }), { kind: 'compare', entity: 'config', key: 'opt.name', op: '=', value: 'adam' });
    assert.deepEqual(runFilterOf({ 'config.opt.name': 'adam' }), { kind: 'compare', entity: 'config', key: 'opt.name', op: '=', value: 'adam' });
    assert.deepEqual(runFilterOf({ 'summary_metrics.loss': { $lte: 1 } }), { kind: 'compare', entity: 'summary', key: 'loss', op: '<=', value: 1 });
    assert.deepEqual(runFilterOf({ 'config.flag.value': true }), { kind: 'compare', entity: 'config', key: 'flag', op: '=', value: 'true' });
    assert.deepEqual(runFilterOf({ group: { $ne: 'g' } }), { kind: 'not', term: { kind: 'compare', entity: 'tag', key: 'wandb.group', op: '=', value: 'g' } });
    assert.deepEqual(runFilterOf({ jobType: { $in: ['a', 'b'] } }), { kind: 'compare', entity: 'tag', key: 'wandb.job_type', op: 'IN', value: ['a', 'b'] });
    assert.deepEqual(runFilterOf({ displayName: { $regex: '^run-.*' } }), { kind: 'compare', entity: 'attribute', key: 'run_name', op: 'LIKE', value: 'run-%' });
    assert.deepEqual(runFilterOf({ displayName: { $regex: 'Run', $options: 'i' } }), { kind: 'compare', entity: 'attribute', key: 'run_name', op: 'ILIKE', value: '%Run%' });
    assert.deepEqual(runFilterOf({ 'config.x': { $exists: false } }), { kind: 'compare', entity: 'config', key: 'x', op: 'IS NULL' });
    assert.deepEqual(runFilterOf({ createdAt: { $gte: '2026-12-01T08:09:40' } }), { kind: 'compare', entity: 'attribute', key: 'start_time', op: '>=', value: Date.UTC(2026, 11, 1, 8, 9, 40) });
    const nested = runFilterOf({ $or: [{ state: 'running' }, { $and: [{ 'config.lr': 1 }, { $nor: [{ name: 'abc' }] }] }] });
    assert.equal(nested.kind, 'or');
    assert.deepEqual((nested as any).terms[1].terms[1], { kind: 'not', term: { kind: 'or', terms: [{ kind: 'compare', entity: 'attribute', key: 'run_id', op: '=', value: 'abc' }] } });
    assert.deepEqual(runFilterOf({ 'config.lr': { $not: { $gt: 1 } } }), { kind: 'not', term: { kind: 'compare', entity: 'config', key: 'lr', op: '>', value: 1 } });
    assert.equal(runFilterOf({ tags: 't1' }).kind, 'or');
  });

  it('translates a regex to LIKE only where the meaning is exact', () => {
    assert.equal(regexToLike('^abc$'), 'abc');
    assert.equal(regexToLike('a.c'), '%a_c%');
    assert.equal(regexToLike('100%_done\\.'), '%100\\%\\_done.%');
    for (const re of ['a+', '[ab]', 'a|b', '(x)', 'a?', '\\d', 'a{2}', 'x\\']) refused(() => regexToLike(re), /no exact LIKE form|escape/);
  });

  it('refuses what it cannot translate, and hostile input, with clear messages', () => {
    refused(() => runFilterOf('{'), /not JSON/);
    refused(() => runFilterOf('[1]'), /must be a JSON object/);
    refused(() => runFilterOf({ $where: 'sleep(1000)' }), /operator '\$where' is not served/);
    refused(() => runFilterOf({ 'config.a': { $where: 'x' } }), /operator '\$where' is not served/);
    refused(() => runFilterOf({ 'config.a': { $elemMatch: {} } }), /\$elemMatch/);
    refused(() => runFilterOf(JSON.parse('{"__proto__": {"$gt": 1}}')), /unknown field '__proto__'/);
    refused(() => runFilterOf({ constructor: 1 }), /unknown field 'constructor'/);
    refused(() => runFilterOf({ heartbeatAt: 1 }), /unknown field/);
    refused(() => runFilterOf({ state: 'exploded' }), /state must be one of/);
    refused(() => runFilterOf({ state: 3 }), /state must be one of/);
    refused(() => runFilterOf({ createdAt: 'yesterday' }), /ISO 8601/);
    refused(() => runFilterOf({ 'config.a': null }), /null is not served/);
    refused(() => runFilterOf({ 'config.a': [1, 2] }), /not a list/);
    refused(() => runFilterOf({ 'config.a': { nested: 1 } }), /compared with an object/);
    refused(() => runFilterOf({ 'config.a': { $in: 3 } }), /\$in takes a list/);
    refused(() => runFilterOf({ 'config.a': { $exists: 'yes' } }), /\$exists takes true or false/);
    refused(() => runFilterOf({ group: { $gt: 'a' } }), /group takes no \$gt/);
    refused(() => runFilterOf({ tags: 3 }), /tags \$eq takes a tag/);
    refused(() => runFilterOf({ displayName: { $regex: 'a', $options: 'x' } }), /\$options/);
    refused(() => runFilterOf({ $and: {} }), /\$and takes a list/);
    // Deep nesting: refused before the walk (text) and during it (objects), never a stack overflow.
    let deep = '{"state":"running"}';
    for (let i = 0; i < 10_000; i++) deep = `{"$not":${deep}}`;
    refused(() => runFilterOf(deep), /nest at most/);
    let deepObject: object = { state: 'running' };
    for (let i = 0; i < 200; i++) deepObject = { $not: deepObject };
    refused(() => runFilterOf(deepObject), /nest at most/);
    refused(() => runFilterOf('x'.repeat(200_000)), /at most 100000 characters/);
    refused(() => runFilterOf({ 'config.a': { $in: Array.from({ length: LIMITS.filterListValues + 1 }, (_, i) => i) } }), /at most/);
    refused(() => runFilterOf({ $or: Array.from({ length: LIMITS.filterTerms + 1 }, () => ({ state: 'running' })) }), /at most/);
  });

  it('translates orders, created_at ascending by default', () => {
    assert.deepEqual(runOrderOf(undefined), [{ entity: 'attribute', key: 'start_time', ascending: true }]);
    assert.deepEqual(runOrderOf('-created_at'), [{ entity: 'attribute', key: 'start_time', ascending: false }]);
    assert.deepEqual(runOrderOf('+config.lr.value'), [{ entity: 'config', key: 'lr', ascending: true }]);
    assert.deepEqual(runOrderOf('-summary_metrics.loss'), [{ entity: 'summary', key: 'loss', ascending: false }]);
    refused(() => runOrderOf('heartbeat_at'), /Invalid run order/);
    refused(() => runOrderOf(42), /Invalid run order/);
  });
});

for (const dialect of selectedDialects()) {
  describe(`W&B run filters over the value index (${dialect})`, () => {
    let db: TestDatabase;
    let t: OpenTracking;
    let experimentId: string;
    const ids: Record<string, string> = {};

    before(async () => {
      db = await createDatabase(dialect);
      t = await openTracking(db.url, FAST);
      const { tracking } = t;
      experimentId = await tracking.experiments.create('filters', undefined, []);
      const make = async (name: string, startTime: number, tags: Array<[string, string]>) => {
        const run = await tracking.runs.create({ experimentId, runName: name, startTime, tags: tags.map(([key, value]) => ({ key, value })) });
        ids[name] = run.info.runId;
        return run.info.runId;
      };
      // W&B-logged runs: config and summary documents.
      const a = await make('alpha', 1000, [['wandb.tags', '["t1","t2"]'], ['wandb.group', 'g1'], ['wandb.job_type', 'train']]);
      await tracking.runData.setConfig(a, { lr: { value: 0.01 }, opt: { value: { name: 'adam', beta: 0.9 } }, flag: { value: true }, _wandb: { value: { cli_version: '0.31.0' } } });
      await tracking.runData.setSummary(a, { loss: 0.5, acc: 0.9, label: 'x', img: { _type: 'image-file', path: 'a.png' } });
      await tracking.runs.update(a, { status: 'FINISHED', endTime: 2000 });
      const b = await make('beta-run', 2000, [['wandb.tags', '["t2", "a\\"t1"]'], ['wandb.group', 'g2']]);
      await tracking.runData.setConfig(b, { lr: { value: 0.1 }, opt: { value: { name: 'sgd' } }, flag: { value: false } });
      await tracking.runData.setSummary(b, { loss: 0.2, big: 2n ** 62n });
      // MLflow-logged run: params and metrics only.
      const c = await make('gamma', 3000, []);
      await tracking.runs.logBatch(c, { params: [{ key: 'lr', value: '0.01' }, { key: 'opt.name', value: 'adam' }, { key: 'wd', value: '1e-3' }, { key: 'note', value: '1e400' }], metrics: [{ key: 'loss', value: 0.3, timestamp: 1, step: 0 }, { key: 'loss', value: 0.35, timestamp: 2, step: 1 }], tags: [] });
      // A config replaced whole: its old leaves leave the index.
      const d = await make('delta', 4000, []);
      await tracking.runData.setConfig(d, { lr: { value: 5 } });
      await tracking.runData.setConfig(d, { momentum: { value: 0.5 } });
    });
    after(async () => { await t?.store.close(); await db?.drop(); });

    const names = async (filters: unknown, order?: string) => {
      const { runs } = await t.tracking.runQueries.search({ experimentIds: [experimentId], filter: runFilterOf(filters), orderBy: runOrderOf(order), offset: 0, limit: 100 });
      return runs.map((r) => r.info.runName);
    };
    const count = (filters: unknown) => t.tracking.runQueries.count({ experimentIds: [experimentId], filter: runFilterOf(filters) });

    it('compares config leaves by number and by text, with or without .value; MLflow runs by their params', async () => {
      assert.deepEqual(await names({ 'config.lr.value': { $gt: 0.05 } }), ['beta-run']);
      assert.deepEqual(await names({ 'config.lr': 0.01 }), ['alpha', 'gamma']);
      assert.deepEqual(await names({ 'config.lr.value': { $lt: 1 } }), ['alpha', 'beta-run', 'gamma']);
      // Params hold text: a number compares with the number it holds, when it holds one.
      assert.deepEqual(await names({ 'config.wd': { $lt: 0.01 } }), ['gamma']);
      assert.deepEqual(await names({ 'config.wd': 0.001 }), ['gamma']);
      assert.deepEqual(await names({ 'config.note': { $gt: 0 } }), []);
      assert.deepEqual(await names({ 'config.note': { $in: [1, '1e400'] } }), ['gamma']);
      assert.deepEqual(await names({ 'config.opt.value.name': 'adam' }), ['alpha', 'gamma']);
      assert.deepEqual(await names({ 'config.opt.beta': { $gte: 0.9 } }), ['alpha']);
      assert.deepEqual(await names({ 'config.flag.value': true }), ['alpha']);
      assert.deepEqual(await names({ 'config.lr': { $in: [0.1, 5] } }), ['beta-run']);
      assert.deepEqual(await names({ 'config.lr': { $exists: false } }), ['delta']);
      assert.deepEqual(await names({ 'config.momentum': { $exists: true } }), ['delta']);
      assert.deepEqual(await names({ 'config._wandb.cli_version': '0.31.0' }), []);
      assert.deepEqual(await names({ 'config.opt.name': { $regex: '^ad' } }), ['alpha', 'gamma']);
      assert.deepEqual(await names({ 'config.lr': { $ne: 0.01 } }), ['beta-run', 'delta']);
    });

    it('compares summary entries, and an MLflow run by its latest metrics', async () => {
      assert.deepEqual(await names({ 'summary_metrics.loss': { $lt: 0.4 } }), ['beta-run', 'gamma']);
      assert.deepEqual(await names({ 'summary_metrics.loss': 0.35 }), ['gamma']);
      assert.deepEqual(await names({ 'summary_metrics.label': 'x' }), ['alpha']);
      assert.deepEqual(await names({ 'summary_metrics.big': { $gt: 4e18 } }), ['beta-run']);
      assert.deepEqual(await names({ 'summary_metrics.loss': { $exists: false } }), ['delta']);
      assert.deepEqual(await names({ 'summary_metrics.img.path': 'a.png' }), []);
      assert.deepEqual(await names({ $not: { 'summary_metrics.loss': { $gte: 0.3 } } }), ['beta-run', 'delta']);
    });

    it('filters on state, names, tags, group and creation time, nested', async () => {
      assert.deepEqual(await names({ state: 'finished' }), ['alpha']);
      assert.deepEqual(await names({ state: { $in: ['running', 'killed'] } }), ['beta-run', 'gamma', 'delta']);
      assert.deepEqual(await names({ tags: 't1' }), ['alpha']);
      assert.deepEqual(await names({ tags: { $in: ['t2'] } }), ['alpha', 'beta-run']);
      assert.deepEqual(await names({ tags: { $nin: ['t1'] } }), ['beta-run', 'gamma', 'delta']);
      assert.deepEqual(await names({ group: 'g2' }), ['beta-run']);
      assert.deepEqual(await names({ jobType: { $exists: true } }), ['alpha']);
      assert.deepEqual(await names({ displayName: { $regex: 'RUN', $options: 'i' } }), ['beta-run']);
      assert.deepEqual(await names({ name: ids.gamma }), ['gamma']);
      assert.deepEqual(await names({ createdAt: { $gt: new Date(2500).toISOString() } }), ['gamma', 'delta']);
      assert.deepEqual(await names({ $or: [{ group: 'g1' }, { $and: [{ 'config.lr': 0.01 }, { state: 'running' }] }] }), ['alpha', 'gamma']);
      assert.equal(await count({ $or: [{ group: 'g1' }, { 'summary_metrics.loss': { $lt: 0.25 } }] }), 2);
      assert.equal(await count(undefined), 4);
    });

    it('orders by config and summary values, runs without the key last', async () => {
      // The MLflow run is ordered by its param; ties go newest first.
      assert.deepEqual(await names({}, '-config.lr.value'), ['beta-run', 'gamma', 'alpha', 'delta']);
      assert.deepEqual(await names({}, '+config.lr.value'), ['gamma', 'alpha', 'beta-run', 'delta']);
      assert.deepEqual(await names({}, '+summary_metrics.loss'), ['beta-run', 'gamma', 'alpha', 'delta']);
      assert.deepEqual(await names({}, '-summary_metrics.loss'), ['alpha', 'gamma', 'beta-run', 'delta']);
      assert.deepEqual(await names({}, '-created_at'), ['delta', 'gamma', 'beta-run', 'alpha']);
    });
  });
}
