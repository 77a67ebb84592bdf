/** Builds the HTTP application: shared middleware, then each protocol front-end. */
import express from 'express';
import type { Server } from 'node:http';
import type { Config } from './config';
import { SqlStore } from './store/sql-store';
import { LocalArtifactStore } from './artifacts/local';
import { Tracking } from './core/tracking';
import { mlflowRouter } from './protocols/mlflow/router';
import { wandbRouter } from './protocols/wandb/router';
import { BODY_BUDGET, BodyBudget } from './http/request-body';
import { accessLog, type AccessLogOptions } from './http/access-log';
import { Draining } from './http/draining';
import { bracketed, HostAllowlist, hostCheck } from './http/hosts';
import { corsCheck, CorsPolicy } from './http/origins';
import { createHttpServer, listen } from './http/listen';
import { parseQueryString } from './protocols/query-string';
import { endpointNotFound, errorHandler } from './protocols/mlflow/respond';
import { HTTP_TRANSPORT } from './outbound/webhook-post';

export interface HttpOptions {
  /** Host headers answered; loopback names and addresses only by default. */
  allowedHosts?: HostAllowlist;
  /** Origins given CORS answers; none by default (cross-origin browser requests are refused). */
  cors?: CorsPolicy;
  /** No access log by default. */
  accessLog?: AccessLogOptions;
  /** Lets the server stop taking requests on open connections. */
  draining?: Draining;
  /** Where clients reach the server, behind a proxy (config.ts publicUrl). */
  publicUrl?: string;
  /** Fail (INTERNAL) any answer holding a key its message does not define, rather than drop the key; for tests. */
  strictResponses?: boolean;
}

export function buildApp(tracking: Tracking, http: HttpOptions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', parseQueryString);
  // API answers are not cached by clients; hashing every body for an ETag cost ~0.2 ms per search page.
  app.set('etag', false);
  if (http.accessLog) app.use(accessLog(http.accessLog));
  if (http.draining) app.use(http.draining.middleware);
  app.use(hostCheck(http.allowedHosts ?? HostAllowlist.from([])));
  app.use(corsCheck(http.cors ?? CorsPolicy.from([])));
  // One budget of held body bytes for every front-end: together they cannot exhaust the heap.
  const bodyBudget = new BodyBudget(BODY_BUDGET);
  app.use(wandbRouter({ tracking, publicUrl: http.publicUrl, bodyBudget }));
  app.use(mlflowRouter({ tracking, publicUrl: http.publicUrl }, { strictResponses: http.strictResponses, bodyBudget }));
  // Last: whatever no route answered, and any error a route let through, in MLflow's JSON shape.
  app.use(endpointNotFound);
  app.use(errorHandler);
  return app;
}

export interface Running {
  url: string;
  server: Server;
  store: SqlStore;
  stop(): Promise<void>;
}

/** In-flight requests get this long to finish once stopping; then their connections are cut. */
const FORCE_CLOSE_MS = 10_000;

/** Webhook deliveries still queued at stop get this long; what is left then is dropped. */
const WEBHOOK_GRACE_MS = 3_000;

export async function startServer(cfg: Config): Promise<Running> {
  // Settings are checked before anything is opened.
  const allowedHosts = HostAllowlist.from(cfg.allowedHosts, cfg.host);
  const cors = CorsPolicy.from(cfg.corsOrigins);
  // Then the database, which refuses one that is not ours before anything is written to disk.
  const store = await SqlStore.open(cfg.db, { sqlite: { synchronous: cfg.sqliteSync }, createParentDir: cfg.dbIsDefault });
  const draining = new Draining();
  let server: Server;
  let tracking: Tracking;
  let artifacts: LocalArtifactStore | undefined;
  try {
    // Then the artifact root, before listening: one that cannot be written would otherwise show only as a 500 on every upload.
    artifacts = await LocalArtifactStore.open(cfg.artifactsRoot);
    tracking = new Tracking(store, { defaultArtifactRoot: cfg.defaultArtifactUri, workingDir: process.cwd() }, artifacts,
      { webhooks: { allowPrivate: cfg.webhooksAllowPrivate, secretKey: cfg.webhooksSecretKey, transport: HTTP_TRANSPORT } });
    await tracking.start();
    const app = buildApp(tracking, {
      allowedHosts,
      cors,
      draining,
      publicUrl: cfg.publicUrl,
      accessLog: cfg.logFormat === 'none' ? undefined : { format: cfg.logFormat },
      strictResponses: cfg.strictResponses,
    });
    server = createHttpServer(app, cfg.clientTimeoutMs);
    await listen(server, cfg.port, cfg.host);
  } catch (e) {
    await artifacts?.close();
    await store.close();
    throw e;
  }
  const openedArtifacts = artifacts;
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.port;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${bracketed(cfg.host)}:${port}`,
    server,
    store,
    /**
     * Stops taking requests at once (new connections and open ones alike), lets the requests in
     * flight finish (their writes commit), gives queued webhook deliveries a short grace, then
     * closes the database.
     */
    stop() {
      stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          draining.begin(server);
          setTimeout(() => server.closeAllConnections(), FORCE_CLOSE_MS).unref();
        });
        await tracking.webhooks.close(WEBHOOK_GRACE_MS);
        await openedArtifacts.close();
        await store.close();
      })();
      return stopping;
    },
  };
}
