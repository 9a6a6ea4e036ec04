import { describe, expect, it } from 'vitest';
import { listFlag, numberFlag, numberListFlag } from '../../bench/args.js';

describe('benchmark flags', () => {
  const argv = ['--only', 'store,migrate', '--rows', '20000,100000', '--uploads=30', '--runs', '5'];

  it('reads each benchmark’s own flags from a command line that holds the others’ too', () => {
    expect(listFlag(argv, '--only', ['all'])).toEqual(['store', 'migrate']);
    expect(numberListFlag(argv, '--rows', [1])).toEqual([20_000, 100_000]);
    expect(numberFlag(argv, '--uploads', 50)).toBe(30);
    expect(numberFlag(argv, '--runs', 1)).toBe(5);
    expect(numberFlag(argv, '--requests', 200)).toBe(200);
    expect(listFlag([], '--only', ['store', 'api'])).toEqual(['store', 'api']);
  });

  it('names the flag and the expected form when a value is wrong or missing', () => {
    expect(() => numberFlag(['--rows', '-5'], '--rows', 1)).toThrow(/--rows takes whole numbers ≥ 1/);
    expect(() => numberListFlag(['--rows', '10,x'], '--rows', [1])).toThrow(/got 10,x/);
    expect(() => numberFlag(['--rows'], '--rows', 1)).toThrow(/--rows needs a value/);
  });
});
