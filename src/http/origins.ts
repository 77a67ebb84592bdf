/**
 * Cross-origin requests. Browsers send `Origin` with every cross-origin fetch and form post; a page
 * from a site the operator did not name gets no CORS answer, and its requests are refused before
 * they reach a route (a form post or a `text/plain` fetch needs no preflight, so not answering the
 * preflight alone would not stop it).
 */
import type { NextFunction, Request, Response } from 'express';
import { hostText, parseHost } from './hosts';
import { TrackbridgeError } from '../core/errors';

const METHODS = 'GET, POST, PUT, PATCH, DELETE';
const PREFLIGHT_MAX_AGE_S = '600';

/** The serialized origin (scheme://host[:port]) of a header or entry; undefined for `null` or garbage. */
function originOf(raw: string): URL | undefined {
  try {
    const u = new URL(raw);
    return u.origin === 'null' ? undefined : u;
  } catch {
    return undefined;
  }
}

export class CorsPolicy {
  private constructor(private readonly any: boolean, private readonly origins: ReadonlySet<string>) {}

  /** `*` answers every origin; otherwise each entry must be a bare origin such as https://ui.example:8443. */
  static from(configured: readonly string[]): CorsPolicy {
    if (configured.includes('*')) return new CorsPolicy(true, new Set());
    const origins = configured.map((raw) => {
      const u = originOf(raw);
      if (!u || u.origin !== raw.toLowerCase().replace(/\/$/, '')) {
        throw new Error(`invalid CORS origin: ${raw} (scheme://host[:port], no path, or *)`);
      }
      return u.origin;
    });
    return new CorsPolicy(false, new Set(origins));
  }

  /** The Access-Control-Allow-Origin value for an Origin header, or undefined when it gets none. */
  allowOrigin(origin: string): string | undefined {
    if (this.any) return '*';
    const u = originOf(origin);
    return u && this.origins.has(u.origin) ? u.origin : undefined;
  }
}

/** A page served by this very server (same host and port as the request's Host). */
function sameOrigin(origin: string, hostHeader: string | undefined): boolean {
  const u = originOf(origin);
  const host = hostHeader === undefined ? undefined : parseHost(hostHeader);
  return u !== undefined && host !== undefined && u.host === hostText(host);
}

export function corsCheck(policy: CorsPolicy) {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    const allowed = policy.allowOrigin(origin);
    if (allowed !== undefined) {
      res.vary('Origin');
      res.set('Access-Control-Allow-Origin', allowed);
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
        const asked = req.headers['access-control-request-headers'];
        res.vary('Access-Control-Request-Headers');
        res.set({ 'Access-Control-Allow-Methods': METHODS, 'Access-Control-Max-Age': PREFLIGHT_MAX_AGE_S });
        if (asked) res.set('Access-Control-Allow-Headers', asked);
        res.status(204).end();
        return;
      }
      return next();
    }
    if (sameOrigin(origin, req.headers.host)) return next();
    next(new TrackbridgeError('PERMISSION_DENIED',
      `Cross-origin requests from ${JSON.stringify(origin.slice(0, 200))} are not allowed here; start the server with --cors-origins <origin> to allow a site.`));
  };
}
