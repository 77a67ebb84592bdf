/** `trackbridge serve` */
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { startServer } from '../server';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the MLflow tracking API over one store (SQLite file and local artifacts by default)')
    .option('-p, --port <port>', 'port to listen on (TRACKBRIDGE_PORT, default 5000)')
    .option('-H, --host <host>', 'address to bind (TRACKBRIDGE_HOST, default 127.0.0.1)')
    .option('--db <url>', 'database: sqlite:///path, postgresql://…, mysql://… (TRACKBRIDGE_DB, default sqlite:///trackbridge-data/trackbridge.sqlite)')
    .option('--artifacts-root <dir>', 'directory for stored artifacts (TRACKBRIDGE_ARTIFACTS_ROOT, default ./trackbridge-data/artifacts)')
    .option('--default-artifact-uri <uri>', 'artifact location prefix for new experiments (TRACKBRIDGE_DEFAULT_ARTIFACT_URI, default mlflow-artifacts:/)')
    .option('--sqlite-sync <mode>', 'SQLite durability, FULL or NORMAL (TRACKBRIDGE_SQLITE_SYNC, default FULL)')
    .action(async (opts) => {
      const cfg = loadConfig(opts);
      const running = await startServer(cfg);
      console.log(`trackbridge listening on ${running.url} (database ${cfg.db.replace(/\/\/[^@/]*@/, '//***@')}, artifacts ${cfg.artifactsRoot})`);
      const shutdown = (signal: string) => {
        console.log(`trackbridge: ${signal}, finishing in-flight requests`);
        running.stop().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
}
