/** Experiments: the default experiment, creation, names, lifecycle (runs cascade) and tags. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { type Ctx, expectError, newExperiment, newRun, sleep, uniq } from './context';

export function experimentTests(ctx: Ctx): void {
  describe('experiments', () => {
    it('has experiment 0 "Default" from the start', async () => {
      const e = await ctx.tracking.experiments.get('0');
      assert.equal(e.name, 'Default');
      assert.equal(e.lifecycleStage, 'active');
      assert.equal(e.artifactLocation, 'mlflow-artifacts:/0');
      assert.equal((await ctx.tracking.experiments.getByName('Default')).experimentId, '0');
    });

    it('starting the tracking services again keeps one Default', async () => {
      await ctx.tracking.start();
      const page = await ctx.tracking.experiments.search({ filter: "name = 'Default'", maxResults: 10, viewType: 'ALL' });
      assert.deepEqual(page.items.map((e) => e.experimentId), ['0']);
    });

    it('creates, gets and gets by name', async () => {
      const name = `create-${uniq()}`;
      const before = Date.now();
      const id = await ctx.tracking.experiments.create(name, undefined, [{ key: 'b', value: '2' }, { key: 'a', value: '1' }]);
      assert.match(id, /^[1-9]\d*$/);
      const e = await ctx.tracking.experiments.get(id);
      assert.equal(e.experimentId, id);
      assert.equal(e.name, name);
      assert.equal(e.lifecycleStage, 'active');
      assert.equal(e.artifactLocation, `mlflow-artifacts:/${id}`);
      assert.ok(e.creationTime >= before - 1000 && e.creationTime <= Date.now() + 1000, `creationTime ${e.creationTime}`);
      assert.equal(e.lastUpdateTime, e.creationTime);
      assert.deepEqual(e.tags, [{ key: 'a', value: '1' }, { key: 'b', value: '2' }]);
      assert.deepEqual(await ctx.tracking.experiments.getByName(name), e);
    });

    it('keeps an explicit artifact location and refuses runs: locations', async () => {
      const id = await ctx.tracking.experiments.create(`loc-${uniq()}`, 's3://bucket/some/path', []);
      assert.equal((await ctx.tracking.experiments.get(id)).artifactLocation, 's3://bucket/some/path');
      await expectError(ctx.tracking.experiments.create(`loc-${uniq()}`, 'runs:/abc/model', []), 'INVALID_ARGUMENT', /runs:/);
    });

    it('gives new experiments increasing ids', async () => {
      const a = Number(await newExperiment(ctx, 'inc'));
      const b = Number(await newExperiment(ctx, 'inc'));
      assert.ok(b > a, `${b} should be greater than ${a}`);
    });

    it('refuses empty names and reports unknown ids and names as NOT_FOUND', async () => {
      await expectError(ctx.tracking.experiments.create('', undefined, []), 'INVALID_ARGUMENT');
      await expectError(ctx.tracking.experiments.create('   ', undefined, []), 'INVALID_ARGUMENT');
      await expectError(ctx.tracking.experiments.get('987654321'), 'NOT_FOUND', /No Experiment with id=987654321 exists/);
      await expectError(ctx.tracking.experiments.getByName(`missing-${uniq()}`), 'NOT_FOUND');
    });

    it('renames; the old name is free afterwards and a taken name conflicts', async () => {
      const id = await newExperiment(ctx, 'ren');
      const other = await newExperiment(ctx, 'ren-other');
      const oldName = (await ctx.tracking.experiments.get(id)).name;
      const newName = `renamed-${uniq()}`;
      await ctx.tracking.experiments.rename(id, newName);
      assert.equal((await ctx.tracking.experiments.getByName(newName)).experimentId, id);
      await expectError(ctx.tracking.experiments.getByName(oldName), 'NOT_FOUND');
      const otherName = (await ctx.tracking.experiments.get(other)).name;
      await expectError(ctx.tracking.experiments.rename(id, otherName), 'CONFLICT');
      await ctx.tracking.experiments.rename(id, newName); // to its own name: harmless
      await expectError(ctx.tracking.experiments.rename('987654321', `x-${uniq()}`), 'NOT_FOUND');
    });

    it('deletes and restores, carrying the runs along', async () => {
      const id = await newExperiment(ctx, 'del');
      const r1 = await newRun(ctx, id);
      const r2 = await newRun(ctx, id);
      const created = await ctx.tracking.experiments.get(id);
      await sleep(5);
      await ctx.tracking.experiments.delete(id);
      const deleted = await ctx.tracking.experiments.get(id);
      assert.equal(deleted.lifecycleStage, 'deleted');
      assert.ok(deleted.lastUpdateTime > created.lastUpdateTime, 'delete bumps last_update_time');
      for (const r of [r1, r2]) assert.equal((await ctx.tracking.runs.get(r)).info.lifecycleStage, 'deleted');
      // A deleted experiment is still found by name, but takes no new runs and cannot be renamed.
      assert.equal((await ctx.tracking.experiments.getByName(deleted.name)).lifecycleStage, 'deleted');
      await expectError(newRun(ctx, id), 'INVALID_STATE', /must be in the 'active' state/);
      await expectError(ctx.tracking.experiments.rename(id, `x-${uniq()}`), 'INVALID_STATE');
      await expectError(ctx.tracking.experiments.delete(id), 'NOT_FOUND');

      await ctx.tracking.experiments.restore(id);
      assert.equal((await ctx.tracking.experiments.get(id)).lifecycleStage, 'active');
      for (const r of [r1, r2]) assert.equal((await ctx.tracking.runs.get(r)).info.lifecycleStage, 'active');
      await expectError(ctx.tracking.experiments.restore(id), 'NOT_FOUND');
      await expectError(ctx.tracking.experiments.delete('987654321'), 'NOT_FOUND');
    });

    it('keeps the names of deleted experiments reserved', async () => {
      const name = `reserved-${uniq()}`;
      const id = await ctx.tracking.experiments.create(name, undefined, []);
      await ctx.tracking.experiments.delete(id);
      await expectError(ctx.tracking.experiments.create(name, undefined, []), 'ALREADY_EXISTS');
      const other = await newExperiment(ctx, 'reserved-other');
      await expectError(ctx.tracking.experiments.rename(other, name), 'CONFLICT');
    });

    it('lets exactly one of many concurrent creates of a name win', async () => {
      const name = `race-${uniq()}`;
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => ctx.tracking.experiments.create(name, undefined, [])));
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(won.length, 1, `winners: ${won.length}; errors: ${lost.map((l) => String(l.reason?.message ?? l.reason).slice(0, 200)).join(' | ')}`);
      for (const l of lost) {
        assert.equal(l.reason?.code, 'ALREADY_EXISTS', `loser failed with ${l.reason?.code}: ${String(l.reason?.message ?? l.reason).slice(0, 300)}`);
      }
      const page = await ctx.tracking.experiments.search({ filter: `name = '${name}'`, maxResults: 10, viewType: 'ALL' });
      assert.equal(page.items.length, 1);
    });

    it('sets, overwrites and deletes experiment tags', async () => {
      const id = await newExperiment(ctx, 'etags');
      await ctx.tracking.experiments.setTag(id, { key: 'k', value: 'v1' });
      await ctx.tracking.experiments.setTag(id, { key: 'k', value: 'v2' });
      await ctx.tracking.experiments.setTag(id, { key: 'empty', value: '' });
      assert.deepEqual((await ctx.tracking.experiments.get(id)).tags, [{ key: 'empty', value: '' }, { key: 'k', value: 'v2' }]);
      await ctx.tracking.experiments.deleteTag(id, 'k');
      assert.deepEqual((await ctx.tracking.experiments.get(id)).tags, [{ key: 'empty', value: '' }]);
      await expectError(ctx.tracking.experiments.deleteTag(id, 'k'), 'NOT_FOUND');
      await expectError(ctx.tracking.experiments.setTag(id, { key: 'bad key!', value: 'x' }), 'INVALID_ARGUMENT');
      // MLflow 3.17's limit is 20,000 characters, beyond which it is an error (not a truncation).
      await ctx.tracking.experiments.setTag(id, { key: 'long', value: 'x'.repeat(20000) });
      assert.equal((await ctx.tracking.experiments.get(id)).tags.find((t) => t.key === 'long')?.value.length, 20000);
      await ctx.tracking.experiments.deleteTag(id, 'long');
      await expectError(ctx.tracking.experiments.setTag(id, { key: 'long', value: 'x'.repeat(20001) }), 'INVALID_ARGUMENT');
      await ctx.tracking.experiments.delete(id);
      await expectError(ctx.tracking.experiments.setTag(id, { key: 'k', value: 'v' }), 'INVALID_STATE');
    });
  });
}
