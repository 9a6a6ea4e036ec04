import { describe, expect, it } from 'vitest';
import { isOlder, sameItem } from '../../../lib/migrate/items.js';
import { convertAudio, convertUser, parseDatetime, toIso } from '../../../lib/migrate/python-db.js';

describe('Python row conversion', () => {
  it('turns SQLAlchemy datetimes (naive UTC, optional microseconds) into ISO 8601 UTC', () => {
    expect(toIso('2024-03-01 10:00:05.123456', 'created_at')).toBe('2024-03-01T10:00:05.123Z');
    expect(toIso('2024-03-01 10:00:05', 'created_at')).toBe('2024-03-01T10:00:05.000Z');
    expect(toIso('2024-03-01T10:00:05+02:00', 'created_at')).toBe('2024-03-01T08:00:05.000Z');
    expect(toIso(null, 'created_at')).toBeUndefined();
    expect(() => toIso('yesterday', 'updated_at')).toThrow(/updated_at is not a datetime: "yesterday"/);
    expect(parseDatetime('2024-02-31 00:00:00')).toBeUndefined();
  });

  it('maps a users row: id → user_id, 0/1 → booleans, nulls left out, Yoto tokens kept', () => {
    const result = convertUser({
      id: 7,
      username: 'Alice',
      email: null,
      hashed_password: '$2b$12$abc',
      is_active: 0,
      is_admin: 1,
      created_at: '2024-01-01 00:00:00.5',
      updated_at: null,
      yoto_access_token: 'a',
      yoto_refresh_token: 'r',
      yoto_token_expires_at: '2024-01-02 00:00:00',
    });
    expect(result).toEqual({
      ok: true,
      row: {
        id: 7,
        user_id: 7,
        username: 'Alice',
        hashed_password: '$2b$12$abc',
        is_active: false,
        is_admin: true,
        created_at: '2024-01-01T00:00:00.500Z',
        updated_at: '2024-01-01T00:00:00.500Z',
        yoto_access_token: 'a',
        yoto_refresh_token: 'r',
        yoto_token_expires_at: '2024-01-02T00:00:00.000Z',
      },
    });
  });

  it('maps legacy statuses to failed, keeping the old value in transcript_error', () => {
    const base = { id: 1, filename: 'a.mp3', size: 10, duration: 12.6, created_at: '2024-01-01 00:00:00' };
    const cancelled = convertAudio({ ...base, transcript_status: 'cancelled', transcript_error: null });
    expect(cancelled.ok && cancelled.row).toMatchObject({
      transcript_status: 'failed',
      transcript_error: 'legacy status: cancelled',
      duration: 13,
    });
    const error = convertAudio({ ...base, transcript_status: 'error', transcript_error: 'engine crashed' });
    expect(error.ok && error.row).toMatchObject({ transcript_status: 'failed', transcript_error: 'engine crashed' });
    const none = convertAudio({ ...base, transcript_status: null, duration: null });
    expect(none.ok && none.row).toMatchObject({ transcript_status: 'pending' });
    expect(none.ok && 'duration' in none.row).toBe(false);
  });

  it('rejects a row it cannot convert, with the reason and the id', () => {
    expect(convertAudio({ id: 4, filename: '', created_at: null })).toEqual({
      ok: false,
      rejected: { entity: 'audio', id: 4, reason: 'filename is empty' },
    });
    const bad = convertUser({ id: 5, username: 'x', hashed_password: 'h', created_at: '31/12/2023' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.rejected.reason).toMatch(/created_at is not a datetime/);
  });
});

describe('comparing with the table', () => {
  const desired = {
    PK: 'user#a',
    SK: 'PROFILE',
    username: 'a',
    email: 'a@x.io',
    updated_at: '2024-01-01T00:00:00.000Z',
  };
  const fields = ['username', 'email', 'updated_at'];

  it('treats attributes the source never has (version, etag) as irrelevant, and a stale source field as a difference', () => {
    expect(sameItem({ ...desired, version: 3 }, desired, fields)).toBe(true);
    expect(sameItem({ ...desired, email: 'old@x.io' }, desired, fields)).toBe(false);
    const { email: _, ...withoutEmail } = desired;
    expect(sameItem(desired, withoutEmail, fields)).toBe(false);
  });

  it('compares updated_at as instants, whatever the string format, and keeps the table’s item on a tie', () => {
    expect(isOlder({ updated_at: '2023-12-31T23:59:59.999' }, desired)).toBe(true);
    expect(isOlder({ updated_at: '2024-01-01T00:00:00.001' }, desired)).toBe(false);
    // The same instant written by the Python service (naive, microseconds): not older.
    expect(isOlder({ updated_at: '2024-01-01T00:00:00.000000' }, desired)).toBe(false);
    expect(isOlder({ updated_at: '2024-01-01 00:00:00' }, desired)).toBe(false);
    expect(isOlder({}, desired)).toBe(true);
    expect(isOlder({ updated_at: 'yesterday' }, desired)).toBe(true);
  });
});
