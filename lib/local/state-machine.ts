import {
  ExecutionAbortedError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { ValidationError } from '../errors.js';
import type { ExecutionStarter, RunningExecution, StartExecutionRequest, StopReason } from '../ingest/ports.js';
import { statesOfType, substitutePlaceholders } from './asl.js';
import {
  assertExecutionName,
  type ExecutionHistory,
  type ExecutionRecord,
  type RawEventLog,
  throttledFlush,
  toHistoryEvent,
} from './executions.js';

type JsonInput = Parameters<StateMachine['run']>[0];

/** A Task state's local implementation: state input in, state result out (JSON). */
export type TaskHandler = (input: unknown) => Promise<unknown>;

export interface LocalStateMachineOptions {
  definition: StateMachineDefinition;
  /** One handler per Task state name (startPipeline builds them from taskBindings in lib/local/asl.ts). */
  tasks: Record<string, TaskHandler>;
  history: ExecutionHistory;
  /** Values for non-function `${…}` placeholders (function ones are filled in). */
  substitutions?: Record<string, string>;
  /** Used in execution ARNs. */
  stateMachineName?: string;
  region?: string;
  /** Every Wait state pauses this long instead of its Seconds (default 50 ms). */
  waitMs?: number;
  /** Every Retry waits this long between attempts instead of its backoff (default 10 ms). */
  retryMs?: number;
  /** Executions running at once; more are queued in start order (default 8). */
  concurrency?: number;
  /** Called once per execution when it stops, after its record is saved (not when close() suspends it). */
  onSettled?: (record: ExecutionRecord) => void;
}

/**
 * The local ExecutionStarter: runs the ASL definition unchanged with aws-local-stepfunctions,
 * names de-duplicated as in Step Functions (a used name → `{ started: false }`, across restarts
 * too, because names are kept in the history), with bounded concurrency and a FIFO queue.
 * Executions outlive the process as Step Functions executions do: close() leaves the unfinished
 * ones RUNNING in the history (as does a killed process), and resume() runs them again from the
 * start (every Task is idempotent).
 */
export class LocalStateMachine implements ExecutionStarter {
  private readonly machine: StateMachine;
  private readonly overrides: NonNullable<RunOptions['overrides']>;
  private readonly names = new Set<string>();
  private readonly queue: ExecutionRecord[] = [];
  private readonly running = new Map<string, () => void>();
  /** The records of the running executions, by name (their inputs name the upload). */
  private readonly active = new Map<string, ExecutionRecord>();
  private readonly ended = new Set<string>();
  private readonly waiters = new Map<string, ((record: ExecutionRecord) => void)[]>();
  private idleWaiters: (() => void)[] = [];
  private readonly listeners = new Set<(record: ExecutionRecord) => void>();
  private readonly concurrency: number;
  private readonly arnPrefix: string;
  private closed = false;
  /** Set by close(): executions it stops stay RUNNING in the history, to be resumed. */
  private suspending = false;

  constructor(private readonly options: LocalStateMachineOptions) {
    this.machine = new StateMachine(substitutePlaceholders(options.definition, options.substitutions, options.region));
    const waitMs = options.waitMs ?? 50;
    const retryMs = options.retryMs ?? 10;
    this.overrides = {
      taskResourceLocalHandlers: options.tasks as NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers'],
      waitTimeOverrides: Object.fromEntries(statesOfType(options.definition, 'Wait').map((name) => [name, waitMs])),
      retryIntervalOverrides: Object.fromEntries(
        [
          ...statesOfType(options.definition, 'Task', 'Retry'),
          ...statesOfType(options.definition, 'Parallel', 'Retry'),
        ].map((name) => [name, retryMs]),
      ),
    };
    const missing = statesOfType(options.definition, 'Task').filter((name) => !options.tasks[name]);
    if (missing.length > 0) throw new Error(`No local handler for Task state(s): ${missing.join(', ')}`);
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    const region = options.region ?? 'us-east-1';
    this.arnPrefix = `arn:aws:states:${region}:000000000000:execution:${options.stateMachineName ?? 'ingest-audio'}:`;
  }

  /** Starts (or queues) a named execution; a name used before resolves `{ started: false }`. */
  async start(request: StartExecutionRequest): Promise<{ started: boolean; executionArn?: string }> {
    if (this.closed) throw new Error('The local state machine is closed.');
    try {
      assertExecutionName(request.name);
    } catch (error) {
      throw new ValidationError(`InvalidName: ${(error as Error).message}`);
    }
    const executionArn = this.arnPrefix + request.name;
    // Claimed synchronously so two concurrent starts of one name cannot both pass.
    if (this.names.has(request.name)) return { started: false, executionArn };
    this.names.add(request.name);
    if (await this.options.history.exists(request.name)) return { started: false, executionArn };
    const record: ExecutionRecord = {
      name: request.name,
      executionArn,
      stateMachine: this.options.stateMachineName ?? 'ingest-audio',
      status: 'RUNNING',
      input: request.input,
      startedAt: new Date().toISOString(),
      events: [],
    };
    try {
      await this.options.history.save(record);
    } catch (error) {
      this.names.delete(request.name); // nothing was recorded: a retried start may use the name
      throw error;
    }
    this.queue.push(record);
    this.pump();
    return { started: true, executionArn };
  }

  /** Resolves with the final record once the named execution has stopped. */
  async waitFor(name: string): Promise<ExecutionRecord> {
    const stopped = new Promise<ExecutionRecord>((resolve) => {
      const list = this.waiters.get(name) ?? [];
      list.push(resolve);
      this.waiters.set(name, list);
    });
    const active = this.running.has(name) || this.queue.some((record) => record.name === name);
    if (!active) {
      const record = await this.options.history.get(name).catch(() => undefined);
      if (record && record.status !== 'RUNNING') return record;
    }
    return stopped;
  }

  /** Calls `listener` with each execution's final record; returns the unsubscribe function. */
  onSettled(listener: (record: ExecutionRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when nothing is running or queued. */
  idle(): Promise<void> {
    if (this.running.size === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Executions running now and waiting for a slot. */
  get load(): { running: number; queued: number } {
    return { running: this.running.size, queued: this.queue.length };
  }

  /**
   * Stops a running or queued execution, as StopExecution does: it ends ABORTED. False when no
   * execution of that name is running here.
   */
  async abort(name: string): Promise<boolean> {
    const queued = this.queue.findIndex((record) => record.name === name);
    if (queued >= 0) {
      const [record] = this.queue.splice(queued, 1);
      await this.finish(record as ExecutionRecord, 'ABORTED', Date.now());
      this.ended.delete(name);
      return true;
    }
    const stop = this.running.get(name);
    if (!stop || this.ended.has(name)) return false;
    stop();
    return true;
  }

  /** The running and queued executions whose input is this upload (its key in either reading). */
  async findRunning(upload: { bucket: string; key: string }): Promise<RunningExecution[]> {
    return [...this.active.values(), ...this.queue]
      .filter((record) => {
        const input = record.input as { bucket?: unknown; key?: unknown; eventKey?: unknown };
        return input.bucket === upload.bucket && (input.key === upload.key || input.eventKey === upload.key);
      })
      .filter((record) => !this.ended.has(record.name))
      .map((record) => ({ name: record.name, executionArn: record.executionArn }));
  }

  /**
   * StopExecution by ARN: abort() of the execution it names, with the reason recorded as the
   * execution's error and cause (Step Functions records them on the ABORTED execution too).
   */
  async stop(executionArn: string, reason: StopReason): Promise<boolean> {
    if (!executionArn.startsWith(this.arnPrefix)) return false;
    const name = executionArn.slice(this.arnPrefix.length);
    const record = this.active.get(name) ?? this.queue.find((queued) => queued.name === name);
    if (record) {
      record.error = reason.error;
      record.cause = reason.cause;
    }
    return this.abort(name);
  }

  /**
   * Runs again, from the start, every execution the history shows RUNNING: the process that ran
   * them stopped (or was killed) before they ended. Returns their names.
   */
  async resume(): Promise<string[]> {
    const resumed: string[] = [];
    for (const { name } of await this.options.history.list({ status: 'RUNNING' })) {
      if (this.names.has(name)) continue; // started by this process
      const record = await this.options.history.get(name);
      this.names.add(name);
      const now = Date.now();
      record.events.push({
        type: 'ExecutionRestarted',
        at: new Date(now).toISOString(),
        elapsedMs: Math.max(0, now - Date.parse(record.startedAt)),
      });
      record.restarts = (record.restarts ?? 0) + 1;
      await this.options.history.save(record);
      this.queue.push(record);
      resumed.push(name);
    }
    this.pump();
    return resumed;
  }

  /**
   * Stops accepting executions. The running and queued ones are left RUNNING in the history, as
   * when the process is killed, and resume() in the next process runs them again.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.suspending = true;
    const suspended = this.queue.splice(0);
    for (const abort of this.running.values()) abort();
    await this.idle();
    for (const record of suspended) this.release(record);
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.queue.length > 0) {
      const record = this.queue.shift() as ExecutionRecord;
      this.running.set(record.name, () => {});
      this.active.set(record.name, record);
      void this.run(record)
        .catch(async (error: unknown) => {
          // The runner itself broke (not a state): record it rather than leave the run RUNNING.
          record.error = (error as Error).name ?? 'Error';
          record.cause = (error as Error).message ?? String(error);
          await this.finish(record, 'FAILED', Date.now());
        })
        .finally(() => {
          this.running.delete(record.name);
          this.active.delete(record.name);
          this.ended.delete(record.name);
          this.pump();
          if (this.running.size === 0 && this.queue.length === 0) {
            const waiters = this.idleWaiters;
            this.idleWaiters = [];
            for (const resolve of waiters) resolve();
          }
        });
    }
  }

  private async run(record: ExecutionRecord): Promise<void> {
    const startedMs = Date.now();
    record.queuedMs ??= startedMs - Date.parse(record.startedAt);
    const execution = this.machine.run(record.input as JsonInput, {
      overrides: this.overrides,
      context: {
        Execution: { Id: record.executionArn, Name: record.name, RoleArn: 'arn:aws:iam::000000000000:role/local' },
        StateMachine: {
          Id: this.arnPrefix.replace(':execution:', ':stateMachine:').slice(0, -1),
          Name: record.stateMachine,
        },
      },
    });
    this.running.set(record.name, () => execution.abort());
    const flush = throttledFlush(() => this.options.history.save(structuredClone(record)));
    const collect = (async () => {
      for await (const event of execution.eventLogs) {
        const entry = toHistoryEvent(event as unknown as RawEventLog, Date.parse(record.startedAt));
        record.events.push(entry);
        if (entry.type === 'ExecutionFailed') {
          record.error = entry.error;
          record.cause = entry.cause;
        }
        flush.request();
      }
    })();
    let status: ExecutionRecord['status'] = 'SUCCEEDED';
    try {
      record.output = await execution.result;
    } catch (error) {
      if (error instanceof ExecutionAbortedError) status = 'ABORTED';
      else if (error instanceof ExecutionTimeoutError) status = 'TIMED_OUT';
      else {
        status = 'FAILED';
        if (record.error === undefined) {
          record.error = (error as Error).name;
          record.cause = (error as Error).message;
        }
      }
    }
    // The logger closes after the final event; do not let a stuck iterator hold the slot.
    await Promise.race([collect, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    flush.cancel();
    if (status === 'ABORTED' && this.suspending) {
      // Stopped by close(): left RUNNING (its events so far kept) for the next process to resume.
      await this.options.history.save(record).catch(() => {});
      this.release(record);
      return;
    }
    await this.finish(record, status, startedMs);
  }

  /** Resolves the waiters of an execution that close() left RUNNING. */
  private release(record: ExecutionRecord): void {
    for (const resolve of this.waiters.get(record.name) ?? []) resolve(record);
    this.waiters.delete(record.name);
  }

  private async finish(record: ExecutionRecord, status: ExecutionRecord['status'], startedMs: number): Promise<void> {
    this.ended.add(record.name); // nothing left to abort, though its slot is freed only after this
    record.status = status;
    record.stoppedAt = new Date().toISOString();
    record.durationMs = Date.now() - Math.min(startedMs, Date.parse(record.startedAt));
    if (status !== 'FAILED' && record.error === undefined) {
      delete record.error;
      delete record.cause;
    }
    await this.options.history.save(record).catch(() => {});
    this.options.onSettled?.(record);
    for (const listener of this.listeners) listener(record);
    this.release(record);
  }
}
