/**
 * How webhook secrets rest in the database. With a key (TRACKBRIDGE_WEBHOOKS_SECRET_KEY) each is
 * sealed with AES-256-GCM under a key derived from it, bound to its webhook's id so a sealed value
 * copied onto another webhook does not open; without one it is kept as given. Both forms are
 * marked, so a key added later still opens secrets written before it, and a server without the
 * key refuses to use a sealed secret rather than sending unsigned deliveries.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const PLAIN = 'p:';
const SEALED = 'e1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretUnreadable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretUnreadable';
  }
}

export class SecretBox {
  private readonly key: Buffer | undefined;

  constructor(key?: string) {
    this.key = key ? Buffer.from(hkdfSync('sha256', Buffer.from(key, 'utf8'), 'trackbridge webhook secrets', 'v1', 32)) : undefined;
  }

  get sealing(): boolean { return this.key !== undefined; }

  seal(webhookId: string, secret: string): string {
    if (!this.key) return `${PLAIN}${secret}`;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(webhookId, 'utf8'));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${SEALED}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  open(webhookId: string, stored: string): string {
    if (stored.startsWith(PLAIN)) return stored.slice(PLAIN.length);
    if (!stored.startsWith(SEALED)) throw new SecretUnreadable('the stored secret is in a form this server does not know');
    if (!this.key) throw new SecretUnreadable('the secret is encrypted and this server has no TRACKBRIDGE_WEBHOOKS_SECRET_KEY');
    const raw = Buffer.from(stored.slice(SEALED.length), 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(webhookId, 'utf8'));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretUnreadable('the secret was encrypted with another TRACKBRIDGE_WEBHOOKS_SECRET_KEY');
    }
  }
}
