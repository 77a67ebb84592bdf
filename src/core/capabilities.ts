/**
 * Signed, expiring capabilities.
 *
 * W&B clients upload with bare PUTs that carry no credentials, so an upload URL is itself the
 * permission: a token naming what it allows (its purpose and claims), until when, signed with a
 * secret every server process sharing the database shares.
 *
 * A token is base64url(JSON {p: purpose, c: claims, e: expiry in epoch seconds}) + '.' +
 * base64url(HMAC-SHA256(secret, the first part)).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { invalid, unauthenticated } from './errors';
import type { Store } from './store';

export type Claims = Record<string, string | number>;

/** The longest token read; a URL carrying a longer one was not made here. */
export const MAX_TOKEN_CHARS = 4096;
/** The setting holding the signing secret (32 random bytes, base64url), made by the first process that signs or verifies. */
export const CAPABILITY_SECRET_SETTING = 'capability_secret';

const PART = /^[A-Za-z0-9_-]+$/;
const SIGNATURE_BYTES = 32;

const refused = (why: string) => unauthenticated(`The signed URL is not valid: ${why}`);

function isClaims(c: unknown): c is Claims {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return false;
  return Object.values(c).every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)));
}

export class Capabilities {
  private secret?: Promise<Buffer>;

  constructor(private readonly store: Store) {}

  /** A URL-safe token (only [A-Za-z0-9_.-]) granting `purpose` with these claims for `ttlSeconds`. */
  async sign(purpose: string, claims: Claims, ttlSeconds: number): Promise<string> {
    if (typeof purpose !== 'string' || purpose.length === 0) throw invalid('A capability needs a purpose');
    if (!isClaims(claims)) throw invalid('Capability claims are strings and finite numbers');
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw invalid(`Invalid capability lifetime: ${ttlSeconds} seconds`);
    const expiry = Math.floor(Date.now() / 1000 + ttlSeconds);
    const payload = Buffer.from(JSON.stringify({ p: purpose, c: claims, e: expiry }), 'utf8').toString('base64url');
    const token = `${payload}.${this.mac(await this.key(), payload).toString('base64url')}`;
    if (token.length > MAX_TOKEN_CHARS) throw invalid(`The capability's claims are too long (its token would be ${token.length} characters, at most ${MAX_TOKEN_CHARS})`);
    return token;
  }

  /** The purpose and claims a token was signed with; UNAUTHENTICATED when it is malformed, forged or expired. */
  async verify(token: string): Promise<{ purpose: string; claims: Claims }> {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) throw refused('malformed');
    const parts = token.split('.');
    if (parts.length !== 2 || !PART.test(parts[0]) || !PART.test(parts[1])) throw refused('malformed');
    const [payload, signature] = parts;
    const given = Buffer.from(signature, 'base64url');
    const expected = this.mac(await this.key(), payload);
    // Only the canonical spelling: the last character has spare bits that decoding ignores.
    if (given.length !== SIGNATURE_BYTES || given.toString('base64url') !== signature || !timingSafeEqual(given, expected)) {
      throw refused('its signature does not match');
    }
    let body: any;
    try {
      body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw refused('malformed');
    }
    if (typeof body !== 'object' || body === null || typeof body.p !== 'string' || !isClaims(body.c) || !Number.isSafeInteger(body.e)) {
      throw refused('malformed');
    }
    if (Date.now() / 1000 >= body.e) throw refused('it has expired');
    return { purpose: body.p, claims: body.c };
  }

  private mac(key: Buffer, payload: string): Buffer {
    return createHmac('sha256', key).update(payload, 'utf8').digest();
  }

  /** The database's secret, read (or made, by the first process ever) once per process. */
  private key(): Promise<Buffer> {
    if (!this.secret) {
      this.secret = this.loadSecret();
      // A failed load (the database briefly away) is tried again by the next call.
      this.secret.catch(() => { this.secret = undefined; });
    }
    return this.secret;
  }

  private async loadSecret(): Promise<Buffer> {
    const stored = await this.store.accounts.setting(CAPABILITY_SECRET_SETTING)
      ?? await this.store.write((tx) => tx.accounts.settingOnce(CAPABILITY_SECRET_SETTING, randomBytes(32).toString('base64url')));
    return Buffer.from(stored, 'base64url');
  }
}
