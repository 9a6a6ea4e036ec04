import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConflictError,
  InvalidCursorError,
  InvalidTransitionError,
  NotFoundError,
  StaleEventError,
  ValidationError,
} from '../../lib/errors.js';
import type { AudioRecord, Store } from '../../lib/store/store.js';
import { adminContract } from './store-contract-admins.js';
import { loginFailureContract } from './store-contract-login.js';
import { searchContract } from './store-contract-search.js';
import { sessionContract } from './store-contract-sessions.js';
import { uploadContract } from './store-contract-uploads.js';
import { yotoContract } from './store-contract-yoto.js';

/** How a suite gets a fresh, empty store for each test. */
export interface StoreFactory {
  name: string;
  /** A new, empty store (a table or file of its own); may be called several times per test. */
  open(): Promise<Store>;
  /** Another store on the same table or file as the last `open` (a second container, a cold start). */
  reopen(): Promise<Store>;
  /** Releases everything `open` made since the last cleanup (files, tables). */
  cleanup?(): Promise<void>;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export async function allPages<T>(
  fetch: (cursor?: string) => Promise<{ items: T[]; cursor?: string }>,
): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  do {
    const page = await fetch(cursor);
    pages.push(page.items);
    cursor = page.cursor;
    if (pages.length > 1000) throw new Error('pagination does not end');
  } while (cursor);
  return pages;
}

/**
 * The one Store contract, run against every adapter with the same cases: the seed's own tests,
 * conditional failures, pagination, search and the failed-login counters. An adapter passes only
 * if it behaves identically.
 */
export function storeContract(factory: StoreFactory): void {
  describe(`Store contract: ${factory.name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await factory.open();
    });

    afterEach(async () => {
      await store.close();
      await factory.cleanup?.();
    });

    loginFailureContract(() => store);
    searchContract(() => store);
    sessionContract(() => store);
    adminContract(
      () => store,
      () => factory.open(),
      () => factory.reopen(),
    );
    yotoContract(() => store);
    uploadContract(() => store);

    describe('users', () => {
      it('creates a user and reads it back by name and by id (seed test_create_user / test_get_user)', async () => {
        const user = await store.createUser({
          username: 'testuser',
          hashedPassword: 'hashed_pwd',
          email: 'test@example.com',
          isAdmin: false,
        });
        expect(user).toMatchObject({
          username: 'testuser',
          email: 'test@example.com',
          hashedPassword: 'hashed_pwd',
          isActive: true,
          isAdmin: false,
          yotoAccessToken: null,
        });
        expect(user.userId).toBeTypeOf('number');
        expect(user.createdAt).toMatch(ISO);
        expect(user.updatedAt).toMatch(ISO);

        expect(await store.getUser('testuser')).toEqual(user);
        expect(await store.getUserById(user.userId)).toEqual(user);
      });

      it('treats usernames case-insensitively', async () => {
        const alice = await store.createUser({ username: 'Alice', hashedPassword: 'h' });
        expect((await store.getUser('ALICE'))?.userId).toBe(alice.userId);
        expect((await store.getUser('alice'))?.userId).toBe(alice.userId);
        await expect(store.createUser({ username: 'aLiCe', hashedPassword: 'h2' })).rejects.toBeInstanceOf(
          ConflictError,
        );
        expect((await store.getUser('alice'))?.hashedPassword).toBe('h');
      });

      it('returns undefined for unknown users', async () => {
        expect(await store.getUser('nobody')).toBeUndefined();
        expect(await store.getUserById(987_654)).toBeUndefined();
      });

      it('updates only the given fields (seed test_update_user)', async () => {
        const user = await store.createUser({ username: 'bob', hashedPassword: 'old', email: 'b@x.io' });
        const updated = await store.updateUser(user.userId, { email: 'newemail@example.com' });
        expect(updated).toMatchObject({
          userId: user.userId,
          username: 'bob',
          email: 'newemail@example.com',
          hashedPassword: 'old',
          isActive: true,
          isAdmin: false,
          createdAt: user.createdAt,
        });
        const again = await store.updateUser(user.userId, { hashedPassword: 'new', isActive: false, isAdmin: true });
        expect(again).toMatchObject({
          email: 'newemail@example.com',
          hashedPassword: 'new',
          isActive: false,
          isAdmin: true,
        });
        expect(await store.getUser('bob')).toEqual(again);
      });

      it('can clear the email', async () => {
        const user = await store.createUser({ username: 'carol', hashedPassword: 'h', email: 'c@x.io' });
        expect((await store.updateUser(user.userId, { email: null })).email).toBeNull();
      });

      it('raises NotFoundError updating or deleting an unknown id, and creates nothing', async () => {
        await expect(store.updateUser(424_242, { email: 'x@y.z' })).rejects.toBeInstanceOf(NotFoundError);
        await expect(store.deleteUser(424_242)).rejects.toBeInstanceOf(NotFoundError);
        expect(await store.getUserById(424_242)).toBeUndefined();
        expect(await store.userCount()).toBe(0);
      });

      it('lists and counts users (seed test_list_users / test_user_count)', async () => {
        for (const name of ['zed', 'amy', 'Mia']) await store.createUser({ username: name, hashedPassword: 'h' });
        const users = await store.listUsers();
        expect(users.map((u) => u.username.toLowerCase()).sort()).toEqual(['amy', 'mia', 'zed']);
        expect(await store.userCount()).toBe(3);
      });

      it('deletes a user everywhere: by name, by id, list and count', async () => {
        const a = await store.createUser({ username: 'dora', hashedPassword: 'h' });
        await store.createUser({ username: 'eve', hashedPassword: 'h' });
        await store.deleteUser(a.userId);
        expect(await store.getUser('dora')).toBeUndefined();
        expect(await store.getUserById(a.userId)).toBeUndefined();
        expect((await store.listUsers()).map((u) => u.username)).toEqual(['eve']);
        expect(await store.userCount()).toBe(1);
        // The name is free again.
        const again = await store.createUser({ username: 'dora', hashedPassword: 'h2' });
        expect(again.userId).not.toBe(a.userId);
      });

      it('gives distinct ids to concurrent creations', async () => {
        const users = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.createUser({ username: `user${i}`, hashedPassword: 'h' })),
        );
        expect(new Set(users.map((u) => u.userId)).size).toBe(20);
        expect(await store.userCount()).toBe(20);
      });

      it('ensures the admin user once and never changes an existing one', async () => {
        const first = await store.ensureAdminUser({ hashedPassword: 'first', email: 'admin@example.com' });
        expect(first.created).toBe(true);
        expect(first.user).toMatchObject({ username: 'admin', isAdmin: true, isActive: true, hashedPassword: 'first' });
        const second = await store.ensureAdminUser({ hashedPassword: 'second' });
        expect(second.created).toBe(false);
        expect(second.user?.hashedPassword).toBe('first');
        expect(await store.userCount()).toBe(1);
      });
    });

    describe('audio files', () => {
      it('upserts a new file as pending and reads it back (seed test_upsert_audio_file / test_get_audio_file)', async () => {
        const audio = await store.upsertAudioFile({ filename: 'test.mp3', size: 1_024_000, duration: 120 });
        expect(audio).toMatchObject({
          filename: 'test.mp3',
          size: 1_024_000,
          duration: 120,
          transcript: null,
          transcriptStatus: 'pending',
          transcriptError: null,
          transcribedAt: null,
          transcriptS3Key: null,
        });
        expect(audio.createdAt).toMatch(ISO);
        expect(await store.getAudioFile('test.mp3')).toEqual(audio);
        expect(await store.getAudioFile('TEST.mp3')).toBeUndefined();
      });

      it('keeps the filename exactly, including spaces, case, unicode and punctuation', async () => {
        const name = 'My Song (1) – ünïcødé 🎵 100%_done [x].MP3';
        await store.upsertAudioFile({ filename: name, size: 5, duration: null });
        expect((await store.getAudioFile(name))?.filename).toBe(name);
        expect((await store.getAudioFile(name))?.duration).toBeNull();
      });

      it('drives a transcript pending → processing → completed (seed test_update_transcript)', async () => {
        await store.upsertAudioFile({ filename: 'a.mp3', size: 10, duration: 3 });
        const processing = await store.setTranscriptStatus({ filename: 'a.mp3', status: 'processing' });
        expect(processing.transcriptStatus).toBe('processing');
        const done = await store.updateTranscript({
          filename: 'a.mp3',
          transcript: 'hello world',
          status: 'completed',
        });
        expect(done).toMatchObject({ transcript: 'hello world', transcriptStatus: 'completed', transcriptError: null });
        expect(done.transcribedAt).toMatch(ISO);
        expect(await store.getAudioFile('a.mp3')).toEqual(done);
      });

      it('records a failure with its error (seed test_set_transcript_status)', async () => {
        await store.upsertAudioFile({ filename: 'f.mp3', size: 10, duration: 3 });
        const failed = await store.setTranscriptStatus({
          filename: 'f.mp3',
          status: 'failed',
          error: 'Transcription timeout',
        });
        expect(failed).toMatchObject({ transcriptStatus: 'failed', transcriptError: 'Transcription timeout' });
        expect(failed.transcribedAt).toBeNull();
      });

      it('stores a pointer instead of the text for a transcript kept in S3', async () => {
        await store.upsertAudioFile({ filename: 'big.wav', size: 10, duration: 3 });
        await store.setTranscriptStatus({ filename: 'big.wav', status: 'processing' });
        const done = await store.updateTranscript({
          filename: 'big.wav',
          transcript: null,
          transcriptS3Key: 'transcripts/big.wav.txt',
          status: 'completed',
        });
        expect(done).toMatchObject({ transcript: null, transcriptS3Key: 'transcripts/big.wav.txt' });
      });

      it('re-transcribe: completed → pending clears the old transcript and error', async () => {
        await store.upsertAudioFile({ filename: 'r.mp3', size: 10, duration: 3 });
        await store.setTranscriptStatus({ filename: 'r.mp3', status: 'processing' });
        await store.updateTranscript({ filename: 'r.mp3', transcript: 'text', status: 'completed' });
        const pending = await store.setTranscriptStatus({ filename: 'r.mp3', status: 'pending' });
        expect(pending).toMatchObject({
          transcriptStatus: 'pending',
          transcript: null,
          transcriptError: null,
          transcribedAt: null,
        });
      });

      it.each([
        ['pending', 'completed'],
        ['pending', 'pending'],
        ['completed', 'processing'],
        ['completed', 'failed'],
        ['failed', 'processing'],
        ['processing', 'pending'],
        ['processing', 'processing'],
      ] as const)('rejects %s → %s and changes nothing', async (from, to) => {
        const filename = `t-${from}-${to}.mp3`;
        await store.upsertAudioFile({ filename, size: 10, duration: 3 });
        if (from !== 'pending') await store.setTranscriptStatus({ filename, status: 'processing' });
        if (from === 'completed') await store.updateTranscript({ filename, transcript: 'kept', status: 'completed' });
        if (from === 'failed') await store.setTranscriptStatus({ filename, status: 'failed', error: 'kept' });
        const before = await store.getAudioFile(filename);
        expect(before?.transcriptStatus).toBe(from);

        const attempt =
          to === 'completed' || to === 'failed'
            ? store.updateTranscript({ filename, transcript: 'late', status: to, error: 'late' })
            : store.setTranscriptStatus({ filename, status: to });
        const error = await attempt.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(InvalidTransitionError);
        expect((error as InvalidTransitionError).from).toBe(from);
        expect(await store.getAudioFile(filename)).toEqual(before);
      });

      it('a late processing write after completed is rejected and the transcript stays', async () => {
        await store.upsertAudioFile({ filename: 'late.mp3', size: 10, duration: 3 });
        await store.setTranscriptStatus({ filename: 'late.mp3', status: 'processing' });
        await store.updateTranscript({ filename: 'late.mp3', transcript: 'final', status: 'completed' });
        await expect(store.setTranscriptStatus({ filename: 'late.mp3', status: 'processing' })).rejects.toBeInstanceOf(
          InvalidTransitionError,
        );
        expect(await store.getAudioFile('late.mp3')).toMatchObject({
          transcriptStatus: 'completed',
          transcript: 'final',
        });
      });

      it('never resurrects a deleted row with a status or transcript write', async () => {
        await store.upsertAudioFile({ filename: 'gone.mp3', size: 10, duration: 3 });
        await store.setTranscriptStatus({ filename: 'gone.mp3', status: 'processing' });
        await store.deleteAudioFile('gone.mp3');
        await expect(
          store.updateTranscript({ filename: 'gone.mp3', transcript: 'x', status: 'completed' }),
        ).rejects.toBeInstanceOf(InvalidTransitionError);
        await expect(store.setTranscriptStatus({ filename: 'gone.mp3', status: 'failed' })).rejects.toBeInstanceOf(
          InvalidTransitionError,
        );
        expect(await store.getAudioFile('gone.mp3')).toBeUndefined();
        expect((await store.searchAudioFiles('gone')).items).toEqual([]);
        await expect(store.deleteAudioFile('gone.mp3')).rejects.toBeInstanceOf(NotFoundError);
      });

      it('exactly one of two racing writers wins a transition', async () => {
        await store.upsertAudioFile({ filename: 'race.mp3', size: 10, duration: 3 });
        await store.setTranscriptStatus({ filename: 'race.mp3', status: 'processing' });
        const results = await Promise.allSettled([
          store.updateTranscript({ filename: 'race.mp3', transcript: 'one', status: 'completed' }),
          store.updateTranscript({ filename: 'race.mp3', transcript: null, status: 'failed', error: 'two' }),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.find((r) => r.status === 'rejected');
        expect((rejected as PromiseRejectedResult).reason).toBeInstanceOf(InvalidTransitionError);
        const row = await store.getAudioFile('race.mp3');
        const winner = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<AudioRecord>).value;
        expect(row).toEqual(winner);
      });

      describe('upload ordering by S3 sequencer', () => {
        it('a duplicate event (same sequencer) changes nothing', async () => {
          const first = await store.upsertAudioFile({
            filename: 's.mp3',
            size: 10,
            duration: 3,
            etag: 'e1',
            sequencer: '0055AED6DCD90281E5',
          });
          await store.setTranscriptStatus({ filename: 's.mp3', status: 'processing' });
          const dup = await store.upsertAudioFile({
            filename: 's.mp3',
            size: 10,
            duration: 3,
            etag: 'e1',
            sequencer: '0055AED6DCD90281E5',
          });
          expect(dup.transcriptStatus).toBe('processing');
          expect(dup.createdAt).toBe(first.createdAt);
        });

        it('a newer upload resets the row to pending with its new size, keeping created_at', async () => {
          const first = await store.upsertAudioFile({
            filename: 'n.mp3',
            size: 10,
            duration: 3,
            sequencer: '0055AED6DC',
          });
          await store.setTranscriptStatus({ filename: 'n.mp3', status: 'processing' });
          await store.updateTranscript({ filename: 'n.mp3', transcript: 'old words', status: 'completed' });
          // Shorter sequencer that is newer once right-padded: 0055AED6DD000… > 0055AED6DC…
          const second = await store.upsertAudioFile({
            filename: 'n.mp3',
            size: 20,
            duration: 5,
            etag: 'e2',
            sequencer: '0055AED6DD',
          });
          expect(second).toMatchObject({
            size: 20,
            duration: 5,
            etag: 'e2',
            transcriptStatus: 'pending',
            transcript: null,
            createdAt: first.createdAt,
          });
        });

        it('an older upload event is rejected and nothing rolls back', async () => {
          await store.upsertAudioFile({ filename: 'o.mp3', size: 20, duration: 5, sequencer: '0055AED6DD00000001' });
          const before = await store.getAudioFile('o.mp3');
          await expect(
            store.upsertAudioFile({ filename: 'o.mp3', size: 10, duration: 3, sequencer: '0055AED6DC99999999' }),
          ).rejects.toBeInstanceOf(StaleEventError);
          expect(await store.getAudioFile('o.mp3')).toEqual(before);
        });

        it('a transcript write for a superseded upload is rejected', async () => {
          await store.upsertAudioFile({ filename: 'g.mp3', size: 1, duration: 1, sequencer: 'A1' });
          await store.setTranscriptStatus({ filename: 'g.mp3', status: 'processing', sequencer: 'A1' });
          await store.upsertAudioFile({ filename: 'g.mp3', size: 2, duration: 2, sequencer: 'B2' });
          await store.setTranscriptStatus({ filename: 'g.mp3', status: 'processing', sequencer: 'B2' });
          await expect(
            store.updateTranscript({ filename: 'g.mp3', transcript: 'stale', status: 'completed', sequencer: 'A1' }),
          ).rejects.toBeInstanceOf(InvalidTransitionError);
          expect(await store.getAudioFile('g.mp3')).toMatchObject({ transcriptStatus: 'processing', size: 2 });
        });
      });

      it('rejects invalid filenames in every audio call, before writing', async () => {
        await expect(store.upsertAudioFile({ filename: '', size: 1 })).rejects.toBeInstanceOf(ValidationError);
        await expect(store.upsertAudioFile({ filename: 'a\u0000b.mp3', size: 1 })).rejects.toBeInstanceOf(
          ValidationError,
        );
        await expect(store.upsertAudioFile({ filename: 'x'.repeat(1025), size: 1 })).rejects.toBeInstanceOf(
          ValidationError,
        );
        // Status and transcript writes check the name the same way (not an InvalidTransitionError).
        await expect(store.setTranscriptStatus({ filename: 'a\u0000b.mp3', status: 'failed' })).rejects.toBeInstanceOf(
          ValidationError,
        );
        await expect(
          store.updateTranscript({ filename: 'x'.repeat(1025), transcript: 't', status: 'completed' }),
        ).rejects.toBeInstanceOf(ValidationError);
        await expect(store.getAudioFile('')).rejects.toBeInstanceOf(ValidationError);
        await expect(store.deleteAudioFile('a\u0000b.mp3')).rejects.toBeInstanceOf(ValidationError);
        expect((await store.listAudioFiles()).items).toEqual([]);
      });

      describe('listing', () => {
        it('lists every file once, in filename order, across pages (seed test_list_audio_files)', async () => {
          const names = Array.from({ length: 23 }, (_, i) => `file-${String(i).padStart(2, '0')}.mp3`);
          for (const filename of [...names].reverse()) await store.upsertAudioFile({ filename, size: 1, duration: 1 });
          const pages = await allPages((cursor) => store.listAudioFiles({ limit: 5, cursor }));
          expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
          expect(pages.flat().map((a) => a.filename)).toEqual(names);
        });

        it('returns an empty page and no cursor for an empty table', async () => {
          expect(await store.listAudioFiles()).toEqual({ items: [] });
        });

        it.each([0, -1, 101, 10_000, 2.5])('rejects limit %s', async (limit) => {
          await expect(store.listAudioFiles({ limit })).rejects.toBeInstanceOf(ValidationError);
        });

        it.each([
          'not-base64!!',
          Buffer.from('{"k":"audio","p":{"PK":"USER#x"}}').toString('base64url'),
          Buffer.from('{"p":1}').toString('base64url'),
          Buffer.from('[]').toString('base64url'),
          'e30',
        ])('rejects a tampered or foreign cursor %s', async (cursor) => {
          await store.upsertAudioFile({ filename: 'one.mp3', size: 1, duration: 1 });
          await expect(store.listAudioFiles({ cursor })).rejects.toBeInstanceOf(InvalidCursorError);
        });

        it('rejects a search cursor passed to the list', async () => {
          for (const f of ['aa1.mp3', 'aa2.mp3', 'aa3.mp3']) await store.upsertAudioFile({ filename: f, size: 1 });
          const search = await store.searchAudioFiles('aa', { limit: 1 });
          expect(search.cursor).toBeDefined();
          await expect(store.listAudioFiles({ cursor: search.cursor })).rejects.toBeInstanceOf(InvalidCursorError);
        });
      });
    });
  });
}
