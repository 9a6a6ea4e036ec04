import { createHash } from 'node:crypto';
import { normalizeSequencer } from '../store/common.js';

/**
 * Names derived from S3 keys: the readings of an event's key, the Step Functions execution name
 * and the Transcribe job name. All are pure functions so every retry and every duplicate delivery
 * of one upload derives the same names.
 */

/** Objects the pipeline writes into the audio bucket itself (transcripts); their events are not uploads. */
export const TRANSCRIPTS_PREFIX = 'transcripts/';

const IGNORED_KEYS = new Set(['.write_access_check_file.temp']);

/** Keys the pipeline itself writes (transcripts, Transcribe's write check) are not uploads. */
export function isIgnoredKey(key: string): boolean {
  return key.startsWith(TRANSCRIPTS_PREFIX) || IGNORED_KEYS.has(key);
}

/** The message of an UndecodableKeyError: the event's key is not valid percent-encoding and no object has it as written. */
export function undecodableKeyMessage(raw: string): string {
  return `undecodable key ${JSON.stringify(raw)}: the S3 event's key is not valid URL encoding, and no object is stored under it as written either. Rename the object (avoid a bare "%") and upload it again.`;
}

/**
 * The readings of an event's object key, the URL-decoded one first (`+` is a space, then
 * percent-decoding, so `a%2Bb.mp3` → `a+b.mp3`), then the key as written when it differs. No
 * source's encoding is assumed: RegisterUpload asks S3 which one exists (resolve.ts).
 * Malformed percent-encoding leaves only the key as written, flagged `undecodable`.
 */
export function keyReadings(raw: string): { readings: string[]; undecodable: boolean } {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return { readings: [raw], undecodable: true };
  }
  return { readings: decoded === raw ? [raw] : [decoded, raw], undecodable: false };
}

/** Step Functions execution names: at most 80 characters of `[0-9A-Za-z_-]`. */
export const EXECUTION_NAME_MAX = 80;
const HASH_LENGTH = 12;

/** Readable ASCII slug of a key: accents dropped, every other run of symbols one `-`. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^0-9A-Za-z]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Short hex digest of the parts, joined unambiguously. */
export function shortHash(parts: readonly (string | null | undefined)[], length = HASH_LENGTH): string {
  return createHash('sha256')
    .update(JSON.stringify(parts.map((part) => part ?? null)))
    .digest('hex')
    .slice(0, length);
}

/**
 * Deterministic, readable execution name of one upload: the slug of the key's tail plus a short
 * hash of bucket, key, sequencer and etag, so duplicate deliveries collide
 * (ExecutionAlreadyExists) and different uploads of one key do not. `suffix` marks a re-run.
 */
export function executionName(
  upload: { bucket: string; key: string; sequencer?: string | null; etag?: string | null },
  suffix?: string,
): string {
  // Both: real S3 gives one upload one sequencer, but a local endpoint may reuse a sequencer
  // (millisecond clock) for two uploads whose etags differ.
  const sequencer = normalizeSequencer(upload.sequencer);
  const extra = suffix ? `-${slugify(suffix)}` : '';
  const hash = shortHash([upload.bucket, upload.key, sequencer, unquoteEtag(upload.etag), suffix ?? null]);
  const room = EXECUTION_NAME_MAX - hash.length - 1 - extra.length;
  const slug = slugify(upload.key).slice(-room).replace(/^-+/, '') || 'upload';
  return `${slug}${extra}-${hash}`;
}

const NAME_HASH = new RegExp(`-[0-9a-f]{${HASH_LENGTH}}$`);

/**
 * Whether `name` may be an execution name that executionName gave an upload of `key` (its slug
 * part is a tail of the slug of the key or of its other reading: an execution is named from the
 * event's decoded reading, while the row keeps the key S3 has, e.g. `100%25.mp3` named as
 * `100%.mp3`), with or without a re-run suffix. A cheap filter before the execution's input is
 * read; it never misses one of the key's executions.
 */
export function mayNameExecutionOf(name: string, key: string): boolean {
  const rest = name.replace(NAME_HASH, '');
  if (rest === name) return false;
  const slugs = keyReadings(key).readings.map(slugify);
  return [rest, rest.replace(/-rerun-[0-9a-z]+$/, '')].some(
    (part) => part === 'upload' || (part.length > 0 && slugs.some((slug) => slug.endsWith(part))),
  );
}

/** ETags arrive quoted from HeadObject and bare in events; compare them bare. */
export function unquoteEtag(etag: string | null | undefined): string | null {
  if (!etag) return null;
  return etag.replace(/^"+|"+$/g, '');
}

const JOB_NAME = /^[0-9a-zA-Z._-]{1,200}$/;

/**
 * Transcribe job name of one execution (job names are unique per account, 1–200 of
 * `[0-9a-zA-Z._-]`). Execution names already fit, so the job is named after its execution: a
 * retried task adopts its own job, and a re-run (a new execution) gets a new job.
 */
export function transcriptionJobName(input: { execution: string; bucket: string; key: string }): string {
  if (JOB_NAME.test(input.execution)) return input.execution;
  const slug = slugify(input.key).slice(-150).replace(/^-+/, '') || 'upload';
  return `${slug}-${shortHash([input.bucket, input.key, input.execution])}`;
}
