/**
 * Signed, expiring capabilities (CONTRACT: signatures fixed; the bodies are filled in by the accounts work).
 *
 * W&B clients upload with bare PUTs that carry no credentials, so an upload URL is itself the
 * permission: a token naming what it allows (its purpose and claims), until when, signed with a
 * secret every server process sharing the database shares.
 */
import { TrackbridgeError } from './errors';

export type Claims = Record<string, string | number>;

const todo = () => new TrackbridgeError('NOT_IMPLEMENTED', 'capabilities are not implemented yet');

export class Capabilities {
  /** A URL-safe token (only [A-Za-z0-9_.-]) granting `purpose` with these claims for `ttlSeconds`. */
  async sign(_purpose: string, _claims: Claims, _ttlSeconds: number): Promise<string> { throw todo(); }
  /** The purpose and claims a token was signed with; UNAUTHENTICATED when it is malformed, forged or expired. */
  async verify(_token: string): Promise<{ purpose: string; claims: Claims }> { throw todo(); }
}
