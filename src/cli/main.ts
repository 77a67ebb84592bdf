/** The `trackbridge` command. */
import { Command } from 'commander';
import { registerServe } from './serve';

export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program.name('trackbridge').description('One experiment-tracking server for MLflow and W&B clients');
  registerServe(program);
  await program.parseAsync(argv);
}

if (require.main === module) {
  main(process.argv).catch((e) => {
    console.error(`trackbridge: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  });
}
