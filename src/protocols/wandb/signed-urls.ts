/**
 * URLs that carry their own permission. W&B clients PUT uploads (and may GET downloads) without
 * credentials, so the URL holds a capability token (core/capabilities.ts) naming its purpose and
 * what it reaches. Each purpose has one handler (run files, artifact files, …); the router
 * serves `PUT|GET /storage/<token>` by the purpose the token was signed for.
 */
import type { Readable } from 'node:stream';
import type { Response } from 'express';
import type { Claims } from '../../core/capabilities';
import type { Tracking } from '../../core/tracking';
import type { WandbContext } from './context';

/** How long a handed-out URL stays valid: a run's final uploads can queue behind large media for a while. */
export const SIGNED_URL_TTL_SECONDS = 24 * 3600;

export interface SignedTarget {
  /** The purpose its tokens are signed for; one handler per purpose. */
  purpose: string;
  /**
   * Stores an upload's streamed body, at most `maxBytes` (the router refuses a larger one, from its
   * Content-Length or as soon as it passes); absent when the purpose is download-only.
   */
  put?(claims: Claims, body: Readable, tracking: Tracking): Promise<void>;
  /** The largest body `put` takes; required with `put`. */
  maxBytes?: number;
  /** Answers a download; absent when the purpose is upload-only. */
  get?(claims: Claims, res: Response, tracking: Tracking): Promise<void>;
}

export async function signedUrl(ctx: WandbContext, purpose: string, claims: Claims): Promise<string> {
  return `${ctx.baseUrl}/storage/${await ctx.tracking.capabilities.sign(purpose, claims, SIGNED_URL_TTL_SECONDS)}`;
}

