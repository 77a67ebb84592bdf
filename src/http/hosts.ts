/**
 * Which Host headers the server answers. A page on a foreign site can point its own host name at
 * 127.0.0.1 (DNS rebinding) and then drive this API as same-origin; the browser still sends that
 * foreign name as Host, so answering only known names closes the hole.
 */
import net from 'node:net';
import os from 'node:os';
import type { NextFunction, Request, Response } from 'express';
import { invalid, TrackbridgeError } from '../core/errors';

/** A host as a browser writes it: lower-case name, dotted IPv4 or bracketed IPv6; port '' when absent or default. */
export interface HostName {
  hostname: string;
  port: string;
}

/** Parses a Host header (or an allowlist entry) into its canonical form; undefined when it is not a host. */
export function parseHost(raw: string): HostName | undefined {
  if (!raw || /[\s/?#@\\]/.test(raw)) return undefined;
  try {
    const u = new URL(`http://${raw}`);
    return { hostname: u.hostname, port: u.port };
  } catch {
    return undefined;
  }
}

export const hostText = (h: HostName) => (h.port ? `${h.hostname}:${h.port}` : h.hostname);

/** localhost, 127.0.0.0/8 and [::1]: names no outside party can point elsewhere. */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || (net.isIPv4(hostname) && hostname.startsWith('127.'));
}

/** An address as it is written in a URL or Host header: IPv6 in brackets. The one copy of this rule. */
export const bracketed = (address: string) => (net.isIPv6(address) ? `[${address}]` : address);

/** The addresses of this machine's interfaces, which a wildcard bind (0.0.0.0, ::) answers on. */
function interfaceAddresses(): string[] {
  return Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => bracketed(i.address)));
}

interface Entry {
  /** Exact host name, or a suffix starting with '.' for `*.example.com`. */
  name: string;
  wildcard: boolean;
  /** '' matches any port. */
  port: string;
}

function parseEntry(raw: string): Entry {
  const wildcard = raw.startsWith('*.');
  const parsed = parseHost(wildcard ? raw.slice(2) : raw);
  if (!parsed) throw new Error(`invalid allowed host: ${raw} (a host name or address, optionally with :port, *.domain or *)`);
  return { name: wildcard ? `.${parsed.hostname}` : parsed.hostname, wildcard, port: parsed.port };
}

export class HostAllowlist {
  private constructor(private readonly any: boolean, private readonly entries: Entry[]) {}

  /**
   * Loopback names and addresses, the configured entries (`*` allows every host), and the address
   * the server binds when that is not a loopback one (every interface address for 0.0.0.0 or ::).
   */
  static from(configured: readonly string[], boundHost?: string): HostAllowlist {
    if (configured.includes('*')) return new HostAllowlist(true, []);
    const entries = configured.map(parseEntry);
    if (boundHost !== undefined) {
      const unspecified = boundHost === '' || boundHost === '::' || boundHost === '0.0.0.0';
      const bound = unspecified ? interfaceAddresses() : [bracketed(boundHost)];
      for (const b of bound) {
        const parsed = parseHost(b);
        if (parsed && !isLoopback(parsed.hostname)) entries.push({ name: parsed.hostname, wildcard: false, port: '' });
      }
    }
    return new HostAllowlist(false, entries);
  }

  allows(host: HostName): boolean {
    if (this.any || isLoopback(host.hostname)) return true;
    return this.entries.some((e) =>
      (e.wildcard ? host.hostname.endsWith(e.name) : host.hostname === e.name) && (e.port === '' || e.port === host.port));
  }

  get allowsAny(): boolean {
    return this.any;
  }
}

/** Probes answer whatever name a load balancer or orchestrator uses; they reveal and change nothing. */
const PROBES = new Set(['/health', '/version']);

/**
 * Refuses requests whose Host is not on the allowlist or is not a host at all; the refusal goes to
 * the app's error handler, which writes it in the front-end's shape.
 */
export function hostCheck(allowlist: HostAllowlist) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (allowlist.allowsAny || PROBES.has(req.path)) return next();
    const raw = req.headers.host;
    const host = raw === undefined ? undefined : parseHost(raw);
    if (!host) {
      return next(invalid(raw === undefined ? 'The request has no Host header.' : `Invalid Host header: ${JSON.stringify(raw.slice(0, 200))}.`));
    }
    if (!allowlist.allows(host)) {
      return next(new TrackbridgeError('PERMISSION_DENIED',
        `Host '${hostText(host)}' is not served here (a DNS rebinding defence); start the server with --allowed-hosts ${host.hostname} to answer it.`));
    }
    next();
  };
}
