/**
 * The ceiling for the ingest workload: the same metric rows written straight into a fresh
 * default (SQLite) store through the core's write path, in-process, with no HTTP.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SqlStore } from '../../src/store/sql-store';
import { Tracking } from '../../src/core/tracking';
import { LocalArtifactStore } from '../../src/artifacts/local';

async function main() {
  const args = process.argv.slice(2);
  const rows = Number(args[args.indexOf('--rows') + 1] ?? 1000000);
  const dir = args.includes('--dir') ? args[args.indexOf('--dir') + 1] : fs.mkdtempSync('/tmp/tb-limit-');
  fs.mkdirSync(dir, { recursive: true });
  const store = await SqlStore.open(`sqlite:///${path.resolve(dir, 'limit.sqlite')}`);
  const tracking = new Tracking(store, { defaultArtifactRoot: 'mlflow-artifacts:/' }, new LocalArtifactStore(path.join(dir, 'artifacts')));
  await tracking.start();
  const exp = await tracking.experiments.create('limit', undefined, []);
  const run = await tracking.runs.create({ experimentId: exp, tags: [] });
  const steps = Math.ceil(rows / 10);
  const batches = [];
  for (let s = 0; s < steps; s += 100) {
    const metrics = [];
    for (let st = s; st < Math.min(s + 100, steps); st++) {
      for (let k = 0; k < 10; k++) metrics.push({ key: `m${k}`, value: ((k * 31 + st) % 997) / 997, timestamp: 1_700_000_000_000 + st, step: st });
    }
    batches.push(metrics);
  }
  const t = process.hrtime.bigint();
  for (const metrics of batches) await tracking.runs.logBatch(run.info.runId, { metrics, params: [], tags: [] });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  await store.close();
  console.log(JSON.stringify({ rows: steps * 10, seconds, rows_per_s: (steps * 10) / seconds }));
}

main().catch((e) => { console.error(e); process.exit(1); });
