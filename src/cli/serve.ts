/** `trackbridge serve` */
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { startServer } from '../server';
import { maskedUrl } from '../store/open-errors';
import { reportError } from './report';

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
    .option('--allowed-hosts <list>', 'comma list of Host names (name, name:port, *.domain) answered besides localhost, 127.0.0.0/8 and [::1]; * answers any (TRACKBRIDGE_ALLOWED_HOSTS)')
    .option('--cors-origins <list>', 'comma list of browser origins (https://ui.example) given CORS answers; * for any (TRACKBRIDGE_CORS_ORIGINS, default none)')
    .option('--public-url <url>', 'URL clients reach this server at behind a proxy (https://host/prefix); multipart part URLs are built from it (TRACKBRIDGE_PUBLIC_URL, default the request\'s scheme and Host)')
    .option('--log-format <format>', 'access log on stdout: text, json or none (TRACKBRIDGE_LOG_FORMAT, default text)')
    .option('-q, --quiet', 'no access log (same as --log-format none)')
    .option('--client-timeout <seconds>', 'time a client gets for its request headers, and may stay silent while sending a body (TRACKBRIDGE_CLIENT_TIMEOUT, default 60)')
    .option('--debug', 'print errors with their stack traces (TRACKBRIDGE_DEBUG=1)')
    .option('--webhooks-allow-private', 'deliver webhooks to loopback, private and link-local addresses too; for a trusted network only (TRACKBRIDGE_WEBHOOKS_ALLOW_PRIVATE=1)')
    .action(async (opts) => {
      const cfg = loadConfig(opts);
      const running = await startServer(cfg);
      const fail = (e: unknown) => { reportError(e); process.exit(1); };
      running.server.on('error', fail);
      console.error(`trackbridge listening on ${running.url} (database ${maskedUrl(cfg.db)}, artifacts ${cfg.artifactsRoot})`);
      const shutdown = (signal: string) => {
        const stopped = running.stop();
        console.error(`trackbridge: ${signal}, finishing in-flight requests`);
        stopped.then(() => process.exit(0), fail);
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
}
