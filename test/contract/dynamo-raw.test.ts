import { DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { StoreCorruptError } from '../../lib/errors.js';
import { RETRYABLE_ERRORS } from '../../lib/ingest/errors.js';
import { createTable, TABLE_DEFINITION } from '../../lib/model/table.js';
import { createContext } from '../../lib/store/dynamo/context.js';
import { raiseUserIdCounter } from '../../lib/store/dynamo/users.js';
import {
  getRawItem,
  putRawItems,
  pythonAudioItem,
  pythonUserItem,
  type RawItem,
  useRawTable,
} from '../helpers/python-items.js';
import { PYTHON_AUDIO_FIELDS, PYTHON_USER_FIELDS } from '../helpers/python-schema.js';

const t = useRawTable('raw');

/** The attribute names of the Python service's items (its SQLAlchemy columns, with `user_id` for the id). */
const SEED_USER: readonly string[] = ['user_id', ...PYTHON_USER_FIELDS];
const SEED_AUDIO: readonly string[] = PYTHON_AUDIO_FIELDS;
/** New attributes the spec allows next to the seed's: ElectroDB markers, GSI keys, upload identity. */
const ALLOWED_NEW = [
  '__edb_e__',
  '__edb_v__',
  'GSI1PK',
  'GSI1SK',
  'GSI2PK',
  'GSI2SK',
  'etag',
  'sequencer',
  'transcript_s3_key',
];

const rawGet = (PK: string, SK: string) => getRawItem(t.raw, t.table, PK, SK);

/** What the repair migration adds to a Python user item: the list and by-id index keys. */
async function addIndexKeys(lowerName: string, userId: number): Promise<void> {
  await t.raw.send(
    new UpdateCommand({
      TableName: t.table,
      Key: { PK: `user#${lowerName}`, SK: 'PROFILE' },
      UpdateExpression: 'SET GSI2PK = :pk, GSI2SK = :sk, GSI1PK = :lpk, GSI1SK = :lsk',
      ExpressionAttributeValues: { ':pk': `USERID#${userId}`, ':sk': 'PROFILE', ':lpk': 'USERS', ':lsk': lowerName },
    }),
  );
}

const rawPut = (item: RawItem) => putRawItems(t.raw, t.table, [item]);

describe('what lands in DynamoDB', () => {
  it('createTable builds the table from TABLE_DEFINITION (string PK/SK, pay-per-request, its GSIs) and is idempotent', async () => {
    await createTable(t.client, t.table);
    const { Table } = await t.client.send(new DescribeTableCommand({ TableName: t.table }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(TABLE_DEFINITION.billingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const gsis = (Table?.GlobalSecondaryIndexes ?? []).map((g) => ({
      indexName: g.IndexName,
      keys: g.KeySchema?.map((k) => k.AttributeName),
      projection: g.Projection?.ProjectionType,
      status: g.IndexStatus,
    }));
    expect(gsis.sort((a, b) => String(a.indexName).localeCompare(String(b.indexName)))).toEqual(
      TABLE_DEFINITION.globalSecondaryIndexes.map((g) => ({
        indexName: g.indexName,
        keys: [g.partitionKey.name, g.sortKey.name],
        projection: typeof g.projection === 'string' ? g.projection : 'INCLUDE',
        status: 'ACTIVE',
      })),
    );
  });

  it('a user is user#<lower-cased name>/PROFILE with the seed attribute names', async () => {
    const created = await t.store.createUser({
      username: 'Alice',
      hashedPassword: 'hash',
      email: 'a@x.io',
      isAdmin: true,
    });
    const item = await rawGet('user#alice', 'PROFILE');
    expect(item).toBeDefined();
    expect(item).toMatchObject({
      PK: 'user#alice',
      SK: 'PROFILE',
      user_id: created.userId,
      username: 'Alice',
      email: 'a@x.io',
      hashed_password: 'hash',
      is_active: true,
      is_admin: true,
    });
    expect(typeof item?.user_id).toBe('number');
    const names = Object.keys(item ?? {}).filter((k) => k !== 'PK' && k !== 'SK');
    expect(names.filter((k) => !SEED_USER.includes(k) && !ALLOWED_NEW.includes(k))).toEqual([]);
    expect(await rawGet('USER#Alice', 'PROFILE')).toBeUndefined();
  });

  it('an audio row is AUDIO#<filename, case kept>/METADATA with the seed attribute names', async () => {
    await t.store.upsertAudioFile({ filename: 'My Song (1).MP3', size: 42, duration: 7, etag: 'abc', sequencer: '0A' });
    await t.store.setTranscriptStatus({ filename: 'My Song (1).MP3', status: 'processing' });
    await t.store.updateTranscript({ filename: 'My Song (1).MP3', transcript: 'la la', status: 'completed' });
    const item = await rawGet('AUDIO#My Song (1).MP3', 'METADATA');
    expect(item).toMatchObject({
      filename: 'My Song (1).MP3',
      size: 42,
      duration: 7,
      transcript: 'la la',
      transcript_status: 'completed',
    });
    expect(item?.transcribed_at).toEqual(expect.any(String));
    const names = Object.keys(item ?? {}).filter((k) => k !== 'PK' && k !== 'SK');
    expect(names.filter((k) => !SEED_AUDIO.includes(k) && !ALLOWED_NEW.includes(k))).toEqual([]);
  });

  it('a Scan shows only the seed key shapes plus the search entries in the audio partition and the id counter', async () => {
    await t.store.createUser({ username: 'Bob', hashedPassword: 'h' });
    await t.store.upsertAudioFile({ filename: 'ab.mp3', size: 1 });
    const { Items = [] } = await t.raw.send(new ScanCommand({ TableName: t.table }));
    const keys = Items.map((i) => `${i.PK}|${i.SK}`).sort();
    expect(keys).toEqual(
      [
        'AUDIO#ab.mp3|METADATA',
        // One search entry per distinct 1–3 character substring of the lower-cased name.
        ...['a', 'b', '.', 'm', 'p', '3', 'ab', 'b.', '.m', 'mp', 'p3', 'ab.', 'b.m', '.mp', 'mp3'].map(
          (gram) => `AUDIO#ab.mp3|NAME#${gram}`,
        ),
        'COUNTER#user_id|COUNTER',
        'user#bob|PROFILE',
      ].sort(),
    );
  });
});

describe('items written the Python way (no ElectroDB markers)', () => {
  const BOB_ID = 1_700_000_000_123;
  const legacyUser = pythonUserItem('Bob', BOB_ID, {
    hashed_password: '$argon2id$legacy',
    created_at: '2024-01-02T03:04:05.678901+00:00',
    updated_at: '2024-01-02T03:04:05.678901+00:00',
    yoto_refresh_token: 'r-token',
    yoto_access_token: null,
    yoto_token_expires_at: null,
  });

  it('reads a legacy user by name, case-insensitively', async () => {
    await rawPut(legacyUser);
    const user = await t.store.getUser('BOB');
    expect(user).toMatchObject({
      userId: BOB_ID,
      username: 'Bob',
      createdAt: '2024-01-02T03:04:05.678Z',
      email: 'bob@example.com',
      hashedPassword: '$argon2id$legacy',
      isActive: true,
      isAdmin: false,
      yotoRefreshToken: 'r-token',
      yotoAccessToken: null,
    });
  });

  it('reads the naive datetime.isoformat() timestamps the Python service wrote as ISO 8601 UTC', async () => {
    // Python's isoformat() of a naive UTC datetime: microseconds, no zone. Aware ones carry an offset.
    await rawPut(
      pythonUserItem('Naive', 7, {
        created_at: '2026-01-17T10:00:00.123456',
        updated_at: '2026-01-17T10:05:00',
        yoto_token_expires_at: '2026-01-18T10:00:00.5',
      }),
    );
    await rawPut(
      pythonAudioItem('naive.mp3', {
        created_at: '2026-01-17T10:00:00.123456',
        updated_at: '2026-01-17T10:05:00.000001',
        transcribed_at: '2026-01-17T10:04:59.999999',
      }),
    );
    await rawPut(
      pythonAudioItem('aware.mp3', { created_at: '2026-01-17T12:00:00.123456+02:00', updated_at: undefined }),
    );

    expect(await t.store.getUser('naive')).toMatchObject({
      createdAt: '2026-01-17T10:00:00.123Z',
      updatedAt: '2026-01-17T10:05:00.000Z',
      yotoTokenExpiresAt: '2026-01-18T10:00:00.500Z',
    });
    expect(await t.store.getAudioFile('naive.mp3')).toMatchObject({
      createdAt: '2026-01-17T10:00:00.123Z',
      updatedAt: '2026-01-17T10:05:00.000Z',
      transcribedAt: '2026-01-17T10:04:59.999Z',
    });
    // The offset is applied, and a missing updated_at falls back to created_at, normalized too.
    expect(await t.store.getAudioFile('aware.mp3')).toMatchObject({
      createdAt: '2026-01-17T10:00:00.123Z',
      updatedAt: '2026-01-17T10:00:00.123Z',
    });
  });

  it('finds and updates a legacy user by id once its by-id index key is present, keeping the item whole', async () => {
    await rawPut(legacyUser);
    // Python items lack GSI keys; the repair migration adds them (as here), then by-id works.
    expect(await t.store.getUserById(BOB_ID)).toBeUndefined();
    await addIndexKeys('bob', BOB_ID);
    expect((await t.store.getUserById(BOB_ID))?.username).toBe('Bob');
    const updated = await t.store.updateUser(BOB_ID, { email: 'new@example.com' });
    expect(updated).toMatchObject({ username: 'Bob', email: 'new@example.com', hashedPassword: '$argon2id$legacy' });
    const item = await rawGet('user#bob', 'PROFILE');
    expect(item).toMatchObject({ ...legacyUser, email: 'new@example.com', updated_at: updated.updatedAt });
    expect((await t.store.listUsers()).map((u) => u.username)).toEqual(['Bob']);
    // A new user never takes the legacy id, and the name stays taken case-insensitively.
    const carol = await t.store.createUser({ username: 'carol', hashedPassword: 'h' });
    expect(carol.userId).not.toBe(BOB_ID);
    await expect(t.store.createUser({ username: 'BOB', hashedPassword: 'h' })).rejects.toThrow(/taken/);
  });

  it('a new user skips a counter id that a legacy user already holds', async () => {
    await rawPut({ ...legacyUser, user_id: 1 });
    await addIndexKeys('bob', 1);
    const carol = await t.store.createUser({ username: 'carol', hashedPassword: 'h' });
    expect(carol.userId).toBe(2);
    expect((await t.store.getUserById(1))?.username).toBe('Bob');
  });

  it('raiseUserIdCounter puts new ids above the largest legacy id and never lowers the counter', async () => {
    const ctx = createContext(t.client, t.table);
    await raiseUserIdCounter(ctx, 41);
    await raiseUserIdCounter(ctx, 7);
    expect((await t.store.createUser({ username: 'dave', hashedPassword: 'h' })).userId).toBe(42);
  });

  it.each([
    ['beyond what a number can hold exactly', { N: '100000000000000000000' }],
    ['a fraction', { N: '1.5' }],
    ['a string', { S: 'seven' }],
  ])('a user id counter item holding %s: StoreCorruptError, not retried, and no user written', async (_what, value) => {
    await t.client.send(
      new PutItemCommand({ TableName: t.table, Item: { PK: { S: 'COUNTER#user_id' }, SK: { S: 'COUNTER' }, value } }),
    );
    const error = await t.store.createUser({ username: 'erin', hashedPassword: 'h' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect((error as Error).name).toBe('StoreCorruptError');
    expect(RETRYABLE_ERRORS).not.toContain((error as Error).name);
    expect((error as StoreCorruptError).status).toBe(500);
    expect((error as Error).message).toMatch(/repair COUNTER#user_id/);
    expect(await t.store.getUser('erin')).toBeUndefined();
  });

  it('a counter below the ids that users hold, past every attempt: StoreCorruptError naming the fix', async () => {
    await rawPut({ PK: 'COUNTER#user_id', SK: 'COUNTER', value: 0 });
    for (let id = 1; id <= 20; id++) {
      await rawPut({ ...legacyUser, PK: `user#bob${id}`, username: `bob${id}`, user_id: id });
      await addIndexKeys(`bob${id}`, id);
    }
    const error = await t.store.createUser({ username: 'erin', hashedPassword: 'h' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect((error as Error).message).toMatch(/raise COUNTER#user_id above the largest user_id/);
  });

  it('reads legacy audio statuses as failed, keeping the old value in the error', async () => {
    const old = { size: 10, created_at: '2024-01-01T00:00:00', updated_at: '2024-01-01T00:00:00' };
    await rawPut(
      pythonAudioItem('Old.mp3', {
        ...old,
        transcript_status: 'error',
        transcript_error: null,
        transcript: null,
        transcribed_at: null,
      }),
    );
    await rawPut(
      pythonAudioItem('Gone.mp3', {
        ...old,
        transcript_status: 'cancelled',
        transcript_error: 'user stopped it',
        transcript: undefined,
      }),
    );
    await rawPut(pythonAudioItem('Done.mp3', { ...old, transcript: 'hi', transcribed_at: '2024-01-01T00:01:00' }));
    expect(await t.store.getAudioFile('Old.mp3')).toMatchObject({
      filename: 'Old.mp3',
      size: 10,
      duration: 61,
      transcriptStatus: 'failed',
      transcriptError: 'legacy status: error',
      transcript: null,
    });
    expect(await t.store.getAudioFile('Gone.mp3')).toMatchObject({
      transcriptStatus: 'failed',
      transcriptError: 'user stopped it',
    });
    expect(await t.store.getAudioFile('Done.mp3')).toMatchObject({ transcriptStatus: 'completed', transcript: 'hi' });
  });

  it('updates legacy audio rows through the transition rules and leaves no partial item', async () => {
    await rawPut(
      pythonAudioItem('Old.mp3', {
        size: 10,
        transcript: 'partial words',
        transcript_status: 'disabled',
        transcript_error: null,
        created_at: '2024-01-01T00:00:00',
        updated_at: '2024-01-01T00:00:00',
        transcribed_at: null,
      }),
    );
    // A legacy failure may be re-transcribed (failed → pending), not jumped to processing.
    await expect(t.store.setTranscriptStatus({ filename: 'Old.mp3', status: 'processing' })).rejects.toThrow(
      /failed to processing/,
    );
    const pending = await t.store.setTranscriptStatus({ filename: 'Old.mp3', status: 'pending' });
    expect(pending).toMatchObject({ transcriptStatus: 'pending', transcript: null, transcriptError: null });
    await t.store.setTranscriptStatus({ filename: 'Old.mp3', status: 'processing' });
    const done = await t.store.updateTranscript({ filename: 'Old.mp3', transcript: 'full words', status: 'completed' });
    const item = await rawGet('AUDIO#Old.mp3', 'METADATA');
    expect(item).toMatchObject({
      filename: 'Old.mp3',
      size: 10,
      duration: 61,
      transcript: 'full words',
      transcript_status: 'completed',
      created_at: '2024-01-01T00:00:00',
      transcribed_at: done.transcribedAt,
    });
    expect(await t.store.getAudioFile('Old.mp3')).toEqual(done);
  });

  it('a newer upload of a legacy row resets it and adds it to the list index', async () => {
    await rawPut(
      pythonAudioItem('Legacy.mp3', {
        size: 10,
        duration: undefined,
        transcript: 'old',
        created_at: '2023-05-05T05:05:05',
        updated_at: '2023-05-05T05:05:05',
      }),
    );
    expect((await t.store.listAudioFiles()).items).toEqual([]);
    const row = await t.store.upsertAudioFile({ filename: 'Legacy.mp3', size: 20, duration: 3, sequencer: '01' });
    expect(row).toMatchObject({
      transcriptStatus: 'pending',
      transcript: null,
      size: 20,
      createdAt: '2023-05-05T05:05:05.000Z',
    });
    expect(await t.store.getAudioFile('Legacy.mp3')).toEqual(row);
    expect((await t.store.listAudioFiles()).items.map((a) => a.filename)).toEqual(['Legacy.mp3']);
    // The upload also gives it the filename entries the Python service never wrote.
    expect((await t.store.searchAudioFiles('legacy')).items.map((a) => a.filename)).toEqual(['Legacy.mp3']);
  });

  it('does not touch a status change or transcript of a missing file (no partial item)', async () => {
    await expect(
      t.store.updateTranscript({ filename: 'nope.mp3', transcript: 't', status: 'completed' }),
    ).rejects.toThrow(/does not exist/);
    expect(await rawGet('AUDIO#nope.mp3', 'METADATA')).toBeUndefined();
  });
});

describe('sessions, Yoto tokens and admin bookkeeping in DynamoDB', () => {
  it('a Python user has no session_version (reads 0); a revocation writes the number on its own key', async () => {
    await rawPut(pythonUserItem('Ada', 5));
    expect((await t.store.getUser('ada'))?.sessionVersion).toBe(0);
    await t.store.revokeSessions('ADA');
    const item = await rawGet('user#ada', 'PROFILE');
    expect(item).toMatchObject({ session_version: 1, username: 'Ada', user_id: 5 });
    expect(item?.GSI2PK).toBeUndefined();
  });

  it('keeps the tokens and the lease in the Python attribute names, with ISO 8601 expiry', async () => {
    await rawPut(pythonUserItem('admin', 1));
    const now = new Date('2026-01-01T12:00:00.000Z');
    expect(await t.store.acquireYotoTokenLock('admin', 'lambda-1', { now })).toBe(true);
    await t.store.saveYotoTokens('admin', {
      refreshToken: 'r',
      accessToken: 'a',
      expiresAt: '2026-01-01T13:00:00.000Z',
      lockOwner: 'lambda-1',
    });
    expect(await rawGet('user#admin', 'PROFILE')).toMatchObject({
      yoto_refresh_token: 'r',
      yoto_access_token: 'a',
      yoto_token_expires_at: '2026-01-01T13:00:00.000Z',
      yoto_token_lock_owner: 'lambda-1',
      yoto_token_lock_expires_at: '2026-01-01T12:00:30.000Z',
    });
    await t.store.releaseYotoTokenLock('admin', 'lambda-1');
    const released = await rawGet('user#admin', 'PROFILE');
    expect(released?.yoto_token_lock_owner).toBeUndefined();
    expect(released?.yoto_token_lock_expires_at).toBeUndefined();
  });

  it('takes over a lease the Python service left expired (its isoformat() with +00:00), never a live one', async () => {
    // datetime.isoformat() of an aware UTC time, as the Python store wrote the expiry.
    await rawPut(
      pythonUserItem('admin', 1, {
        yoto_token_lock_owner: 'python-worker',
        yoto_token_lock_expires_at: '2026-01-01T12:00:30.123456+00:00',
      }),
    );
    expect(await t.store.acquireYotoTokenLock('admin', 'ts', { now: new Date('2026-01-01T12:00:20.000Z') })).toBe(
      false,
    );
    expect(await t.store.acquireYotoTokenLock('admin', 'ts', { now: new Date('2026-01-01T12:00:31.000Z') })).toBe(true);
    expect((await rawGet('user#admin', 'PROFILE'))?.yoto_token_lock_owner).toBe('ts');
  });

  it('the admin counter and the bootstrap marker are plain items outside every listing', async () => {
    await t.store.ensureAdminUser({ hashedPassword: 'h' });
    const second = await t.store.createUser({ username: 'second', hashedPassword: 'h', isAdmin: true });
    await t.store.updateUser(second.userId, { isAdmin: false });
    const counter = await rawGet('COUNTER#active_admins', 'COUNTER');
    const marker = await rawGet('MARKER#admin_bootstrap', 'MARKER');
    expect(counter).toMatchObject({ value: 1 });
    expect(marker?.created_at).toEqual(expect.any(String));
    for (const item of [counter, marker])
      expect(Object.keys(item ?? {}).filter((k) => k.startsWith('GSI'))).toEqual([]);
    expect((await t.store.listUsers()).map((u) => u.username).sort()).toEqual(['admin', 'second']);
  });

  it('a transcript is word entries in the audio partition, keyed by prefix in GSI3 and sorted by filename', async () => {
    await t.store.upsertAudioFile({ filename: 'Talk.mp3', size: 1 });
    await t.store.setTranscriptStatus({ filename: 'Talk.mp3', status: 'processing' });
    await t.store.updateTranscript({ filename: 'Talk.mp3', transcript: 'Hello hello HELP', status: 'completed' });
    const { Items = [] } = await t.raw.send(new ScanCommand({ TableName: t.table }));
    const words = Items.filter((i) => String(i.SK).startsWith('WORD#'));
    expect(words.map((i) => i.SK).sort()).toEqual(['WORD#hel', 'WORD#hell', 'WORD#hello', 'WORD#help']);
    expect(words.every((i) => i.PK === 'AUDIO#Talk.mp3' && i.GSI3SK === 'Talk.mp3' && i.GSI3PK === i.SK)).toBe(true);
  });
});
