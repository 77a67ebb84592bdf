/**
 * The store conformance suite: one suite, run through the core services (Tracking) and the
 * Store against every dialect named in TRACKBRIDGE_TEST_DBS (default sqlite,postgres,mysql),
 * each on a fresh database that is dropped afterwards.
 */
import { after, before, describe } from 'node:test';

import { createDatabase, FAST, openTracking, selectedDialects, type Dialect } from './support/databases';
import type { Ctx } from './conformance/context';
import { experimentTests } from './conformance/experiments';
import { runTests } from './conformance/runs';
import { loggingTests } from './conformance/logging';
import { searchRunTests } from './conformance/search-runs';
import { searchExperimentTests } from './conformance/search-experiments';
import { searchLoggedModelTests } from './conformance/search-logged-models';
import { historyTests } from './conformance/history';
import { inputAndModelTests } from './conformance/inputs-and-models';
import { robustnessTests } from './conformance/robustness';
import { concurrencyTests } from './conformance/concurrency';
import { schemaTests } from './conformance/schema';
import { runDataTests } from './conformance/run-data';
import { ingestTests } from './conformance/ingest';
import { registryTests } from './conformance/registry';
import { webhookTests } from './conformance/webhooks';
import { trailingSpaceTests } from './conformance/trailing-spaces';

export function storeConformance(dialect: Dialect): void {
  describe(`store conformance: ${dialect}`, () => {
    const ctx = { dialect } as Ctx;

    before(async () => {
      ctx.db = await createDatabase(dialect);
      const opened = await openTracking(ctx.db.url, FAST);
      ctx.store = opened.store;
      ctx.tracking = opened.tracking;
    });

    after(async () => {
      await ctx.store?.close();
      await ctx.db?.drop();
    });

    experimentTests(ctx);
    runTests(ctx);
    loggingTests(ctx);
    searchRunTests(ctx);
    searchExperimentTests(ctx);
    historyTests(ctx);
    inputAndModelTests(ctx);
    searchLoggedModelTests(ctx);
    robustnessTests(ctx);
    concurrencyTests(ctx);
    ingestTests(ctx);
    schemaTests(ctx);
    runDataTests(ctx);
    registryTests(ctx);
    webhookTests(ctx);
    trailingSpaceTests(ctx);
  });
}

for (const dialect of selectedDialects()) storeConformance(dialect);
