/**
 * The webhook service: MLflow's rules for creating, changing and listing webhooks, the
 * synchronous test delivery, and the listener the registry publishes its events to.
 */
import { randomUUID } from 'node:crypto';
import { invalid, notFound } from '../errors';
import type { Page } from '../model';
import type { RegistryEvent, RegistryEvents } from '../registry-events';
import type { Store } from '../store';
import { decodePageToken, encodePageToken } from '../query/page-token';
import { assertMaxLength, clip } from '../text';
import { DELIVERY_DEFAULTS, DeliveryQueue, type Delivery, type DeliverySettings } from './delivery';
import { eventName, examplePayload, payloadOf, VALID_ACTIONS } from './events';
import { pyJson, type PyJson } from './py-json';
import { deliveryHeaders } from './signing';
import { DeliveryFailure, hostOf, NO_TRANSPORT, TargetRefused, type WebhookTransport } from './transport';
import { SecretBox, SecretUnreadable } from './secret-box';
import {
  WEBHOOK_ACTIONS, WEBHOOK_ENTITIES, type StoredWebhook, type Webhook, type WebhookAction, type WebhookEntity, type WebhookEvent,
  type WebhookStatus, type WebhookTestResult,
} from './types';

export interface WebhookOptions {
  /** Deliver to loopback, private and link-local addresses too (a trusted network only). */
  allowPrivate?: boolean;
  /** Seals secrets at rest under a key derived from this text (secret-box.ts); kept as given without it. */
  secretKey?: string;
  delivery?: Partial<DeliverySettings>;
  /** How deliveries are sent; without one, none is. */
  transport?: WebhookTransport;
  /** Where delivery failures and drops are reported; stderr by default. */
  log?: (message: string) => void;
}

/** An event as a front-end decoded it; either part may be missing or unknown. */
export interface EventInput { entity?: string; action?: string }

export interface WebhookInput {
  name?: string;
  description?: string;
  url?: string;
  events?: EventInput[];
  secret?: string;
  status?: WebhookStatus;
}

const NAME = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/i;
const NAME_MAX = 63;
/** The column sizes MLflow's schema gives these fields. */
const DESCRIPTION_MAX = 1000;
const URL_MAX = 500;
const SECRET_MAX = 1000;
const SCHEMES = ['http', 'https'];
/** How long the URL's host may take to resolve when it is checked at create and update. */
const RESOLVE_TIMEOUT_MS = 5000;
const LIST_DEFAULT = 100;
const LIST_MAX = 1000;

export const webhookNotFound = (id: string) => notFound(`Webhook with ID ${id} not found.`);

/** Python's repr of a str, as MLflow's messages quote names and URLs. */
const quoted = (s: string) => `'${clip(s)}'`;

function checkName(name: string): void {
  if (name.length > NAME_MAX || !NAME.test(name)) {
    throw invalid(`Webhook name ${quoted(name)} is invalid. It must start and end with a letter or digit, be less than 63 characters long, and contain only letters, digits, dots (.), underscores (_), and hyphens (-).`);
  }
}

function checkEvents(events: EventInput[]): WebhookEvent[] {
  if (events.length === 0) throw invalid('Webhook events must be a non-empty list of WebhookEvent objects: [].');
  const seen = new Map<string, WebhookEvent>();
  for (const e of events) {
    const event = checkEvent(e);
    seen.set(eventName(event), event);
  }
  return [...seen.values()];
}

export function checkEvent(e: EventInput): WebhookEvent {
  const entity = e.entity as WebhookEntity;
  const action = e.action as WebhookAction;
  if (!WEBHOOK_ENTITIES.includes(entity)) {
    throw invalid(`Invalid webhook event entity ${quoted(String(e.entity ?? ''))}. Valid entities are: [${WEBHOOK_ENTITIES.map(quoted).join(', ')}]`);
  }
  if (!WEBHOOK_ACTIONS.includes(action) || !VALID_ACTIONS[entity].includes(action)) {
    const valid = [...VALID_ACTIONS[entity]].sort().map(quoted).join(', ');
    throw invalid(`Invalid action ${quoted(String(e.action ?? ''))} for entity ${quoted(entity)}. Valid actions are: [${valid}]`);
  }
  return { entity, action };
}

/** Python's `datetime.now(timezone.utc).isoformat()`, which MLflow puts in each payload. */
export function isoTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  const fraction = ms % 1000 === 0 ? '' : `.${iso.slice(20, 23)}000`;
  return `${iso.slice(0, 19)}${fraction}+00:00`;
}

const withoutSecret = ({ secret: _secret, ...w }: StoredWebhook): Webhook => w;

export class Webhooks implements RegistryEvents {
  private readonly allowPrivate: boolean;
  private readonly transport: WebhookTransport;
  private readonly settings: DeliverySettings;
  private readonly queue: DeliveryQueue;
  private readonly secrets: SecretBox;
  private readonly log: (message: string) => void;

  constructor(private readonly store: Store, opts: WebhookOptions = {}) {
    this.allowPrivate = opts.allowPrivate === true;
    this.secrets = new SecretBox(opts.secretKey);
    this.settings = { ...DELIVERY_DEFAULTS, ...opts.delivery };
    this.log = opts.log ?? ((m: string) => console.warn(m));
    this.transport = opts.transport ?? NO_TRANSPORT;
    this.queue = new DeliveryQueue((e) => this.deliveriesOf(e), this.settings, this.allowPrivate, this.transport, this.log);
  }

  get deliveryStats() { return this.queue.stats; }

  /** MLflow's URL rules: http(s), a host, and (unless private targets are allowed) a host that resolves only to public addresses. */
  private async checkUrl(url: string): Promise<void> {
    if (url.trim() === '') throw invalid(`Webhook URL cannot be empty or just whitespace: ${quoted(url)}`);
    assertMaxLength(url, URL_MAX, 'url');
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw invalid(`Invalid webhook URL ${quoted(url)}`);
    }
    const scheme = u.protocol.slice(0, -1);
    if (!SCHEMES.includes(scheme)) throw invalid(`Invalid webhook URL scheme: ${quoted(scheme)}. Allowed schemes are: ${SCHEMES.join(', ')}.`);
    const host = hostOf(u);
    if (!host) throw invalid(`Webhook URL must include a hostname: ${quoted(url)}`);
    if (this.allowPrivate) return;
    try {
      await this.transport.checkTarget(host, false, RESOLVE_TIMEOUT_MS);
    } catch (e) {
      if (e instanceof TargetRefused) throw invalid(`Webhook URL must not resolve to a non-public IP address. ${e.message}.`);
      throw invalid(`Cannot resolve Webhook URL hostname ${quoted(host)}: ${(e as Error).message}`);
    }
  }

  private checkText(req: WebhookInput): void {
    assertMaxLength(req.description, DESCRIPTION_MAX, 'description');
    assertMaxLength(req.secret, SECRET_MAX, 'secret');
  }

  async create(req: WebhookInput): Promise<Webhook> {
    const name = req.name ?? '';
    checkName(name);
    await this.checkUrl(req.url ?? '');
    const events = checkEvents(req.events ?? []);
    this.checkText(req);
    const webhookId = randomUUID();
    await this.store.write(async (tx) => {
      await tx.webhooks.insert({
        webhookId, name, description: req.description || undefined, url: req.url!, secret: req.secret ? this.secrets.seal(webhookId, req.secret) : undefined,
        status: req.status ?? 'ACTIVE', events, time: Date.now(),
      });
    });
    return this.get(webhookId);
  }

  async get(webhookId: string): Promise<Webhook> {
    return withoutSecret(await this.stored(webhookId));
  }

  private async stored(webhookId: string): Promise<StoredWebhook> {
    const w = await this.store.getWebhook(webhookId);
    if (!w) throw webhookNotFound(webhookId);
    return w;
  }

  async list(req: { maxResults?: number; pageToken?: string }): Promise<Page<Webhook>> {
    // MLflow reads 0 (the wire's unset value) as the default.
    const max = req.maxResults || LIST_DEFAULT;
    if (max < 1 || max > LIST_MAX) throw invalid(`max_results must be between 1 and ${LIST_MAX}.`);
    const offset = decodePageToken(req.pageToken);
    const rows = await this.store.listWebhooks(offset, max);
    const more = rows.length > max;
    return { items: rows.slice(0, max), nextPageToken: more ? encodePageToken(offset + max) : undefined };
  }

  /**
   * Changes what is given. As in MLflow, an empty name, URL or event list means "unchanged";
   * an empty description is stored, and an empty secret removes the secret.
   */
  async update(webhookId: string, req: WebhookInput): Promise<Webhook> {
    const name = req.name || undefined;
    const url = req.url || undefined;
    if (name !== undefined) checkName(name);
    if (url !== undefined) await this.checkUrl(url);
    const events = req.events && req.events.length > 0 ? checkEvents(req.events) : undefined;
    this.checkText(req);
    await this.store.write(async (tx) => {
      if (!(await tx.webhooks.lock(webhookId))) throw webhookNotFound(webhookId);
      await tx.webhooks.update(webhookId, {
        name, url, description: req.description, status: req.status,
        secret: req.secret === undefined ? undefined : req.secret === '' ? null : this.secrets.seal(webhookId, req.secret),
        lastUpdatedTimestamp: Date.now(),
      });
      if (events) await tx.webhooks.setEvents(webhookId, events);
    });
    return this.get(webhookId);
  }

  async delete(webhookId: string): Promise<void> {
    await this.store.write(async (tx) => {
      if (!(await tx.webhooks.delete(webhookId))) throw webhookNotFound(webhookId);
    });
  }

  /**
   * Sends the example payload of `event` (the webhook's first event when not given) to the
   * webhook now, once, and reports how the receiver answered. A disabled webhook is tested too.
   */
  async test(webhookId: string, event?: EventInput): Promise<WebhookTestResult> {
    const webhook = await this.stored(webhookId);
    const chosen = event ? checkEvent(event) : webhook.events[0];
    let delivery: Delivery;
    try {
      delivery = this.deliveryOf(webhook, chosen, examplePayload(chosen));
    } catch (e) {
      if (e instanceof SecretUnreadable) return { success: false, errorMessage: `Failed to test webhook: ${e.message}` };
      throw e;
    }
    try {
      const answer = await this.transport.post(delivery.url, delivery.headers, delivery.body, {
        timeoutMs: this.settings.timeoutMs, allowPrivate: this.allowPrivate, maxResponseBytes: this.settings.maxResponseBytes,
      });
      const redirect = answer.status >= 300 && answer.status < 400;
      return {
        success: answer.status >= 200 && answer.status < 300,
        responseStatus: answer.status,
        responseBody: answer.body,
        ...(redirect ? { errorMessage: 'Failed to test webhook: the receiver answered with a redirect, and redirects are not followed' } : {}),
      };
    } catch (e) {
      const reason = e instanceof DeliveryFailure ? e.message : String((e as Error)?.message ?? e);
      return { success: false, errorMessage: `Failed to test webhook: ${reason}` };
    }
  }

  /** The registry's listener: queues the event and returns at once; it never throws. */
  publish(event: RegistryEvent): void {
    try {
      this.queue.publish(event);
    } catch {
      // A listener must not fail the write that already committed.
    }
  }

  private async deliveriesOf(event: RegistryEvent): Promise<Delivery[]> {
    const which: WebhookEvent = { entity: event.entity, action: event.action };
    const data = payloadOf(event);
    const subscribers = await this.store.webhooksForEvent(which, this.settings.maxSubscribers);
    const out: Delivery[] = [];
    for (const w of subscribers) {
      try {
        out.push(this.deliveryOf(w, which, data));
      } catch (e) {
        // A secret this server cannot read: sending the delivery unsigned would let a receiver take a forgery for it.
        if (!(e instanceof SecretUnreadable)) throw e;
        this.queue.stats.failed++;
        this.log(`webhooks: ${eventName(which)} to webhook ${w.webhookId} was not sent: ${e.message}`);
      }
    }
    return out;
  }

  /** The body MLflow sends: entity, action, the time, and the event's data, signed as one text. */
  private deliveryOf(webhook: StoredWebhook, event: WebhookEvent, data: Record<string, PyJson>): Delivery {
    const now = Date.now();
    const body = pyJson({ entity: event.entity, action: event.action, timestamp: isoTimestamp(now), data });
    const deliveryId = randomUUID();
    const timestamp = String(Math.floor(now / 1000));
    const secret = webhook.secret ? this.secrets.open(webhook.webhookId, webhook.secret) : undefined;
    return { webhookId: webhook.webhookId, url: webhook.url, event: eventName(event), body, headers: deliveryHeaders(deliveryId, timestamp, body, secret) };
  }

  /** Resolves once every queued delivery has been sent or given up (tests, and shutdown). */
  idle(): Promise<void> { return this.queue.idle(); }

  /** Gives pending deliveries up to `graceMs`, then drops them. */
  close(graceMs: number): Promise<void> { return this.queue.close(graceMs); }
}
