/**
 * The artifact routes beyond the single-file proxy: multipart uploads, local locations inside
 * the artifact root, and every hostile path on every path-bearing route, over HTTP against one
 * app on a fresh SQLite store and a temp-dir LocalArtifactStore.
 */
import { after, before, describe } from 'node:test';

import { startRoutes, stopRoutes, type RouteCtx } from './routes/context';
import { multipartTests } from './routes/multipart';
import { localLocationTests } from './routes/local-locations';
import { pathMatrixTests } from './routes/path-matrix';

describe('MLflow artifact routes', () => {
  const ctx = {} as RouteCtx;
  before(async () => {
    Object.assign(ctx, await startRoutes());
  });
  after(async () => {
    await stopRoutes(ctx);
  });

  multipartTests(ctx);
  localLocationTests(ctx);
  pathMatrixTests(ctx);
});
