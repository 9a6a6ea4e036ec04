import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The programs the local adapters run (ffmpeg and pocketsphinx for transcription, espeak-ng and
 * lame for speech): found on PATH, run without a shell, their failures told in one sentence.
 */

const run = promisify(execFile);

export interface RunOptions {
  /** The sentence a failure starts with, e.g. "ffmpeg could not convert the file to WAV". */
  failure: string;
  /** Kills the program when it runs longer than this. */
  timeoutMs: number;
  /** The most stdout (or stderr) it may write before it is killed. */
  maxBuffer: number;
}

/**
 * Runs `command` with `args` (no shell: nothing in them is interpreted) and resolves with its
 * stdout. A failure, a kill at the timeout or too much output rejects with
 * `<failure>: <its stderr, or why it stopped>`, cut to 500 characters.
 */
export async function runProgram(command: string, args: readonly string[], options: RunOptions): Promise<string> {
  try {
    const { stdout } = await run(command, args, { timeout: options.timeoutMs, maxBuffer: options.maxBuffer });
    return stdout;
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new Error(`${options.failure}: ${detail.slice(0, 500)}`);
  }
}

/** Whether an executable of that name is on PATH (or is an executable path). */
export async function onPath(name: string, path = process.env.PATH ?? ''): Promise<boolean> {
  const candidates = name.includes('/')
    ? [name]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return true;
    } catch {
      // try the next directory
    }
  }
  return false;
}
