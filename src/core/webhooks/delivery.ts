/**
 * The background side of webhooks. publish() only puts the event in a bounded queue and returns;
 * a few workers take events, find their subscribers and send each one its delivery, retrying a
 * delivery that got no answer, a 429 or a 5xx after a growing pause (or the receiver's
 * Retry-After, within a bound) a few times before giving it up. When the queue is full the oldest
 * item is dropped, with a warning: a receiver that is down must not grow the server's memory.
 * Retries wait on timers, not on workers, so a slow receiver holds up only its own deliveries.
 */
import type { RegistryEvent } from '../registry-events';
import { DeliveryFailure, type PostAnswer, type WebhookTransport } from './transport';

export interface DeliverySettings {
  /** Events and deliveries waiting, together. */
  capacity: number;
  /** Deliveries under way at once. */
  concurrency: number;
  /** Tries of one delivery, the first included. */
  maxAttempts: number;
  /** Pause before retry n (1-based) when the receiver named none. */
  backoffMs: (retry: number) => number;
  /** A longer Retry-After is shortened to this. */
  maxRetryAfterMs: number;
  /** One attempt, from resolving the host to reading the answer. */
  timeoutMs: number;
  maxResponseBytes: number;
  /** Subscribers one event is delivered to at most. */
  maxSubscribers: number;
}

export const DELIVERY_DEFAULTS: DeliverySettings = {
  capacity: 10_000,
  concurrency: 4,
  // The first try and three retries, after about 1, 2 and 4 seconds, as MLflow's server retries.
  maxAttempts: 4,
  backoffMs: (retry) => 1000 * 2 ** (retry - 1) + Math.floor(Math.random() * 1000),
  maxRetryAfterMs: 60_000,
  timeoutMs: 10_000,
  maxResponseBytes: 8 * 1024,
  maxSubscribers: 1000,
};

/** One delivery of one event to one webhook: the same bytes, id and signature on every try. */
export interface Delivery {
  webhookId: string;
  url: string;
  event: string;
  headers: Record<string, string>;
  body: string;
}

type Item = { kind: 'event'; event: RegistryEvent } | { kind: 'send'; delivery: Delivery; attempt: number };

export interface DeliveryStats { delivered: number; failed: number; retried: number; dropped: number }

/** How 429 and 5xx differ from other refusals: trying later may succeed. */
export const isRetryableStatus = (status: number) => status === 429 || status >= 500;

const WARN_EVERY_MS = 10_000;

export class DeliveryQueue {
  private items: Item[] = [];
  private head = 0;
  private running = 0;
  private readonly waiting = new Set<NodeJS.Timeout>();
  private closing = false;
  private readonly abort = new AbortController();
  private idleWaiters: Array<() => void> = [];
  private lastDropWarning = 0;
  private droppedSinceWarning = 0;
  readonly stats: DeliveryStats = { delivered: 0, failed: 0, retried: 0, dropped: 0 };

  constructor(
    /** The deliveries an event makes, one per subscriber. */
    private readonly expand: (event: RegistryEvent) => Promise<Delivery[]>,
    private readonly settings: DeliverySettings,
    private readonly allowPrivate: boolean,
    private readonly transport: WebhookTransport,
    private readonly log: (message: string) => void,
  ) {}

  get size(): number { return this.items.length - this.head; }

  publish(event: RegistryEvent): void {
    if (this.closing) return;
    this.push({ kind: 'event', event });
  }

  private push(item: Item): void {
    if (this.size >= this.settings.capacity) {
      this.head++;
      this.stats.dropped++;
      this.droppedSinceWarning++;
      const now = Date.now();
      if (now - this.lastDropWarning >= WARN_EVERY_MS) {
        this.log(`webhooks: the delivery queue is full (${this.settings.capacity}); dropped the oldest ${this.droppedSinceWarning} item(s) so far`);
        this.lastDropWarning = now;
        this.droppedSinceWarning = 0;
      }
    }
    this.items.push(item);
    this.pump();
  }

  private take(): Item | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head++];
    // Compact now and then so a long-lived queue does not keep its consumed prefix.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  private pump(): void {
    while (this.running < this.settings.concurrency) {
      const item = this.take();
      if (!item) break;
      this.running++;
      this.work(item).catch((e) => this.log(`webhooks: ${(e as Error).message}`)).finally(() => {
        this.running--;
        this.pump();
        this.checkIdle();
      });
    }
  }

  private async work(item: Item): Promise<void> {
    if (item.kind === 'event') {
      let deliveries: Delivery[];
      try {
        deliveries = await this.expand(item.event);
      } catch (e) {
        this.log(`webhooks: could not find the subscribers of ${item.event.entity}.${item.event.action}: ${(e as Error).message}`);
        return;
      }
      // Found after the shutdown grace ran out: there is no one left to send them.
      if (this.abort.signal.aborted) return;
      for (const delivery of deliveries) this.push({ kind: 'send', delivery, attempt: 1 });
      return;
    }
    const { delivery, attempt } = item;
    let answer: PostAnswer | undefined;
    let failure: DeliveryFailure | undefined;
    try {
      answer = await this.transport.post(delivery.url, delivery.headers, delivery.body, {
        timeoutMs: this.settings.timeoutMs, allowPrivate: this.allowPrivate, maxResponseBytes: this.settings.maxResponseBytes, signal: this.abort.signal,
      });
    } catch (e) {
      failure = e instanceof DeliveryFailure ? e : new DeliveryFailure((e as Error).message, true);
    }
    if (answer && answer.status >= 200 && answer.status < 300) {
      this.stats.delivered++;
      return;
    }
    const retryable = answer ? isRetryableStatus(answer.status) : failure!.retryable;
    const why = answer ? `the receiver answered ${answer.status}` : failure!.message;
    if (retryable && attempt < this.settings.maxAttempts && !this.closing) {
      this.stats.retried++;
      const named = answer?.retryAfterMs;
      const pause = named !== undefined ? Math.min(named, this.settings.maxRetryAfterMs) : this.settings.backoffMs(attempt);
      const timer = setTimeout(() => {
        this.waiting.delete(timer);
        this.push({ kind: 'send', delivery, attempt: attempt + 1 });
      }, pause);
      this.waiting.add(timer);
      return;
    }
    this.stats.failed++;
    this.log(`webhooks: ${delivery.event} to webhook ${delivery.webhookId} was not delivered after ${attempt} attempt(s): ${why}`);
  }

  private checkIdle(): void {
    if (this.size === 0 && this.running === 0 && this.waiting.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Resolves once nothing is queued, under way or waiting to be retried. */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  /**
   * Takes no more events and gives what is queued or under way up to `graceMs` to be sent (no
   * retries are scheduled from now on); then drops the rest and cuts the attempts in flight.
   */
  async close(graceMs: number): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      for (const t of this.waiting) clearTimeout(t);
      this.waiting.clear();
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise<void>((r) => { timer = setTimeout(r, graceMs); })]);
    clearTimeout(timer);
    const left = this.size + this.running;
    if (left > 0) this.log(`webhooks: ${left} delivery item(s) dropped at shutdown`);
    this.items = [];
    this.head = 0;
    this.abort.abort();
    this.checkIdle();
  }
}
