import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_KEY_FILE, loadJwtKey } from '../../../lib/auth/keys.js';
import { ConfigError } from '../../../lib/errors.js';

describe('JWT key loading', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jwt-key-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });
  const base = { JWT_SECRET: undefined, JWT_SECRET_ARN: undefined, APP_ENV: 'local' as const };

  it('refuses a JWT_SECRET shorter than 32 bytes, naming the variable', async () => {
    const error = await loadJwtKey({ ...base, JWT_SECRET: 'short-secret', DATA_DIR: await tempDir() }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/JWT_SECRET.*12 bytes.*at least 32/);
  });

  it('uses a JWT_SECRET of 32+ bytes as is', async () => {
    const key = await loadJwtKey({ ...base, JWT_SECRET: 'x'.repeat(32), DATA_DIR: await tempDir() });
    expect(Buffer.from(key).toString()).toBe('x'.repeat(32));
  });

  it('locally generates a key once, keeps it in DATA_DIR with mode 0600, and reuses it', async () => {
    const dir = await tempDir();
    const first = await loadJwtKey({ ...base, DATA_DIR: dir });
    const second = await loadJwtKey({ ...base, DATA_DIR: dir });
    expect(first.byteLength).toBeGreaterThanOrEqual(32);
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    const file = join(dir, LOCAL_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(Buffer.from(first).toString());
  });

  it('reads JWT_SECRET_ARN through the secret reader when deployed, and checks its length', async () => {
    const dir = await tempDir();
    const reads: string[] = [];
    const reader = async (id: string) => {
      reads.push(id);
      return 's'.repeat(40);
    };
    const key = await loadJwtKey({ ...base, APP_ENV: 'aws', JWT_SECRET_ARN: 'arn:secret', DATA_DIR: dir }, reader);
    expect(key.byteLength).toBe(40);
    expect(reads).toEqual(['arn:secret']);
    await expect(
      loadJwtKey({ ...base, APP_ENV: 'aws', JWT_SECRET_ARN: 'arn:secret', DATA_DIR: dir }, async () => 'short'),
    ).rejects.toThrow(/JWT_SECRET_ARN/);
  });

  it('never generates a key when deployed', async () => {
    await expect(loadJwtKey({ ...base, APP_ENV: 'aws', DATA_DIR: await tempDir() })).rejects.toThrow(/JWT_SECRET_ARN/);
  });
});
