import { legacyStatusError, normalizeStatus } from '../../model/status.js';
import { toIso } from '../common.js';
import type { AudioRecord, UserRecord } from '../store.js';

/** A `users` row as stored (legacy rows may hold NULLs and Python-style values). */
export interface UserRow {
  id: number;
  username: string;
  email: string | null;
  hashed_password: string;
  is_active: number | string | null;
  is_admin: number | string | null;
  created_at: string | null;
  updated_at: string | null;
  yoto_access_token: string | null;
  yoto_refresh_token: string | null;
  yoto_token_expires_at: string | null;
  /** Added by migration 7. */
  session_version: number | null;
  yoto_token_lock_owner: string | null;
  yoto_token_lock_expires_at: string | null;
}

/** An `audio_files` row as stored. */
export interface AudioRow {
  id: number;
  filename: string;
  size: number | null;
  duration: number | null;
  transcript: string | null;
  transcript_status: string | null;
  transcript_error: string | null;
  transcript_s3_key: string | null;
  created_at: string | null;
  updated_at: string | null;
  transcribed_at: string | null;
  etag: string | null;
  sequencer: string | null;
}

const EPOCH = '1970-01-01T00:00:00.000Z';
/** SQLAlchemy Boolean is 0/1; hand-edited files may hold 'true'/'false'. NULL means the default. */
function toBool(value: number | string | null, fallback: boolean): boolean {
  if (value === null || value === undefined) return fallback;
  if (typeof value === 'string') return ['1', 'true', 't', 'yes'].includes(value.toLowerCase());
  return value !== 0;
}

/** Maps a `users` row to the camelCase record. */
export function toUser(row: UserRow): UserRecord {
  const createdAt = toIso(row.created_at) ?? EPOCH;
  return {
    userId: row.id,
    username: row.username,
    email: row.email ?? null,
    hashedPassword: row.hashed_password,
    isActive: toBool(row.is_active, true),
    isAdmin: toBool(row.is_admin, false),
    createdAt,
    updatedAt: toIso(row.updated_at) ?? createdAt,
    yotoRefreshToken: row.yoto_refresh_token ?? null,
    yotoAccessToken: row.yoto_access_token ?? null,
    yotoTokenExpiresAt: toIso(row.yoto_token_expires_at),
    sessionVersion: row.session_version ?? 0,
  };
}

/** Maps an `audio_files` row to the camelCase record; legacy statuses read as `failed`. */
export function toAudio(row: AudioRow): AudioRecord {
  const { status, legacy } = normalizeStatus(row.transcript_status);
  const createdAt = toIso(row.created_at) ?? EPOCH;
  return {
    filename: row.filename,
    size: row.size ?? 0,
    duration: row.duration ?? null,
    transcript: row.transcript ?? null,
    transcriptStatus: status,
    transcriptError: legacy ? legacyStatusError(legacy, row.transcript_error) : (row.transcript_error ?? null),
    transcriptS3Key: row.transcript_s3_key ?? null,
    createdAt,
    updatedAt: toIso(row.updated_at) ?? createdAt,
    transcribedAt: toIso(row.transcribed_at),
    etag: row.etag ?? null,
    sequencer: row.sequencer ?? null,
  };
}
