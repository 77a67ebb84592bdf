/**
 * What the registry publishes: one event per committed write, of the kind and with the payload
 * MLflow's webhooks send (prompt_* for prompts), nothing for a refused write, and a listener
 * that throws never fails the write.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { Registry } from '../src/core/registry';
import type { RegistryEvent } from '../src/core/registry-events';
import { createDatabase, FAST, openTracking, type TestDatabase } from './support/databases';
import type { Tracking } from '../src/core/tracking';
import type { SqlStore } from '../src/store/sql-store';

describe('registry events', () => {
  let db: TestDatabase;
  let store: SqlStore;
  let tracking: Tracking;
  let runId = '';
  const events: RegistryEvent[] = [];
  let registry: Registry;

  before(async () => {
    db = await createDatabase('sqlite');
    ({ store, tracking } = await openTracking(db.url, FAST));
    registry = new Registry(store, tracking.artifacts, { publish: (e) => { events.push(e); } });
    const exp = await tracking.experiments.create('events', undefined, []);
    runId = (await tracking.runs.create({ experimentId: exp, startTime: 1, tags: [] })).info.runId;
  });

  after(async () => {
    await store.close();
    await db.drop();
  });

  const drain = () => events.splice(0, events.length);

  it('publishes model events after each write, with MLflow’s payloads', async () => {
    await registry.createModel({ name: 'm', tags: [{ key: 'team', value: 'a' }], description: 'd' });
    await registry.createVersion({ name: 'm', source: `runs:/${runId}/model`, tags: [{ key: 'k', value: 'v' }] });
    await registry.setVersionTag('m', '1', { key: 'x', value: 'y' });
    await registry.deleteVersionTag('m', '1', 'x');
    await registry.setAlias('m', 'champion', '1');
    await registry.deleteAlias('m', 'champion');
    assert.deepEqual(drain(), [
      { entity: 'registered_model', action: 'created', payload: { name: 'm', tags: { team: 'a' }, description: 'd' } },
      { entity: 'model_version', action: 'created', payload: { name: 'm', version: '1', source: `runs:/${runId}/model`, run_id: runId, tags: { k: 'v' }, description: undefined } },
      { entity: 'model_version_tag', action: 'set', payload: { name: 'm', version: '1', key: 'x', value: 'y' } },
      { entity: 'model_version_tag', action: 'deleted', payload: { name: 'm', version: '1', key: 'x' } },
      { entity: 'model_version_alias', action: 'created', payload: { name: 'm', alias: 'champion', version: '1' } },
      { entity: 'model_version_alias', action: 'deleted', payload: { name: 'm', alias: 'champion' } },
    ]);
  });

  it('publishes prompt events for prompts, without the marking tags', async () => {
    const promptTag = { key: 'mlflow.prompt.is_prompt', value: 'true' };
    await registry.createModel({ name: 'p', tags: [promptTag, { key: 'owner', value: 'bo' }] });
    await registry.createVersion({
      name: 'p', source: 'prompt-template', description: 'first',
      tags: [promptTag, { key: 'mlflow.prompt.text', value: 'Hi {{x}}' }, { key: '_mlflow_prompt_type', value: 'text' }, { key: 'lang', value: 'en' }],
    });
    await registry.setModelTag('p', { key: 'owner', value: 'al' });
    await registry.deleteModelTag('p', 'owner');
    await registry.setVersionTag('p', '1', { key: 'a', value: 'b' });
    await registry.deleteVersionTag('p', '1', 'a');
    await registry.setAlias('p', 'prod', '1');
    await registry.deleteAlias('p', 'prod');
    assert.deepEqual(drain(), [
      { entity: 'prompt', action: 'created', payload: { name: 'p', tags: { owner: 'bo' }, description: undefined } },
      { entity: 'prompt_version', action: 'created', payload: { name: 'p', version: '1', template: 'Hi {{x}}', tags: { lang: 'en' }, description: 'first' } },
      { entity: 'prompt_tag', action: 'set', payload: { name: 'p', key: 'owner', value: 'al' } },
      { entity: 'prompt_tag', action: 'deleted', payload: { name: 'p', key: 'owner' } },
      { entity: 'prompt_version_tag', action: 'set', payload: { name: 'p', version: '1', key: 'a', value: 'b' } },
      { entity: 'prompt_version_tag', action: 'deleted', payload: { name: 'p', version: '1', key: 'a' } },
      { entity: 'prompt_alias', action: 'created', payload: { name: 'p', alias: 'prod', version: '1' } },
      { entity: 'prompt_alias', action: 'deleted', payload: { name: 'p', alias: 'prod' } },
    ]);
  });

  it('publishes nothing for a refused write', async () => {
    await assert.rejects(registry.createModel({ name: 'm', tags: [] }), { code: 'ALREADY_EXISTS' });
    await assert.rejects(registry.createVersion({ name: 'm', source: 'file:///etc/passwd', tags: [] }), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(registry.setAlias('m', 'v2', '1'), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(registry.setVersionTag('m', '9', { key: 'a', value: 'b' }), { code: 'NOT_FOUND' });
    assert.deepEqual(drain(), []);
  });

  it('keeps a committed write when the listener throws', async () => {
    const throwing = new Registry(store, tracking.artifacts, { publish: () => { throw new Error('listener down'); } });
    await throwing.createModel({ name: 'survives', tags: [] });
    assert.equal((await registry.getModel('survives')).name, 'survives');
  });
});
