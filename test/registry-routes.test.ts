/** The model registry's MLflow routes over HTTP, on a fresh SQLite store (see test/routes/registry.ts). */
import { after, before, describe } from 'node:test';

import { startRoutes, stopRoutes, type RouteCtx } from './routes/context';
import { registryTests } from './routes/registry';

describe('MLflow registry routes', () => {
  const ctx = {} as RouteCtx;
  before(async () => { Object.assign(ctx, await startRoutes()); });
  after(async () => { await stopRoutes(ctx); });
  registryTests(ctx);
});
