import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  aslPlaceholders,
  aslSubstitutions,
  aslTimeoutSeconds,
  functionArnPlaceholder,
} from '../../stacks/constructs/asl.js';
import { ASL_PATH } from '../../stacks/constructs/ingest-pipeline.js';
import { environmentSettings } from '../../stacks/settings.js';

describe('environment settings', () => {
  it('names everything <project>-<environment> and defaults to dev', () => {
    expect(environmentSettings(undefined).prefix).toBe('audio-ingest-dev');
    expect(environmentSettings('prod')).toMatchObject({ prefix: 'audio-ingest-prod', pointInTimeRecovery: true });
  });

  it('rejects an unknown environment, listing the accepted ones', () => {
    expect(() => environmentSettings('staging')).toThrow(
      /Unknown environment "staging".*-c environment=prod.*dev, prod/,
    );
  });

  it('takes allowed origins from context and rejects a URL with a path', () => {
    expect(environmentSettings('prod', 'https://a.example, https://b.example').corsOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
    expect(() => environmentSettings('prod', 'https://a.example/app')).toThrow(/not an origin/);
  });
});

describe('ASL substitutions', () => {
  /** `${name}` as it appears in an ASL file. */
  const ph = (name: string) => `\${${name}}`;
  const write = (text: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'asl-')), 'x.asl.json');
    writeFileSync(file, text);
    return file;
  };

  it('maps task files to the placeholder names the ASL uses', () => {
    expect(functionArnPlaceholder('register-upload')).toBe('RegisterUploadFunctionArn');
    expect(aslPlaceholders(`{"a":"${ph('A')}","b":"${ph('B')}","c":"${ph('A')}"}`)).toEqual(['A', 'B']);
  });

  it('covers exactly the placeholders in the file', () => {
    const file = write(`{"Resource":"${ph('AFunctionArn')}"}`);
    expect(aslSubstitutions(file, { AFunctionArn: 'arn:a', BFunctionArn: 'arn:b' })).toEqual({ AFunctionArn: 'arn:a' });
  });

  it('fails synth on a placeholder the stack cannot fill, naming it', () => {
    const file = write(`{"Resource":"${ph('TypoFunctionArn')}"}`);
    expect(() => aslSubstitutions(file, { AFunctionArn: 'arn:a' })).toThrow(
      /TypoFunctionArn.*provides only AFunctionArn/,
    );
  });

  it('reads the top-level timeout the ingest file declares (6 hours)', () => {
    expect(aslTimeoutSeconds(write('{"StartAt":"A","TimeoutSeconds":60}'))).toBe(60);
    expect(aslTimeoutSeconds(ASL_PATH)).toBe(6 * 3600);
  });

  it('fails synth on a file without a whole, positive top-level timeout, naming the fix', () => {
    for (const text of [
      '{"StartAt":"A"}',
      '{"TimeoutSeconds":"60"}',
      '{"TimeoutSeconds":0}',
      '{"TimeoutSeconds":1.5}',
    ]) {
      expect(() => aslTimeoutSeconds(write(text))).toThrow(/no top-level "TimeoutSeconds".*"TimeoutSeconds": 21600/);
    }
  });
});
