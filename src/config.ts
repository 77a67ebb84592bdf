/** Every setting in one place: command-line flags win over TRACKBRIDGE_* variables, which win over defaults. */
import path from 'node:path';

export type LogFormat = 'text' | 'json' | 'none';

export interface Config {
  host: string;
  port: number;
  /** sqlite:///…, postgresql://…, mysql://… */
  db: string;
  /** True when no database was named: only then may the SQLite file's folder be created. */
  dbIsDefault: boolean;
  /** Directory where proxied artifacts are stored. */
  artifactsRoot: string;
  /** URI prefix new experiments get as their artifact location. */
  defaultArtifactUri: string;
  /** SQLite durability: FULL survives power loss; NORMAL only process crashes. */
  sqliteSync: 'FULL' | 'NORMAL';
  /** Host names (and host:port pairs) answered besides the loopback ones; `*` answers any. */
  allowedHosts: string[];
  /** Browser origins (scheme://host[:port]) given CORS answers; `*` gives them to any origin. */
  corsOrigins: string[];
  /**
   * The URL clients reach this server at (`https://mlflow.example/tracking`), when a proxy in front
   * of it changes the scheme, host or path; the URLs the server hands out (multipart part URLs)
   * are built from it. Without it, from the scheme and Host of the request being answered.
   */
  publicUrl?: string;
  /** One access-log line per request on stdout, as text or JSON, or none. */
  logFormat: LogFormat;
  /** Milliseconds a client may take for its request headers, and may stay silent while sending a body. */
  clientTimeoutMs: number;
  /** Print stack traces with errors. */
  debug: boolean;
  /** TRACKBRIDGE_STRICT_RESPONSES=1: an answer with a key its message does not define fails; the test suites run so. */
  strictResponses: boolean;
  /** Deliver webhooks to loopback, private and link-local addresses too; refused by default (SSRF). */
  webhooksAllowPrivate: boolean;
  /** TRACKBRIDGE_WEBHOOKS_SECRET_KEY: webhook secrets rest encrypted under a key derived from it; kept as given without one. */
  webhooksSecretKey?: string;
}

export interface Flags {
  host?: string;
  port?: string | number;
  db?: string;
  artifactsRoot?: string;
  defaultArtifactUri?: string;
  sqliteSync?: string;
  allowedHosts?: string;
  corsOrigins?: string;
  logFormat?: string;
  publicUrl?: string;
  quiet?: boolean;
  clientTimeout?: string | number;
  debug?: boolean;
  webhooksAllowPrivate?: boolean;
}

const DATA_DIR = 'trackbridge-data';

const LOG_FORMATS: readonly LogFormat[] = ['text', 'json', 'none'];

const list = (raw: string) => raw.split(',').map((s) => s.trim()).filter(Boolean);

const truthy = (raw: string | undefined) => raw !== undefined && /^(1|true|yes|on)$/i.test(raw.trim());

/** An http(s) URL with no query, fragment or credentials, its trailing slashes dropped. */
export function publicUrlOf(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`invalid public URL: ${raw} (expected http://host[:port][/path] or https://…)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`invalid public URL: ${raw} (http or https only)`);
  if (u.search || u.hash || raw.includes('?') || raw.includes('#')) throw new Error(`invalid public URL: ${raw} (no query or fragment)`);
  if (u.username || u.password) throw new Error(`invalid public URL: ${raw} (no user name or password)`);
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

/** Whether errors are printed with their stack: `--debug` or TRACKBRIDGE_DEBUG=1. */
export function debugRequested(flags: Pick<Flags, 'debug'> = {}, env: NodeJS.ProcessEnv = process.env): boolean {
  return flags.debug === true || truthy(env.TRACKBRIDGE_DEBUG);
}

export function loadConfig(flags: Flags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const pick = (flag: string | number | undefined, name: string, fallback: string) =>
    flag !== undefined && flag !== '' ? String(flag) : env[`TRACKBRIDGE_${name}`] || fallback;
  const port = Number(pick(flags.port, 'PORT', '5000'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${flags.port ?? env.TRACKBRIDGE_PORT}`);
  const sync = pick(flags.sqliteSync, 'SQLITE_SYNC', 'FULL').toUpperCase();
  if (sync !== 'FULL' && sync !== 'NORMAL') throw new Error(`invalid SQLite sync mode: ${sync} (FULL or NORMAL)`);
  const logFormat = (flags.quiet ? 'none' : pick(flags.logFormat, 'LOG_FORMAT', 'text').toLowerCase()) as LogFormat;
  if (!LOG_FORMATS.includes(logFormat)) throw new Error(`invalid log format: ${logFormat} (${LOG_FORMATS.join(', ')})`);
  const clientTimeout = Number(pick(flags.clientTimeout, 'CLIENT_TIMEOUT', '60'));
  if (!Number.isFinite(clientTimeout) || clientTimeout <= 0) throw new Error(`invalid client timeout: ${flags.clientTimeout ?? env.TRACKBRIDGE_CLIENT_TIMEOUT} (seconds, above 0)`);
  const defaultDb = `sqlite:///${path.join(DATA_DIR, 'trackbridge.sqlite')}`;
  const db = pick(flags.db, 'DB', defaultDb);
  const publicUrl = pick(flags.publicUrl, 'PUBLIC_URL', '');
  return {
    host: pick(flags.host, 'HOST', '127.0.0.1'),
    port,
    db,
    // A folder the user named must exist (a typo should not grow a tree); the default one is ours to make.
    dbIsDefault: db === defaultDb,
    artifactsRoot: path.resolve(pick(flags.artifactsRoot, 'ARTIFACTS_ROOT', path.join(DATA_DIR, 'artifacts'))),
    defaultArtifactUri: pick(flags.defaultArtifactUri, 'DEFAULT_ARTIFACT_URI', 'mlflow-artifacts:/'),
    sqliteSync: sync,
    allowedHosts: list(pick(flags.allowedHosts, 'ALLOWED_HOSTS', '')),
    corsOrigins: list(pick(flags.corsOrigins, 'CORS_ORIGINS', '')),
    logFormat,
    publicUrl: publicUrl ? publicUrlOf(publicUrl) : undefined,
    clientTimeoutMs: Math.round(clientTimeout * 1000),
    debug: debugRequested(flags, env),
    strictResponses: truthy(env.TRACKBRIDGE_STRICT_RESPONSES),
    webhooksAllowPrivate: flags.webhooksAllowPrivate === true || truthy(env.TRACKBRIDGE_WEBHOOKS_ALLOW_PRIVATE),
    // From the environment only: a flag would show the key to anyone who can list processes.
    webhooksSecretKey: env.TRACKBRIDGE_WEBHOOKS_SECRET_KEY || undefined,
  };
}
