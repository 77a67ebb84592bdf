/** Every setting in one place: command-line flags win over TRACKBRIDGE_* variables, which win over defaults. */
import path from 'node:path';

export interface Config {
  host: string;
  port: number;
  /** sqlite:///…, postgresql://…, mysql://… */
  db: string;
  /** Directory where proxied artifacts are stored. */
  artifactsRoot: string;
  /** URI prefix new experiments get as their artifact location. */
  defaultArtifactUri: string;
  /** SQLite durability: FULL survives power loss; NORMAL only process crashes. */
  sqliteSync: 'FULL' | 'NORMAL';
}

export interface Flags {
  host?: string;
  port?: string | number;
  db?: string;
  artifactsRoot?: string;
  defaultArtifactUri?: string;
  sqliteSync?: string;
}

const DATA_DIR = 'trackbridge-data';

export function loadConfig(flags: Flags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const pick = (flag: string | number | undefined, name: string, fallback: string) =>
    flag !== undefined && flag !== '' ? String(flag) : env[`TRACKBRIDGE_${name}`] || fallback;
  const port = Number(pick(flags.port, 'PORT', '5000'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${flags.port ?? env.TRACKBRIDGE_PORT}`);
  const sync = pick(flags.sqliteSync, 'SQLITE_SYNC', 'FULL').toUpperCase();
  if (sync !== 'FULL' && sync !== 'NORMAL') throw new Error(`invalid SQLite sync mode: ${sync} (FULL or NORMAL)`);
  return {
    host: pick(flags.host, 'HOST', '127.0.0.1'),
    port,
    db: pick(flags.db, 'DB', `sqlite:///${path.join(DATA_DIR, 'trackbridge.sqlite')}`),
    artifactsRoot: path.resolve(pick(flags.artifactsRoot, 'ARTIFACTS_ROOT', path.join(DATA_DIR, 'artifacts'))),
    defaultArtifactUri: pick(flags.defaultArtifactUri, 'DEFAULT_ARTIFACT_URI', 'mlflow-artifacts:/'),
    sqliteSync: sync,
  };
}
