/**
 * The MLflow front-end over HTTP: buildApp(...) on a fresh SQLite store and a temp-dir
 * LocalArtifactStore, driven with supertest (and raw requests where a client would normalise).
 */
import { after, before, describe } from 'node:test';

import { startRoutes, stopRoutes, type RouteCtx } from './routes/context';
import { routeTableTests } from './routes/route-table';
import { jsonRuleTests } from './routes/json-rules';
import { errorTests } from './routes/errors';
import { hostileFilterTests } from './routes/hostile-filters';
import { artifactTests } from './routes/artifacts';
import { wireTypeTests } from './routes/wire-types';
import { requestBodyTests } from './routes/request-bodies';
import { queryStringTests } from './routes/query-strings';
import { hostileRouteTests } from './routes/hostile-routes';
import { runCheckTests } from './routes/run-checks';
import { contractTests } from './routes/contracts';
import { experimentLocationTests } from './routes/experiment-locations';

describe('MLflow routes', () => {
  const ctx = {} as RouteCtx;

  before(async () => {
    Object.assign(ctx, await startRoutes());
  });

  after(async () => {
    await stopRoutes(ctx);
  });

  routeTableTests(ctx);
  jsonRuleTests(ctx);
  errorTests(ctx);
  hostileFilterTests(ctx);
  artifactTests(ctx);
  wireTypeTests(ctx);
  requestBodyTests(ctx);
  queryStringTests(ctx);
  hostileRouteTests(ctx);
  runCheckTests(ctx);
  contractTests(ctx);
  experimentLocationTests(ctx);
});
