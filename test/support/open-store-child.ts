/**
 * A separate process that opens a store and closes it again, for start-up races and crashes:
 *   node --import tsx test/support/open-store-child.ts <url> [kill-after-statement N]
 * With N it kills itself (SIGKILL, no clean-up of any kind) right after the N-th schema statement.
 * Prints `starting` just before opening (a parent may time a kill from there), then `opened` on
 * success; on failure the error's message, with exit code 1.
 */
import { SqlStore } from '../../src/store/sql-store';

async function main() {
  const [url, killAfter] = process.argv.slice(2);
  let statements = 0;
  console.log('starting');
  const store = await SqlStore.open(url, {
    sqlite: { synchronous: 'NORMAL' },
    onSchemaStatement: () => {
      if (killAfter && ++statements === Number(killAfter)) process.kill(process.pid, 'SIGKILL');
    },
  });
  await store.close();
  console.log('opened');
}

main().catch((e) => {
  console.log(String(e?.message ?? e));
  process.exit(1);
});
