/** The webhook part of a write transaction (reads are in ../webhooks.ts). */
import type { NewWebhook, WebhookUpdate, WebhookWrites } from '../../core/store';
import type { WebhookEvent } from '../../core/webhooks/types';
import { insertRows } from '../insert';
import type { SqlExec } from '../sql-exec';
import { updateSql } from './update';

export class SqlWebhookWrites implements WebhookWrites {
  constructor(private readonly sql: SqlExec) {}

  async lock(webhookId: string): Promise<boolean> {
    const rows = await this.sql.all(`SELECT 1 FROM "webhooks" WHERE "webhook_id" = ?${this.sql.dialect.forUpdate}`, [webhookId]);
    return rows.length > 0;
  }

  async insert(w: NewWebhook): Promise<void> {
    await insertRows(this.sql, 'webhooks',
      ['webhook_id', 'name', 'description', 'url', 'secret', 'status', 'creation_timestamp', 'last_updated_timestamp'],
      [[w.webhookId, w.name, w.description ?? null, w.url, w.secret ?? null, w.status, w.time, w.time]]);
    await this.insertEvents(w.webhookId, w.events);
  }

  async update(webhookId: string, u: WebhookUpdate): Promise<void> {
    const q = updateSql('webhooks', {
      name: u.name, description: u.description, url: u.url, secret: u.secret, status: u.status, last_updated_timestamp: u.lastUpdatedTimestamp,
    }, `"webhook_id" = ?`);
    if (q) await this.sql.run(q[0], [...q[1], webhookId]);
  }

  async setEvents(webhookId: string, events: WebhookEvent[]): Promise<void> {
    await this.sql.run(`DELETE FROM "webhook_events" WHERE "webhook_id" = ?`, [webhookId]);
    await this.insertEvents(webhookId, events);
  }

  async delete(webhookId: string): Promise<boolean> {
    await this.sql.run(`DELETE FROM "webhook_events" WHERE "webhook_id" = ?`, [webhookId]);
    return (await this.sql.run(`DELETE FROM "webhooks" WHERE "webhook_id" = ?`, [webhookId])).changes > 0;
  }

  private async insertEvents(webhookId: string, events: WebhookEvent[]): Promise<void> {
    await insertRows(this.sql, 'webhook_events', ['webhook_id', 'entity', 'action', 'position'],
      events.map((e, i) => [webhookId, e.entity, e.action, i]));
  }
}
