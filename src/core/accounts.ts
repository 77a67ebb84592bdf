/**
 * Users and their API keys (CONTRACT: signatures fixed; the bodies are filled in by the accounts work).
 *
 * A key is shown once, when issued, and stored only as a hash. W&B clients refuse keys shorter
 * than 40 word characters after an optional `prefix-`, so keys are `tb-` + 40 or more of them.
 * Each user owns one entity, named as the user; the server's default entity (the one MLflow
 * experiments without an `entity/` prefix belong to) is the first user's, fixed once chosen.
 */
import { TrackbridgeError } from './errors';

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

const todo = () => new TrackbridgeError('NOT_IMPLEMENTED', 'accounts are not implemented yet');

export class Accounts {
  /** Issues a key for the user, creating the user (and its entity) on first use. */
  async createKey(_userName: string): Promise<IssuedKey> { throw todo(); }
  async listKeys(): Promise<KeyListing[]> { throw todo(); }
  /** False when no key has that id. */
  async revokeKey(_keyId: string): Promise<boolean> { throw todo(); }
  /** The account a key belongs to; undefined for a wrong, malformed or revoked key. */
  async authenticate(_key: string): Promise<Account | undefined> { throw todo(); }
  /** The server's default entity; undefined while no user exists. */
  async defaultEntity(): Promise<string | undefined> { throw todo(); }
}
