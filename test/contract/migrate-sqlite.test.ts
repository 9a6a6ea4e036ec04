import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { defaultCheckpointPath } from '../../lib/migrate/checkpoint.js';
import { migrateSqliteToDynamo } from '../../lib/migrate/sqlite-to-dynamodb.js';
import { isSearchTermKey, searchTermItems } from '../../lib/model/search.js';
import { createTable } from '../../lib/model/table.js';
import { createDynamoStore } from '../../lib/store/dynamo.js';
import { seedPythonDb, sqlTime, type TempDb, useSqliteMigration } from '../unit/migrate/fixtures.js';
import { scanAll, watchBatchWrites } from '../unit/migrate/wire.js';

const m = useSqliteMigration('migrate');
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let table: string;
let source: TempDb;
const fast = { baseDelayMs: 1, sleep: async () => {} };

beforeEach(() => {
  ({ client, doc, table, source } = m);
});

interface UserSql {
  id: number;
  username: string;
  email: string | null;
  hashed_password: string;
  is_active: number;
  is_admin: number;
  created_at: string;
  updated_at: string;
  yoto_access_token: string | null;
  yoto_refresh_token: string | null;
  yoto_token_expires_at: string | null;
}
interface AudioSql {
  id: number;
  filename: string;
  size: number;
  duration: number | null;
  transcript: string | null;
  transcript_status: string;
  transcript_error: string | null;
  created_at: string;
  updated_at: string;
  transcribed_at: string | null;
}

const iso = (sql: string) => `${sql.slice(0, 10)}T${sql.slice(11, 23)}Z`;
const get = async (PK: string, SK: string) =>
  (await doc.send(new GetCommand({ TableName: table, Key: { PK, SK } }))).Item;

describe('sqlite-to-dynamodb', () => {
  it('copies every user and audio row field by field, with keys, index attributes and search items', async () => {
    seedPythonDb(source.db, { users: 12, audio: 30 });
    const report = await migrateSqliteToDynamo({ from: source.path, table, chunkSize: 7 }, { client, batch: fast });

    expect(report.ok).toBe(true);
    expect(report.counts.user).toMatchObject({ read: 12, written: 12, unchanged: 0, failed: 0 });
    expect(report.counts.audio).toMatchObject({ read: 30, written: 30, unchanged: 0, failed: 0 });
    expect(report.verification).toEqual({ user: { source: 12, table: 12 }, audio: { source: 30, table: 30 } });

    for (const raw of source.db.prepare('SELECT * FROM users').all() as UserSql[]) {
      const item = await get(`user#${String(raw.username).toLowerCase()}`, 'PROFILE');
      expect(item).toBeDefined();
      expect(item?.user_id).toBe(raw.id);
      expect(item?.username).toBe(raw.username);
      expect(item?.email).toBe(raw.email ?? undefined);
      expect(item?.hashed_password).toBe(raw.hashed_password);
      expect(item?.is_active).toBe(raw.is_active === 1);
      expect(item?.is_admin).toBe(raw.is_admin === 1);
      expect(item?.created_at).toBe(iso(raw.created_at));
      expect(item?.updated_at).toBe(iso(raw.updated_at));
      expect(item?.yoto_access_token).toBe(raw.yoto_access_token ?? undefined);
      expect(item?.yoto_refresh_token).toBe(raw.yoto_refresh_token ?? undefined);
      expect(item?.yoto_token_expires_at).toBe(raw.yoto_token_expires_at ? iso(raw.yoto_token_expires_at) : undefined);
      expect(item).toMatchObject({
        GSI1PK: 'USERS',
        GSI1SK: String(raw.username).toLowerCase(),
        GSI2PK: `USERID#${raw.id}`,
      });
    }
    for (const raw of source.db.prepare('SELECT * FROM audio_files').all() as AudioSql[]) {
      const item = await get(`AUDIO#${raw.filename}`, 'METADATA');
      const legacy = ['error', 'cancelled', 'disabled'].includes(raw.transcript_status);
      expect(item?.filename).toBe(raw.filename);
      expect(item?.size).toBe(raw.size);
      expect(item?.duration).toBe(raw.duration ?? undefined);
      expect(item?.transcript).toBe(raw.transcript ?? undefined);
      expect(item?.transcript_status).toBe(legacy ? 'failed' : raw.transcript_status);
      expect(item?.transcript_error).toBe(
        legacy
          ? (raw.transcript_error ?? `legacy status: ${raw.transcript_status}`)
          : (raw.transcript_error ?? undefined),
      );
      expect(item?.created_at).toBe(iso(raw.created_at));
      expect(item?.updated_at).toBe(iso(raw.updated_at));
      expect(item?.transcribed_at).toBe(raw.transcribed_at ? iso(raw.transcribed_at) : undefined);
      expect(item).toMatchObject({ GSI1PK: 'AUDIO', GSI1SK: raw.filename });
    }
    const all = await scanAll(client, table);
    const suffixes = all.filter((i) => isSearchTermKey(i.SK));
    const rows = source.db.prepare('SELECT filename, transcript FROM audio_files').all() as {
      filename: string;
      transcript: string | null;
    }[];
    const expected = rows.reduce((n, r) => n + searchTermItems(r.filename, r.transcript).length, 0);
    expect(suffixes).toHaveLength(expected);
    expect(report.indexItemsWritten).toBe(expected);
  });

  it('leaves a table the store reads: by name, by id, list, search, and new ids above the migrated ones', async () => {
    seedPythonDb(source.db, { users: 5, audio: 8 });
    await migrateSqliteToDynamo({ from: source.path, table }, { client, batch: fast });
    const store = createDynamoStore({ client, tableName: table });

    expect((await store.getUser('USER_3'))?.userId).toBe(3);
    expect((await store.getUserById(4))?.username).toBe('user-4');
    expect(await store.userCount()).toBe(5);
    expect((await store.listAudioFiles({ limit: 100 })).items).toHaveLength(8);
    const found = await store.searchAudioFiles('00007 ünï');
    expect(found.items.map((a) => a.filename)).toEqual(['Track 00007 Ünï.mp3']);
    const created = await store.createUser({ username: 'newcomer', hashedPassword: 'x' });
    expect(created.userId).toBeGreaterThan(5);
  });

  it('a second run writes nothing and reports every row unchanged', async () => {
    seedPythonDb(source.db, { users: 6, audio: 20 });
    await migrateSqliteToDynamo({ from: source.path, table }, { client, batch: fast });
    const before = await scanAll(client, table);
    const wire = watchBatchWrites(client);

    const again = await migrateSqliteToDynamo({ from: source.path, table }, { client, batch: fast });

    expect(wire.batchWrites).toBe(0);
    expect(again.batch.writeCalls).toBe(0);
    expect(again.counts.user).toMatchObject({ read: 6, written: 0, unchanged: 6 });
    expect(again.counts.audio).toMatchObject({ read: 20, written: 0, unchanged: 20 });
    expect(again.ok).toBe(true);
    expect(again.counterRaisedTo).toBeUndefined();
    expect(await scanAll(client, table)).toEqual(before);
  });

  it('resumes after an interrupted run and ends with the same table as an uninterrupted one', async () => {
    seedPythonDb(source.db, { users: 9, audio: 40 });
    source.db
      .prepare(
        `INSERT INTO users (id, username, hashed_password, created_at) VALUES (10, 'bad-date', 'h', '31/12/2023')`,
      )
      .run();
    const checkpoint = defaultCheckpointPath(source.path);
    let chunks = 0;
    const kill = () => {
      chunks++;
      if (chunks === 4) throw new Error('killed');
    };
    await expect(
      migrateSqliteToDynamo({ from: source.path, table, chunkSize: 5 }, { client, batch: fast, afterChunk: kill }),
    ).rejects.toThrow('killed');
    expect(existsSync(checkpoint)).toBe(true);

    const wire = watchBatchWrites(client);
    const resumed = await migrateSqliteToDynamo({ from: source.path, table, chunkSize: 5 }, { client, batch: fast });
    // Killed after the 4th chunk: both user chunks and two audio chunks were done.
    expect(resumed.resumedFrom).toEqual({ user: 10, audio: 10 });
    expect(resumed.counts.user.read + resumed.counts.audio.read).toBe(50);
    expect(resumed.counts.audio.written).toBe(40);
    // The row that failed before the kill is still reported after the resume.
    expect(resumed.failures).toEqual([
      { entity: 'user', id: 10, reason: expect.stringMatching(/created_at is not a datetime/) },
    ]);
    expect(resumed.ok).toBe(false);
    // A run with a failed row keeps its checkpoint, so the next run retries just that row.
    expect(resumed.checkpointKept).toBe(checkpoint);
    expect(existsSync(checkpoint)).toBe(true);
    expect(wire.itemsWritten).toBeGreaterThan(0);

    const reference = `migrate-${randomUUID()}`;
    await createTable(client, reference);
    await migrateSqliteToDynamo({ from: source.path, table: reference, restart: true }, { client, batch: fast });
    expect(await scanAll(client, table)).toEqual(await scanAll(client, reference));
  });

  it('retries items DynamoDB leaves unprocessed until all are written', async () => {
    seedPythonDb(source.db, { users: 4, audio: 15 });
    const wire = watchBatchWrites(client, { holdBack: (call) => (call % 2 === 1 ? 10 : 0) });
    const report = await migrateSqliteToDynamo({ from: source.path, table }, { client, batch: fast });

    expect(wire.heldBack).toBeGreaterThan(0);
    expect(report.batch.retries).toBeGreaterThan(0);
    expect(report.ok).toBe(true);
    const items = await scanAll(client, table);
    expect(items.filter((i) => i.SK === 'METADATA')).toHaveLength(15);
    expect(items.filter((i) => i.SK === 'PROFILE')).toHaveLength(4);
  });

  it('reports rows whose search-index items stay unprocessed after the bounded retries as failed', async () => {
    seedPythonDb(source.db, { audio: 3 });
    // The first batch keeps all but one item; every later batch is sent back whole, as a
    // throttled table answers.
    watchBatchWrites(client, { holdBack: (call) => (call === 1 ? 1 : 25) });
    const report = await migrateSqliteToDynamo(
      { from: source.path, table },
      { client, batch: { ...fast, maxAttempts: 3 } },
    );
    expect(report.ok).toBe(false);
    expect(report.counts.audio.failed).toBeGreaterThan(0);
    expect(report.counts.audio.written + report.counts.audio.failed).toBe(3);
    expect(report.failures[0]?.reason).toMatch(/search-index items stayed unprocessed after retries/);
    // A row whose index is incomplete is not written: a row that exists always has its index.
    const rows = (await scanAll(client, table)).filter((i) => i.SK === 'METADATA');
    expect(rows).toHaveLength(report.counts.audio.written);
  });

  it('does not overwrite an item updated in the table after the source row, but does replace an older one', async () => {
    seedPythonDb(source.db, { users: 2 });
    const newer = {
      PK: 'user#user-1',
      SK: 'PROFILE',
      user_id: 1,
      username: 'user-1',
      hashed_password: 'changed-later',
      is_active: true,
      is_admin: true,
      created_at: iso(sqlTime(1)),
      updated_at: '2030-01-01T00:00:00.000Z',
    };
    const older = {
      PK: 'user#user-2',
      SK: 'PROFILE',
      user_id: 2,
      username: 'user-2',
      hashed_password: 'stale',
      is_active: true,
      is_admin: false,
      created_at: iso(sqlTime(2)),
      updated_at: '2020-01-01T00:00:00',
    };
    await doc.send(new PutCommand({ TableName: table, Item: newer }));
    await doc.send(new PutCommand({ TableName: table, Item: older }));

    const report = await migrateSqliteToDynamo({ from: source.path, table }, { client, batch: fast });

    expect(report.counts.user).toMatchObject({ skippedNewer: 1, written: 1 });
    expect(await get('user#user-1', 'PROFILE')).toEqual(newer);
    expect((await get('user#user-2', 'PROFILE'))?.hashed_password).toBe('$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$hash2');
  });

  it('fails usernames that differ only in case, and ids another table user already holds, naming the fix', async () => {
    seedPythonDb(source.db, { users: 3 });
    source.db
      .prepare(
        `INSERT INTO users (id, username, hashed_password, created_at, updated_at) VALUES (9, 'USER-2', 'h', ?, ?)`,
      )
      .run(sqlTime(9), sqlTime(9));
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: {
          PK: 'user#someone',
          SK: 'PROFILE',
          GSI2PK: 'USERID#3',
          GSI2SK: 'PROFILE',
          user_id: 3,
          username: 'someone',
        },
      }),
    );

    const report = await migrateSqliteToDynamo({ from: source.path, table }, { client, batch: fast });

    expect(report.ok).toBe(false);
    expect(report.failures.map((f) => f.id).sort()).toEqual([3, 9]);
    expect(report.failures.find((f) => f.id === 9)?.reason).toMatch(/differs only in case.*rename one/);
    expect(report.failures.find((f) => f.id === 3)?.reason).toMatch(/already held by "someone"/);
    expect((await get('user#user-2', 'PROFILE'))?.user_id).toBe(2);
  });

  it('fails a row too large for one item (a huge transcript) and still migrates the rest', async () => {
    seedPythonDb(source.db, { audio: 3 });
    source.db.prepare('UPDATE audio_files SET transcript = ? WHERE id = 2').run('word '.repeat(90_000));
    const report = await migrateSqliteToDynamo({ from: source.path, table }, { client, batch: fast });
    expect(report.ok).toBe(false);
    expect(report.counts.audio).toMatchObject({ written: 2, failed: 1 });
    expect(report.failures[0]).toMatchObject({
      entity: 'audio',
      id: 2,
      reason: expect.stringMatching(/over DynamoDB's 400 KB item limit/),
    });
  });

  it('a dry run reads and compares but writes nothing', async () => {
    seedPythonDb(source.db, { users: 3, audio: 5 });
    const wire = watchBatchWrites(client);
    const report = await migrateSqliteToDynamo({ from: source.path, table, dryRun: true }, { client, batch: fast });
    expect(report.counts.audio.written).toBe(5);
    expect(wire.batchWrites).toBe(0);
    expect(await scanAll(client, table)).toEqual([]);
    expect(existsSync(defaultCheckpointPath(source.path))).toBe(false);
  });
});
