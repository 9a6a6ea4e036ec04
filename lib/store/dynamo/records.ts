import { legacyStatusError, normalizeStatus } from '../../model/status.js';
import { toIso } from '../common.js';
import type { AudioRecord, UserRecord } from '../store.js';

type Item = Record<string, unknown>;

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null => {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
};
const bool = (value: unknown, fallback: boolean): boolean => {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return ['true', '1', 'yes'].includes(value.toLowerCase());
  return fallback;
};

const EPOCH = '1970-01-01T00:00:00.000Z';
/** Timestamps the Python service wrote (naive `isoformat()`, epoch numbers) read as ISO 8601 UTC. */
const timestamp = (value: unknown): string | null =>
  typeof value === 'string' || typeof value === 'number' ? toIso(value) : null;

/** Maps a user item (ours, or one the Python service wrote) to a UserRecord. */
export function toUserRecord(item: Item): UserRecord {
  return {
    userId: num(item.user_id) ?? 0,
    username: str(item.username) ?? '',
    email: str(item.email),
    hashedPassword: str(item.hashed_password) ?? '',
    isActive: bool(item.is_active, true),
    isAdmin: bool(item.is_admin, false),
    createdAt: timestamp(item.created_at) ?? EPOCH,
    updatedAt: timestamp(item.updated_at) ?? timestamp(item.created_at) ?? EPOCH,
    yotoRefreshToken: str(item.yoto_refresh_token),
    yotoAccessToken: str(item.yoto_access_token),
    yotoTokenExpiresAt: timestamp(item.yoto_token_expires_at),
    sessionVersion: num(item.session_version) ?? 0,
  };
}

/**
 * Maps an audio item to an AudioRecord. Legacy statuses (error/cancelled/disabled) read as
 * `failed` with the old value kept in the error text.
 */
export function toAudioRecord(item: Item): AudioRecord {
  const { status, legacy } = normalizeStatus(item.transcript_status);
  const error = str(item.transcript_error);
  return {
    filename: str(item.filename) ?? String(item.PK ?? '').replace(/^AUDIO#/, ''),
    size: num(item.size) ?? 0,
    duration: num(item.duration),
    transcript: str(item.transcript),
    transcriptStatus: status,
    transcriptError: legacy ? legacyStatusError(legacy, error) : error,
    transcriptS3Key: str(item.transcript_s3_key),
    createdAt: timestamp(item.created_at) ?? EPOCH,
    updatedAt: timestamp(item.updated_at) ?? timestamp(item.created_at) ?? EPOCH,
    transcribedAt: timestamp(item.transcribed_at),
    etag: str(item.etag),
    sequencer: str(item.sequencer),
  };
}
