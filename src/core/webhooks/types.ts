/**
 * Webhooks: subscriptions to registry events, delivered as signed POSTs. Entity and action names
 * are MLflow's (`model_version`, `created`), as its receivers read them in each payload.
 */

export const WEBHOOK_ENTITIES = [
  'registered_model', 'model_version', 'model_version_tag', 'model_version_alias',
  'prompt', 'prompt_version', 'prompt_tag', 'prompt_version_tag', 'prompt_alias', 'budget_policy',
] as const;
export type WebhookEntity = (typeof WEBHOOK_ENTITIES)[number];

export const WEBHOOK_ACTIONS = ['created', 'updated', 'deleted', 'set', 'exceeded'] as const;
export type WebhookAction = (typeof WEBHOOK_ACTIONS)[number];

export interface WebhookEvent { entity: WebhookEntity; action: WebhookAction }

export type WebhookStatus = 'ACTIVE' | 'DISABLED';

/** A webhook as answered to clients: never with its secret. */
export interface Webhook {
  webhookId: string;
  name: string;
  description?: string;
  url: string;
  /** In the order they were given, each once. */
  events: WebhookEvent[];
  status: WebhookStatus;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
}

/** A webhook as the store keeps it: the secret that signs its deliveries included, as it rests (secret-box.ts). */
export interface StoredWebhook extends Webhook {
  secret?: string;
}

export interface WebhookTestResult {
  success: boolean;
  responseStatus?: number;
  responseBody?: string;
  errorMessage?: string;
}
