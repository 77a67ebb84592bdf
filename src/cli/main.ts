/** The `trackbridge` command. */
import { Command } from 'commander';
import { debugRequested } from '../config';
import { registerServe } from './serve';
import { registerKeys } from './keys';
import { reportError, setDebug } from './report';
import { packageVersion } from './version';

export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program
    .name('trackbridge')
    .description('One experiment-tracking server for MLflow and W&B clients')
    .version(packageVersion(), '-V, --version', 'print the version and exit');
  // Every command's --debug (or TRACKBRIDGE_DEBUG) applies before its action runs.
  program.hook('preAction', (_program, command) => setDebug(debugRequested(command.opts())));
  registerServe(program);
  registerKeys(program);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    reportError(e);
    process.exit(1);
  }
}

if (require.main === module) void main(process.argv);
