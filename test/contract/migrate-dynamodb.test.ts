import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../lib/migrate/cli.js';
import { migrateDynamoToDynamo } from '../../lib/migrate/dynamodb-to-dynamodb.js';
import { readUserIdCounter } from '../../lib/migrate/table-ops.js';
import { isSearchTermKey, searchTermItems } from '../../lib/model/search.js';
import { createTable } from '../../lib/model/table.js';
import {
  createPythonTable,
  getRawItem,
  putRawItems,
  pythonAudioItem,
  pythonUserItem,
  type RawItem,
  useRawTable,
} from '../helpers/python-items.js';
import { scanAll, watchBatchWrites } from '../unit/migrate/wire.js';

/** `t.table` is ours (our definition, empty); `source` is the Python service's table (PK/SK only). */
const t = useRawTable('copy-target');
let source: string;
let dir: string;
const fast = { baseDelayMs: 1, sleep: async () => {} };
const ISO = '2024-05-01T12:00:00.000Z';

beforeEach(async () => {
  source = `python-${randomUUID()}`;
  await createPythonTable(t.client, source);
  dir = mkdtempSync(join(tmpdir(), 'copy-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const copy = (extra: Partial<Parameters<typeof migrateDynamoToDynamo>[0]> = {}, hooks = {}) =>
  migrateDynamoToDynamo(
    { from: source, table: t.table, checkpointPath: join(dir, 'state.json'), ...extra },
    { source: t.client, target: t.client, batch: fast, ...hooks },
  );
const seed = (items: RawItem[]) => putRawItems(t.raw, source, items);

/** What the Python service's table holds: users (one under the old script's key), audio, tokens. */
const PYTHON_ITEMS: RawItem[] = [
  pythonUserItem('Alice', 1_700_000_000_123, {
    is_admin: true,
    yoto_refresh_token: 'refresh-alice',
    yoto_access_token: 'access-alice',
    yoto_token_expires_at: '2024-05-02T12:00:00.000000',
    yoto_token_lock_owner: 'lambda-7',
    yoto_token_lock_expires_at: '2024-05-01T12:00:30.000000',
  }),
  pythonUserItem('Bob', 1_700_000_000_456, { PK: 'USER#Bob', email: null }),
  pythonAudioItem('Song One.mp3'),
  pythonAudioItem('old.wav', { transcript_status: 'error', transcript: undefined, duration: null }),
  pythonAudioItem('later.mp3', { transcript_status: 'pending', transcript: undefined, transcript_error: null }),
  { PK: 'CONFIG#settings', SK: 'GLOBAL', theme: 'dark' },
];

describe('dynamodb-to-dynamodb', () => {
  it('copies every user and audio item in our format, with every user attribute and the search index', async () => {
    await seed(PYTHON_ITEMS);
    const report = await copy({ segments: 3 });

    expect(report.ok).toBe(true);
    expect(report.counts.user).toMatchObject({ read: 2, written: 2, failed: 0 });
    expect(report.counts.audio).toMatchObject({ read: 3, written: 3, failed: 0 });
    expect(report.ignored).toEqual({ other: 1 });
    expect(report.verification).toEqual({ user: { source: 2, table: 2 }, audio: { source: 3, table: 3 } });

    const alice = await getRawItem(t.raw, t.table, 'user#alice', 'PROFILE');
    expect(alice).toMatchObject({
      user_id: 1_700_000_000_123,
      username: 'Alice',
      email: 'alice@example.com',
      hashed_password: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$Alice',
      is_admin: true,
      created_at: ISO,
      updated_at: ISO,
      yoto_refresh_token: 'refresh-alice',
      yoto_access_token: 'access-alice',
      yoto_token_expires_at: '2024-05-02T12:00:00.000Z',
      yoto_token_lock_owner: 'lambda-7',
      yoto_token_lock_expires_at: '2024-05-01T12:00:30.000000',
      GSI1PK: 'USERS',
      GSI2PK: 'USERID#1700000000123',
    });
    // The old script's USER#Bob lands on the key the store reads.
    expect(await getRawItem(t.raw, t.table, 'USER#Bob', 'PROFILE')).toBeUndefined();
    expect((await t.store.getUser('BOB'))?.userId).toBe(1_700_000_000_456);
    expect((await t.store.getUserById(1_700_000_000_123))?.username).toBe('Alice');

    expect(await getRawItem(t.raw, t.table, 'AUDIO#old.wav', 'METADATA')).toMatchObject({
      transcript_status: 'failed',
      transcript_error: 'legacy status: error',
      GSI1PK: 'AUDIO',
    });
    expect((await t.store.listAudioFiles()).items.map((a) => a.filename)).toEqual([
      'Song One.mp3',
      'later.mp3',
      'old.wav',
    ]);
    expect((await t.store.searchAudioFiles('ng on')).items.map((a) => a.filename)).toEqual(['Song One.mp3']);
    // The search index: every filename's pieces and every transcript's word prefixes.
    const terms = (await scanAll(t.client, t.table)).filter((i) => isSearchTermKey(i.SK));
    const audio = PYTHON_ITEMS.filter((i) => String(i.PK).startsWith('AUDIO#'));
    expect(terms).toHaveLength(
      audio.reduce((n, i) => n + searchTermItems(String(i.filename), i.transcript as string | undefined).length, 0),
    );
    // New users get ids above every migrated one.
    expect(await readUserIdCounter(t.client, t.table)).toBe(1_700_000_000_456);
    expect((await t.store.createUser({ username: 'newcomer', hashedPassword: 'x' })).userId).toBeGreaterThan(
      1_700_000_000_456,
    );
    expect(existsSync(join(dir, 'state.json'))).toBe(false);
  });

  it('a second run writes nothing and reports every item unchanged', async () => {
    await seed(PYTHON_ITEMS);
    await copy();
    const before = await scanAll(t.client, t.table);
    const wire = watchBatchWrites(t.client);
    const again = await copy();
    expect(wire.batchWrites).toBe(0);
    expect(again.counts.user).toMatchObject({ read: 2, written: 0, unchanged: 2 });
    expect(again.counts.audio).toMatchObject({ read: 3, written: 0, unchanged: 3 });
    expect(again.ok).toBe(true);
    expect(await scanAll(t.client, t.table)).toEqual(before);
  });

  it('resumes a killed run from its checkpoint and ends with the same table as an uninterrupted one', async () => {
    const many = Array.from({ length: 30 }, (_, i) => pythonAudioItem(`track-${String(i).padStart(2, '0')}.mp3`));
    await seed([...PYTHON_ITEMS, ...many]);
    let pages = 0;
    const killed = await copy(
      { segments: 2, pageSize: 4 },
      {
        afterPage: () => {
          if (++pages === 3) throw new Error('killed');
        },
      },
    ).catch((e: unknown) => e);
    expect((killed as Error).message).toBe('killed');
    expect(existsSync(join(dir, 'state.json'))).toBe(true);

    const resumed = await copy({ segments: 2, pageSize: 4 });
    expect(resumed.resumed).toBe(true);
    expect(resumed.ok).toBe(true);
    // Pages done before the kill are not read again: every item counted once over both runs.
    expect(resumed.counts.audio.read).toBe(33);
    expect(existsSync(join(dir, 'state.json'))).toBe(false);

    const reference = `copy-reference-${randomUUID()}`;
    await createTable(t.client, reference);
    await migrateDynamoToDynamo(
      { from: source, table: reference, checkpointPath: join(dir, 'reference.json') },
      { source: t.client, target: t.client, batch: fast },
    );
    expect(await scanAll(t.client, t.table)).toEqual(await scanAll(t.client, reference));
  });

  it('never overwrites an item updated later in our table, and keeps what the pipeline wrote', async () => {
    await seed(PYTHON_ITEMS);
    const newer = {
      PK: 'AUDIO#Song One.mp3',
      SK: 'METADATA',
      filename: 'Song One.mp3',
      size: 99,
      transcript_status: 'processing',
      created_at: ISO,
      updated_at: '2026-01-01T00:00:00.000Z',
      sequencer: '00000000000000000000000000000000AB',
      etag: 'etag',
    };
    await t.raw.send(new PutCommand({ TableName: t.table, Item: newer }));
    const report = await copy();
    expect(report.counts.audio).toMatchObject({ written: 2, skippedNewer: 1 });
    expect(await getRawItem(t.raw, t.table, 'AUDIO#Song One.mp3', 'METADATA')).toEqual(newer);
  });

  it('copies user#alice and fails USER#Alice when the source holds both, naming the fix', async () => {
    await seed([
      pythonUserItem('Alice', 1, { hashed_password: 'canonical' }),
      pythonUserItem('Alice', 2, { PK: 'USER#Alice', hashed_password: 'legacy' }),
    ]);
    const report = await copy();
    expect(report.ok).toBe(false);
    expect(report.failures).toEqual([
      expect.objectContaining({
        entity: 'user',
        id: 'USER#Alice / PROFILE',
        reason: expect.stringMatching(/also holds user#alice.*merge the two by hand/),
      }),
    ]);
    expect((await t.store.getUser('alice'))?.hashedPassword).toBe('canonical');
    expect(report.checkpointKept).toBe(join(dir, 'state.json'));
  });

  it('refuses to copy a table onto itself and names a missing source table', async () => {
    await expect(copy({ from: t.table })).rejects.toThrow(/same table.*repair-legacy-keys/);
    await expect(copy({ from: 'no-such-python-table' })).rejects.toThrow(
      /^Source table: .*"no-such-python-table".*was not found/,
    );
  });

  it('runs from the CLI with a summary, and a dry run writes nothing', async () => {
    await seed(PYTHON_ITEMS);
    const endpoint = await endpointOf();
    let out = '';
    const io = { out: (text: string) => (out += text), err: () => {}, env: {} };
    const args = ['dynamodb-to-dynamodb', '--from', source, '--table', t.table, '--endpoint', endpoint];
    expect(await main([...args, '--dry-run'], io)).toBe(0);
    expect(out).toMatch(/Dry run: nothing was written/);
    expect(out).toMatch(/users\s+2\s+2\s+0\s+0\s+0/);
    expect(await scanAll(t.client, t.table)).toEqual([]);
    out = '';
    expect(await main([...args, '--checkpoint', join(dir, 'cli.json'), '--segments', '2'], io)).toBe(0);
    expect(out).toMatch(/scanned in 2 parallel segment/);
    expect(out).toMatch(/audio\s+3\s+3\s+match/);
    expect(out).toMatch(/not copied .*1 other/);
  });
});

async function endpointOf(): Promise<string> {
  const endpoint = await t.client.config.endpoint!();
  return `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`;
}
