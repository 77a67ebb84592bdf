/**
 * Hostile paths, one list for every route that takes a path or a URI: each bug class MLflow's
 * server shipped a CVE for (../shared/reference/peers.md §5.2) in the spellings that broke it,
 * plus a helper that proves a refused request touched nothing on disk. A suite that adds a
 * path-bearing field (a model version's `source`, an experiment's `artifact_location`) runs the
 * same list against it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export type HostileKind =
  | 'dot-dot' | 'backslash' | 'encoded' | 'double-encoded' | 'semicolon'
  | 'absolute' | 'scheme' | 'proc-root' | 'nul';

export interface HostilePath {
  kind: HostileKind;
  /** The path as a client means it: a JSON field, or a query parameter (encoded once on the wire). */
  value: string;
}

/**
 * Relative cases aim at `outside.txt` one and two levels above the folder they are resolved in:
 * a test that plants such a file can tell whether it leaked or changed.
 */
export const HOSTILE_PATHS: readonly HostilePath[] = [
  { kind: 'dot-dot', value: '../outside.txt' },
  { kind: 'dot-dot', value: '../../outside.txt' },
  { kind: 'dot-dot', value: 'a/../../outside.txt' },
  { kind: 'dot-dot', value: '..' },
  { kind: 'backslash', value: '..\\outside.txt' },
  { kind: 'backslash', value: 'a\\..\\..\\outside.txt' },
  { kind: 'backslash', value: '\\..\\outside.txt' },
  { kind: 'encoded', value: '%2e%2e/outside.txt' },
  { kind: 'encoded', value: '%2E%2E%2F%2E%2E%2Foutside.txt' },
  { kind: 'encoded', value: '.%2e/outside.txt' },
  { kind: 'encoded', value: '%2e%2e%5coutside.txt' },
  { kind: 'double-encoded', value: '%252e%252e%252foutside.txt' },
  { kind: 'double-encoded', value: '%252e%252e/%252e%252e/outside.txt' },
  { kind: 'double-encoded', value: '%25252e%25252e%25252foutside.txt' },
  { kind: 'semicolon', value: '..;/outside.txt' },
  { kind: 'semicolon', value: 'a;/../../outside.txt' },
  { kind: 'semicolon', value: 'a%3b/../outside.txt' },
  { kind: 'semicolon', value: 'x;jsessionid=1/y.txt' },
  { kind: 'absolute', value: '/etc/passwd' },
  { kind: 'absolute', value: '//etc/passwd' },
  { kind: 'absolute', value: '%2Fetc%2Fpasswd' },
  { kind: 'absolute', value: '\\\\server\\share\\x.txt' },
  { kind: 'absolute', value: 'C:\\Windows\\win.ini' },
  { kind: 'absolute', value: 'C:/Windows/win.ini' },
  { kind: 'scheme', value: 'file:///etc/passwd' },
  { kind: 'scheme', value: 'file:/etc/passwd' },
  { kind: 'scheme', value: 'file://localhost/etc/passwd' },
  { kind: 'scheme', value: 'file:outside.txt' },
  { kind: 'scheme', value: ':///etc/passwd' },
  { kind: 'scheme', value: ':/etc/passwd' },
  { kind: 'scheme', value: 's3://bucket/key.txt' },
  { kind: 'scheme', value: 'mlflow-artifacts:/0/x.txt' },
  { kind: 'proc-root', value: '//proc/self/root/etc/passwd' },
  { kind: 'proc-root', value: '/proc/self/root/etc/passwd' },
  { kind: 'proc-root', value: 'file:///proc/self/root/etc/passwd' },
  { kind: 'proc-root', value: '%2F%2Fproc%2Fself%2Froot%2Fetc%2Fpasswd' },
  { kind: 'nul', value: 'a\0.txt' },
  { kind: 'nul', value: '..\0/outside.txt' },
  { kind: 'nul', value: 'a%00.txt' },
];

/** The path as raw text in a URL's path, sent byte for byte: only what cannot go raw (NUL) is escaped. */
export const inUrlPath = (value: string) => value.replace(/\0/g, '%00');

/** What a test plants outside the root; a path may well be named secret.txt, its bytes must not show. */
export const SECRET = 'TOP-SECRET-BYTES';
/** Bytes a successful traversal would show: the planted secret, or a passwd file. */
export const LEAK = /TOP-SECRET-BYTES|root:x:0:0/;

/**
 * Every entry under dir (links included, not followed): its kind, size, mode and times, a hash
 * of a file's bytes, a link's target. Equal before and after means nothing was touched.
 */
export function snapshotTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const st = fs.lstatSync(p);
      const rel = path.relative(dir, p);
      if (st.isSymbolicLink()) out.push(`${rel} -> ${fs.readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.push(`${rel}/ ${st.mode} ${st.mtimeMs}`);
        walk(p);
      } else out.push(`${rel} ${st.size} ${st.mode} ${st.mtimeMs} ${createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`);
    }
  };
  walk(dir);
  return out.sort();
}

/** Asserts the tree under dir is as `before` was, naming what changed. */
export function assertUntouched(dir: string, before: readonly string[], what: string): void {
  const after = snapshotTree(dir);
  const gone = before.filter((x) => !after.includes(x));
  const added = after.filter((x) => !before.includes(x));
  assert.deepEqual({ gone, added }, { gone: [], added: [] }, `${what} changed the disk`);
}
