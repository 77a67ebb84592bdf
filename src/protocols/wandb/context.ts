/** What every W&B route and GraphQL resolver receives: the core, who is calling, and where the server is reached. */
import type { Tracking } from '../../core/tracking';
import type { Account } from '../../core/accounts';
import type { RequestCost } from './graphql/request-cost';

export interface WandbContext {
  tracking: Tracking;
  /** The account of the API key the request carried; every W&B route but the signed ones requires one. */
  account: Account;
  /** Absolute URL clients reach this server at, without a trailing slash: URLs handed out (uploads, downloads) start with it. */
  baseUrl: string;
  /** Unknown operations and fields, refused requests: one line each on stderr, never the request's data. */
  log(message: string): void;
  /** What this request's costly fields may still ask for (graphql/request-cost.ts). */
  cost: RequestCost;
}
