/**
 * Which addresses a webhook may be delivered to. Unless the operator allows private targets, a
 * delivery goes only to public unicast addresses: never loopback, link-local (the cloud metadata
 * service at 169.254.169.254 included), private, shared (CGNAT), documentation, benchmarking,
 * multicast or reserved ranges, nor an IPv6 form that carries one of those IPv4 addresses
 * (IPv4-mapped, IPv4-compatible, 6to4, NAT64). The host is resolved once, every address it
 * resolves to must pass, and the request is then sent to the checked address itself, so a second
 * resolution cannot point it elsewhere (DNS rebinding).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { TargetRefused } from '../core/webhooks/transport';

/** A refused range: its first address, its prefix length, and what it is. */
type V4Range = readonly [string, number, string];
type V6Range = readonly [string, number, string];

const V4_BLOCKED: readonly V4Range[] = [
  ['0.0.0.0', 8, '"this network"'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared address space (CGNAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local, where cloud metadata services answer'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay anycast'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const V6_BLOCKED: readonly V6Range[] = [
  ['::1', 128, 'loopback'],
  ['::', 128, 'unspecified'],
  ['::', 96, 'IPv4-compatible'],
  ['64:ff9b:1::', 48, 'local-use NAT64'],
  ['100::', 64, 'discard-only'],
  ['2001::', 23, 'IETF protocol assignments (Teredo included)'],
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'unique local (private)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

function v4Number(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** An IPv6 address (already valid by isIP) as a 128-bit number; a trailing dotted quad and a zone are allowed. */
function v6Number(address: string): bigint {
  let text = address.replace(/%.*$/, '');
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const n = v4Number(quad[1]);
    text = `${text.slice(0, quad.index)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...fill, ...tailGroups].reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

const inV4 = (n: number, [base, bits]: V4Range) => bits === 0 || Math.floor(n / 2 ** (32 - bits)) === Math.floor(v4Number(base) / 2 ** (32 - bits));
const inV6 = (n: bigint, [base, bits]: V6Range) => n >> BigInt(128 - bits) === v6Number(base) >> BigInt(128 - bits);

function v4Reason(n: number): string | undefined {
  return V4_BLOCKED.find((r) => inV4(n, r))?.[2];
}

const V4_MAPPED = v6Number('::ffff:0:0') >> 32n;
const NAT64 = v6Number('64:ff9b::') >> 32n;
const SIX_TO_FOUR = 0x2002n;
const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/**
 * Why an address is not public, or undefined when it is. IPv6 forms that embed an IPv4 address
 * are judged by that address, so `::ffff:10.0.0.1` is as private as `10.0.0.1`.
 */
export function nonPublicReason(address: string): string | undefined {
  const family = isIP(address.replace(/%.*$/, ''));
  if (family === 4) return v4Reason(v4Number(address));
  if (family !== 6) return 'not an IP address';
  const n = v6Number(address);
  let embedded: number | undefined;
  let form = '';
  if (n >> 32n === V4_MAPPED) [embedded, form] = [Number(n & 0xffffffffn), 'IPv4-mapped'];
  else if (n >> 32n === NAT64) [embedded, form] = [Number(n & 0xffffffffn), 'NAT64'];
  else if (n >> 112n === SIX_TO_FOUR) [embedded, form] = [Number((n >> 80n) & 0xffffffffn), '6to4'];
  if (embedded !== undefined) {
    const reason = v4Reason(embedded);
    return reason ? `${form} ${dotted(embedded)}, ${reason}` : undefined;
  }
  return V6_BLOCKED.find((r) => inV6(n, r))?.[2];
}

export interface ResolvedTarget { address: string; family: 4 | 6 }

/**
 * Resolves the host (an IP literal stands for itself) within `timeoutMs` and returns the address
 * to connect to. Unless `allowPrivate`, every address the name resolves to must be public: a name
 * that also points inward is refused as a whole rather than tried until a public one answers.
 */
export async function resolveTarget(host: string, allowPrivate: boolean, timeoutMs: number): Promise<ResolvedTarget> {
  let addresses: Array<{ address: string; family: number }>;
  const literal = isIP(host);
  if (literal) {
    addresses = [{ address: host, family: literal }];
  } else {
    let timer: NodeJS.Timeout | undefined;
    try {
      addresses = await Promise.race([
        lookup(host, { all: true, verbatim: true }),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`resolving '${host}' took longer than ${timeoutMs} ms`)), timeoutMs); }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    if (addresses.length === 0) throw new Error(`'${host}' resolves to no address`);
  }
  if (!allowPrivate) {
    for (const a of addresses) {
      const reason = nonPublicReason(a.address);
      if (reason) throw new TargetRefused(`'${host}' resolves to ${a.address}, which is not a public address (${reason}); private targets are refused unless the server allows them`);
    }
  }
  return { address: addresses[0].address, family: addresses[0].family === 6 ? 6 : 4 };
}
