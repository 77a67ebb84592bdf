/**
 * What goes wrong while opening a database, as one line a person can act on: what failed, the
 * URL with its password masked, and what to do. The driver's error stays on `cause`.
 */
import { type ErrorCode, TrackbridgeError } from '../core/errors';
import { SchemaLockTimeout } from './schema/lock';

/** The URL with any password (in the user part or a query parameter) replaced by `***`. */
export function maskedUrl(url: string): string {
  if (url.startsWith('sqlite:')) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const key of [...u.searchParams.keys()]) if (/pass|secret|token/i.test(key)) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}

function startupError(code: ErrorCode, message: string, cause?: unknown): TrackbridgeError {
  const e = new TrackbridgeError(code, message.replace(/\s*\n\s*/g, ' '));
  if (cause !== undefined) e.cause = cause;
  return e;
}

/** A refusal of the database's contents: it is not ours, or not in a state this version accepts. */
export function refusedDatabase(url: string, what: string, todo: string): TrackbridgeError {
  return startupError('INVALID_STATE', `Refusing to open the database ${maskedUrl(url)}: ${what}. ${todo}`);
}

/** A database that cannot be reached or used as configured. */
export function cannotOpen(url: string, what: string, todo: string, cause?: unknown, code: ErrorCode = 'INVALID_STATE'): TrackbridgeError {
  return startupError(code, `Cannot open the database ${maskedUrl(url)}: ${what}. ${todo}`, cause);
}

const NAMES_SHOWN = 5;

/** Another application's tables: refused so that nothing of theirs is touched. */
export function notOurDatabase(url: string, foreign: string[]): TrackbridgeError {
  const names = foreign.slice().sort();
  const shown = names.slice(0, NAMES_SHOWN).join(', ') + (names.length > NAMES_SHOWN ? ', …' : '');
  const mlflow = names.includes('alembic_version') ? ': an MLflow database?' : '';
  return refusedDatabase(url, `it holds tables trackbridge does not own (${shown}${mlflow})`,
    mlflow
      ? 'trackbridge keeps its own database; bring MLflow data in with `trackbridge import` instead.'
      : 'trackbridge keeps its own database: point --db at an empty one, and bring other data in with `trackbridge import`.');
}

const CHANGE_DB = 'fix --db (or TRACKBRIDGE_DB)';

/** The driver's own text, without the SQL statement knex puts in front of it. */
function driverText(e: any): string {
  const text = String(e?.sqlMessage ?? e?.message ?? e);
  const m = /^(?:select|insert|update|delete|create|alter|drop|begin|commit|pragma|set)\b[\s\S]*? - ([\s\S]*)$/i.exec(text);
  return (m ? m[1] : text).split('\n')[0].trim();
}

interface Server { user: string; host: string; database: string }

function serverOf(url: string): Server {
  try {
    const u = new URL(url);
    return { user: decodeURIComponent(u.username), host: u.host, database: decodeURIComponent(u.pathname.replace(/^\//, '')) };
  } catch {
    return { user: '', host: '', database: '' };
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

function postgresError(e: any, url: string, s: Server): TrackbridgeError | undefined {
  const text = driverText(e);
  switch (e?.code) {
    case '28000':
      return /does not exist/.test(text)
        ? cannotOpen(url, text, `Create the role (CREATE ROLE "${/role "([^"]*)"/.exec(text)?.[1] ?? s.user}" LOGIN) or put an existing user in the URL; ${CHANGE_DB}.`, e)
        : cannotOpen(url, text, 'Allow this user and host in the server\'s pg_hba.conf, or connect as a user it allows.', e);
    case '28P01':
      return cannotOpen(url, text, `Check the user name and password in the URL; ${CHANGE_DB}.`, e);
    case '3D000':
      return cannotOpen(url, text, `Create it (CREATE DATABASE ${s.database}) or ${CHANGE_DB} to name an existing database.`, e);
    case '42501':
      return cannotOpen(url, text, `Let user "${s.user}" create tables here (GRANT CREATE ON SCHEMA …, or make it the database's owner).`, e);
    case '25006':
      return cannotOpen(url, text, 'The server is read-only (a standby?): connect to the primary.', e);
    case '53300':
      return cannotOpen(url, text, 'The server has no connection left: raise its max_connections or stop idle clients.', e, 'UNAVAILABLE');
    case '57P03':
      return cannotOpen(url, text, 'The server is starting or shutting down: try again once it is up.', e, 'UNAVAILABLE');
    case '55P03':
      return cannotOpen(url, 'timed out waiting for the schema lock',
        'Another trackbridge process is setting up this database; let it finish, or stop it if it hangs.', e, 'UNAVAILABLE');
    default:
      return undefined;
  }
}

function mysqlError(e: any, url: string, s: Server): TrackbridgeError | undefined {
  const text = driverText(e);
  switch (e?.code) {
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
      return cannotOpen(url, text, `Check the user name and password in the URL, and that the user may connect from this host; ${CHANGE_DB}.`, e);
    case 'ER_DBACCESS_DENIED_ERROR':
    case 'ER_TABLEACCESS_DENIED_ERROR':
    case 'ER_SPECIFIC_ACCESS_DENIED_ERROR':
      return cannotOpen(url, text, `Grant the user its rights on the database (GRANT ALL ON \`${s.database}\`.* TO '${s.user}'@…) or connect as another user.`, e);
    case 'ER_BAD_DB_ERROR':
      return cannotOpen(url, text, `Create it (CREATE DATABASE ${s.database}) or ${CHANGE_DB} to name an existing database.`, e);
    case 'ER_OPTION_PREVENTS_STATEMENT':
    case 'ER_READ_ONLY_MODE':
      return cannotOpen(url, text, 'The server is read-only: connect to a writable primary.', e);
    case 'ER_CON_COUNT_ERROR':
    case 'ER_TOO_MANY_USER_CONNECTIONS':
      return cannotOpen(url, text, 'The server has no connection left: raise max_connections or stop idle clients.', e, 'UNAVAILABLE');
    default:
      return undefined;
  }
}

function sqliteError(e: any, url: string): TrackbridgeError | undefined {
  const code = String(e?.code ?? '');
  if (!code.startsWith('SQLITE_')) return undefined;
  const text = driverText(e);
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM') {
    return cannotOpen(url, `the file or its folder is read-only (${text})`,
      'trackbridge writes the file and creates -wal and -shm files beside it: make both writable (check permissions and the mount) or choose a writable path.', e);
  }
  if (code.startsWith('SQLITE_CANTOPEN')) return cannotOpen(url, text, 'Check that the folder exists and that this user may read and write in it.', e);
  if (code === 'SQLITE_NOTADB') return cannotOpen(url, 'the file is not a SQLite database', `Point --db at a trackbridge database or a path where one may be created.`, e);
  if (code.startsWith('SQLITE_CORRUPT')) return cannotOpen(url, 'the database file is damaged', 'Restore it from a backup.', e);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return cannotOpen(url, 'another process has held the database locked for more than 10 s', 'Find and stop the process holding it, then start again.', e, 'UNAVAILABLE');
  }
  if (code === 'SQLITE_FULL') return cannotOpen(url, 'the disk is full', 'Free some space and start again.', e);
  if (code.startsWith('SQLITE_IOERR')) return cannotOpen(url, `I/O error (${text})`, 'Check the disk, and that the file is on a local filesystem (not NFS/SMB).', e);
  return cannotOpen(url, text, 'See the driver\'s error (--debug).', e);
}

/**
 * Any error raised while opening `url`, as a TrackbridgeError. Ours pass through unchanged;
 * driver errors become one line; anything unrecognised keeps the driver's first line.
 */
export function openError(e: unknown, url: string): TrackbridgeError {
  if (e instanceof TrackbridgeError) return e;
  const err = e as any;
  const s = serverOf(url);
  const code = String(err?.code ?? '');
  if (NETWORK_CODES.has(code)) {
    return cannotOpen(url, `nothing answers at ${s.host} (${code})`, `Start the database server, or fix the host and port; ${CHANGE_DB}.`, e, 'UNAVAILABLE');
  }
  if (err?.name === 'KnexTimeoutError') {
    return cannotOpen(url, 'no connection could be made in time', `Check that the server at ${s.host} is up and reachable.`, e, 'UNAVAILABLE');
  }
  if (e instanceof SchemaLockTimeout) {
    return cannotOpen(url, err.message,
      'Another trackbridge process is setting up this database: let it finish, or stop it if it hangs.', e, 'UNAVAILABLE');
  }
  const known = url.startsWith('sqlite:') ? sqliteError(err, url)
    : url.startsWith('mysql') ? mysqlError(err, url, s) : postgresError(err, url, s);
  return known ?? cannotOpen(url, driverText(err), 'See the driver\'s error (--debug).', e);
}
