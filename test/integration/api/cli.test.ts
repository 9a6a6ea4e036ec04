import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('npm start (lib/local/start.ts)', () => {
  it('serves the API, prints URL and admin credentials, and exits 0 on SIGINT', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'api-cli-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'lib/local/start.ts'], {
      env: { ...process.env, DATA_DIR: dir, PORT: '0', S3_PORT: '0', LOG_LEVEL: 'SILENT', APP_ENV: 'local' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 45_000;
      while (!/admin \/ \S+/.test(output) && Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`start exited early:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const url = output.match(/(http:\/\/127\.0\.0\.1:\d+)\/api /)?.[1];
      const password = output.match(/admin \/ (\S+)/)?.[1];
      expect(url, output).toBeDefined();
      const login = await fetch(`${url}/api/user/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      });
      expect(login.status).toBe(200);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(output).toMatch(/SIGINT received, shutting down/);
      await expect(fetch(`${url}/api/health`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
