import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidTransitionError, ValidationError } from '../../lib/errors.js';
import { openSqliteStore } from '../../lib/store/sqlite/index.js';
import type { Store } from '../../lib/store/store.js';

describe('SQLite audio rows', () => {
  let dir: string;
  let file: string;
  let store: Store;

  const raw = <T>(sql: string, ...params: unknown[]): T => {
    const db = new Database(file);
    try {
      return db.prepare(sql).get(...params) as T;
    } finally {
      db.close();
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-audio-'));
    file = join(dir, 'local.db');
    store = openSqliteStore(file);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns exactly the record fields (no row id or version leaks out)', async () => {
    const audio = await store.upsertAudioFile({ filename: 'a.mp3', size: 1 });
    expect(Object.keys(audio).sort()).toEqual(
      [
        'filename',
        'size',
        'duration',
        'transcript',
        'transcriptStatus',
        'transcriptError',
        'transcriptS3Key',
        'createdAt',
        'updatedAt',
        'transcribedAt',
        'etag',
        'sequencer',
      ].sort(),
    );
  });

  it('stores the normalized sequencer and bumps the version on every write', async () => {
    await store.upsertAudioFile({ filename: 'v.mp3', size: 1, sequencer: '00ab' });
    expect(raw('SELECT sequencer, version FROM audio_files WHERE filename = ?', 'v.mp3')).toEqual({
      sequencer: '00AB0000000000000000000000000000',
      version: 0,
    });
    await store.setTranscriptStatus({ filename: 'v.mp3', status: 'processing', sequencer: '00AB' });
    await store.updateTranscript({ filename: 'v.mp3', transcript: 't', status: 'completed', sequencer: '00ab' });
    expect(raw('SELECT version FROM audio_files WHERE filename = ?', 'v.mp3')).toEqual({ version: 2 });
  });

  it('without sequencers: the same etag and size is a duplicate, a different etag a new upload', async () => {
    await store.upsertAudioFile({ filename: 'e.mp3', size: 5, etag: '"abc"' });
    await store.setTranscriptStatus({ filename: 'e.mp3', status: 'processing' });
    const dup = await store.upsertAudioFile({ filename: 'e.mp3', size: 5, etag: '"abc"' });
    expect(dup.transcriptStatus).toBe('processing');
    const fresh = await store.upsertAudioFile({ filename: 'e.mp3', size: 6, etag: '"def"' });
    expect(fresh).toMatchObject({ transcriptStatus: 'pending', size: 6, etag: '"def"' });
  });

  it('rounds durations to whole seconds and rejects bad sizes without writing', async () => {
    expect((await store.upsertAudioFile({ filename: 'd.mp3', size: 1, duration: 12.6 })).duration).toBe(13);
    for (const size of [-1, 1.5, Number.NaN]) {
      await expect(store.upsertAudioFile({ filename: 'bad.mp3', size })).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(store.upsertAudioFile({ filename: 'bad.mp3', size: 1, duration: -3 })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(store.upsertAudioFile({ filename: 'bad.mp3', size: 1, sequencer: 'xyz' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await store.getAudioFile('bad.mp3')).toBeUndefined();
  });

  it('a write for a superseded upload says so in its error', async () => {
    await store.upsertAudioFile({ filename: 's.mp3', size: 1, sequencer: 'A1' });
    await store.upsertAudioFile({ filename: 's.mp3', size: 2, sequencer: 'B2' });
    const error = await store.setTranscriptStatus({ filename: 's.mp3', status: 'processing', sequencer: 'A1' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect((error as Error).message).toMatch(/now records upload B2/);
    expect((await store.getAudioFile('s.mp3'))?.transcriptStatus).toBe('pending');
  });

  it('a legacy status written after the migration (by the old service) obeys the same transitions', async () => {
    await store.upsertAudioFile({ filename: 'old.mp3', size: 1 });
    raw(`UPDATE audio_files SET transcript_status = 'error' WHERE filename = 'old.mp3' RETURNING 1`);
    expect(await store.getAudioFile('old.mp3')).toMatchObject({
      transcriptStatus: 'failed',
      transcriptError: 'legacy status: error',
    });
    const refused = await store.setTranscriptStatus({ filename: 'old.mp3', status: 'processing' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(InvalidTransitionError);
    expect((refused as InvalidTransitionError).from).toBe('failed');
    expect(await store.setTranscriptStatus({ filename: 'old.mp3', status: 'pending' })).toMatchObject({
      transcriptStatus: 'pending',
      transcriptError: null,
    });
  });

  it('refuses an unknown status or a non-final transcript status before touching the row', async () => {
    await store.upsertAudioFile({ filename: 'x.mp3', size: 1 });
    await expect(
      store.setTranscriptStatus({ filename: 'x.mp3', status: 'error' as unknown as 'failed' }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      store.updateTranscript({ filename: 'x.mp3', transcript: 't', status: 'processing' as unknown as 'completed' }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect((await store.getAudioFile('x.mp3'))?.transcriptStatus).toBe('pending');
  });
});
