/** `trackbridge keys create | list | revoke`: the API keys W&B clients log in with. */
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { Accounts, type KeyListing } from '../core/accounts';
import { notFound } from '../core/errors';
import { SqlStore } from '../store/sql-store';

const DB_OPTION = ['--db <url>', 'database: sqlite:///path, postgresql://…, mysql://… (TRACKBRIDGE_DB, default sqlite:///trackbridge-data/trackbridge.sqlite)'] as const;
const DEBUG_OPTION = ['--debug', 'print errors with their stack traces (TRACKBRIDGE_DEBUG=1)'] as const;

/** Opens the database as `serve` does (schema brought up to date), runs `fn`, and closes it. */
async function withAccounts<T>(opts: { db?: string }, fn: (accounts: Accounts) => Promise<T>): Promise<T> {
  const cfg = loadConfig({ db: opts.db });
  const store = await SqlStore.open(cfg.db, { sqlite: { synchronous: cfg.sqliteSync }, createParentDir: cfg.dbIsDefault });
  try {
    return await fn(new Accounts(store));
  } finally {
    await store.close();
  }
}

const time = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

function table(keys: KeyListing[]): string {
  const rows = [['KEY ID', 'USER', 'CREATED', 'REVOKED', 'HINT'],
    ...keys.map((k) => [k.keyId, k.userName, time(k.createdAt), time(k.revokedAt), `tb-${k.hint}…`])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n');
}

export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description('Issue, list and revoke the API keys W&B clients log in with')
    .addHelpText('after', `
Examples:
  $ trackbridge keys create --user alice        prints the new key (only once)
  $ trackbridge keys list --db postgresql://tb@db/tb
  $ trackbridge keys revoke 3f9a1c0d2b4e6f78`);

  keys
    .command('create')
    .description('Issue a key for a user (made on first use, with an entity of its name); the key is printed on stdout, once')
    .requiredOption('-u, --user <name>', 'user name: letters, digits, _ . - (up to 64)')
    .option(...DB_OPTION)
    .option(...DEBUG_OPTION)
    .addHelpText('after', `
Example:
  $ export WANDB_API_KEY=$(trackbridge keys create --user alice)`)
    .action(async (opts) => {
      const issued = await withAccounts(opts, (a) => a.createKey(opts.user));
      process.stdout.write(`${issued.key}\n`);
      console.error(`trackbridge: API key ${issued.keyId} issued for user ${issued.userName}; it is shown only this once`);
    });

  keys
    .command('list')
    .description('List every key: id, user, when created and revoked, and its first characters')
    .option(...DB_OPTION)
    .option(...DEBUG_OPTION)
    .option('--json', 'print a JSON array instead of a table')
    .addHelpText('after', `
Example:
  $ trackbridge keys list --json --db sqlite:////srv/tb/trackbridge.sqlite`)
    .action(async (opts) => {
      const list = await withAccounts(opts, (a) => a.listKeys());
      if (opts.json) process.stdout.write(`${JSON.stringify(list)}\n`);
      else process.stdout.write(`${list.length ? table(list) : 'no API keys'}\n`);
    });

  keys
    .command('revoke')
    .description('Revoke a key by its id: refused on every server process within 10 seconds')
    .argument('<keyId>', 'the id `keys create` and `keys list` show')
    .option(...DB_OPTION)
    .option(...DEBUG_OPTION)
    .addHelpText('after', `
Example:
  $ trackbridge keys revoke 3f9a1c0d2b4e6f78`)
    .action(async (keyId: string, opts) => {
      const found = await withAccounts(opts, (a) => a.revokeKey(keyId));
      if (!found) throw notFound(`no API key has the id ${JSON.stringify(keyId)}`);
      console.error(`trackbridge: API key ${keyId} revoked`);
    });
}
