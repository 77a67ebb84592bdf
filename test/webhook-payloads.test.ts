/**
 * What a delivery carries: the data of each registry event in MLflow's fields and order, and the
 * example `test` sends for every event, compared with the installed mlflow's own examples.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { eventName, examplePayload, payloadOf, VALID_ACTIONS } from '../src/core/webhooks/events';
import { pyJson } from '../src/core/webhooks/py-json';
import { WEBHOOK_ENTITIES, type WebhookEvent } from '../src/core/webhooks/types';
import type { RegistryEvent } from '../src/core/registry-events';

const PYTHON = path.join(__dirname, '..', 'compat-tests', '.venv', 'bin', 'python');
const noPython = fs.existsSync(PYTHON) ? false : 'the compat-tests venv (with mlflow) is not installed';

const text = (e: RegistryEvent) => pyJson(payloadOf(e));

describe('webhook payloads', () => {
  it("writes each registry event's data with MLflow's fields, order and nulls", () => {
    assert.equal(text({ entity: 'registered_model', action: 'created', payload: { name: 'm', tags: { a: 'b' } } }),
      '{"name": "m", "tags": {"a": "b"}, "description": ""}');
    assert.equal(text({ entity: 'model_version', action: 'created', payload: { name: 'm', version: '2', source: 's', run_id: 'r', tags: {}, description: 'd' } }),
      '{"name": "m", "version": "2", "source": "s", "run_id": "r", "tags": {}, "description": "d"}');
    assert.equal(text({ entity: 'model_version', action: 'created', payload: { name: 'm', version: '2', source: 's', run_id: '', tags: {}, description: '' } }),
      '{"name": "m", "version": "2", "source": "s", "run_id": null, "tags": {}, "description": null}');
    assert.equal(text({ entity: 'model_version_tag', action: 'set', payload: { name: 'm', version: '1', key: 'k', value: 'v' } }),
      '{"name": "m", "version": "1", "key": "k", "value": "v"}');
    assert.equal(text({ entity: 'model_version_tag', action: 'deleted', payload: { name: 'm', version: '1', key: 'k' } }), '{"name": "m", "version": "1", "key": "k"}');
    assert.equal(text({ entity: 'model_version_alias', action: 'created', payload: { name: 'm', alias: 'a', version: '1' } }), '{"name": "m", "alias": "a", "version": "1"}');
    assert.equal(text({ entity: 'model_version_alias', action: 'deleted', payload: { name: 'm', alias: 'a' } }), '{"name": "m", "alias": "a"}');
    // Prompts: the tags that mark a prompt, and the text tag a template came from, are left out.
    const marks = { 'mlflow.prompt.is_prompt': 'true', _mlflow_prompt_type: 'text', team: 'x' };
    assert.equal(text({ entity: 'prompt', action: 'created', payload: { name: 'p', tags: marks, description: 'd' } }), '{"name": "p", "tags": {"team": "x"}, "description": "d"}');
    assert.equal(text({ entity: 'prompt_version', action: 'created', payload: { name: 'p', version: '1', template: 'Hi {{n}}', tags: { ...marks, 'mlflow.prompt.text': 'Hi {{n}}' } } }),
      '{"name": "p", "version": "1", "template": "Hi {{n}}", "tags": {"team": "x"}, "description": null}');
    assert.equal(text({ entity: 'prompt_tag', action: 'set', payload: { name: 'p', key: 'k', value: 'v' } }), '{"name": "p", "key": "k", "value": "v"}');
    assert.equal(text({ entity: 'prompt_tag', action: 'deleted', payload: { name: 'p', key: 'k' } }), '{"name": "p", "key": "k"}');
    assert.equal(text({ entity: 'prompt_version_tag', action: 'deleted', payload: { name: 'p', version: '3', key: 'k' } }), '{"name": "p", "version": "3", "key": "k"}');
    assert.equal(text({ entity: 'prompt_alias', action: 'created', payload: { name: 'p', alias: 'a', version: '3' } }), '{"name": "p", "alias": "a", "version": "3"}');
  });

  const allEvents: WebhookEvent[] = WEBHOOK_ENTITIES.flatMap((entity) => VALID_ACTIONS[entity].map((action) => ({ entity, action })));

  it('has an example for every event a webhook can subscribe to', () => {
    assert.equal(allEvents.length, 15);
    for (const e of allEvents) assert.ok(examplePayload(e), eventName(e));
  });

  it("sends the installed mlflow's example payloads and knows exactly its event pairs", { skip: noPython }, () => {
    const out = JSON.parse(execFileSync(PYTHON, ['-c', [
      'import json',
      'from mlflow.entities.webhook import VALID_ENTITY_ACTIONS, WebhookEvent',
      'from mlflow.webhooks.types import get_example_payload_for_event',
      'pairs = sorted(f"{e.value}.{a.value}" for e, acts in VALID_ENTITY_ACTIONS.items() for a in acts)',
      'print(json.dumps({"pairs": pairs, "examples": {p: json.dumps(get_example_payload_for_event(WebhookEvent(*p.split(".")))) for p in pairs}}))',
    ].join('\n')], { encoding: 'utf8', timeout: 60_000 }));
    assert.deepEqual(allEvents.map(eventName).sort(), out.pairs);
    for (const e of allEvents) assert.equal(pyJson(examplePayload(e)), out.examples[eventName(e)], eventName(e));
  });
});
