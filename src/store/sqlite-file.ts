/**
 * Looks at a SQLite path before anything opens it for writing: opening would create the file,
 * and the first connection switches it to WAL, so a file that is not ours is refused here, with
 * its bytes and its folder unchanged.
 */
import fs from 'node:fs';
import path from 'node:path';
import { cannotOpen, notOurDatabase } from './open-errors';
import { SQLITE_TABLES_SQL } from './schema/catalog';
import { foreignTables } from './schema/check';

const HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** Header byte 18 (file format read version): 2 means the file is in WAL mode. */
const WAL_FORMAT = 2;

const statOf = (p: string) => fs.statSync(p, { throwIfNoEntry: false });

function writable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.R_OK | fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Throws a one-line TrackbridgeError unless `file` may become or already is a trackbridge
 * database. `createParentDir` lets a missing folder be made (the default data folder);
 * a folder that was named explicitly and is missing is an error instead.
 */
export function checkSqliteFile(file: string, url: string, createParentDir: boolean): void {
  const dir = path.dirname(file);
  const st = statOf(file);
  if (!st) {
    const d = statOf(dir);
    if (!d) {
      if (!createParentDir) {
        throw cannotOpen(url, `the folder ${dir} does not exist`, `Create it first (mkdir -p ${dir}) or fix --db (or TRACKBRIDGE_DB).`);
      }
      fs.mkdirSync(dir, { recursive: true });
    } else if (!d.isDirectory()) {
      throw cannotOpen(url, `${dir} is not a folder`, 'Fix --db (or TRACKBRIDGE_DB) to name a file inside a folder.');
    }
    if (!writable(dir)) throw readOnly(url, `the folder ${dir} is read-only`);
    return;
  }
  if (st.isDirectory()) throw cannotOpen(url, `${file} is a folder`, 'Fix --db (or TRACKBRIDGE_DB) to name a database file inside it.');
  if (!st.isFile()) throw cannotOpen(url, `${file} is not a regular file`, 'Fix --db (or TRACKBRIDGE_DB) to name a database file.');
  if (!writable(file)) throw readOnly(url, `the file ${file} is read-only`);
  if (!writable(dir)) throw readOnly(url, `the folder ${dir} is read-only`);
  // SQLite takes an empty file for an empty database.
  if (st.size === 0) return;

  const header = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  let read: number;
  try {
    read = fs.readSync(fd, header, 0, header.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (read < header.length || !header.subarray(0, HEADER.length).equals(HEADER)) {
    throw cannotOpen(url, `${file} is not a SQLite database`, 'Point --db at a trackbridge database, or at a path where a new one may be created.');
  }
  const foreign = foreignTables(listTables(file, header[18] === WAL_FORMAT));
  if (foreign.length) throw notOurDatabase(url, foreign);
}

function readOnly(url: string, what: string) {
  return cannotOpen(url, what, 'trackbridge writes the file and creates -wal and -shm files beside it: make both writable or choose a writable path.');
}

/**
 * Read on a read-only connection, which never writes the file: a read-write one would, on close,
 * checkpoint a WAL file's frames into it and delete its -wal and -shm. A WAL file needs its -shm
 * index, which a read-only connection creates when missing; whatever of -wal and -shm this
 * creates is removed afterwards, and what was there is left as it was.
 */
function listTables(file: string, wal: boolean): string[] {
  const Database = require('better-sqlite3');
  const sidecars = wal ? [`${file}-wal`, `${file}-shm`].filter((p) => !statOf(p)) : [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(SQLITE_TABLES_SQL).all().map((r: any) => r.name);
  } finally {
    db.close();
    for (const p of sidecars) fs.rmSync(p, { force: true });
  }
}
