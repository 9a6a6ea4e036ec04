/** Test fixture: a SQLite file as the Python service (SQLAlchemy create_all) left it. */
import Database from 'better-sqlite3';
import {
  PYTHON_AUDIO_COLUMNS,
  PYTHON_USER_COLUMNS,
  type PythonAudioRow,
  type PythonUserRow,
  pythonDdl,
  pythonRowWriter,
} from '../helpers/python-schema.js';

/** Column names the Python service's tables have; migrations may add columns, never drop these. */
export const OLD_USER_COLUMNS = PYTHON_USER_COLUMNS;
export const OLD_AUDIO_COLUMNS = PYTHON_AUDIO_COLUMNS;

/**
 * Writes the Python service's schema (the `ix_` index flavour of create_all) and rows with
 * Python-style values into a new file, with `extra` rows after the usual ones.
 */
export function makePythonDatabase(file: string, extra: { users?: PythonUserRow[] } = {}): void {
  const db = new Database(file);
  try {
    db.exec(pythonDdl('indexes'));
    const write = pythonRowWriter(db);
    db.transaction(() => {
      for (const user of [...USERS, ...(extra.users ?? [])]) write.user(user);
      for (const audio of AUDIO) write.audio(audio);
    })();
  } finally {
    db.close();
  }
}

const USERS: PythonUserRow[] = [
  {
    id: 1,
    username: 'alice',
    email: 'alice@example.com',
    hashed_password: '$argon2id$v=19$m=65536,t=3,p=4$x$y',
    is_active: 1,
    is_admin: 0,
    created_at: '2024-03-01 12:34:56.789012',
    updated_at: '2024-03-02 08:00:00.000001',
    yoto_access_token: 'acc',
    yoto_refresh_token: 'ref',
    yoto_token_expires_at: '2024-03-03 09:10:11.5',
  },
  {
    id: 7,
    username: 'admin',
    hashed_password: '$2b$12$abc',
    is_active: 1,
    is_admin: 1,
    created_at: '2024-01-01 00:00:00',
  },
  // NULL is_admin and a datetime with an offset, as rows written by hand or an old release hold.
  { id: 9, username: 'sleepy', hashed_password: 'h', is_active: 0, created_at: '2024-01-05 10:00:00+02:00' },
];

const AUDIO: PythonAudioRow[] = [
  {
    id: 1,
    filename: 'Done Song.mp3',
    size: 1000,
    duration: 120,
    transcript: 'hello there',
    transcript_status: 'completed',
    created_at: '2024-02-01 10:00:00.123456',
    updated_at: '2024-02-01 10:05:00.654321',
    transcribed_at: '2024-02-01 10:05:00.654321',
  },
  { id: 2, filename: 'broken.wav', size: 10, transcript_status: 'error', created_at: '2024-02-02 10:00:00' },
  {
    id: 3,
    filename: 'stopped.mp3',
    size: 10,
    duration: 5,
    transcript_status: 'cancelled',
    transcript_error: 'user cancelled it',
    created_at: '2024-02-03 10:00:00',
  },
  {
    id: 4,
    filename: 'off.mp3',
    size: 10,
    duration: 5,
    transcript_status: 'disabled',
    transcript_error: '',
    created_at: '2024-02-04 10:00:00',
  },
  {
    id: 5,
    filename: 'queued.mp3',
    size: 10,
    duration: 5,
    transcript_status: 'pending',
    created_at: '2024-02-05 10:00:00',
  },
  { id: 6, filename: 'no status.mp3', size: 10, duration: 5, created_at: '2024-02-06 10:00:00' },
];

/** The schema and every row, to compare a file before and after. */
export function schemaOf(file: string): { sql: unknown[]; users: unknown[]; audio: unknown[] } {
  const db = new Database(file, { readonly: true });
  try {
    return {
      sql: db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY type, name').all(),
      users: db.prepare('SELECT * FROM users ORDER BY id').all(),
      audio: db.prepare('SELECT * FROM audio_files ORDER BY id').all(),
    };
  } finally {
    db.close();
  }
}

/** Column names of a table, in order. */
export function columnNames(file: string, table: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as { name: string }[]).map((c) => c.name);
  } finally {
    db.close();
  }
}
