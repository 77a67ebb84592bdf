/** /mlflow/webhooks/* — enum names on the wire (MODEL_VERSION, CREATED), MLflow's entity and action names in the core. */
import { handlersOf } from './context';
import type { Webhook, WebhookTestResult } from '../../core/webhooks/types';
import type { EventInput } from '../../core/webhooks/webhooks';
import type * as wire from './messages';

type Res<M extends keyof wire.WebhookServiceMethods> = wire.WebhookServiceMethods[M]['response'];

const eventIn = (e: wire.WebhookEvent): EventInput => ({ entity: e.entity?.toLowerCase(), action: e.action?.toLowerCase() });

function webhookJson(w: Webhook): wire.Webhook {
  return {
    webhook_id: w.webhookId,
    name: w.name,
    description: w.description,
    url: w.url,
    events: w.events.map((e) => ({ entity: e.entity.toUpperCase() as wire.WebhookEntity, action: e.action.toUpperCase() as wire.WebhookAction })),
    status: w.status,
    creation_timestamp: w.creationTimestamp,
    last_updated_timestamp: w.lastUpdatedTimestamp,
  };
}

function testResultJson(r: WebhookTestResult): wire.WebhookTestResult {
  return { success: r.success, response_status: r.responseStatus, response_body: r.responseBody, error_message: r.errorMessage };
}

export const webhookHandlers = handlersOf('mlflow.WebhookService', {
  async createWebhook(m, { tracking }): Promise<Res<'createWebhook'>> {
    const w = await tracking.webhooks.create({
      name: m.name, description: m.description, url: m.url, events: m.events.map(eventIn), secret: m.secret, status: m.status,
    });
    return { webhook: webhookJson(w) };
  },

  async listWebhooks(m, { tracking }): Promise<Res<'listWebhooks'>> {
    const page = await tracking.webhooks.list({ maxResults: m.max_results, pageToken: m.page_token });
    return { webhooks: page.items.map(webhookJson), next_page_token: page.nextPageToken };
  },

  async getWebhook(m, { tracking }): Promise<Res<'getWebhook'>> {
    return { webhook: webhookJson(await tracking.webhooks.get(m.webhook_id)) };
  },

  async updateWebhook(m, { tracking }): Promise<Res<'updateWebhook'>> {
    const w = await tracking.webhooks.update(m.webhook_id, {
      name: m.name, description: m.description, url: m.url, events: m.events?.map(eventIn), secret: m.secret, status: m.status,
    });
    return { webhook: webhookJson(w) };
  },

  async deleteWebhook(m, { tracking }): Promise<Res<'deleteWebhook'>> {
    await tracking.webhooks.delete(m.webhook_id);
    return {};
  },

  async testWebhook(m, { tracking }): Promise<Res<'testWebhook'>> {
    return { result: testResultJson(await tracking.webhooks.test(m.webhook_id, m.event ? eventIn(m.event) : undefined)) };
  },
});
