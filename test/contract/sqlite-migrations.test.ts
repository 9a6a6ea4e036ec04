import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, openSqliteStore } from '../../lib/store/sqlite/index.js';
import { useSqliteFile } from '../helpers/sqlite-file.js';
import { columnNames, makePythonDatabase, OLD_AUDIO_COLUMNS, OLD_USER_COLUMNS, schemaOf } from './sqlite-python-db.js';

describe('SQLite migrations', () => {
  const tmp = useSqliteFile('sqlite-migrations-');

  it('rewrites legacy statuses once, keeping the old value, and leaves every old column in place', async () => {
    makePythonDatabase(tmp.file);
    await openSqliteStore(tmp.file).close();
    expect(columnNames(tmp.file, 'users')).toEqual(expect.arrayContaining(OLD_USER_COLUMNS));
    expect(columnNames(tmp.file, 'audio_files')).toEqual([
      ...OLD_AUDIO_COLUMNS,
      'etag',
      'sequencer',
      'transcript_s3_key',
      'version',
    ]);
    const db = new Database(tmp.file, { readonly: true });
    const rows = db
      .prepare('SELECT filename, transcript_status, transcript_error, created_at FROM audio_files ORDER BY id')
      .all();
    db.close();
    expect(rows).toEqual([
      {
        filename: 'Done Song.mp3',
        transcript_status: 'completed',
        transcript_error: null,
        created_at: '2024-02-01 10:00:00.123456',
      },
      {
        filename: 'broken.wav',
        transcript_status: 'failed',
        transcript_error: 'legacy status: error',
        created_at: '2024-02-02 10:00:00',
      },
      {
        filename: 'stopped.mp3',
        transcript_status: 'failed',
        transcript_error: 'user cancelled it',
        created_at: '2024-02-03 10:00:00',
      },
      {
        filename: 'off.mp3',
        transcript_status: 'failed',
        transcript_error: 'legacy status: disabled',
        created_at: '2024-02-04 10:00:00',
      },
      {
        filename: 'queued.mp3',
        transcript_status: 'pending',
        transcript_error: null,
        created_at: '2024-02-05 10:00:00',
      },
      { filename: 'no status.mp3', transcript_status: null, transcript_error: null, created_at: '2024-02-06 10:00:00' },
    ]);
  });

  it('re-running the migrations changes nothing', async () => {
    makePythonDatabase(tmp.file);
    await openSqliteStore(tmp.file).close();
    const once = schemaOf(tmp.file);
    const db = new Database(tmp.file);
    expect(migrate(db)).toEqual([]);
    db.close();
    await openSqliteStore(tmp.file).close();
    expect(schemaOf(tmp.file)).toEqual(once);
    const check = new Database(tmp.file, { readonly: true });
    const versions = check.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    check.close();
    expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('upgrades a file of the released schema (versions 1–7, 7 the login-throttle counters) with the later ones', async () => {
    makePythonDatabase(tmp.file);
    const released = new Database(tmp.file);
    expect(
      migrate(
        released,
        MIGRATIONS.filter((m) => m.version <= 7),
      ),
    ).toEqual([1, 2, 3, 4, 5, 6, 7]);
    released.close();
    expect(columnNames(tmp.file, 'users')).not.toContain('session_version');

    const db = new Database(tmp.file);
    expect(migrate(db)).toEqual(MIGRATIONS.filter((m) => m.version > 7).map((m) => m.version));
    db.close();
    expect(columnNames(tmp.file, 'users')).toContain('session_version');
    // A released version is never renumbered: the file's own history names what each one did.
    const check = new Database(tmp.file, { readonly: true });
    const names = check.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    check.close();
    expect(names).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
  });

  it('an interrupted migration run leaves nothing half-done and the next open resumes', async () => {
    makePythonDatabase(tmp.file);
    const before = schemaOf(tmp.file);
    const db = new Database(tmp.file);
    const failing = MIGRATIONS.map((m) =>
      m.version === 4
        ? {
            ...m,
            up() {
              throw new Error('power cut');
            },
          }
        : m,
    );
    expect(() => migrate(db, failing)).toThrow('power cut');
    db.close();
    expect(schemaOf(tmp.file)).toEqual(before);

    const store = tmp.open();
    expect((await store.searchAudioFiles('stopped')).items).toHaveLength(1);
    expect(columnNames(tmp.file, 'audio_files')).toContain('sequencer');
  });

  it('creates the Python schema itself in a new file, so the old service could open it too', async () => {
    await openSqliteStore(tmp.file).close();
    expect(columnNames(tmp.file, 'users')).toEqual([
      ...OLD_USER_COLUMNS,
      'version',
      'session_version',
      'yoto_token_lock_owner',
      'yoto_token_lock_expires_at',
    ]);
    expect(columnNames(tmp.file, 'audio_files').slice(0, OLD_AUDIO_COLUMNS.length)).toEqual(OLD_AUDIO_COLUMNS);
    const db = new Database(tmp.file, { readonly: true });
    const pragmas = { journal: db.pragma('journal_mode', { simple: true }) };
    db.close();
    expect(pragmas).toEqual({ journal: 'wal' });
  });

  it('adds old columns an early release of the Python service did not have', async () => {
    const db = new Database(tmp.file);
    db.exec(`CREATE TABLE audio_files (id INTEGER NOT NULL, filename VARCHAR(255) NOT NULL, size INTEGER,
      transcript TEXT, transcript_status VARCHAR(20), created_at DATETIME, PRIMARY KEY (id), UNIQUE (filename));
      INSERT INTO audio_files VALUES (1, 'early.mp3', 3, NULL, 'error', '2023-12-31 23:59:59.999999');`);
    db.close();
    const store = tmp.open();
    expect(await store.getAudioFile('early.mp3')).toMatchObject({
      size: 3,
      duration: null,
      transcriptStatus: 'failed',
      transcriptError: 'legacy status: error',
      createdAt: '2023-12-31T23:59:59.999Z',
    });
    expect(columnNames(tmp.file, 'audio_files')).toEqual(expect.arrayContaining(OLD_AUDIO_COLUMNS));
    await store.setTranscriptStatus({ filename: 'early.mp3', status: 'pending' });
    expect((await store.setTranscriptStatus({ filename: 'early.mp3', status: 'processing' })).transcriptStatus).toBe(
      'processing',
    );
  });

  it('opens an in-memory database for throwaway use', async () => {
    const memory = openSqliteStore(':memory:');
    await memory.upsertAudioFile({ filename: 'm.mp3', size: 1 });
    expect((await memory.searchAudioFiles('m.mp')).items).toHaveLength(1);
    await memory.close();
  });
});
