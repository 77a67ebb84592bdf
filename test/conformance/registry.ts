/**
 * The model registry's store: models, versions, tags and aliases written through
 * WriteTx.registry and read back through the Store, on every database. Names carry a fresh
 * prefix per test, since the suite shares one database.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { ModelVersionStage, Tag } from '../../src/core/model';
import type { LockedRegisteredModel, NewModelVersion, RegistryWrites } from '../../src/core/store';
import type { SqlStore } from '../../src/store/sql-store';
import { FAST, openTracking } from '../support/databases';
import { alreadyExists } from '../../src/core/errors';
import { type Ctx, brief, expectError, sleep, uniq } from './context';
import { registrySearchTests } from './registry-search';

/** Runs `fn` on the locked model, in one write. */
export async function onModel<T>(store: SqlStore, name: string, fn: (r: RegistryWrites, m: LockedRegisteredModel) => Promise<T>): Promise<T> {
  return store.write(async (tx) => {
    const m = await tx.registry.lockModel(name);
    assert.ok(m, `model ${name} should exist`);
    return fn(tx.registry, m);
  });
}

export function createModel(store: SqlStore, name: string, opts: { tags?: Tag[]; time?: number; description?: string } = {}): Promise<LockedRegisteredModel> {
  return store.write((tx) => tx.registry.insertModel({ name, time: opts.time ?? 1_000, tags: opts.tags ?? [], description: opts.description, userId: 'alice' }));
}

/** Registers the next version of `name` and returns its number. */
export function register(store: SqlStore, name: string, v: Partial<NewModelVersion> = {}): Promise<number> {
  return onModel(store, name, async (r, m) => {
    const version = await r.reserveVersion(m);
    await r.insertVersion(m, {
      version, time: 2_000 + version, source: `runs:/r${version}/model`, status: 'READY', storageLocation: `mlflow-artifacts:/loc/${version}`, tags: [], ...v,
    });
    return version;
  });
}

/** More stores on the suite's database, opened one after another as servers starting up would be. */
async function openServers(ctx: Ctx, n: number): Promise<Array<Awaited<ReturnType<typeof openTracking>>>> {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await openTracking(ctx.db.url, FAST));
  return out;
}

const versionsOf = (list: Array<{ version: string }>) => list.map((v) => Number(v.version));

export function registryTests(ctx: Ctx): void {
  describe('model registry', () => {
    it('creates a model and reads it back; a missing one is undefined', async () => {
      const name = `rm-${uniq()}`;
      const locked = await createModel(ctx.store, name, { tags: [{ key: 'b', value: '2' }, { key: 'a', value: '1' }, { key: 'b', value: '3' }], description: 'first' });
      assert.equal(locked.name, name);
      assert.equal(locked.lastVersion, 0);
      const m = await ctx.store.getRegisteredModel(name);
      assert.ok(m);
      assert.equal(m.name, name);
      assert.equal(m.creationTimestamp, 1_000);
      assert.equal(m.lastUpdatedTimestamp, 1_000);
      assert.equal(m.userId, 'alice');
      assert.equal(m.description, 'first');
      assert.equal(m.deploymentJobId, undefined);
      assert.deepEqual(m.tags, [{ key: 'a', value: '1' }, { key: 'b', value: '3' }]);
      assert.deepEqual(m.latestVersions, []);
      assert.deepEqual(m.aliases, []);
      assert.equal(await ctx.store.getRegisteredModel(`${name}-missing`), undefined);
      assert.equal(await ctx.store.write((tx) => tx.registry.lockModel(`${name}-missing`)), undefined);
      const again = await ctx.store.write((tx) => tx.registry.lockModel(name));
      assert.deepEqual(again, { handle: locked.handle, name, lastVersion: 0 });
    });

    it('a second create of a name is ALREADY_EXISTS and changes nothing', async () => {
      const name = `dup-${uniq()}`;
      await createModel(ctx.store, name, { description: 'kept' });
      await expectError(createModel(ctx.store, name, { description: 'lost' }), 'ALREADY_EXISTS', /already exists/);
      assert.equal((await ctx.store.getRegisteredModel(name))?.description, 'kept');
    });

    it('concurrent creates of one name: exactly one wins, the others are ALREADY_EXISTS', async () => {
      const name = `race-${uniq()}`;
      // Separate stores, as separate server processes on one database. SQLite's writers would
      // block this one process in their busy waits, and one SQLite server is its deployment: one store there.
      const servers = ctx.dialect === 'sqlite' ? [] : await openServers(ctx, 4);
      const stores = servers.length ? servers.map((s) => s.store) : [ctx.store, ctx.store, ctx.store, ctx.store];
      try {
        // As the core creates: the name is looked up under lock first, and every writer passes
        // that check before any inserts (on SQLite, whose one writer runs them in turn, the wait runs out).
        let arrived = 0;
        let release!: () => void;
        const all = new Promise<void>((r) => { release = r; });
        const outcomes = await Promise.allSettled(stores.map((store, i) => store.write(async (tx) => {
          if (await tx.registry.lockModel(name)) throw alreadyExists(`Registered Model (name=${name}) already exists.`);
          if (++arrived === stores.length) release();
          await Promise.race([all, sleep(300)]);
          return tx.registry.insertModel({ name, time: 1_000, tags: [{ key: 'by', value: `w${i}` }], description: `w${i}` });
        })));
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        assert.equal(won.length, 1, `one create should win: ${outcomes.map((o) => o.status === 'rejected' ? brief(String(o.reason)) : 'ok').join(' | ')}`);
        for (const o of outcomes) {
          if (o.status === 'rejected') assert.equal((o.reason as { code?: string }).code, 'ALREADY_EXISTS', brief(String(o.reason?.stack ?? o.reason)));
        }
      } finally {
        for (const s of servers) await s.store.close();
      }
      const m = await ctx.store.getRegisteredModel(name);
      assert.ok(m && m.description?.startsWith('w'));
      assert.deepEqual(m.tags, [{ key: 'by', value: m.description }], 'the winner\'s tags only');
    });

    it('updates description and deployment job; a rename carries versions, tags and aliases along', async () => {
      const name = `ren-${uniq()}`;
      await createModel(ctx.store, name, { tags: [{ key: 't', value: 'v' }] });
      await register(ctx.store, name, { tags: [{ key: 'vt', value: '1' }] });
      await register(ctx.store, name);
      await onModel(ctx.store, name, (r, m) => r.setAlias(m, 'champion', 1));
      await onModel(ctx.store, name, (r, m) => r.updateModel(m, { description: 'd', deploymentJobId: 'job-1', lastUpdatedTimestamp: 5_000 }));
      let m = await ctx.store.getRegisteredModel(name);
      assert.equal(m?.description, 'd');
      assert.equal(m?.deploymentJobId, 'job-1');
      assert.equal(m?.lastUpdatedTimestamp, 5_000);

      const renamed = `${name}-new`;
      const after = await onModel(ctx.store, name, async (r, locked) => {
        await r.updateModel(locked, { name: renamed, lastUpdatedTimestamp: 6_000 });
        return locked;
      });
      assert.equal(after.name, renamed);
      assert.equal(await ctx.store.getRegisteredModel(name), undefined);
      assert.equal(await ctx.store.getModelVersion(name, 1), undefined);
      m = await ctx.store.getRegisteredModel(renamed);
      assert.ok(m);
      assert.equal(m.description, 'd', 'an update without a description keeps it');
      assert.deepEqual(m.tags, [{ key: 't', value: 'v' }]);
      assert.deepEqual(m.aliases, [{ alias: 'champion', version: '1' }]);
      assert.deepEqual(versionsOf(m.latestVersions), [2]);
      assert.equal(m.latestVersions[0].name, renamed);
      const v1 = await ctx.store.getModelVersion(renamed, 1);
      assert.equal(v1?.name, renamed);
      assert.deepEqual(v1?.tags, [{ key: 'vt', value: '1' }]);
      assert.deepEqual(v1?.aliases, ['champion']);
      assert.equal((await ctx.store.modelVersionByAlias(renamed, 'champion'))?.version, '1');
      assert.equal(await register(ctx.store, renamed), 3, 'numbering goes on after a rename');
    });

    it('a rename onto a taken name is ALREADY_EXISTS and changes nothing', async () => {
      const a = `ra-${uniq()}`;
      const b = `rb-${uniq()}`;
      await createModel(ctx.store, a);
      await createModel(ctx.store, b);
      await expectError(onModel(ctx.store, a, (r, m) => r.updateModel(m, { name: b, lastUpdatedTimestamp: 9_000 })), 'ALREADY_EXISTS');
      assert.equal((await ctx.store.getRegisteredModel(a))?.lastUpdatedTimestamp, 1_000);
      assert.ok(await ctx.store.getRegisteredModel(b));
    });

    it('version numbers start at 1 and are never reused, deleted versions counted', async () => {
      const name = `num-${uniq()}`;
      await createModel(ctx.store, name);
      assert.deepEqual([await register(ctx.store, name), await register(ctx.store, name), await register(ctx.store, name)], [1, 2, 3]);
      await onModel(ctx.store, name, (r, m) => r.deleteVersion(m, 3, 7_000));
      assert.equal((await ctx.store.newestModelVersion(name))?.version, '2');
      assert.equal(await register(ctx.store, name), 4);
      await onModel(ctx.store, name, async (r, m) => { await r.deleteVersion(m, 4, 7_100); await r.deleteVersion(m, 2, 7_100); });
      assert.equal((await ctx.store.newestModelVersion(name))?.version, '1');
      assert.equal(await register(ctx.store, name), 5);
      const locked = await ctx.store.write((tx) => tx.registry.lockModel(name));
      assert.equal(locked?.lastVersion, 5);
    });

    it('deleting a model removes all of it; the name is free and a new model of it numbers from 1', async () => {
      const name = `del-${uniq()}`;
      await createModel(ctx.store, name, { tags: [{ key: 'k', value: 'v' }] });
      await register(ctx.store, name, { tags: [{ key: 'vk', value: 'vv' }], modelId: `m-${name}` });
      await register(ctx.store, name);
      await onModel(ctx.store, name, (r, m) => r.setAlias(m, 'a', 2));
      await onModel(ctx.store, name, (r, m) => r.deleteModel(m));
      assert.equal(await ctx.store.getRegisteredModel(name), undefined);
      assert.equal(await ctx.store.getModelVersion(name, 1), undefined);
      assert.deepEqual(await ctx.store.loggedModelRegistrations(`m-${name}`), []);

      await createModel(ctx.store, name);
      const m = await ctx.store.getRegisteredModel(name);
      assert.deepEqual(m?.tags, []);
      assert.deepEqual(m?.aliases, []);
      assert.deepEqual(m?.latestVersions, []);
      assert.equal(await register(ctx.store, name), 1);
      const v1 = await ctx.store.getModelVersion(name, 1);
      assert.deepEqual(v1?.tags, [], 'no tag of the old model\'s version 1 comes back');
      assert.equal(await ctx.store.modelVersionByAlias(name, 'a'), undefined);
    });

    it('stores every field of a version and reads it back by number, alias and as the newest', async () => {
      const name = `mv-${uniq()}`;
      await createModel(ctx.store, name);
      const version = await register(ctx.store, name, {
        time: 3_000, userId: 'bob', description: 'desc', source: 'models:/m-123', runId: 'run123', runLink: 'http://x/run',
        modelId: 'm-123', status: 'PENDING_REGISTRATION', statusMessage: 'copying', storageLocation: 's3://b/m-123/artifacts',
        tags: [{ key: 'z', value: '1' }, { key: 'y', value: '2' }],
      });
      const v = await ctx.store.getModelVersion(name, version);
      assert.deepEqual(v, {
        name, version: '1', creationTimestamp: 3_000, lastUpdatedTimestamp: 3_000, userId: 'bob', currentStage: 'None', description: 'desc',
        source: 'models:/m-123', runId: 'run123', runLink: 'http://x/run', modelId: 'm-123', status: 'PENDING_REGISTRATION',
        statusMessage: 'copying', tags: [{ key: 'y', value: '2' }, { key: 'z', value: '1' }], aliases: [], storageLocation: 's3://b/m-123/artifacts',
      });
      const locked = await onModel(ctx.store, name, (r, m) => r.lockVersion(m, 1));
      assert.deepEqual(locked, v);
      assert.equal(await onModel(ctx.store, name, (r, m) => r.lockVersion(m, 2)), undefined);
      assert.deepEqual(await ctx.store.newestModelVersion(name), v);
      assert.equal(await ctx.store.getModelVersion(name, 2), undefined);
      const bare = await ctx.store.getModelVersion(name, await register(ctx.store, name));
      assert.equal(bare?.userId, undefined);
      assert.equal(bare?.runId, undefined);
      assert.equal(bare?.description, undefined);

      await onModel(ctx.store, name, (r, m) => r.updateVersion(m, 1, { status: 'READY', statusMessage: '', description: 'new', stage: 'Staging', lastUpdatedTimestamp: 4_000 }));
      const u = await ctx.store.getModelVersion(name, 1);
      assert.equal(u?.status, 'READY');
      assert.equal(u?.description, 'new');
      assert.equal(u?.currentStage, 'Staging');
      assert.equal(u?.lastUpdatedTimestamp, 4_000);
      assert.equal(u?.creationTimestamp, 3_000);
      assert.equal(u?.source, 'models:/m-123', 'fields the update leaves out stay');
    });

    it(`concurrent registrations on one model get 1..N, no gaps, no duplicates`, async () => {
      const name = `conc-${uniq()}`;
      await createModel(ctx.store, name);
      const N = 12;
      const servers = await openServers(ctx, 3);
      try {
        const stores = [ctx.store, ...servers.map((s) => s.store)];
        let arrived = 0;
        let release!: () => void;
        const all = new Promise<void>((r) => { release = r; });
        const numbers = await Promise.all(Array.from({ length: N }, async (_, i) => {
          // Everyone starts together, so the writers really do queue on the model's lock.
          if (++arrived === N) release();
          await Promise.race([all, sleep(2_000)]);
          return register(stores[i % stores.length], name, { runId: `w${i}` });
        }));
        assert.deepEqual([...numbers].sort((a, b) => a - b), Array.from({ length: N }, (_, i) => i + 1));
      } finally {
        for (const s of servers) await s.store.close();
      }
      for (let v = 1; v <= N; v++) assert.ok(await ctx.store.getModelVersion(name, v), `version ${v} stored`);
      assert.equal((await ctx.store.write((tx) => tx.registry.lockModel(name)))?.lastVersion, N);
    });

    it('a deleted version is hidden from every read, keeps its number, and loses its aliases', async () => {
      const name = `soft-${uniq()}`;
      const modelId = `m-${uniq()}`;
      await createModel(ctx.store, name);
      await register(ctx.store, name, { modelId, runId: `run-${name}` });
      await register(ctx.store, name, { modelId });
      await onModel(ctx.store, name, async (r, m) => {
        await r.setAlias(m, 'prod', 2);
        await r.setAlias(m, 'keep', 1);
        await r.updateVersion(m, 2, { stage: 'Production', lastUpdatedTimestamp: 5_000 });
      });
      assert.deepEqual(await ctx.store.loggedModelRegistrations(modelId), [{ name, version: '1' }, { name, version: '2' }]);
      await onModel(ctx.store, name, (r, m) => r.deleteVersion(m, 2, 8_000));
      assert.equal(await ctx.store.getModelVersion(name, 2), undefined);
      assert.equal(await onModel(ctx.store, name, (r, m) => r.lockVersion(m, 2)), undefined);
      assert.equal(await ctx.store.modelVersionByAlias(name, 'prod'), undefined);
      assert.equal((await ctx.store.newestModelVersion(name))?.version, '1');
      assert.deepEqual(await ctx.store.latestModelVersions(name, ['Production']), []);
      assert.deepEqual(await ctx.store.loggedModelRegistrations(modelId), [{ name, version: '1' }]);
      const m = await ctx.store.getRegisteredModel(name);
      assert.deepEqual(m?.aliases, [{ alias: 'keep', version: '1' }]);
      assert.deepEqual(versionsOf(m!.latestVersions), [1]);
      assert.equal(m?.lastUpdatedTimestamp, 8_000, 'deleting a version updates its model');
      const found = await ctx.store.searchModelVersions({ filter: { kind: 'and', terms: [{ kind: 'compare', entity: 'attribute', key: 'name', op: '=', value: name }] }, orderBy: [], offset: 0, limit: 10 });
      assert.deepEqual(versionsOf(found), [1]);
      // Writes of a deleted version change nothing.
      await onModel(ctx.store, name, (r, m) => r.updateVersion(m, 2, { description: 'x', lastUpdatedTimestamp: 9_000 }));
      assert.equal(await ctx.store.getModelVersion(name, 2), undefined);
      assert.equal(await register(ctx.store, name), 3);
    });

    it('aliases: set, move, delete; sorted on the model and on each version', async () => {
      const name = `alias-${uniq()}`;
      await createModel(ctx.store, name);
      await register(ctx.store, name);
      await register(ctx.store, name);
      await onModel(ctx.store, name, async (r, m) => {
        await r.setAlias(m, 'zeta', 1);
        await r.setAlias(m, 'alpha', 1);
        await r.setAlias(m, 'mid', 2);
      });
      assert.deepEqual((await ctx.store.getRegisteredModel(name))?.aliases,
        [{ alias: 'alpha', version: '1' }, { alias: 'mid', version: '2' }, { alias: 'zeta', version: '1' }]);
      assert.deepEqual((await ctx.store.getModelVersion(name, 1))?.aliases, ['alpha', 'zeta']);
      await onModel(ctx.store, name, (r, m) => r.setAlias(m, 'zeta', 2));
      assert.deepEqual((await ctx.store.getModelVersion(name, 1))?.aliases, ['alpha']);
      assert.deepEqual((await ctx.store.getModelVersion(name, 2))?.aliases, ['mid', 'zeta']);
      assert.equal((await ctx.store.modelVersionByAlias(name, 'zeta'))?.version, '2');
      assert.deepEqual((await ctx.store.modelVersionByAlias(name, 'zeta'))?.aliases, ['mid', 'zeta']);
      assert.equal(await onModel(ctx.store, name, (r, m) => r.deleteAlias(m, 'mid')), true);
      assert.equal(await onModel(ctx.store, name, (r, m) => r.deleteAlias(m, 'mid')), false);
      assert.equal(await ctx.store.modelVersionByAlias(name, 'mid'), undefined);
      assert.equal(await ctx.store.modelVersionByAlias(`${name}-other`, 'zeta'), undefined);
      assert.deepEqual((await ctx.store.getRegisteredModel(name))?.aliases, [{ alias: 'alpha', version: '1' }, { alias: 'zeta', version: '2' }]);
    });

    it('model and version tags: upsert, delete reporting whether the key existed', async () => {
      const name = `tags-${uniq()}`;
      await createModel(ctx.store, name);
      await register(ctx.store, name);
      await onModel(ctx.store, name, async (r, m) => {
        await r.setModelTag(m, { key: 'k', value: '1' });
        await r.setModelTag(m, { key: 'k', value: '2' });
        await r.setVersionTag(m, 1, { key: 'vk', value: 'a' });
        await r.setVersionTag(m, 1, { key: 'vk', value: 'b' });
      });
      assert.deepEqual((await ctx.store.getRegisteredModel(name))?.tags, [{ key: 'k', value: '2' }]);
      assert.deepEqual((await ctx.store.getModelVersion(name, 1))?.tags, [{ key: 'vk', value: 'b' }]);
      assert.equal(await onModel(ctx.store, name, (r, m) => r.deleteModelTag(m, 'k')), true);
      assert.equal(await onModel(ctx.store, name, (r, m) => r.deleteModelTag(m, 'k')), false);
      assert.equal(await onModel(ctx.store, name, (r, m) => r.deleteVersionTag(m, 1, 'vk')), true);
      assert.equal(await onModel(ctx.store, name, (r, m) => r.deleteVersionTag(m, 1, 'vk')), false);
      assert.deepEqual((await ctx.store.getRegisteredModel(name))?.tags, []);
      assert.deepEqual((await ctx.store.getModelVersion(name, 1))?.tags, []);
    });

    it('tag values of 100,000 characters and keys of 250 are stored exactly', async () => {
      const name = `long-${uniq()}`;
      const key = `k${'é'.repeat(248)}z`;
      const value = Array.from({ length: 100_000 }, (_, i) => String.fromCharCode(0x41 + (i % 26)) + (i % 997 === 0 ? '€' : '')).join('').slice(0, 100_000);
      assert.equal(key.length, 250);
      await createModel(ctx.store, name, { tags: [{ key, value }] });
      await register(ctx.store, name, { tags: [{ key, value }] });
      const m = await ctx.store.getRegisteredModel(name);
      assert.equal(m?.tags[0].key, key);
      assert.equal(m?.tags[0].value.length, 100_000);
      assert.ok(m?.tags[0].value === value);
      const v = await ctx.store.getModelVersion(name, 1);
      assert.ok(v?.tags[0].key === key && v.tags[0].value === value);
    });

    it('descriptions of 100,000 characters in four-byte UTF-8 and ids of 256 are stored exactly', async () => {
      const name = `desc-${uniq()}`;
      const description = '翻😀'.repeat(100_000 / 3).padEnd(100_000, 'é');
      assert.equal(description.length, 100_000);
      await createModel(ctx.store, name, { description });
      const id = `x${'0'.repeat(255)}`;
      await register(ctx.store, name, { description, runId: id, modelId: id });
      assert.ok((await ctx.store.getRegisteredModel(name))?.description === description);
      const v = await ctx.store.getModelVersion(name, 1);
      assert.ok(v?.description === description);
      assert.equal(v.runId, id);
      assert.equal(v.modelId, id);
    });

    it('readModel and readVersion answer what the transaction wrote, by handle, before it commits', async () => {
      const name = `read-${uniq()}`;
      await createModel(ctx.store, name);
      await register(ctx.store, name);
      const seen = await onModel(ctx.store, name, async (r, m) => {
        await r.updateModel(m, { name: `${name}-new`, description: 'mine', lastUpdatedTimestamp: 5_000 });
        await r.updateVersion(m, 1, { description: 'v mine', stage: 'Staging', lastUpdatedTimestamp: 5_000 });
        return { model: await r.readModel(m), version: await r.readVersion(m, 1), missing: await r.readVersion(m, 2) };
      });
      assert.equal(seen.model.name, `${name}-new`);
      assert.equal(seen.model.description, 'mine');
      assert.deepEqual(seen.model.latestVersions.map((v) => [v.version, v.currentStage]), [['1', 'Staging']]);
      assert.equal(seen.version?.name, `${name}-new`);
      assert.equal(seen.version?.description, 'v mine');
      assert.equal(seen.missing, undefined);
    });

    it('archiveVersions moves the live versions of the given stages but one to Archived', async () => {
      const name = `arch-${uniq()}`;
      await createModel(ctx.store, name);
      for (let i = 0; i < 5; i++) await register(ctx.store, name);
      const stages: Record<number, ModelVersionStage> = { 1: 'Production', 2: 'Staging', 3: 'Production', 4: 'Production', 5: 'None' };
      await onModel(ctx.store, name, async (r, m) => {
        for (const [v, stage] of Object.entries(stages)) await r.updateVersion(m, Number(v), { stage, lastUpdatedTimestamp: 4_000 });
        await r.deleteVersion(m, 4, 4_500);
      });
      const moved = await onModel(ctx.store, name, (r, m) => r.archiveVersions(m, ['Production'], 3, 6_000));
      assert.deepEqual(moved, [1]);
      assert.equal((await ctx.store.getModelVersion(name, 1))?.currentStage, 'Archived');
      assert.equal((await ctx.store.getModelVersion(name, 1))?.lastUpdatedTimestamp, 6_000);
      assert.equal((await ctx.store.getModelVersion(name, 3))?.currentStage, 'Production');
      assert.equal((await ctx.store.getModelVersion(name, 2))?.currentStage, 'Staging');
      assert.deepEqual(await onModel(ctx.store, name, (r, m) => r.archiveVersions(m, ['Staging', 'Production'], 3, 7_000)), [2]);
      assert.deepEqual(await onModel(ctx.store, name, (r, m) => r.archiveVersions(m, [], 3, 7_000)), []);
    });

    it('latest versions: the newest live version of each stage, in stage order', async () => {
      const name = `latest-${uniq()}`;
      await createModel(ctx.store, name);
      for (let i = 0; i < 7; i++) await register(ctx.store, name);
      const stages: Record<number, ModelVersionStage> = { 1: 'Archived', 2: 'Production', 3: 'Staging', 4: 'Production', 5: 'None', 6: 'Archived', 7: 'Staging' };
      await onModel(ctx.store, name, async (r, m) => {
        for (const [v, stage] of Object.entries(stages)) await r.updateVersion(m, Number(v), { stage, lastUpdatedTimestamp: 4_000 });
        await r.deleteVersion(m, 7, 4_000);
        await r.deleteVersion(m, 6, 4_000);
      });
      const all = await ctx.store.latestModelVersions(name);
      assert.deepEqual(all.map((v) => [v.currentStage, Number(v.version)]), [['None', 5], ['Staging', 3], ['Production', 4], ['Archived', 1]]);
      assert.deepEqual((await ctx.store.getRegisteredModel(name))?.latestVersions.map((v) => v.version), ['5', '3', '4', '1']);
      assert.deepEqual(versionsOf(await ctx.store.latestModelVersions(name, ['Production', 'None'])), [5, 4]);
      assert.deepEqual(await ctx.store.latestModelVersions(name, []), []);
      assert.deepEqual(await ctx.store.latestModelVersions(`${name}-missing`), []);
    });

    it('loggedModelRegistrations: the live versions made from a logged model, by name then number', async () => {
      const modelId = `m-${uniq()}`;
      const [a, b] = [`lr-b-${uniq()}`, `lr-a-${uniq()}`];
      for (const n of [a, b]) await createModel(ctx.store, n);
      await register(ctx.store, a, { modelId });
      await register(ctx.store, a);
      await register(ctx.store, a, { modelId });
      await register(ctx.store, b, { modelId });
      assert.deepEqual(await ctx.store.loggedModelRegistrations(modelId), [{ name: b, version: '1' }, { name: a, version: '1' }, { name: a, version: '3' }]);
      assert.deepEqual(await ctx.store.loggedModelRegistrations(`${modelId}-none`), []);
    });

    registrySearchTests(ctx);
  });
}
