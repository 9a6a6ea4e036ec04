import { createHmac, createSecretKey, hkdfSync, type KeyObject, timingSafeEqual } from 'node:crypto';
import { jwtKey } from '../auth/context.js';
import type { Config } from '../config.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import { built } from '../runtime/ports.js';
import type { Deps } from '../runtime.js';
import { KEY_PARAM } from './key-forms.js';

/**
 * Signed stream URLs: `GET /api/audio/{filename}?expires=…&signature=…` works without a session,
 * so `<audio>` elements and external players (which send no cookie or header) can play a file the
 * API listed. The signature is an HMAC-SHA256 over the filename and the expiry, with a key derived
 * from the JWT key (HKDF, its own purpose), so there is no second secret to provision and rotating
 * the JWT key revokes every stream URL too. Hand-written: no library signs URLs for a key of ours.
 */

export const EXPIRES_PARAM = 'expires';
export const SIGNATURE_PARAM = 'signature';

/** Expiries are rounded up to this step, so the URL of a file stays the same between page polls. */
const EXPIRY_STEP_SECONDS = 3600;
/** Bytes of the HMAC kept in the URL (128 bits). */
const SIGNATURE_BYTES = 16;
const HKDF_INFO = 'audio-ingest stream URL v1';

/**
 * The stream-URL key of these deps, derived once per container from the JWT key (read once for
 * this and the token service), as a KeyObject: createHmac would import raw bytes on every call.
 */
export function streamKey(deps: Deps): Promise<KeyObject> {
  return built(deps, 'streamKey', async (d) =>
    createSecretKey(new Uint8Array(hkdfSync('sha256', await jwtKey(d), new Uint8Array(0), HKDF_INFO, 32))),
  );
}

function signature(key: KeyObject, filename: string, expires: number): Buffer {
  return createHmac('sha256', key)
    .update(
      `${expires}
${filename}`,
      'utf8',
    )
    .digest()
    .subarray(0, SIGNATURE_BYTES);
}

/** The expiry a URL signed now carries: at least `ttlSeconds` away, rounded up to the hour. */
export function expiryFor(now: Date, ttlSeconds: number): number {
  const at = Math.floor(now.getTime() / 1000) + ttlSeconds;
  return Math.ceil(at / EXPIRY_STEP_SECONDS) * EXPIRY_STEP_SECONDS;
}

/**
 * The query of a signed stream URL for `filename`, valid until `expires` (epoch seconds).
 */
export function signedQuery(key: KeyObject, filename: string, expires: number): string {
  const value = signature(key, filename, expires).toString('base64url');
  return `${EXPIRES_PARAM}=${expires}&${SIGNATURE_PARAM}=${value}`;
}

/**
 * Checks a stream request's signature: valid for this filename and not expired, else a
 * ForbiddenError saying which and what to do; none at all is an UnauthorizedError.
 */
export function checkStreamSignature(
  key: KeyObject,
  filename: string,
  query: { expires?: string | undefined; signature?: string | undefined },
  now: Date = new Date(),
): void {
  if (query.expires === undefined && query.signature === undefined) {
    throw new UnauthorizedError(
      'Not authenticated: log in, or play the file from its signed `url` (GET /api/audio/list or /api/audio/search).',
    );
  }
  const expires = Number(query.expires);
  const given = Buffer.from(query.signature ?? '', 'base64url');
  const expected = signature(key, filename, Number.isSafeInteger(expires) ? expires : 0);
  if (!Number.isSafeInteger(expires) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ForbiddenError(
      'This stream URL is not valid for this file: take the file’s `url` from GET /api/audio/list unchanged.',
    );
  }
  if (expires * 1000 <= now.getTime()) {
    throw new ForbiddenError(
      `This stream URL expired at ${new Date(expires * 1000).toISOString()}: get a fresh one from GET /api/audio/list (the file's \`url\`).`,
    );
  }
}

/**
 * Path of the stream route for a key: the path form `/api/audio/<name>` when `inPath` says API
 * Gateway routes it back to this key, else the key form `/api/audio?filename=<name>`. Encoded
 * with encodeURIComponent plus `!'()*`, so the URL is safe inside HTML attributes and quotes.
 */
function streamPath(filename: string, inPath: (filename: string) => boolean): { path: string; query: string } {
  const encoded = strictEncode(filename);
  return inPath(filename)
    ? { path: `/api/audio/${encoded}`, query: '' }
    : { path: '/api/audio', query: `${KEY_PARAM}=${encoded}` };
}

/** encodeURIComponent, also escaping the characters it leaves that would close a quoted attribute or string. */
export function strictEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface StreamUrlOptions {
  /** Null for PUBLIC_AUDIO: the URL carries no signature. */
  key: KeyObject | null;
  now: Date;
  config: Pick<Config, 'STREAM_URL_TTL_SECONDS'>;
  inPath: (filename: string) => boolean;
}

/** The `url` of a file in API results: relative to the API's origin, signed unless PUBLIC_AUDIO. */
export function streamUrl(filename: string, options: StreamUrlOptions): string {
  const { path, query } = streamPath(filename, options.inPath);
  const signed = options.key
    ? signedQuery(options.key, filename, expiryFor(options.now, options.config.STREAM_URL_TTL_SECONDS))
    : '';
  const search = [query, signed].filter(Boolean).join('&');
  return search ? `${path}?${search}` : path;
}
