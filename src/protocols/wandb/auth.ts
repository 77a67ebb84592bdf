/**
 * W&B credentials: `Authorization: Basic base64("api:" + key)` on GraphQL and file_stream
 * requests (the user name is literally `api`, but any is accepted, as W&B does).
 */
import type { Request } from 'express';
import type { Account } from '../../core/accounts';
import { unauthenticated } from '../../core/errors';
import type { Tracking } from '../../core/tracking';

/** The longest Authorization header read; a W&B key is well under 100 characters. */
const MAX_AUTHORIZATION_CHARS = 1_000;

export function keyOf(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || header.length > MAX_AUTHORIZATION_CHARS) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon >= 0 && colon < text.length - 1 ? text.slice(colon + 1) : undefined;
}

/** The caller's account; UNAUTHENTICATED when the request carries no key, or one no account holds. */
export async function authenticate(req: Request, tracking: Tracking): Promise<Account> {
  const key = keyOf(req);
  if (key === undefined) throw unauthenticated('This server requires an API key: run `wandb login --host <server url> <key>` or set WANDB_API_KEY.');
  const account = await tracking.accounts.authenticate(key);
  if (!account) throw unauthenticated('The API key is not valid: it was never issued here, or it was revoked.');
  return account;
}
