/**
 * One POST of one delivery, the transport the server gives the webhooks. The host is resolved and checked once (ssrf.ts) and the connection
 * goes to exactly that address: the request's lookup answers with it, while the Host header and
 * TLS (SNI and the certificate check) keep the URL's name. Redirects are answers, never followed;
 * no proxy is used; the whole attempt, connect to last byte read, has one deadline, and only the
 * start of the receiver's answer is read.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { DeliveryFailure, hostOf, TargetRefused, type PostAnswer, type PostOptions, type WebhookTransport } from '../core/webhooks/transport';
import { resolveTarget, type ResolvedTarget } from './ssrf';

function pinnedLookup(target: ResolvedTarget): LookupFunction {
  return ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (opts?.all) cb(null, [{ address: target.address, family: target.family }]);
    else cb(null, target.address, target.family);
  }) as unknown as LookupFunction;
}

/** Seconds or an HTTP date, as RFC 9110 allows. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const TRANSIENT_DNS = new Set(['EAI_AGAIN', 'ETIMEOUT', 'ESERVFAIL', 'ECONNREFUSED']);

export async function postOnce(url: string, headers: Record<string, string>, body: string, opts: PostOptions): Promise<PostAnswer> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DeliveryFailure(`'${url}' is not a valid URL`, false);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new DeliveryFailure(`scheme '${u.protocol.slice(0, -1)}' is not delivered to`, false);
  const host = hostOf(u);
  const started = Date.now();
  let target: ResolvedTarget;
  try {
    target = await resolveTarget(host, opts.allowPrivate, opts.timeoutMs);
  } catch (e) {
    if (e instanceof TargetRefused) throw new DeliveryFailure(e.message, false);
    const code = (e as NodeJS.ErrnoException).code;
    throw new DeliveryFailure(`cannot resolve '${host}': ${(e as Error).message}`, code === undefined || TRANSIENT_DNS.has(code));
  }
  const remaining = Math.max(1, opts.timeoutMs - (Date.now() - started));
  const payload = Buffer.from(body, 'utf8');
  const client = u.protocol === 'https:' ? https : http;
  return new Promise<PostAnswer>((resolve, reject) => {
    let settled = false;
    const finish = (f: () => void) => { if (!settled) { settled = true; clearTimeout(timer); opts.signal?.removeEventListener('abort', onAbort); f(); } };
    const req = client.request({
      method: 'POST',
      host,
      port: u.port || (u.protocol === 'https:' ? 443 : 80),
      path: `${u.pathname}${u.search}`,
      headers: { ...headers, Host: u.host, 'Content-Length': String(payload.length), 'User-Agent': 'trackbridge' },
      auth: u.username || u.password ? `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}` : undefined,
      lookup: pinnedLookup(target),
      servername: isIP(host) ? undefined : host,
      agent: false,
    }, (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      const done = () => finish(() => {
        res.destroy();
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          retryAfterMs: retryAfterMs(res.headers['retry-after'] as string | undefined),
        });
      });
      res.on('data', (c: Buffer) => {
        if (kept >= opts.maxResponseBytes) return;
        const take = c.subarray(0, opts.maxResponseBytes - kept);
        chunks.push(take);
        kept += take.length;
        if (kept >= opts.maxResponseBytes) done();
      });
      res.on('end', done);
      res.on('error', done);
    });
    const timer = setTimeout(() => {
      finish(() => reject(new DeliveryFailure(`no answer within ${opts.timeoutMs} ms`, true)));
      req.destroy();
    }, remaining);
    const onAbort = () => {
      finish(() => reject(new DeliveryFailure('the server is shutting down', false)));
      req.destroy();
    };
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (e) => finish(() => reject(new DeliveryFailure(`${(e as NodeJS.ErrnoException).code ?? 'error'}: ${e.message}`, true))));
    req.end(payload);
  });
}

/** Webhook deliveries over HTTP(S), to checked public addresses only unless private ones are allowed. */
export const HTTP_TRANSPORT: WebhookTransport = {
  post: postOnce,
  async checkTarget(host, allowPrivate, timeoutMs) {
    await resolveTarget(host, allowPrivate, timeoutMs);
  },
};
