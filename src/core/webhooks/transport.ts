/**
 * How deliveries leave the server. The core decides what is sent, to whom and when (delivery.ts);
 * a transport sends one attempt and judges where it may go. The server hands the core the HTTP
 * one (src/outbound/webhook-post.ts); without one, nothing is ever sent.
 */

export interface PostOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  /** Bytes of the answer kept (and read); the rest is not waited for. */
  maxResponseBytes: number;
  signal?: AbortSignal;
}

export interface PostAnswer {
  status: number;
  /** The start of the body, as UTF-8. */
  body: string;
  /** Retry-After in milliseconds, when the receiver sent one we can read. */
  retryAfterMs?: number;
}

/** Why an attempt got no answer; `retryable` when trying again later may help. */
export class DeliveryFailure extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
    this.name = 'DeliveryFailure';
  }
}

/** A target the transport will not send to (a non-public address, unless private ones are allowed). */
export class TargetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefused';
  }
}

/** The host of a parsed URL without IPv6 brackets: what is resolved and what TLS names. */
export const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

export interface WebhookTransport {
  /** One attempt: an answer, or a DeliveryFailure saying whether trying again may help. */
  post(url: string, headers: Record<string, string>, body: string, opts: PostOptions): Promise<PostAnswer>;
  /** Resolves under `timeoutMs`; a TargetRefused when the host may not be delivered to. */
  checkTarget(host: string, allowPrivate: boolean, timeoutMs: number): Promise<void>;
}

/** For a server that sends nothing: every delivery fails, for good. */
export const NO_TRANSPORT: WebhookTransport = {
  async post() { throw new DeliveryFailure('this server sends no webhook deliveries', false); },
  async checkTarget() {},
};
