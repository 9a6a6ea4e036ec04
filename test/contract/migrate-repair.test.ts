import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalDynamo, startDynalite } from '../../lib/local/dynalite.js';
import { repairLegacyKeys } from '../../lib/migrate/repair-legacy-keys.js';
import { countListed, readUserIdCounter } from '../../lib/migrate/table-ops.js';
import { suffixItems } from '../../lib/model/search.js';
import { createTable } from '../../lib/model/table.js';
import { createDynamoStore } from '../../lib/store/dynamo.js';
import type { Store } from '../../lib/store/store.js';
import { scanAll } from '../unit/migrate/wire.js';

let dynamo: LocalDynamo;
let client: DynamoDBClient;
/** Plain marshalling, like the Python service's boto3 Table resource: no ElectroDB markers. */
let raw: DynamoDBDocumentClient;
let table: string;
let store: Store;

beforeAll(async () => {
  dynamo = await startDynalite();
  client = dynamo.client();
  raw = DynamoDBDocumentClient.from(client);
});
afterAll(async () => {
  client?.destroy();
  await dynamo?.close();
});
beforeEach(async () => {
  table = `repair-${randomUUID()}`;
  await createTable(client, table);
  store = createDynamoStore({ client, tableName: table });
});

const T = '2024-05-01T12:00:00.000000';
const pythonUser = (PK: string, username: string, userId: number) => ({
  PK,
  SK: 'PROFILE',
  user_id: userId,
  username,
  email: `${username.toLowerCase()}@example.com`,
  hashed_password: `$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$${username}`,
  is_active: true,
  is_admin: false,
  created_at: T,
  updated_at: T,
});
const pythonAudio = (filename: string, extra: Record<string, unknown> = {}) => ({
  PK: `AUDIO#${filename}`,
  SK: 'METADATA',
  filename,
  size: 1234,
  duration: 61,
  transcript_status: 'completed',
  transcript: 'hello',
  created_at: T,
  updated_at: T,
  ...extra,
});

async function putRaw(items: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    const batch = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    await raw.send(new BatchWriteCommand({ RequestItems: { [table]: batch } }));
  }
}
const get = async (PK: string, SK: string) =>
  (await raw.send(new GetCommand({ TableName: table, Key: { PK, SK } }))).Item;

describe('repair-legacy-keys', () => {
  beforeEach(async () => {
    await store.createUser({ username: 'bob', hashedPassword: 'new-bob' });
    await putRaw([
      pythonUser('USER#Alice', 'Alice', 1_700_000_000_123),
      pythonUser('USER#Bob', 'Bob', 1_700_000_000_456),
      pythonUser('user#carol', 'Carol', 1_700_000_000_789),
      pythonAudio('Song One.mp3'),
      pythonAudio('old.wav', { transcript_status: 'error', transcript: undefined }),
    ]);
  });

  it('prints the plan and changes nothing without --apply', async () => {
    const before = await scanAll(client, table);
    const lines: string[] = [];
    const report = await repairLegacyKeys({ table }, { client, log: (l) => lines.push(l) });

    expect(report.applied).toBe(false);
    expect(report.counts).toMatchObject({ move: 1, conflict: 1, index: 3, search: 2 });
    expect(lines.join('\n')).toMatch(/move\s+USER#Alice \/ PROFILE\s+→ user#alice/);
    expect(lines.join('\n')).toMatch(/conflict\s+USER#Bob \/ PROFILE\s+user#bob already exists/);
    expect(await scanAll(client, table)).toEqual(before);
  });

  it('with --apply moves legacy users, keeps conflicts, and makes every Python item findable', async () => {
    const report = await repairLegacyKeys({ table, apply: true }, { client });

    expect(report.counts).toMatchObject({ move: 1, conflict: 1, index: 3, search: 2, changed: 0 });
    expect(await get('USER#Alice', 'PROFILE')).toBeUndefined();
    expect(await get('user#alice', 'PROFILE')).toMatchObject({
      username: 'Alice',
      user_id: 1_700_000_000_123,
      email: 'alice@example.com',
    });
    expect((await store.getUser('ALICE'))?.userId).toBe(1_700_000_000_123);
    expect((await store.getUserById(1_700_000_000_123))?.username).toBe('Alice');

    // The conflict is reported, never clobbered: both items stay as they were.
    expect((await get('USER#Bob', 'PROFILE'))?.hashed_password).toContain('Bob');
    expect((await store.getUser('bob'))?.hashedPassword).toBe('new-bob');

    expect((await store.getUserById(1_700_000_000_789))?.username).toBe('Carol');
    expect((await store.listUsers()).map((u) => u.username).sort()).toEqual(['Alice', 'Carol', 'bob']);
    expect((await store.listAudioFiles()).items.map((a) => a.filename)).toEqual(['Song One.mp3', 'old.wav']);
    expect((await store.searchAudioFiles('ng on')).items.map((a) => a.filename)).toEqual(['Song One.mp3']);
    expect((await store.getAudioFile('old.wav'))?.transcriptStatus).toBe('failed');
    expect(await readUserIdCounter(client, table)).toBe(1_700_000_000_789);

    const again = await repairLegacyKeys({ table, apply: true }, { client });
    expect(again.counts).toMatchObject({ move: 0, index: 0, search: 0, conflict: 1 });
  });

  it('reads every page of the scan (no truncation at 1 MB)', async () => {
    const big = 'x'.repeat(60_000);
    const many = Array.from({ length: 30 }, (_, i) =>
      pythonAudio(`big-${String(i).padStart(2, '0')}.mp3`, { transcript: big }),
    );
    await putRaw(many);

    const report = await repairLegacyKeys({ table, apply: true }, { client });

    expect(report.pages).toBeGreaterThan(1);
    expect(report.counts.index).toBe(32 + 1);
    // Pages of the list index are cut at 1 MB too: count over all of them.
    expect(await countListed(raw, table, 'AUDIO')).toBe(32);
    const items = await scanAll(client, table);
    const suffixes = items.filter((i) => String(i.PK) === 'AUDIO#big-29.mp3' && String(i.SK).startsWith('SUFFIX#'));
    expect(suffixes).toHaveLength(suffixItems('big-29.mp3').length);
  });
});
