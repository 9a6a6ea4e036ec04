import { describe, expect, it } from 'vitest';
import { onPath, runProgram } from '../../lib/programs.js';

/** The local adapters' programs, run through /bin/sh scripts that behave as each case needs. */
const options = { failure: 'the program failed', timeoutMs: 5_000, maxBuffer: 1024 * 1024 };

describe('runProgram', () => {
  it('resolves with stdout, and passes arguments as they are (no shell reads them)', async () => {
    expect(await runProgram('sh', ['-c', 'printf "%s|" "$@"', 'sh', 'a b', '$HOME', '; rm -rf /'], options)).toBe(
      'a b|$HOME|; rm -rf /|',
    );
  });

  it('rejects with the failure sentence and what the program wrote to stderr', async () => {
    await expect(runProgram('sh', ['-c', 'echo "  bad input  " >&2; exit 3'], options)).rejects.toThrow(
      /^the program failed: bad input$/,
    );
  });

  it('says why when there is no stderr: a program that is missing, or killed at its timeout', async () => {
    await expect(runProgram('no_such_program_42', [], options)).rejects.toThrow(/^the program failed: .*ENOENT/);
    const started = Date.now();
    await expect(runProgram('sh', ['-c', 'sleep 5'], { ...options, timeoutMs: 100 })).rejects.toThrow(
      /^the program failed: Command failed: sh -c sleep 5/,
    );
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('cuts a long stderr to 500 characters', async () => {
    const error = (await runProgram('sh', ['-c', 'head -c 2000 /dev/zero | tr "\\0" x >&2; exit 1'], options).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toBe(`the program failed: ${'x'.repeat(500)}`);
  });
});

describe('onPath', () => {
  it('looks executables up on PATH, and takes a path as it is', async () => {
    expect(await onPath('sh', '/bin:/usr/bin')).toBe(true);
    expect(await onPath('sh', '/nonexistent')).toBe(false);
    expect(await onPath('/bin/sh', '')).toBe(true);
    expect(await onPath('/nonexistent/sh')).toBe(false);
  });
});
