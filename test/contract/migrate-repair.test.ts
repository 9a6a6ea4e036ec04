import { beforeEach, describe, expect, it } from 'vitest';
import { repairLegacyKeys } from '../../lib/migrate/repair-legacy-keys.js';
import { countListed, readUserIdCounter } from '../../lib/migrate/table-ops.js';
import { isSearchTermKey, searchTermItems } from '../../lib/model/search.js';
import {
  getRawItem,
  putRawItems,
  pythonAudioItem,
  pythonUserItem,
  type RawItem,
  useRawTable,
} from '../helpers/python-items.js';
import { scanAll } from '../unit/migrate/wire.js';

const t = useRawTable('repair');

const putRaw = (items: RawItem[]) => putRawItems(t.raw, t.table, items);
const get = (PK: string, SK: string) => getRawItem(t.raw, t.table, PK, SK);

describe('repair-legacy-keys', () => {
  beforeEach(async () => {
    await t.store.createUser({ username: 'bob', hashedPassword: 'new-bob' });
    await putRaw([
      pythonUserItem('Alice', 1_700_000_000_123, { PK: 'USER#Alice' }),
      pythonUserItem('Bob', 1_700_000_000_456, { PK: 'USER#Bob' }),
      pythonUserItem('Carol', 1_700_000_000_789),
      pythonAudioItem('Song One.mp3'),
      pythonAudioItem('old.wav', { transcript_status: 'error', transcript: undefined }),
    ]);
  });

  it('prints the plan and changes nothing without --apply', async () => {
    const before = await scanAll(t.client, t.table);
    const lines: string[] = [];
    const report = await repairLegacyKeys({ table: t.table }, { client: t.client, log: (l) => lines.push(l) });

    expect(report.applied).toBe(false);
    expect(report.counts).toMatchObject({ move: 1, conflict: 1, index: 3, search: 2 });
    expect(lines.join('\n')).toMatch(/move\s+USER#Alice \/ PROFILE\s+→ user#alice/);
    expect(lines.join('\n')).toMatch(/conflict\s+USER#Bob \/ PROFILE\s+user#bob already exists/);
    expect(await scanAll(t.client, t.table)).toEqual(before);
  });

  it('with --apply moves legacy users, keeps conflicts, and makes every Python item findable', async () => {
    const report = await repairLegacyKeys({ table: t.table, apply: true }, { client: t.client });

    expect(report.counts).toMatchObject({ move: 1, conflict: 1, index: 3, search: 2, changed: 0 });
    expect(await get('USER#Alice', 'PROFILE')).toBeUndefined();
    expect(await get('user#alice', 'PROFILE')).toMatchObject({
      username: 'Alice',
      user_id: 1_700_000_000_123,
      email: 'alice@example.com',
    });
    expect((await t.store.getUser('ALICE'))?.userId).toBe(1_700_000_000_123);
    expect((await t.store.getUserById(1_700_000_000_123))?.username).toBe('Alice');

    // The conflict is reported, never clobbered: both items stay as they were.
    expect((await get('USER#Bob', 'PROFILE'))?.hashed_password).toContain('Bob');
    expect((await t.store.getUser('bob'))?.hashedPassword).toBe('new-bob');

    expect((await t.store.getUserById(1_700_000_000_789))?.username).toBe('Carol');
    expect((await t.store.listUsers()).map((u) => u.username).sort()).toEqual(['Alice', 'Carol', 'bob']);
    expect((await t.store.listAudioFiles()).items.map((a) => a.filename)).toEqual(['Song One.mp3', 'old.wav']);
    expect((await t.store.searchAudioFiles('ng on')).items.map((a) => a.filename)).toEqual(['Song One.mp3']);
    expect((await t.store.getAudioFile('old.wav'))?.transcriptStatus).toBe('failed');
    expect(await readUserIdCounter(t.client, t.table)).toBe(1_700_000_000_789);

    const again = await repairLegacyKeys({ table: t.table, apply: true }, { client: t.client });
    expect(again.counts).toMatchObject({ move: 0, index: 0, search: 0, conflict: 1 });
  });

  it('finishes a move killed between its Put and its Delete instead of reporting a conflict forever', async () => {
    const killed = await repairLegacyKeys(
      { table: t.table, apply: true },
      {
        client: t.client,
        afterPut: () => {
          throw new Error('killed');
        },
      },
    ).catch((e: unknown) => e);
    expect((killed as Error).message).toBe('killed');
    // The copy is in place and the legacy item is still there.
    expect(await get('user#alice', 'PROFILE')).toMatchObject({ username: 'Alice' });
    expect(await get('USER#Alice', 'PROFILE')).toBeDefined();

    const plan = await repairLegacyKeys({ table: t.table }, { client: t.client });
    expect(plan.counts).toMatchObject({ move: 0, finish: 1, conflict: 1 });
    expect(plan.actions.find((a) => a.kind === 'finish')?.detail).toMatch(/user#alice already holds this user/);

    const resumed = await repairLegacyKeys({ table: t.table, apply: true }, { client: t.client });
    expect(resumed.counts).toMatchObject({ move: 0, finish: 1, conflict: 1, changed: 0 });
    expect(await get('USER#Alice', 'PROFILE')).toBeUndefined();
    expect((await t.store.getUser('alice'))?.userId).toBe(1_700_000_000_123);
    // The real conflict (a different user already at user#bob) is still left alone.
    expect(await get('USER#Bob', 'PROFILE')).toBeDefined();
    const again = await repairLegacyKeys({ table: t.table, apply: true }, { client: t.client });
    expect(again.counts).toMatchObject({ move: 0, finish: 0, conflict: 1 });
  });

  it('finishes the move when the copy was used since (same user, updated later)', async () => {
    await repairLegacyKeys(
      { table: t.table, apply: true },
      {
        client: t.client,
        afterPut: () => {
          throw new Error('killed');
        },
      },
    ).catch(() => undefined);
    // The user logged in meanwhile: the copy's hash was upgraded.
    const alice = await t.store.getUser('alice');
    await t.store.updateUser(alice!.userId, { hashedPassword: 'rehashed' });
    const resumed = await repairLegacyKeys({ table: t.table, apply: true }, { client: t.client });
    expect(resumed.counts.finish).toBe(1);
    expect(await get('USER#Alice', 'PROFILE')).toBeUndefined();
    expect((await t.store.getUser('alice'))?.hashedPassword).toBe('rehashed');
  });

  it('plans nothing for a transcript kept in S3, whose word entries the store wrote from its text', async () => {
    await repairLegacyKeys({ table: t.table, apply: true }, { client: t.client });
    await t.store.upsertAudioFile({ filename: 'long talk.mp3', size: 10 });
    await t.store.setTranscriptStatus({ filename: 'long talk.mp3', status: 'processing' });
    await t.store.updateTranscript({
      filename: 'long talk.mp3',
      transcript: null,
      transcriptS3Key: 'transcripts/long talk.mp3.txt',
      searchText: 'a transcript too long for its row, searchable by its words',
      status: 'completed',
    });
    const items = await scanAll(t.client, t.table);
    expect(
      items.filter((i) => i.PK === 'AUDIO#long talk.mp3' && String(i.SK).startsWith('WORD#')).length,
    ).toBeGreaterThan(0);

    const plan = await repairLegacyKeys({ table: t.table }, { client: t.client });
    expect(plan.actions.filter((action) => action.key.startsWith('AUDIO#long talk.mp3'))).toEqual([]);
  });

  it('reads every page of the scan (no truncation at 1 MB)', async () => {
    const big = 'x'.repeat(60_000);
    const many = Array.from({ length: 30 }, (_, i) =>
      pythonAudioItem(`big-${String(i).padStart(2, '0')}.mp3`, { transcript: big }),
    );
    await putRaw(many);

    const report = await repairLegacyKeys({ table: t.table, apply: true }, { client: t.client });

    expect(report.pages).toBeGreaterThan(1);
    expect(report.counts.index).toBe(32 + 1);
    // Pages of the list index are cut at 1 MB too: count over all of them.
    expect(await countListed(t.raw, t.table, 'AUDIO')).toBe(32);
    const items = await scanAll(t.client, t.table);
    const suffixes = items.filter((i) => String(i.PK) === 'AUDIO#big-29.mp3' && isSearchTermKey(i.SK));
    const row = items.find((i) => String(i.PK) === 'AUDIO#big-29.mp3' && i.SK === 'METADATA');
    expect(suffixes).toHaveLength(searchTermItems('big-29.mp3', row?.transcript as string | undefined).length);
  });
});
