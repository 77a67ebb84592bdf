/**
 * Users and their API keys.
 *
 * A key is shown once, when issued, and stored only as a hash. W&B clients refuse keys shorter
 * than 40 word characters after an optional `prefix-`, so keys are `tb-` + 40 or more of them.
 * Each user owns one entity, named as the user; the server's default entity (the one MLflow
 * experiments without an `entity/` prefix belong to) is the first user's, fixed once chosen.
 */
import { createHash, randomBytes } from 'node:crypto';
import { invalid } from './errors';
import type { Store, StoredKey } from './store';

export interface Account {
  userName: string;
  /** The user's own entity: where a run goes when the client names none. */
  entity: string;
  keyId: string;
}

export interface IssuedKey {
  keyId: string;
  /** The key itself: shown once, never stored. */
  key: string;
  userName: string;
  createdAt: number;
}

export interface KeyListing {
  keyId: string;
  userName: string;
  createdAt: number;
  revokedAt?: number;
  /** The key's first characters after its prefix, to tell keys apart; never enough to use it. */
  hint: string;
}

export const KEY_PREFIX = 'tb-';
/** 40 base62 characters: about 238 bits, and the shortest length the W&B clients accept. */
const KEY_BODY_CHARS = 40;
const HINT_CHARS = 4;
/** Longer keys are refused before hashing; issued keys are 43 characters. */
const MAX_KEY_CHARS = 200;
/** No '/': an entity is the first part of `entity/project` paths. */
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** A key is printable ASCII; anything else cannot be one this server issued. */
const KEY_SHAPE = /^[\x21-\x7e]+$/;

/** The setting holding the default entity; written once, by the first user's creation. */
export const DEFAULT_ENTITY_SETTING = 'default_entity';

/**
 * Positive answers are kept per process for at most this long, so a revocation takes effect on
 * every process sharing the database within 10 seconds (at once on the process that revoked).
 */
const AUTH_CACHE_MS = 10_000;
const AUTH_CACHE_ENTRIES = 10_000;

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `n` uniformly random base62 characters: bytes of 248 and above are dropped, so none is likelier. */
function randomBase62(n: number): string {
  let out = '';
  while (out.length < n) {
    for (const b of randomBytes(n * 2)) {
      if (b < 248 && out.length < n) out += BASE62[b % 62];
    }
  }
  return out;
}

const sha256 = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

export function checkUserName(name: unknown): string {
  if (typeof name !== 'string' || !USER_NAME.test(name)) {
    throw invalid(`Invalid user name ${JSON.stringify(typeof name === 'string' ? name.slice(0, 100) : name)}: 1 to 64 characters of letters, digits, '_', '.' and '-', starting with a letter or digit`);
  }
  return name;
}

const listing = (k: StoredKey): KeyListing => ({
  keyId: k.keyId, userName: k.userName, createdAt: k.createdAt, ...(k.revokedAt !== undefined ? { revokedAt: k.revokedAt } : {}), hint: k.hint,
});

export class Accounts {
  private readonly known = new Map<string, { account: Account; until: number }>();
  private defaultEntityName?: string;

  constructor(private readonly store: Store) {}

  /** Issues a key for the user, creating the user (and its entity) on first use. */
  async createKey(userName: string): Promise<IssuedKey> {
    checkUserName(userName);
    const body = randomBase62(KEY_BODY_CHARS);
    const key = `${KEY_PREFIX}${body}`;
    const keyId = randomBytes(8).toString('hex');
    const time = Date.now();
    await this.store.write(async (tx) => {
      await tx.accounts.ensureUser(userName, userName, time);
      // Every creation offers itself; only the first ever stored counts, on every database.
      await tx.accounts.settingOnce(DEFAULT_ENTITY_SETTING, userName);
      await tx.accounts.insertKey({ keyId, userName, keyHash: sha256(key), hint: body.slice(0, HINT_CHARS), time });
    });
    return { keyId, key, userName, createdAt: time };
  }

  async listKeys(): Promise<KeyListing[]> {
    return (await this.store.accounts.listKeys()).map(listing);
  }

  /** False when no key has that id. */
  async revokeKey(keyId: string): Promise<boolean> {
    if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > 64) return false;
    const found = await this.store.write((tx) => tx.accounts.revokeKey(keyId, Date.now()));
    for (const [hash, entry] of this.known) if (entry.account.keyId === keyId) this.known.delete(hash);
    return found;
  }

  /** The account a key belongs to; undefined for a wrong, malformed or revoked key. */
  async authenticate(key: string): Promise<Account | undefined> {
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_CHARS || !KEY_SHAPE.test(key)) return undefined;
    const hash = sha256(key);
    const now = Date.now();
    const cached = this.known.get(hash);
    if (cached && cached.until > now) return cached.account;
    if (cached) this.known.delete(hash);
    const stored = await this.store.accounts.keyByHash(hash);
    if (!stored || stored.revokedAt !== undefined) return undefined;
    const account: Account = { userName: stored.userName, entity: stored.entity, keyId: stored.keyId };
    if (this.known.size >= AUTH_CACHE_ENTRIES) this.known.delete(this.known.keys().next().value as string);
    this.known.set(hash, { account, until: now + AUTH_CACHE_MS });
    return account;
  }

  /** The server's default entity; undefined while no user exists. */
  async defaultEntity(): Promise<string | undefined> {
    // Never changes once set, so it is read from the store only until then.
    this.defaultEntityName ??= await this.store.accounts.setting(DEFAULT_ENTITY_SETTING);
    return this.defaultEntityName;
  }
}
