/**
 * Registry search at scale: fills a fresh database with MODELS registered models of VERSIONS
 * versions each (two tags per model, one per version, one alias per model), then times the
 * store's searches, median of RUNS after a warm-up.
 *
 *   npx tsx scripts/bench/registry-search.ts [db-url]    (default: a SQLite file in a temporary folder)
 *
 * The database given must be empty or filled by an earlier run; it is left filled.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqlStore } from '../../src/store/sql-store';
import { and, or } from '../../src/core/query/filter';
import type { Comparison, Filter } from '../../src/core/query/ast';
import { parseModelVersionFilter, parseRegisteredModelFilter } from '../../src/core/query/targets';

const MODELS = Number(process.env.MODELS ?? 10_000);
const VERSIONS = Number(process.env.VERSIONS ?? 10);
const RUNS = 50;

async function fill(store: SqlStore): Promise<void> {
  const k = store.db;
  const pad = (i: number) => String(i).padStart(6, '0');
  for (let start = 0; start < MODELS; start += 500) {
    const ids = Array.from({ length: Math.min(500, MODELS - start) }, (_, i) => start + i + 1);
    await k.transaction(async (trx) => {
      await trx.batchInsert('registered_models', ids.map((h) => ({
        handle: h, name: `model-${pad(h)}`, creation_timestamp: 1_000 + h, last_updated_timestamp: 2_000 + (h % 977),
        user_id: 'bench', description: null, deployment_job_id: null, last_version: VERSIONS,
      })), 100);
      await trx.batchInsert('registered_model_tags', ids.flatMap((h) => [
        { handle: h, key: 'team', value: `team-${h % 10}` },
        ...(h % 50 === 0 ? [{ handle: h, key: 'mlflow.prompt.is_prompt', value: 'true' }] : []),
      ]), 200);
      const versions = ids.flatMap((h) => Array.from({ length: VERSIONS }, (_, v) => ({ h, v: v + 1 })));
      await trx.batchInsert('model_versions', versions.map(({ h, v }) => ({
        handle: h, version: v, creation_timestamp: 10_000 + h * 100 + v, last_updated_timestamp: 10_000 + h * 100 + v, user_id: 'bench',
        current_stage: v === VERSIONS ? 'Production' : v === VERSIONS - 1 ? 'Staging' : 'None', description: null,
        source: `runs:/run${h}x${v}/model`, run_id: `run${h}x${v}`, run_link: null, model_id: `m-${h}-${v}`, status: 'READY',
        status_message: null, storage_location: `mlflow-artifacts:/1/models/m-${h}-${v}/artifacts`, deleted: 0,
      })), 50);
      await trx.batchInsert('model_version_tags', versions.map(({ h, v }) => ({ handle: h, version: v, key: 'validated', value: String(v % 2 === 0) })), 200);
      await trx.batchInsert('registered_model_aliases', ids.map((h) => ({ handle: h, alias: 'champion', version: VERSIONS })), 200);
    });
  }
}

async function time(label: string, fn: () => Promise<unknown[]>): Promise<void> {
  let n = 0;
  for (let i = 0; i < 5; i++) n = (await fn()).length;
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  console.log(`${label.padEnd(64)} ${String(n).padStart(4)} rows  median ${ms[RUNS >> 1].toFixed(2)} ms  p90 ${ms[Math.floor(RUNS * 0.9)].toFixed(2)} ms`);
}

async function main(): Promise<void> {
  const url = process.argv[2] ?? `sqlite:///${path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tb-bench-')), 'registry.sqlite')}`;
  const store = await SqlStore.open(url);
  try {
    const t0 = Date.now();
    const [{ n }] = await store.db('registered_models').count({ n: '*' });
    if (Number(n) === 0) await fill(store);
    // The statistics PostgreSQL's autovacuum and InnoDB gather on their own after a load this size;
    // SQLite runs without any.
    const analyze = { sqlite: undefined, postgres: 'ANALYZE', mysql: 'ANALYZE TABLE registered_models, registered_model_tags, model_versions, model_version_tags, registered_model_aliases' }[store.dialect.name];
    if (analyze) await store.db.raw(analyze);
    console.log(`${store.dialect.name}: ${MODELS} models, ${MODELS * VERSIONS} versions filled in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const cmp = (key: string, op: Comparison['op'], value?: string): Comparison => ({ kind: 'compare', entity: 'tag', key, op, value });
    // What the MLflow client sends for every model search: its prompt-exclusion clause, as the core reads it.
    const notPrompt: Filter = or(cmp('mlflow.prompt.is_prompt', '!=', 'true'), cmp('mlflow.prompt.is_prompt', 'IS NULL'));
    const rm = (filter: Filter, offset = 0) => () => store.searchRegisteredModels({ filter, orderBy: [], offset, limit: 100 });
    const mv = (filter: Filter, offset = 0) => () => store.searchModelVersions({ filter, orderBy: [], offset, limit: 100 });
    await time('models: page of 100, no filter', rm(and()));
    await time('models: page of 100, the client\'s prompt clause', rm(and(notPrompt)));
    await time('models: page of 100 at offset 5,000, the prompt clause', rm(and(notPrompt), 5_000));
    await time('models: tags.team = \'team-3\', page of 100', rm(parseRegisteredModelFilter(`tags.team = 'team-3'`)));
    await time('models: name LIKE \'model-0042%\'', rm(parseRegisteredModelFilter(`name LIKE 'model-0042%'`)));
    await time('models: getRegisteredModel', async () => [await store.getRegisteredModel('model-004242')]);
    await time('versions: page of 100, no filter', mv(and()));
    await time('versions: name = \'model-004242\'', mv(parseModelVersionFilter(`name = 'model-004242'`)));
    await time('versions: run_id = \'run4242x3\'', mv(parseModelVersionFilter(`run_id = 'run4242x3'`)));
    await time('versions: tags.validated = \'true\', page of 100', mv(parseModelVersionFilter(`tags.validated = 'true'`)));
    await time('loggedModelRegistrations(m-4242-3)', () => store.loggedModelRegistrations('m-4242-3'));
  } finally {
    await store.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
