import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { loadConfig } from '../config.js';
import { AppError } from '../errors.js';
import { EXECUTION_STATUSES, ExecutionHistory, type ExecutionStatus } from './executions.js';
import { formatExecutionList, formatTimeline } from './timeline.js';

/**
 * `npm run executions` lists local executions (name, status, start, duration);
 * `npm run executions -- <name>` prints one as a timeline. `--json` prints the records instead.
 */
export async function runExecutionsCli(argv: string[], history?: ExecutionHistory): Promise<string> {
  const program = new Command()
    .name('npm run executions --')
    .description('Show local state machine executions (kept under DATA_DIR/executions).')
    .argument('[name]', 'execution name, as listed')
    .option('--json', 'print JSON instead of text')
    .option('--status <status>', `only executions with this status (${EXECUTION_STATUSES.join(', ')})`)
    .option('--limit <n>', 'at most this many, newest first', (value) => Number.parseInt(value, 10))
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
  program.parse(argv, { from: 'user' });
  const [name] = program.args;
  const options = program.opts<{ json?: boolean; status?: string; limit?: number }>();
  const store = history ?? ExecutionHistory.forDataDir(loadConfig().DATA_DIR);
  if (name) {
    const record = await store.get(name);
    return options.json ? JSON.stringify(record, null, 2) : formatTimeline(record);
  }
  const list = await store.list({
    ...(options.limit ? { limit: options.limit } : {}),
    ...(options.status ? { status: options.status.toUpperCase() as ExecutionStatus } : {}),
  });
  return options.json ? JSON.stringify(list, null, 2) : formatExecutionList(list);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runExecutionsCli(process.argv.slice(2)).then(
    (text) => console.log(text),
    (error: unknown) => {
      const commander = error as { code?: string; message?: string };
      if (commander.code === 'commander.helpDisplayed') return;
      console.error(error instanceof AppError || commander.code ? (error as Error).message : error);
      process.exitCode = 1;
    },
  );
}
