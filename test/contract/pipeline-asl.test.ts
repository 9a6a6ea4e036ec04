import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAMBDA_SERVICE_ERRORS, RETRYABLE_ERRORS } from '../../lib/ingest/errors.js';
import { RECORDED_FAILURE_ERROR } from '../../lib/ingest/execution-failure.js';
import { TASK_FUNCTION_TIMEOUT_SECONDS } from '../../lib/ingest/timeouts.js';

/**
 * The contract of statemachines/ingest-audio.asl.json with the CDK stack and the local runner:
 * valid ASL, Task resources `${<Name>FunctionArn}` where functions/ingest/<kebab-name>.ts exports
 * `handler`, every Task retried on Lambda service errors and caught into MarkFailed.
 */
// asl-validator ships no type declarations; this is its documented call shape.
const aslValidator = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errors: unknown[];
};
const root = join(import.meta.dirname, '../..');
const definition = JSON.parse(readFileSync(join(root, 'statemachines/ingest-audio.asl.json'), 'utf8'));

interface State {
  Type: string;
  Resource?: string;
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number; BackoffRate?: number; IntervalSeconds?: number }[];
  Catch?: { ErrorEquals: string[]; ResultPath?: string; Next: string }[];
  Next?: string;
  Seconds?: number;
  ResultPath?: string;
}
const states = Object.entries(definition.States as Record<string, State>);
const tasks = states.filter(([, state]) => state.Type === 'Task');
const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

describe('ingest-audio.asl.json', () => {
  it('is valid ASL (asl-validator, default options)', () => {
    const result = aslValidator(structuredClone(definition));
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('has the five Tasks the functions implement', () => {
    expect(tasks.map(([name]) => name).sort()).toEqual(
      ['CheckTranscription', 'CompleteTranscription', 'MarkFailed', 'RegisterUpload', 'StartTranscription'].sort(),
    );
  });

  it.each(tasks)('%s uses the <Name>FunctionArn placeholder of an existing handler file', async (name, state) => {
    expect(state.Resource).toBe(`\${${name}FunctionArn}`);
    const file = join(root, 'functions/ingest', `${kebab(name)}.ts`);
    expect(existsSync(file)).toBe(true);
    const source = readFileSync(file, 'utf8');
    expect(source).toMatch(/export const handler = middy/);
  });

  it('uses no other placeholders', () => {
    const placeholders = JSON.stringify(definition).match(/\$\{[^}]+\}/g) ?? [];
    expect(new Set(placeholders)).toEqual(new Set(tasks.map(([name]) => `\${${name}FunctionArn}`)));
  });

  it.each(tasks)('%s retries Lambda service errors with backoff and a bound', (_name, state) => {
    const lambda = state.Retry?.find((retry) =>
      LAMBDA_SERVICE_ERRORS.every((error) => retry.ErrorEquals.includes(error)),
    );
    expect(lambda).toBeDefined();
    expect(lambda?.MaxAttempts).toBeGreaterThan(0);
    expect(lambda?.BackoffRate).toBeGreaterThan(1);
  });

  it.each(tasks)('%s retries the transient pipeline errors (MarkFailed too: a throttled store)', (_name, state) => {
    const retried = state.Retry?.flatMap((retry) => retry.ErrorEquals) ?? [];
    for (const error of RETRYABLE_ERRORS) expect(retried).toContain(error);
  });

  it.each(tasks)('%s catches States.ALL', (name, state) => {
    const all = state.Catch?.find((entry) => entry.ErrorEquals.includes('States.ALL'));
    expect(all).toBeDefined();
    if (name === 'MarkFailed') expect(all?.Next).toBe('FailedUnrecorded');
    else expect(all).toMatchObject({ ResultPath: '$.error', Next: 'MarkFailed' });
  });

  it.each(tasks)('%s has a TimeoutSeconds above its function timeout, so the function times out first', (_n, state) => {
    const timeout = (state as State & { TimeoutSeconds?: number }).TimeoutSeconds;
    expect(timeout).toBeGreaterThan(TASK_FUNCTION_TIMEOUT_SECONDS);
  });

  it('MarkFailed ends in IngestFailed, the error the execution-failure handler leaves alone', () => {
    const failed = definition.States[definition.States.MarkFailed.Next];
    expect(failed).toMatchObject({ Type: 'Fail', Error: RECORDED_FAILURE_ERROR, CausePath: '$.failed.reason' });
  });

  it('a MarkFailed that failed ends the execution with the original error, for the execution-failure handler', () => {
    expect(definition.States.FailedUnrecorded).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.error.Error',
      CausePath: '$.error.Cause',
    });
  });

  it('every way into MarkFailed sets $.error with a string Error and Cause (the Fail states read both)', () => {
    for (const [name, state] of states) {
      const catchers = (state.Catch ?? []).filter((entry) => entry.Next === 'MarkFailed');
      for (const catcher of catchers) expect(catcher.ResultPath, name).toBe('$.error');
      const pass = state as State & {
        Next?: string;
        Result?: Record<string, unknown>;
        Parameters?: Record<string, unknown>;
      };
      if (state.Type === 'Pass' && pass.Next === 'MarkFailed') {
        expect(pass.ResultPath, name).toBe('$.error');
        const body = pass.Result ?? pass.Parameters ?? {};
        expect(typeof body.Error, name).toBe('string');
        expect(typeof (body.Cause ?? body['Cause.$']), name).toBe('string');
      }
    }
  });

  it('no Pass state reads an optional path (a missing one is an uncatchable States.Runtime)', () => {
    // TranscriptionFailed reads $.check.failureReason: only a Choice that checked it is a string leads there.
    const choices = definition.States.TranscriptionState.Choices as { And?: unknown[]; Next: string }[];
    const guarded = choices.find((choice) => choice.Next === 'TranscriptionFailed');
    expect(guarded?.And).toEqual([
      { Variable: '$.check.state', StringEquals: 'FAILED' },
      { Variable: '$.check.failureReason', IsPresent: true },
      { Variable: '$.check.failureReason', IsString: true },
    ]);
    expect(choices.indexOf(guarded!)).toBeLessThan(
      choices.findIndex((choice) => choice.Next === 'TranscriptionFailedWithoutReason'),
    );
    expect(definition.States.TranscriptionFailed.Parameters).toEqual({
      Error: 'TranscriptionFailed',
      'Cause.$': '$.check.failureReason',
    });
    expect(definition.States.UseRegisteredKey).toMatchObject({
      Type: 'Pass',
      InputPath: '$.registered.key',
      ResultPath: '$.key',
    });
  });

  it('writes each Task result under its own path, never over the input', () => {
    const paths = tasks.map(([, state]) => state.ResultPath);
    expect(paths.every((path) => typeof path === 'string' && /^\$\.[a-zA-Z]+$/.test(path))).toBe(true);
    expect(new Set(paths).size).toBe(paths.length);
    for (const field of ['bucket', 'key', 'sequencer', 'etag', 'size', 'execution'])
      expect(paths).not.toContain(`$.${field}`);
  });

  it('bounds the poll loop: a Choice compares $.check.attempts before waiting again', () => {
    const choice = definition.States.TranscriptionState;
    const bound = choice.Choices.find((rule: { Variable: string }) => rule.Variable === '$.check.attempts');
    expect(bound).toMatchObject({ NumericGreaterThanEqualsPath: '$.check.maxAttempts' });
    expect(definition.States[bound.Next]).toMatchObject({ Type: 'Pass', Next: 'MarkFailed' });
    expect(definition.States[bound.Next].Result.Cause).toMatch(/timed out/);
    expect(choice.Default).toBe('WaitForTranscription');
    expect(definition.States.WaitForTranscription.Seconds).toBeGreaterThan(0);
  });

  it('ends stale events quietly (Succeed, not Fail)', () => {
    expect(definition.States.RegisterUpload.Next).toBe('UseRegisteredKey');
    expect(definition.States.UseRegisteredKey.Next).toBe('IsNewUpload');
    const rule = definition.States.IsNewUpload.Choices[0];
    expect(rule).toMatchObject({ Variable: '$.registered.stale', BooleanEquals: true });
    expect(definition.States[rule.Next].Type).toBe('Succeed');
  });
});
