import { ValidationError } from '../errors.js';
import type { SaveYotoTokensInput, YotoLockOptions } from './store.js';

/** The Python service's lease: 30 s. */
const DEFAULT_YOTO_LOCK_SECONDS = 30;
const MAX_YOTO_LOCK_SECONDS = 3_600;

function optionalText(value: unknown, field: string): string | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string') throw new ValidationError(`Invalid ${field}: it must be a string, null or left out.`);
  return value;
}

function checkName(username: unknown): void {
  if (typeof username !== 'string' || username.trim() === '') {
    throw new ValidationError('Invalid username: it must be a non-empty string.');
  }
}

/** Validates saveYotoTokens input (both adapters). */
export function checkYotoTokens(username: string, input: SaveYotoTokensInput): SaveYotoTokensInput {
  checkName(username);
  if (typeof input?.refreshToken !== 'string' || input.refreshToken === '') {
    throw new ValidationError('Invalid refreshToken: it must be a non-empty string.');
  }
  const lockOwner = optionalText(input.lockOwner, 'lockOwner');
  if (lockOwner === '' || lockOwner === null)
    throw new ValidationError('Invalid lockOwner: it must be a non-empty string.');
  return {
    refreshToken: input.refreshToken,
    accessToken: optionalText(input.accessToken, 'accessToken'),
    expiresAt: optionalText(input.expiresAt, 'expiresAt'),
    ...(lockOwner !== undefined ? { lockOwner } : {}),
    releaseLock: input.releaseLock === true,
  };
}

/** Validates the user and owner of a lease call (both adapters). */
export function checkYotoOwner(username: string, owner: string): void {
  checkName(username);
  if (typeof owner !== 'string' || owner === '')
    throw new ValidationError('Invalid lock owner: it must be a non-empty string.');
}

/** Validates a lease request; returns now and the expiry as ISO 8601 UTC strings (both adapters). */
export function checkYotoLock(
  username: string,
  owner: string,
  options: YotoLockOptions = {},
): { now: string; expiresAt: string } {
  checkYotoOwner(username, owner);
  const ttl = options.ttlSeconds ?? DEFAULT_YOTO_LOCK_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_YOTO_LOCK_SECONDS) {
    throw new ValidationError(
      `Invalid lease ${ttl}: use a whole number of seconds from 1 to ${MAX_YOTO_LOCK_SECONDS}.`,
    );
  }
  const now = options.now ?? new Date();
  return { now: now.toISOString(), expiresAt: new Date(now.getTime() + ttl * 1000).toISOString() };
}
