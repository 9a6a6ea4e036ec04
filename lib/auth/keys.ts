import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import { readSecretString } from './secrets.js';
import { MIN_KEY_BYTES } from './tokens.js';

/** File in DATA_DIR holding the locally generated key (base64url, mode 0600). */
export const LOCAL_KEY_FILE = 'jwt-secret.key';

/**
 * Resolves the JWT signing key: JWT_SECRET, else the Secrets Manager secret JWT_SECRET_ARN, else
 * (local mode only) 32 random bytes generated once and kept in DATA_DIR. A key shorter than 32
 * bytes is a ConfigError: the process refuses to start rather than sign with a guessable key.
 */
export async function loadJwtKey(
  config: Pick<Config, 'JWT_SECRET' | 'JWT_SECRET_ARN' | 'DATA_DIR' | 'APP_ENV'>,
  readSecret: (id: string) => Promise<string> = readSecretString,
): Promise<Uint8Array> {
  if (config.JWT_SECRET !== undefined) return checked(config.JWT_SECRET, 'JWT_SECRET');
  if (config.JWT_SECRET_ARN !== undefined) return checked(await readSecret(config.JWT_SECRET_ARN), 'JWT_SECRET_ARN');
  if (config.APP_ENV !== 'local') {
    throw new ConfigError('JWT_SECRET_ARN (or JWT_SECRET) must be set when APP_ENV is not local.');
  }
  return localKey(config.DATA_DIR);
}

function checked(secret: string, name: string): Uint8Array {
  const key = new TextEncoder().encode(secret);
  if (key.byteLength < MIN_KEY_BYTES) {
    throw new ConfigError(
      `${name}: the JWT key is ${key.byteLength} bytes; use at least ${MIN_KEY_BYTES} random bytes (e.g. \`openssl rand -base64 48\`).`,
    );
  }
  return key;
}

async function localKey(dataDir: string): Promise<Uint8Array> {
  const file = join(dataDir, LOCAL_KEY_FILE);
  try {
    return checked((await readFile(file, 'utf8')).trim(), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(MIN_KEY_BYTES).toString('base64url');
  try {
    // `wx` fails if another process created the file in the meantime; then we read theirs.
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    return checked(secret, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return checked((await readFile(file, 'utf8')).trim(), file);
  }
}
