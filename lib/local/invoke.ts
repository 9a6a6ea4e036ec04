import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { loadConfig } from '../config.js';
import { loadFunctionHandler, PROJECT_ROOT } from './asl.js';
import { invokeLambda, type LambdaInvocationError } from './lambda.js';
import { startPipeline } from './pipeline.js';

/**
 * `npm run invoke -- <function> --event <file|->`: runs one function once with an event, on the
 * local store and local S3 files (like `sam local invoke -e`). The result goes to stdout as JSON,
 * logs to stderr; a function error exits 1. Executions an `on-upload` event starts are run to
 * the end before exit and are listed by `npm run executions`.
 */

/** Function names, e.g. `on-upload`, `ingest/register-upload`, `api/audio`. */
export function availableFunctions(root = join(PROJECT_ROOT, 'functions')): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.ts$/.test(entry.name) && !/\.(d|test)\.ts$/.test(entry.name)) {
        found.push(relative(root, path).replace(/\\/g, '/').replace(/\.ts$/, ''));
      }
    }
  };
  walk(root);
  return found.sort();
}

function assertKnownFunction(name: string): void {
  const functions = availableFunctions();
  if (!functions.includes(name)) {
    throw new Error(`Unknown function "${name}". Available functions:\n  ${functions.join('\n  ')}`);
  }
}

async function readEvent(source: string): Promise<unknown> {
  let text: string;
  if (source === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    text = await readFile(source, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new Error(
        `Cannot read event file ${source}: ${error.code ?? error.message}. Pass a JSON file or - for stdin.`,
      );
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`The event in ${source === '-' ? 'stdin' : source} is not valid JSON: ${(error as Error).message}`);
  }
}

export interface InvokeResult {
  ok: boolean;
  /** The function's return value, or `{ errorType, errorMessage }`. */
  output: unknown;
  /** Executions started during the call, with their final status. */
  executions: { name: string; status: string; error?: string }[];
}

/** Runs one function with an event on the local stack and waits for the executions it started. */
export async function invokeFunction(name: string, event: unknown): Promise<InvokeResult> {
  assertKnownFunction(name);
  const config = { ...loadConfig(), S3_PORT: 0 };
  const pipeline = await startPipeline({ config });
  const before = new Set((await pipeline.history.list()).map((e) => e.name));
  try {
    const handler = await loadFunctionHandler(name);
    let result: InvokeResult;
    try {
      const output = await invokeLambda(handler, event, {
        functionName: name.replace(/\//g, '-'),
        region: config.AWS_REGION,
      });
      result = { ok: true, output, executions: [] };
    } catch (error) {
      const failure = error as LambdaInvocationError;
      result = {
        ok: false,
        output: { errorType: failure.errorType, errorMessage: failure.errorMessage },
        executions: [],
      };
    }
    await pipeline.settled();
    result.executions = (await pipeline.history.list())
      .filter((e) => !before.has(e.name))
      .map((e) => ({ name: e.name, status: e.status, ...(e.error ? { error: `${e.error}: ${e.cause ?? ''}` } : {}) }));
    return result;
  } finally {
    await pipeline.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('npm run invoke --')
    .description('Invoke one function with an event on the local store.')
    .argument('<function>', 'e.g. on-upload, ingest/register-upload, api/audio')
    .requiredOption('-e, --event <file>', 'event JSON file, or - for stdin (samples: test/fixtures/events/)')
    .showHelpAfterError();
  program.parse(argv, { from: 'user' });
  const [name] = program.args as [string];
  const { event: source } = program.opts<{ event: string }>();
  // Logs go to stderr so stdout is only the result, ready for `jq`.
  process.env.POWERTOOLS_DEV ??= 'true';
  for (const level of ['log', 'info', 'debug', 'warn'] as const) {
    console[level] = (...args: unknown[]) => console.error(...args);
  }
  assertKnownFunction(name); // before reading the event, which may wait on stdin
  const result = await invokeFunction(name, await readEvent(source));
  process.stdout.write(`${JSON.stringify(result.output, null, 2)}\n`);
  for (const execution of result.executions) {
    console.error(`execution ${execution.name}: ${execution.status}${execution.error ? ` (${execution.error})` : ''}`);
  }
  if (result.executions.length > 0) console.error('Timelines: npm run executions -- <name>');
  return result.ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => exitSoon(code),
    (error: unknown) => {
      console.error((error as Error).message ?? error);
      exitSoon(2);
    },
  );
}

/** Exits once output is flushed, even if an idle keep-alive socket would hold the process open. */
function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 200).unref();
}
