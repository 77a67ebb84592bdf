/**
 * Which (entity, action) pairs exist, the example payload `test` sends for each, and the payload
 * a registry event is delivered with: MLflow's fields in MLflow's order, with its nulls.
 */
import type { RegistryEvent } from '../registry-events';
import type { PyJson } from './py-json';
import { pyFloat } from './py-json';
import type { WebhookAction, WebhookEntity, WebhookEvent } from './types';

export const VALID_ACTIONS: Record<WebhookEntity, readonly WebhookAction[]> = {
  registered_model: ['created'],
  model_version: ['created'],
  model_version_tag: ['set', 'deleted'],
  model_version_alias: ['created', 'deleted'],
  prompt: ['created'],
  prompt_version: ['created'],
  prompt_tag: ['set', 'deleted'],
  prompt_version_tag: ['set', 'deleted'],
  prompt_alias: ['created', 'deleted'],
  budget_policy: ['exceeded'],
};

export const eventName = (e: WebhookEvent) => `${e.entity}.${e.action}`;

const exampleTags = { example_key: 'example_value' };

/** What a test delivery carries, by event: the example values MLflow's server sends. */
const EXAMPLES: Record<string, Record<string, PyJson>> = {
  'registered_model.created': { name: 'example_model', tags: exampleTags, description: 'An example registered model' },
  'model_version.created': {
    name: 'example_model', version: '1', source: 'models:/123', run_id: 'abcd1234abcd5678', tags: exampleTags, description: 'An example model version',
  },
  'model_version_tag.set': { name: 'example_model', version: '1', key: 'example_key', value: 'example_value' },
  'model_version_tag.deleted': { name: 'example_model', version: '1', key: 'example_key' },
  'model_version_alias.created': { name: 'example_model', alias: 'example_alias', version: '1' },
  'model_version_alias.deleted': { name: 'example_model', alias: 'example_alias' },
  'prompt.created': { name: 'example_prompt', tags: exampleTags, description: 'An example prompt' },
  'prompt_version.created': {
    name: 'example_prompt', version: '1', template: 'Hello {{name}}!', tags: exampleTags, description: 'An example prompt version',
  },
  'prompt_tag.set': { name: 'example_prompt', key: 'example_key', value: 'example_value' },
  'prompt_tag.deleted': { name: 'example_prompt', key: 'example_key' },
  'prompt_version_tag.set': { name: 'example_prompt', version: '1', key: 'example_key', value: 'example_value' },
  'prompt_version_tag.deleted': { name: 'example_prompt', version: '1', key: 'example_key' },
  'prompt_alias.created': { name: 'example_prompt', alias: 'example_alias', version: '1' },
  'prompt_alias.deleted': { name: 'example_prompt', alias: 'example_alias' },
  'budget_policy.exceeded': {
    budget_policy_id: 'bp-abc123', budget_unit: 'USD', budget_amount: pyFloat(100), current_spend: pyFloat(105.5),
    duration_unit: 'MONTHS', duration_value: 1, target_scope: 'ENDPOINT', workspace: 'default', target_value: 'ep-abc123',
    window_start: 1704067200000,
  },
};

export function examplePayload(e: WebhookEvent): Record<string, PyJson> {
  return EXAMPLES[eventName(e)];
}

/** Tags that mark a registered model or version as a prompt; MLflow leaves them out of prompt payloads. */
const PROMPT_MARKERS = ['mlflow.prompt.is_prompt', '_mlflow_prompt_type'];
/** A prompt version's text travels as `template`, not as this tag. */
const PROMPT_TEXT = 'mlflow.prompt.text';

const without = (tags: Record<string, string>, keys: string[]) => Object.fromEntries(Object.entries(tags).filter(([k]) => !keys.includes(k)));

/** MLflow sends an absent optional text as null, except a model's description, which its request decodes as ''. */
const orNull = (v: string | undefined): string | null => (v === undefined || v === '' ? null : v);

/** The `data` of a registry event's delivery. */
export function payloadOf(e: RegistryEvent): Record<string, PyJson> {
  switch (e.entity) {
    case 'registered_model':
      return { name: e.payload.name, tags: e.payload.tags, description: e.payload.description ?? '' };
    case 'prompt':
      return { name: e.payload.name, tags: without(e.payload.tags, PROMPT_MARKERS), description: e.payload.description ?? '' };
    case 'model_version':
      return {
        name: e.payload.name, version: e.payload.version, source: e.payload.source, run_id: orNull(e.payload.run_id),
        tags: e.payload.tags, description: orNull(e.payload.description),
      };
    case 'prompt_version':
      return {
        name: e.payload.name, version: e.payload.version, template: e.payload.template,
        tags: without(e.payload.tags, [...PROMPT_MARKERS, PROMPT_TEXT]), description: orNull(e.payload.description),
      };
    case 'model_version_alias':
    case 'prompt_alias':
      return e.action === 'created'
        ? { name: e.payload.name, alias: e.payload.alias, version: e.payload.version }
        : { name: e.payload.name, alias: e.payload.alias };
    case 'model_version_tag':
    case 'prompt_version_tag':
      return e.action === 'set'
        ? { name: e.payload.name, version: e.payload.version, key: e.payload.key, value: e.payload.value }
        : { name: e.payload.name, version: e.payload.version, key: e.payload.key };
    case 'prompt_tag':
      return e.action === 'set'
        ? { name: e.payload.name, key: e.payload.key, value: e.payload.value }
        : { name: e.payload.name, key: e.payload.key };
  }
}
