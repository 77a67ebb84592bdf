/** Webhook rows: the reads (their writes are tx/webhooks.ts). */
import type { StoredWebhook, Webhook, WebhookEvent } from '../core/webhooks/types';
import { chunks } from './chunks';
import type { SqlExec } from './sql-exec';

const COLUMNS = `"webhook_id", "name", "description", "url", "secret", "status", "creation_timestamp", "last_updated_timestamp"`;
const NEWEST_FIRST = `ORDER BY "creation_timestamp" DESC, "webhook_id" DESC`;

async function hydrate(sql: SqlExec, rows: any[]): Promise<StoredWebhook[]> {
  const events = new Map<string, WebhookEvent[]>(rows.map((r) => [r.webhook_id as string, []]));
  for (const part of chunks([...events.keys()], 500)) {
    const found = await sql.all(
      `SELECT "webhook_id", "entity", "action" FROM "webhook_events" WHERE "webhook_id" IN (${part.map(() => '?').join(', ')}) ORDER BY "webhook_id", "position"`, part);
    for (const e of found) events.get(e.webhook_id)!.push({ entity: e.entity, action: e.action });
  }
  return rows.map((r) => ({
    webhookId: r.webhook_id,
    name: r.name,
    ...(r.description ? { description: r.description } : {}),
    url: r.url,
    events: events.get(r.webhook_id)!,
    status: r.status,
    creationTimestamp: Number(r.creation_timestamp),
    lastUpdatedTimestamp: Number(r.last_updated_timestamp),
    ...(r.secret ? { secret: r.secret } : {}),
  }));
}

const withoutSecret = ({ secret: _secret, ...w }: StoredWebhook): Webhook => w;

export async function getWebhook(sql: SqlExec, webhookId: string): Promise<StoredWebhook | undefined> {
  const rows = await sql.all(`SELECT ${COLUMNS} FROM "webhooks" WHERE "webhook_id" = ?`, [webhookId]);
  return rows.length ? (await hydrate(sql, rows))[0] : undefined;
}

export async function listWebhooks(sql: SqlExec, offset: number, limit: number): Promise<Webhook[]> {
  const rows = await sql.all(`SELECT ${COLUMNS} FROM "webhooks" ${NEWEST_FIRST} LIMIT ? OFFSET ?`, [limit + 1, offset]);
  return (await hydrate(sql, rows)).map(withoutSecret);
}

export async function webhooksForEvent(sql: SqlExec, event: WebhookEvent, limit: number): Promise<StoredWebhook[]> {
  const rows = await sql.all(
    `SELECT ${COLUMNS.replace(/"(\w+)"/g, 'w."$1"')} FROM "webhooks" w JOIN "webhook_events" e ON e."webhook_id" = w."webhook_id"
     WHERE e."entity" = ? AND e."action" = ? AND w."status" = 'ACTIVE' ORDER BY w."creation_timestamp" DESC, w."webhook_id" DESC LIMIT ?`,
    [event.entity, event.action, limit]);
  return hydrate(sql, rows);
}
