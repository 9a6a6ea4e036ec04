import * as z from 'zod';
import { InvalidTransitionError, NotFoundError, StaleEventError, ValidationError } from '../../errors.js';
import {
  ALLOWED_FROM,
  isTranscriptStatus,
  LEGACY_FAILED_STATUSES,
  TRANSCRIPT_STATUSES,
  type TranscriptStatus,
} from '../../model/status.js';
import {
  checkFilename,
  checkUpload,
  decodeCursor,
  encodeCursor,
  normalizeSequencer,
  nowIso,
  pageLimit,
} from '../common.js';
import type {
  AudioRecord,
  Page,
  PageOptions,
  SetStatusInput,
  UpdateTranscriptInput,
  UpsertAudioInput,
} from '../store.js';
import type { Connection } from './connection.js';
import { type AudioRow, toAudio } from './rows.js';
import { indexWords } from './words.js';

const quote = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ');

/**
 * The stored status as the read path sees it (normalizeStatus in SQL): migration 5 rewrote legacy
 * values, but a row written later by the old service still obeys the same transition table.
 */
const STATUS = `(CASE WHEN transcript_status IN (${quote(TRANSCRIPT_STATUSES)}) THEN transcript_status
  WHEN transcript_status IN (${quote(LEGACY_FAILED_STATUSES)}) THEN 'failed' ELSE 'pending' END)`;

const BY_NAME = 'SELECT * FROM audio_files WHERE filename = ?';
const LIST = 'SELECT * FROM audio_files WHERE filename > ? ORDER BY filename LIMIT ?';
const INSERT = `INSERT INTO audio_files (filename, size, duration, transcript_status, etag, sequencer, created_at, updated_at)
  VALUES (?, ?, ?, 'pending', ?, ?, ?, ?) RETURNING *`;
const RESET = `UPDATE audio_files SET size = ?, duration = ?, etag = ?, sequencer = ?, transcript_status = 'pending',
  transcript = NULL, transcript_error = NULL, transcribed_at = NULL, transcript_s3_key = NULL,
  updated_at = ?, version = version + 1 WHERE id = ? RETURNING *`;

const listCursor = z.object({ f: z.string().min(1) }).strict();

function findRow(conn: Connection, filename: string): AudioRow | undefined {
  return conn.statement(BY_NAME).get(filename) as AudioRow | undefined;
}

/** Keyset pagination in filename order; reads `limit + 1` rows so the last page has no cursor. */
export function listAudioFiles(conn: Connection, options?: PageOptions): Promise<Page<AudioRecord>> {
  return conn.read(() => {
    const limit = pageLimit(options);
    const after = decodeCursor('audio-list', options?.cursor, listCursor)?.f ?? '';
    const rows = conn.statement(LIST).all(after, limit + 1) as AudioRow[];
    return pageOf(rows, limit, (last) => encodeCursor('audio-list', { f: last.filename }));
  });
}

/** Cuts a `limit + 1` read to a page, with a cursor only when another row exists. */
export function pageOf(rows: AudioRow[], limit: number, cursorFor: (last: AudioRow) => string): Page<AudioRecord> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return rows.length > limit && last
    ? { items: items.map(toAudio), cursor: cursorFor(last) }
    : { items: items.map(toAudio) };
}

/** One file by its exact name (case kept). */
export function getAudioFile(conn: Connection, filename: string): Promise<AudioRecord | undefined> {
  return conn.read(() => {
    const row = findRow(conn, checkFilename(filename));
    return row ? toAudio(row) : undefined;
  });
}

/**
 * Records an upload in one IMMEDIATE transaction: a new key is inserted as `pending`; a newer
 * upload of a known key resets it to `pending` (created_at kept, the old transcript's words
 * dropped); the same upload again returns the row unchanged; an older one is a StaleEventError.
 * Without sequencers on both sides the order is unknown, so a different upload counts as newer
 * and an identical etag+size as the same.
 */
export async function upsertAudioFile(conn: Connection, input: UpsertAudioInput): Promise<AudioRecord> {
  const upload = checkUpload(input);
  return conn.write(() => {
    const now = nowIso();
    const existing = findRow(conn, upload.filename);
    if (!existing) {
      const { filename, size, duration, etag, sequencer } = upload;
      return toAudio(conn.statement(INSERT).get(filename, size, duration, etag, sequencer, now, now) as AudioRow);
    }
    const stored = existing.sequencer;
    if (upload.sequencer && stored) {
      if (upload.sequencer < stored) {
        throw new StaleEventError(
          `Ignored an older upload event for "${upload.filename}": sequencer ${upload.sequencer} precedes the recorded ${stored}.`,
        );
      }
      if (upload.sequencer === stored) return toAudio(existing);
    } else if (!upload.sequencer && !stored && upload.etag !== null && upload.etag === existing.etag) {
      if (upload.size === existing.size) return toAudio(existing);
    }
    const { size, duration, etag, sequencer } = upload;
    indexWords(conn, existing.id, null);
    return toAudio(conn.statement(RESET).get(size, duration, etag, sequencer, now, existing.id) as AudioRow);
  });
}

/**
 * Runs a guarded UPDATE … RETURNING inside the caller's transaction. When it matches no row, the
 * current row says why: missing → InvalidTransitionError from undefined; otherwise an
 * InvalidTransitionError from its status, whose message names a superseded upload when that was
 * the reason. Nothing is written.
 */
function transition(
  conn: Connection,
  filename: string,
  to: TranscriptStatus,
  sequencer: string | null,
  assignments: string,
  values: unknown[],
  words?: string | null,
): AudioRecord {
  const guard = `WHERE filename = ? AND ${STATUS} IN (${quote(ALLOWED_FROM[to])})${sequencer ? ' AND sequencer = ?' : ''}`;
  const sql = `UPDATE audio_files SET ${assignments}, updated_at = ?, version = version + 1 ${guard} RETURNING *`;
  const params = [...values, nowIso(), filename, ...(sequencer ? [sequencer] : [])];
  const row = conn.statement(sql).get(...params) as AudioRow | undefined;
  if (row) {
    // The row's words follow its transcript in the same transaction (none unless completed).
    indexWords(conn, row.id, words);
    return toAudio(row);
  }
  const current = findRow(conn, filename);
  if (!current) throw new InvalidTransitionError(filename, undefined, to);
  const error = new InvalidTransitionError(filename, toAudio(current).transcriptStatus, to);
  if (sequencer && current.sequencer !== sequencer) {
    // Same error class as any refused transition (the pipeline treats both alike), with the real reason.
    error.message = `Cannot set transcript status of "${filename}" to ${to} for upload ${sequencer}: the file now records upload ${current.sequencer ?? '(unknown)'}, so this write is ignored.`;
  }
  throw error;
}

function optionalText(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new ValidationError(`Invalid ${field}: it must be a string or null.`);
  return value;
}

/**
 * processing → completed|failed (pending → failed too); stamps transcribed_at on completed and
 * indexes the stored transcript's words (or `searchText`'s, for a transcript kept in S3).
 */
export async function updateTranscript(conn: Connection, input: UpdateTranscriptInput): Promise<AudioRecord> {
  const status = input?.status;
  if (status !== 'completed' && status !== 'failed') {
    throw new ValidationError(`Invalid status ${JSON.stringify(status)} for a transcript: use completed or failed.`);
  }
  const transcript = optionalText(input.transcript, 'transcript');
  const error = optionalText(input.error, 'error');
  const s3Key = optionalText(input.transcriptS3Key, 'transcriptS3Key');
  const searchText = optionalText(input.searchText, 'searchText');
  const sequencer = normalizeSequencer(input.sequencer);
  checkFilename(input.filename);
  return conn.write(() => {
    const stamp = status === 'completed' ? 'transcribed_at = ?' : 'transcribed_at = transcribed_at';
    const assignments = `transcript = ?, transcript_status = ?, transcript_error = ?, transcript_s3_key = ?, ${stamp}`;
    const values = [transcript, status, error, s3Key, ...(status === 'completed' ? [nowIso()] : [])];
    const words = transcript || searchText;
    return transition(conn, input.filename, status, sequencer, assignments, values, words);
  });
}

/** Any allowed transition; entering `pending` clears the transcript, its error and transcribed_at. */
export async function setTranscriptStatus(conn: Connection, input: SetStatusInput): Promise<AudioRecord> {
  const status = input?.status;
  if (!isTranscriptStatus(status)) {
    throw new ValidationError(
      `Invalid status ${JSON.stringify(status)}: use one of ${TRANSCRIPT_STATUSES.join(', ')}.`,
    );
  }
  const error = optionalText(input.error, 'error');
  const sequencer = normalizeSequencer(input.sequencer);
  checkFilename(input.filename);
  return conn.write(() => {
    if (status === 'pending') {
      const clear = `transcript_status = 'pending', transcript = NULL, transcript_error = NULL, transcribed_at = NULL, transcript_s3_key = NULL`;
      return transition(conn, input.filename, status, sequencer, clear, []);
    }
    const stamp = status === 'completed' ? ', transcribed_at = ?' : '';
    const values = [status, error, ...(status === 'completed' ? [nowIso()] : [])];
    return transition(
      conn,
      input.filename,
      status,
      sequencer,
      `transcript_status = ?, transcript_error = ?${stamp}`,
      values,
    );
  });
}

/** Deletes the row (its filename and word index rows go with it, by trigger); NotFoundError if unknown. */
export function deleteAudioFile(conn: Connection, filename: string): Promise<void> {
  return conn.write(() => {
    const changes = conn.statement('DELETE FROM audio_files WHERE filename = ?').run(checkFilename(filename)).changes;
    if (changes === 0) throw new NotFoundError(`Audio file "${filename}" not found.`);
  });
}
