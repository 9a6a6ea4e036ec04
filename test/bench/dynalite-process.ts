import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dynaliteClient, type LocalDynamo } from '../../lib/local/dynalite.js';

/**
 * dynalite in a child process, for the benchmarks that load hundreds of thousands of items: the
 * emulator gets a core of its own instead of sharing the event loop that builds and sends the
 * requests. Same wire protocol, same interface as
 * startDynalite. Spawned asynchronously: this process never blocks while the child serves it.
 */
export async function startDynaliteProcess(): Promise<LocalDynamo> {
  const script = fileURLToPath(new URL('./dynalite-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = output.split('\n')[0];
      if (output.includes('\n') && line) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`dynalite exited (code ${code}) before it listened`)));
    child.once('error', reject);
  });
  return {
    endpoint,
    client: () => dynaliteClient(endpoint),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}
