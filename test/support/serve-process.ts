/** A real `trackbridge serve` process (the built command, bin/trackbridge.js) over a temp store. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');
const BIN = path.join(REPO, 'bin', 'trackbridge.js');

export interface Exit { code: number | null; signal: NodeJS.Signals | null }

export interface CommandRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<Exit>;
  /** Resolves when `pattern` shows up on the stream; rejects after `ms` or if the process exits first. */
  waitFor(stream: 'stdout' | 'stderr' | 'either', pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
}

const running = new Set<ChildProcess>();

/** Kills every command still running (one that failed a test by not exiting, say). */
export function killLeftovers(): void {
  for (const child of running) child.kill('SIGKILL');
}

export function runCommand(args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO): CommandRun {
  assert.ok(fs.existsSync(path.join(REPO, 'dist', 'src', 'cli', 'main.js')), 'the command is not built: run `npm run build` first');
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const out = { stdout: '', stderr: '' };
  const waiters: Array<() => void> = [];
  for (const name of ['stdout', 'stderr'] as const) {
    child[name]!.setEncoding('utf8');
    child[name]!.on('data', (s: string) => {
      out[name] += s;
      for (const w of [...waiters]) w();
    });
  }
  let done: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => {
    running.delete(child);
    done = { code, signal };
    // Let the pipes flush what the process wrote last.
    setImmediate(() => { for (const w of [...waiters]) w(); resolve(done!); });
  }));
  return {
    child,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    exited,
    waitFor(stream, pattern, ms = 8000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no ${pattern} on ${stream} within ${ms} ms:\n${out.stderr}`)), ms);
        const check = () => {
          const m = (stream === 'either' ? `${out.stdout}\n${out.stderr}` : out[stream]).match(pattern);
          if (m) finish(undefined, m);
          else if (done) finish(new Error(`exited (${JSON.stringify(done)}) before ${pattern} showed on ${stream}:\n${out.stderr}`));
        };
        const finish = (err?: Error, m?: RegExpMatchArray) => {
          clearTimeout(timer);
          const i = waiters.indexOf(check);
          if (i >= 0) waiters.splice(i, 1);
          if (err) reject(err);
          else resolve(m!);
        };
        waiters.push(check);
        check();
      });
    },
  };
}

export interface Served extends CommandRun {
  port: number;
  dir: string;
  /** SIGTERM, then SIGKILL if it is still there after `ms`. */
  stop(ms?: number): Promise<Exit>;
}

const scratchDirs = new Set<string>();

/** A fresh scratch directory for a store (db and artifacts); removed by `removeScratchDirs`, or when the server made on it stops. */
export function scratchDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-serve-'));
  scratchDirs.add(dir);
  return dir;
}

function removeScratchDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  scratchDirs.delete(dir);
}

/** Removes every scratch directory still on disk (for an `after` hook). */
export function removeScratchDirs(): void {
  for (const dir of [...scratchDirs]) removeScratchDir(dir);
}

export function storeArgs(dir: string): string[] {
  return ['--db', `sqlite:///${path.join(dir, 'trackbridge.sqlite')}`, '--artifacts-root', path.join(dir, 'artifacts')];
}

/** Starts `serve` on a free port and waits for its listening line. */
export async function serve(args: string[] = [], opts: { dir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Served> {
  const own = opts.dir === undefined;
  const dir = opts.dir ?? scratchDir();
  const run = runCommand(['serve', '--port', '0', ...storeArgs(dir), ...args], opts.env);
  try {
    // Status lines go to stderr (stdout carries the access log); either is accepted here.
    const m = await run.waitFor('either', /listening on http:\/\/127\.0\.0\.1:(\d+)/);
    return {
      ...run,
      port: Number(m[1]),
      dir,
      /** Also removes the scratch directory when this call made it (a caller's own `dir` stays). */
      async stop(ms = 8000) {
        let exit: Exit;
        if (run.child.exitCode === null && run.child.signalCode === null) {
          run.child.kill('SIGTERM');
          const timer = setTimeout(() => run.child.kill('SIGKILL'), ms);
          exit = await run.exited;
          clearTimeout(timer);
        } else {
          exit = await run.exited;
        }
        if (own) removeScratchDir(dir);
        return exit;
      },
    };
  } catch (e) {
    run.child.kill('SIGKILL');
    if (own) void run.exited.then(() => removeScratchDir(dir));
    throw e;
  }
}

export interface Answer { status: number; headers: http.IncomingHttpHeaders; text: string; json: any }

/** One request with exactly the given headers (Host included), on its own connection. */
export function request(port: number, method: string, urlPath: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers, agent: false, setHost: !('Host' in headers) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => {
        let json: unknown;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
