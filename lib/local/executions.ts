import { access, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { NotFoundError, ValidationError } from '../errors.js';
import { causeMessage } from './lambda.js';

/**
 * The history of local executions, kept as one JSON file per execution under
 * `<DATA_DIR>/executions/` so `npm run executions` (another process) and the local server can
 * read it, and names stay used across restarts as they do in Step Functions.
 */

export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** One step of the timeline, condensed from aws-local-stepfunctions' event log. */
export interface HistoryEvent {
  type: string;
  /** ISO time of the event. */
  at: string;
  /** Milliseconds since the execution started. */
  elapsedMs: number;
  state?: string;
  stateType?: string;
  input?: unknown;
  output?: unknown;
  /** Error name (what Retry/Catch match) and readable cause, on failures. */
  error?: string;
  cause?: string;
  /** Retry attempt number (1-based) and the retrier's ErrorEquals. */
  attempt?: number;
  errorEquals?: string[];
  /** Where a Catch sent the execution. */
  next?: string;
}

export interface ExecutionRecord {
  name: string;
  executionArn: string;
  stateMachine: string;
  status: ExecutionStatus;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  startedAt: string;
  stoppedAt?: string;
  durationMs?: number;
  /** Time spent waiting for a free slot before the first state ran. */
  queuedMs?: number;
  /** How many times a later process ran it again because it was still RUNNING (see LocalStateMachine.resume). */
  restarts?: number;
  events: HistoryEvent[];
}

/** A record without its timeline; `key` is the S3 key from its input, so a file's runs can be found. */
export type ExecutionSummary = Omit<ExecutionRecord, 'events' | 'input' | 'output'> & { key?: string };

const NAME = /^[0-9A-Za-z_-]{1,80}$/;

/** Throws a ValidationError unless `name` is a valid execution name (also keeps paths safe). */
export function assertExecutionName(name: string): void {
  if (!NAME.test(name)) {
    throw new ValidationError(
      `Invalid execution name ${JSON.stringify(name)}: use 1–80 characters of [0-9A-Za-z_-], as listed by \`npm run executions\`.`,
    );
  }
}

/** Reads and writes execution records in one directory; writes are atomic (temp file + rename). */
export class ExecutionHistory {
  readonly dir: string;
  /** Serializes writes per execution so a late flush never overwrites a newer record. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** `<dataDir>/executions`. */
  static forDataDir(dataDir: string): ExecutionHistory {
    return new ExecutionHistory(join(dataDir, 'executions'));
  }

  private file(name: string): string {
    assertExecutionName(name);
    return join(this.dir, `${name}.json`);
  }

  /** Whether an execution of that name was ever started here. */
  async exists(name: string): Promise<boolean> {
    try {
      await access(this.file(name));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  /** Saves a record; concurrent saves of one execution are applied in call order. */
  save(record: ExecutionRecord): Promise<void> {
    const path = this.file(record.name);
    // Compact: written twice per execution on the upload path; `npm run executions` formats it.
    const body = `${JSON.stringify(record)}\n`;
    const previous = this.writes.get(record.name) ?? Promise.resolve();
    const next = previous.then(async () => {
      await mkdir(this.dir, { recursive: true });
      const temp = `${path}.${process.pid}.tmp`;
      await writeFile(temp, body);
      await rename(temp, path);
    });
    const tracked = next.finally(() => {
      if (this.writes.get(record.name) === tracked) this.writes.delete(record.name);
    });
    this.writes.set(record.name, tracked);
    return next;
  }

  /** One execution with its timeline; NotFoundError when there is none of that name. */
  async get(name: string): Promise<ExecutionRecord> {
    try {
      return JSON.parse(await readFile(this.file(name), 'utf8')) as ExecutionRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new NotFoundError(`No local execution named "${name}": run \`npm run executions\` to list them.`);
      }
      throw error;
    }
  }

  /** All executions, newest first, without their timelines. */
  async list(options: { limit?: number; status?: ExecutionStatus } = {}): Promise<ExecutionSummary[]> {
    const files = (
      await readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [] as string[]; // nothing has run yet
        throw error;
      })
    ).filter((file) => file.endsWith('.json'));
    const records = await Promise.all(
      files.map(async (file) => {
        try {
          return JSON.parse(await readFile(join(this.dir, file), 'utf8')) as ExecutionRecord;
        } catch {
          return undefined; // being replaced right now, or not ours
        }
      }),
    );
    return records
      .filter((record): record is ExecutionRecord => record !== undefined && typeof record.name === 'string')
      .filter((record) => !options.status || record.status === options.status)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.name.localeCompare(b.name))
      .slice(0, options.limit ?? Number.POSITIVE_INFINITY)
      .map(({ events: _events, input, output: _output, ...summary }) => {
        const key = (input as { key?: unknown } | null)?.key;
        return typeof key === 'string' ? { ...summary, key } : summary;
      });
  }
}

/** How often a running execution's progress is saved, so `npm run executions` sees it. */
const FLUSH_EVERY_MS = 250;

/**
 * Saves a running execution's progress at most every FLUSH_EVERY_MS, with a trailing save so the
 * last events before a long Wait are on disk too (`npm run executions`, a restart after a kill).
 */
export function throttledFlush(save: () => Promise<void>): { request(): void; cancel(): void } {
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    timer = undefined;
    last = Date.now();
    void save().catch(() => {});
  };
  return {
    request() {
      if (timer) return;
      const wait = FLUSH_EVERY_MS - (Date.now() - last);
      if (wait <= 0) run();
      else timer = setTimeout(run, wait);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** The slice of aws-local-stepfunctions' EventLog that the timeline reads. */
export interface RawEventLog {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  Error?: string;
  Cause?: unknown;
  input?: unknown;
  output?: unknown;
  retry?: { retrier: { ErrorEquals: string[] }; attempt: number };
  catch?: { catcher: { ErrorEquals: string[]; Next: string } };
}

/** Condenses one library event into a timeline entry (errors with readable causes). */
export function toHistoryEvent(event: RawEventLog, startedAtMs: number): HistoryEvent {
  const entry: HistoryEvent = {
    type: event.type,
    at: new Date(event.timestamp).toISOString(),
    elapsedMs: Math.max(0, event.timestamp - startedAtMs),
  };
  if (event.state) {
    entry.state = event.state.name;
    entry.stateType = event.state.type;
    if (event.type === 'StateEntered') entry.input = event.state.input;
    if (event.type === 'StateExited') entry.output = event.state.output;
  }
  if (event.type === 'ExecutionStarted') entry.input = event.input;
  if (event.type === 'ExecutionSucceeded') entry.output = event.output;
  if (event.Error !== undefined) {
    entry.error = event.Error;
    entry.cause = causeMessage(event.Cause);
  }
  if (event.retry) {
    entry.attempt = event.retry.attempt;
    entry.errorEquals = event.retry.retrier.ErrorEquals;
  }
  if (event.catch) {
    entry.errorEquals = event.catch.catcher.ErrorEquals;
    entry.next = event.catch.catcher.Next;
  }
  return entry;
}

/**
 * JSON for the local server: `GET /local/executions` (summaries, newest first; `?status=` and
 * `?limit=` filter) and `GET /local/executions/{name}` (one record with its timeline).
 * Returns `{ status, body }`; errors as `{ detail }` like the rest of the API.
 */
export async function executionsHttp(
  history: ExecutionHistory,
  request: { name?: string; query?: Record<string, string | undefined> },
): Promise<{ status: number; body: unknown }> {
  try {
    if (request.name !== undefined) return { status: 200, body: await history.get(request.name) };
    const limit = request.query?.limit === undefined ? undefined : Number(request.query.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
      throw new ValidationError('limit must be a positive whole number');
    }
    const status = request.query?.status?.toUpperCase();
    if (status !== undefined && !(EXECUTION_STATUSES as readonly string[]).includes(status)) {
      throw new ValidationError(`status must be one of ${EXECUTION_STATUSES.join(', ')}`);
    }
    const executions = await history.list({
      ...(limit === undefined ? {} : { limit }),
      ...(status === undefined ? {} : { status: status as ExecutionStatus }),
    });
    return { status: 200, body: { executions, count: executions.length } };
  } catch (error) {
    if (error instanceof NotFoundError) return { status: 404, body: { detail: error.message } };
    if (error instanceof ValidationError) return { status: 400, body: { detail: error.message } };
    throw error;
  }
}
