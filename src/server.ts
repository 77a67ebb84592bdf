/** Builds the HTTP application: shared middleware, then each protocol front-end. */
import express from 'express';
import type { Server } from 'node:http';
import type { Config } from './config';
import { SqlStore } from './store/sql-store';
import { LocalArtifactStore } from './artifacts/local';
import { Tracking } from './core/tracking';
import { mlflowRouter } from './protocols/mlflow/router';
import type { ArtifactStore } from './core/artifact-store';
import { parseQueryString } from './protocols/query-string';
import { endpointNotFound, errorHandler } from './protocols/mlflow/respond';

export function buildApp(tracking: Tracking, artifacts: ArtifactStore): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', parseQueryString);
  // API answers are not cached by clients; hashing every body for an ETag cost ~0.2 ms per search page.
  app.set('etag', false);
  app.use(mlflowRouter({ tracking, artifacts }));
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

export async function startServer(cfg: Config): Promise<Running> {
  const store = await SqlStore.open(cfg.db, { sqlite: { synchronous: cfg.sqliteSync } });
  const tracking = new Tracking(store, { defaultArtifactRoot: cfg.defaultArtifactUri });
  await tracking.start();
  const app = buildApp(tracking, new LocalArtifactStore(cfg.artifactsRoot));
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(cfg.port, cfg.host, () => resolve(s));
    s.once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.port;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${cfg.host}:${port}`,
    server,
    store,
    /** Stops accepting, lets in-flight requests finish (their writes commit), then closes the database. */
    stop() {
      stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 10_000).unref();
        });
        await store.close();
      })();
      return stopping;
    },
  };
}
