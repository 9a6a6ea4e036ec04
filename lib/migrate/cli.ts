import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createTable } from '../model/table.js';
import { createDynamoStore } from '../store/dynamo.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { Store } from '../store/store.js';
import { type ConnectionOptions, createClient, errorMessage, regionOf } from './client.js';
import { migrateDynamoToDynamo } from './dynamodb-to-dynamodb.js';
import { importUsers } from './import-users.js';
import { createProgress } from './progress.js';
import { repairLegacyKeys } from './repair-legacy-keys.js';
import { migrateSqliteToDynamo } from './sqlite-to-dynamodb.js';
import { formatCopyReport, formatImportReport, formatMigrateReport, formatRepairReport } from './summary.js';

/**
 * `npm run migrate -- <command>`: moving a Python-era database or DynamoDB table into the table,
 * repairing what the Python service and its migration script left behind, bulk user import, and
 * table creation.
 * Every command prints AWS failures as cause + fix (lib/aws-errors.ts) and exits 1, no stack trace.
 */

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
}

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1.');
  return n;
};

function connection(command: Command, env: NodeJS.ProcessEnv, withTable = true): Command {
  if (withTable) {
    command.addOption(
      new Option('--table <name>', 'DynamoDB table (default: $DYNAMODB_TABLE)').default(
        env.DYNAMODB_TABLE || undefined,
      ),
    );
  }
  return command
    .addOption(
      new Option('--endpoint <url>', 'DynamoDB endpoint, e.g. a local dynalite (default: $DYNAMODB_ENDPOINT)').default(
        env.DYNAMODB_ENDPOINT || undefined,
      ),
    )
    .addOption(
      new Option('--region <region>', 'AWS region (default: $AWS_REGION or us-east-1)').default(
        env.AWS_REGION || undefined,
      ),
    );
}

/** Runs `fn` with a client and destroys it (its sockets) afterwards, error or not. */
async function withClient<T>(client: DynamoDBClient, fn: (client: DynamoDBClient) => Promise<T>): Promise<T> {
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}

function requireTable(options: ConnectionOptions): string {
  if (!options.table)
    throw new CommanderError(1, 'migrate.table', 'error: --table <name> is required (or set DYNAMODB_TABLE).');
  return options.table;
}

/** Builds the command tree; `io` receives all output so tests can run it in-process. */
export function buildProgram(io: Io): Command {
  const env = io.env ?? process.env;
  const program = new Command('migrate')
    .description('Migration and operations for the audio-ingest table.')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError();

  connection(program.command('sqlite-to-dynamodb'), env)
    .description(
      "Copy the Python service's SQLite database (users, audio_files) into the table, in the table's exact item format. " +
        'Idempotent (unchanged items are not written), resumable (checkpoint next to the source), never overwrites items updated later in the table.',
    )
    .requiredOption('--from <path>', "the Python service's SQLite file")
    .option('--dry-run', 'read and compare only; print what would be written')
    .option('--concurrency <n>', 'DynamoDB batch calls in flight', positiveInt, 8)
    .option('--chunk-size <n>', 'source rows per chunk (and checkpoint)', positiveInt, 250)
    .option('--checkpoint <path>', 'resume file (default: <from>.migrate-state.json)')
    .option('--restart', 'ignore an existing checkpoint and start from the first row')
    .action(async (opts) => {
      const table = requireTable(opts);
      const report = await withClient(createClient(opts, env), (client) =>
        migrateSqliteToDynamo(
          {
            from: opts.from,
            table,
            endpoint: opts.endpoint,
            dryRun: Boolean(opts.dryRun),
            concurrency: opts.concurrency,
            chunkSize: opts.chunkSize,
            restart: Boolean(opts.restart),
            ...(opts.checkpoint ? { checkpointPath: opts.checkpoint } : {}),
          },
          { client, progress: createProgress(io.stderr ? { stream: io.stderr } : {}), log: (l) => io.err(`${l}\n`) },
        ),
      );
      io.out(`${formatMigrateReport(report)}\n`);
      if (!report.ok) throw new CommanderError(1, 'migrate.failed', '');
    });

  connection(program.command('dynamodb-to-dynamodb'), env)
    .description(
      "Copy the users and audio files of the Python service's DynamoDB table into this table, in its exact item format (keys, index attributes, " +
        'search-index items, ISO timestamps, statuses); every user attribute, the Yoto tokens included, comes along. A parallel Scan reads the source; ' +
        'idempotent, resumable (checkpoint in the working directory), never overwrites an item updated later in this table.',
    )
    .requiredOption('--from <table>', "the Python service's table")
    .option('--from-endpoint <url>', 'endpoint of the source table, if not --endpoint')
    .option('--from-region <region>', 'region of the source table, if not --region')
    .option('--segments <n>', 'parallel Scan segments', positiveInt, 4)
    .option('--concurrency <n>', 'requests in flight per segment', positiveInt, 8)
    .option(
      '--page-size <n>',
      'items per Scan page (default: 1 MB pages); smaller pages checkpoint more often',
      positiveInt,
    )
    .option('--dry-run', 'read and compare only; print what would be written')
    .option('--checkpoint <path>', 'resume file (default: ./<from>-to-<table>.migrate-state.json)')
    .option('--restart', 'ignore an existing checkpoint and scan from the start')
    .action(async (opts) => {
      const table = requireTable(opts);
      const source = createClient(
        { endpoint: opts.fromEndpoint ?? opts.endpoint, region: opts.fromRegion ?? opts.region },
        env,
      );
      try {
        const report = await withClient(createClient(opts, env), (target) =>
          migrateDynamoToDynamo(
            {
              from: opts.from,
              table,
              endpoint: opts.endpoint,
              ...(opts.fromEndpoint ? { fromEndpoint: opts.fromEndpoint } : {}),
              segments: opts.segments,
              concurrency: opts.concurrency,
              ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
              dryRun: Boolean(opts.dryRun),
              restart: Boolean(opts.restart),
              ...(opts.checkpoint ? { checkpointPath: opts.checkpoint } : {}),
            },
            {
              source,
              target,
              progress: createProgress(io.stderr ? { stream: io.stderr } : {}),
              log: (l) => io.err(`${l}\n`),
            },
          ),
        );
        io.out(`${formatCopyReport(report)}\n`);
        if (!report.ok) throw new CommanderError(1, 'migrate.failed', '');
      } finally {
        source.destroy();
      }
    });

  connection(program.command('repair-legacy-keys'), env)
    .description(
      'Move users stored under USER#<Name> (the old migration script) to user#<name> without clobbering existing items, ' +
        'and add index attributes and search-index items missing on items the Python service wrote. Prints the plan; --apply writes.',
    )
    .option('--apply', 'make the changes (default: dry run)')
    .action(async (opts) => {
      const table = requireTable(opts);
      const report = await withClient(createClient(opts, env), (client) =>
        repairLegacyKeys({ table, apply: Boolean(opts.apply) }, { client, log: (l) => io.out(`${l}\n`) }),
      );
      io.out(`${formatRepairReport(report)}\n`);
    });

  connection(program.command('import-users'), env)
    .description(
      'Create users in bulk from a CSV (header: username,password[,email][,is_admin]) or JSON file; passwords are hashed with argon2id. ' +
        'Invalid rows are reported with their reasons; the valid ones are created.',
    )
    .requiredOption('--file <path>', 'users.csv or users.json')
    .option('--sqlite <path>', 'import into this SQLite database instead of a DynamoDB table')
    .option('--dry-run', 'validate only')
    .action(async (opts) => {
      let store: Store;
      if (opts.sqlite) store = openSqliteStore(opts.sqlite);
      else
        store = createDynamoStore({ client: createClient(opts, env), tableName: requireTable(opts), ownsClient: true });
      try {
        const report = await importUsers(opts.file, { store }, { dryRun: Boolean(opts.dryRun) });
        io.out(`${formatImportReport(report)}\n`);
        if (report.rejected.length > 0) throw new CommanderError(1, 'migrate.rejected', '');
      } finally {
        await store.close();
      }
    });

  connection(program.command('create-table'), env)
    .description(
      'Create the table with its keys and indexes (local or test setups; deployed tables come from the stack).',
    )
    .action(async (opts) => {
      const table = requireTable(opts);
      await withClient(createClient(opts, env), (client) => createTable(client, table));
      io.out(
        `Table "${table}" is ready (region ${regionOf(opts, env)}${opts.endpoint ? `, endpoint ${opts.endpoint}` : ''}).\n`,
      );
    });

  return program;
}

/** Runs the CLI and returns the exit code (0 ok, 1 failure or rejected rows). */
export async function main(argv: string[], io: Io): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.message && error.code.startsWith('migrate.')) io.err(`${error.message}\n`);
      return error.exitCode;
    }
    const command = program.commands.find((c) => c.name() === argv[0]);
    const opts = (command?.opts() ?? {}) as ConnectionOptions;
    io.err(`error: ${errorMessage(error, opts)}\n`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (invokedDirectly) {
  main(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    stderr: process.stderr,
  }).then((code) => {
    process.exitCode = code;
  });
}
