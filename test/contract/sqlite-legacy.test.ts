import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../lib/errors.js';
import { useSqliteFile } from '../helpers/sqlite-file.js';
import { makePythonDatabase } from './sqlite-python-db.js';

describe('SQLite: a database created by the Python service', () => {
  const tmp = useSqliteFile('sqlite-legacy-');

  it('reads users with Python-style booleans and datetimes as records with ISO 8601 UTC', async () => {
    makePythonDatabase(tmp.file);
    const store = tmp.open();
    expect(await store.getUser('ALICE')).toEqual({
      userId: 1,
      username: 'alice',
      email: 'alice@example.com',
      hashedPassword: '$argon2id$v=19$m=65536,t=3,p=4$x$y',
      isActive: true,
      isAdmin: false,
      createdAt: '2024-03-01T12:34:56.789Z',
      updatedAt: '2024-03-02T08:00:00.000Z',
      yotoAccessToken: 'acc',
      yotoRefreshToken: 'ref',
      yotoTokenExpiresAt: '2024-03-03T09:10:11.500Z',
      sessionVersion: 0,
    });
    expect(await store.getUserById(7)).toMatchObject({
      username: 'admin',
      isAdmin: true,
      updatedAt: '2024-01-01T00:00:00.000Z',
    });
    // An offset is applied, not dropped; NULL is_admin is the column default (false).
    expect(await store.getUser('sleepy')).toMatchObject({
      isActive: false,
      isAdmin: false,
      createdAt: '2024-01-05T08:00:00.000Z',
    });
    expect((await store.listUsers()).map((u) => u.userId)).toEqual([7, 1, 9]);
    expect(await store.userCount()).toBe(3);
  });

  it('reads audio rows, legacy statuses as failed with the old value kept in the error', async () => {
    makePythonDatabase(tmp.file);
    const store = tmp.open();
    expect(await store.getAudioFile('Done Song.mp3')).toEqual({
      filename: 'Done Song.mp3',
      size: 1000,
      duration: 120,
      transcript: 'hello there',
      transcriptStatus: 'completed',
      transcriptError: null,
      transcriptS3Key: null,
      createdAt: '2024-02-01T10:00:00.123Z',
      updatedAt: '2024-02-01T10:05:00.654Z',
      transcribedAt: '2024-02-01T10:05:00.654Z',
      etag: null,
      sequencer: null,
    });
    expect(await store.getAudioFile('broken.wav')).toMatchObject({
      transcriptStatus: 'failed',
      transcriptError: 'legacy status: error',
      duration: null,
    });
    expect(await store.getAudioFile('stopped.mp3')).toMatchObject({
      transcriptStatus: 'failed',
      transcriptError: 'user cancelled it',
    });
    expect(await store.getAudioFile('off.mp3')).toMatchObject({
      transcriptStatus: 'failed',
      transcriptError: 'legacy status: disabled',
    });
    expect(await store.getAudioFile('no status.mp3')).toMatchObject({ transcriptStatus: 'pending' });
    const listed = await store.listAudioFiles();
    expect(listed.items.map((a) => a.filename)).toEqual([
      'Done Song.mp3',
      'broken.wav',
      'no status.mp3',
      'off.mp3',
      'queued.mp3',
      'stopped.mp3',
    ]);
  });

  it('updates legacy rows through the normal transitions and finds them by search', async () => {
    makePythonDatabase(tmp.file);
    const store = tmp.open();
    const retried = await store.setTranscriptStatus({ filename: 'broken.wav', status: 'pending' });
    expect(retried).toMatchObject({ transcriptStatus: 'pending', transcriptError: null });
    expect(retried.createdAt).toBe('2024-02-02T10:00:00.000Z');
    // A NULL status reads as pending, and the guard agrees with the read path.
    expect(await store.setTranscriptStatus({ filename: 'no status.mp3', status: 'processing' })).toMatchObject({
      transcriptStatus: 'processing',
    });
    const updated = await store.updateUser(1, { isAdmin: true });
    expect(updated).toMatchObject({ userId: 1, isAdmin: true, createdAt: '2024-03-01T12:34:56.789Z' });
    expect(updated.updatedAt).not.toBe('2024-03-02T08:00:00.000Z');
    await expect(store.createUser({ username: 'Alice', hashedPassword: 'h' })).rejects.toBeInstanceOf(ConflictError);
    const created = await store.createUser({ username: 'newbie', hashedPassword: 'h' });
    expect(created.userId).toBe(10);
    // The index was built over the existing rows by the migration.
    expect((await store.searchAudioFiles('song')).items.map((a) => a.filename)).toEqual(['Done Song.mp3']);
    expect((await store.searchAudioFiles('.mp3', { limit: 100 })).items).toHaveLength(5);
    // So was the word index, from the transcripts the Python service stored.
    expect((await store.searchAudioFiles('there')).items.map((a) => [a.filename, a.matched])).toEqual([
      ['Done Song.mp3', 'transcript'],
    ]);
  });

  it("drops a row's words when the Python service changes its transcript or deletes it behind the store", async () => {
    makePythonDatabase(tmp.file);
    const store = tmp.open();
    expect((await store.searchAudioFiles('hello')).items).toHaveLength(1);
    const python = new Database(tmp.file);
    python.prepare("UPDATE audio_files SET transcript = 'goodbye' WHERE filename = 'Done Song.mp3'").run();
    expect((await store.searchAudioFiles('hello')).items).toEqual([]);
    python.prepare("DELETE FROM audio_files WHERE filename = 'Done Song.mp3'").run();
    python.close();
    // A new row taking the freed id inherits no words.
    await store.upsertAudioFile({ filename: 'zzz new.mp3', size: 1 });
    expect((await store.searchAudioFiles('goodbye')).items).toEqual([]);
  });

  it('opens a file whose usernames differ only in case, and still refuses new case-duplicates', async () => {
    makePythonDatabase(tmp.file, {
      users: [{ id: 20, username: 'Alice', hashed_password: 'h2', is_active: 1, is_admin: 0 }],
    });
    const store = tmp.open();
    expect((await store.getUser('Alice'))?.userId).toBe(20);
    expect((await store.getUser('alice'))?.userId).toBe(1);
    expect([1, 20]).toContain((await store.getUser('ALICE'))?.userId);
    await expect(store.createUser({ username: 'ALICE', hashedPassword: 'h' })).rejects.toBeInstanceOf(ConflictError);
    expect(await store.userCount()).toBe(4);
  });
});
