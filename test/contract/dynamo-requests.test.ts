import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidCursorError, InvalidTransitionError, StoreUnavailableError } from '../../lib/errors.js';
import { type LocalDynamo, startDynalite } from '../../lib/local/dynalite.js';
import { filenameTermItems, transcriptTermItems } from '../../lib/model/search.js';
import { canTransition, TRANSCRIPT_STATUSES, type TranscriptStatus } from '../../lib/model/status.js';
import { createTable } from '../../lib/model/table.js';
import { createDynamoStore } from '../../lib/store/dynamo.js';
import type { Store } from '../../lib/store/store.js';
import { countRequests, type RequestCounter, unusedPlaceholders } from '../helpers/request-counter.js';

let dynamo: LocalDynamo;
let client: DynamoDBClient;
let counter: RequestCounter;
let store: Store;
let currentTable = '';

beforeAll(async () => {
  dynamo = await startDynalite();
  client = dynamo.client();
  counter = countRequests(client);
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.close();
});

beforeEach(async () => {
  const tableName = `requests-${randomUUID()}`;
  await createTable(client, tableName);
  store = createDynamoStore({ client, tableName });
  currentTable = tableName;
  counter.reset();
});

/** Runs `action` and returns the DynamoDB operations it sent. */
async function sent(action: () => Promise<unknown>): Promise<string[]> {
  counter.reset();
  await action();
  return counter.operations();
}

describe('DynamoDB request counts', () => {
  it('the counter sees requests sent by ElectroDB and by the document client', async () => {
    expect(await sent(() => store.getAudioFile('x.mp3'))).toEqual(['GetItem']);
    expect(await sent(() => store.listAudioFiles())).toEqual(['Query']);
  });

  it('every single-item read is exactly one request', async () => {
    const user = await store.createUser({ username: 'Reader', hashedPassword: 'h' });
    await store.upsertAudioFile({ filename: 'read.mp3', size: 1, duration: 1 });
    expect(await sent(() => store.getUser('READER'))).toEqual(['GetItem']);
    expect(await sent(() => store.getUserById(user.userId))).toEqual(['Query']);
    expect(await sent(() => store.getAudioFile('read.mp3'))).toEqual(['GetItem']);
    expect(await sent(() => store.getAudioFile('missing.mp3'))).toEqual(['GetItem']);
  });

  it('every status change is exactly one request, with no read before the write', async () => {
    await store.upsertAudioFile({ filename: 'flow.mp3', size: 1, duration: 1, sequencer: 'AA' });
    expect(await sent(() => store.setTranscriptStatus({ filename: 'flow.mp3', status: 'processing' }))).toEqual([
      'UpdateItem',
    ]);
    expect(
      await sent(() =>
        store.updateTranscript({ filename: 'flow.mp3', transcript: null, status: 'failed', error: 'x' }),
      ),
    ).toEqual(['UpdateItem']);
    // failed → pending: the row held no transcript, so there are no word entries to clean up.
    expect(await sent(() => store.setTranscriptStatus({ filename: 'flow.mp3', status: 'pending' }))).toEqual([
      'UpdateItem',
    ]);
    expect(
      await sent(() => store.setTranscriptStatus({ filename: 'flow.mp3', status: 'failed', error: 'gave up' })),
    ).toEqual(['UpdateItem']);
  });

  it('a transcript is its word entries (⌈prefixes / 25⌉ batch writes) and then one write; re-transcribing cleans them up', async () => {
    const text = 'Hello wonderful world, hello again';
    const prefixes = transcriptTermItems('words.mp3', text).length;
    expect(prefixes).toBe(3 + 7 + 3 + 3); // hel…hello, won…wonderful, wor…world, aga…again
    await store.upsertAudioFile({ filename: 'words.mp3', size: 1, duration: 1, sequencer: 'AA' });
    await store.setTranscriptStatus({ filename: 'words.mp3', status: 'processing' });
    expect(
      await sent(() =>
        store.updateTranscript({ filename: 'words.mp3', transcript: text, status: 'completed', sequencer: 'AA' }),
      ),
    ).toEqual([...Array(Math.ceil(prefixes / 25)).fill('BatchWriteItem'), 'UpdateItem']);
    // completed → pending: one write, then one Query of the file's word entries, their deletes,
    // and one read that would restore the entries of a transcript stored meanwhile.
    expect(await sent(() => store.setTranscriptStatus({ filename: 'words.mp3', status: 'pending' }))).toEqual([
      'UpdateItem',
      'Query',
      ...Array(Math.ceil(prefixes / 25)).fill('BatchWriteItem'),
      'GetItem',
    ]);
    expect((await store.searchAudioFiles('wonder')).items).toEqual([]);
  });

  it.each([
    ['song.mp3', 21],
    ['a much longer name of a podcast episode - part 2 (final).mp3', 135],
    ['x'.repeat(400), 3],
  ])('an upsert of a new file is one write plus ⌈index items / 25⌉ batch writes (%#)', async (filename, entries) => {
    // One item per distinct 1–3 character substring of the lower-cased name.
    expect(filenameTermItems(filename)).toHaveLength(entries);
    const ops = await sent(() => store.upsertAudioFile({ filename, size: 1, duration: 1 }));
    expect(ops).toEqual(['UpdateItem', ...Array(Math.ceil(entries / 25)).fill('BatchWriteItem')]);
    const written = counter.requests
      .filter((r) => r.operation === 'BatchWriteItem')
      .flatMap((r) => Object.values(r.body.RequestItems as Record<string, unknown[]>).flat());
    expect(written).toHaveLength(entries);
  });

  it('an upsert of an existing row (newer upload) is one write and does not rewrite the index', async () => {
    await store.upsertAudioFile({ filename: 'again.mp3', size: 1, duration: 1, sequencer: '01' });
    expect(
      await sent(() => store.upsertAudioFile({ filename: 'again.mp3', size: 2, duration: 1, sequencer: '02' })),
    ).toEqual(['UpdateItem']);
  });

  it('a list page is one Query; a search page is one Query per index term plus one BatchGetItem', async () => {
    for (const f of ['one.mp3', 'two.mp3', 'three.mp3']) await store.upsertAudioFile({ filename: f, size: 1 });
    expect(await sent(() => store.listAudioFiles({ limit: 2 }))).toEqual(['Query']);
    // A query that is no word reads one filename term; a word of 3+ characters also its word prefix.
    expect(await sent(() => store.searchAudioFiles('.mp'))).toEqual(['Query', 'BatchGetItem']);
    expect(await sent(() => store.searchAudioFiles('e.'))).toEqual(['Query', 'BatchGetItem']);
    expect(await sent(() => store.searchAudioFiles('three'))).toEqual(['Query', 'Query', 'BatchGetItem']);
  });

  it('no request carries an unused expression value or name', async () => {
    // dynalite (like DynamoDB) rejects an unused value, which is why this check matters.
    await expect(
      client.send(
        new UpdateItemCommand({
          TableName: currentTable,
          Key: { PK: { S: 'x' }, SK: { S: 'y' } },
          UpdateExpression: 'SET #s = :s',
          ExpressionAttributeNames: { '#s': 'transcript_status' },
          ExpressionAttributeValues: { ':s': { S: 'failed' }, ':e': { S: 'unused' } },
        }),
      ),
    ).rejects.toThrow(/unused/i);
    expect(
      unusedPlaceholders({ UpdateExpression: 'SET #s = :s', ExpressionAttributeValues: { ':s': 1, ':e': 2 } }),
    ).toEqual([':e']);

    counter.reset();
    const user = await store.createUser({ username: 'everything', hashedPassword: 'h', email: 'e@x.io' });
    await store.updateUser(user.userId, { email: null, isAdmin: true });
    await store.ensureAdminUser({ hashedPassword: 'h' });
    await store.listUsers();
    await store.userCount();
    await store.upsertAudioFile({ filename: 'all.mp3', size: 1, duration: null, sequencer: '10', etag: 'e' });
    await store.upsertAudioFile({ filename: 'all.mp3', size: 1, duration: 1, sequencer: '10' });
    await store.setTranscriptStatus({ filename: 'all.mp3', status: 'processing', sequencer: '10' });
    await store.updateTranscript({ filename: 'all.mp3', transcript: null, transcriptS3Key: 'k', status: 'completed' });
    await store.setTranscriptStatus({ filename: 'all.mp3', status: 'pending' }).catch(() => undefined);
    await store.setTranscriptStatus({ filename: 'all.mp3', status: 'completed' }).catch(() => undefined);
    await store.searchAudioFiles('all', { limit: 1 });
    await store.listAudioFiles({ limit: 1 });
    await store.deleteAudioFile('all.mp3');
    await store.deleteUser(user.userId);
    const rule = { free: 1, baseDelayMs: 1, maxDelayMs: 1, forgetOneEveryMs: 1 };
    await store.recordLoginFailure([{ key: 'account:everything', rule }]);
    await store.loginFailures(['account:everything']);
    await store.recordLoginFailure([{ key: 'address:everything', rule }]);
    await store.clearLoginFailures({ clear: ['account:everything'], uncount: [{ key: 'address:everything', rule }] });
    expect(counter.requests.length).toBeGreaterThan(15);
    // The check is not vacuous: most of these requests carry expression values.
    expect(counter.requests.filter((r) => r.body.ExpressionAttributeValues).length).toBeGreaterThan(10);
    const offenders = counter.requests
      .map((r) => ({ operation: r.operation, unused: unusedPlaceholders(r.body) }))
      .filter((r) => r.unused.length > 0);
    expect(offenders).toEqual([]);
  });
});

describe('search index writes under throttling', () => {
  afterEach(stopThrottling);

  /**
   * Makes the server "leave unprocessed" part of the next `times` BatchWriteItem calls, as
   * DynamoDB does under throttling: only the first half (or `keep` requests) is sent, the rest
   * comes back as UnprocessedItems.
   */
  function throttleBatchWrites(times: number, keep?: number): void {
    let left = times;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'BatchWriteItemCommand' || left <= 0) return next(args);
        left--;
        const input = args.input as { RequestItems: Record<string, unknown[]> };
        const [table, requests] = Object.entries(input.RequestItems)[0] as [string, unknown[]];
        const sentNow = requests.slice(0, keep ?? Math.ceil(requests.length / 2));
        const rest = requests.slice(sentNow.length);
        input.RequestItems = { [table]: sentNow };
        const result = await next(args);
        if (rest.length > 0) (result.output as { UnprocessedItems?: unknown }).UnprocessedItems = { [table]: rest };
        return result;
      },
      { step: 'initialize', name: `throttle-${randomUUID()}` },
    );
  }

  const entriesOf = async (filename: string) => {
    const { Count = 0 } = await client.send(
      new QueryCommand({
        TableName: currentTable,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :s)',
        ExpressionAttributeValues: { ':pk': { S: `AUDIO#${filename}` }, ':s': { S: 'NAME#' } },
        Select: 'COUNT',
      }),
    );
    return Count;
  };

  it('retries UnprocessedItems with backoff until every entry is written', async () => {
    const filename = 'a fairly long name for a throttled upload.mp3';
    throttleBatchWrites(3);
    const ops = await sent(() => store.upsertAudioFile({ filename, size: 1, duration: 1 }));
    expect(ops.filter((o) => o === 'BatchWriteItem').length).toBeGreaterThan(
      Math.ceil(filenameTermItems(filename).length / 25),
    );
    expect(await entriesOf(filename)).toBe(filenameTermItems(filename).length);
    expect((await store.searchAudioFiles('throttled')).items.map((a) => a.filename)).toEqual([filename]);
  });

  it('gives up after a bounded number of attempts, and a redelivered event completes the index', async () => {
    const filename = 'never written.mp3';
    throttleBatchWrites(1_000, 1);
    const error = await store.upsertAudioFile({ filename, size: 1, sequencer: '0A' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/unprocessed after 8 attempts/);
    expect(await entriesOf(filename)).toBeLessThan(filenameTermItems(filename).length);
    // Throttling ends; the redelivery (same sequencer) finds the index short and rewrites it.
    stopThrottling();
    await store.upsertAudioFile({ filename, size: 1, sequencer: '0A' });
    expect(await entriesOf(filename)).toBe(filenameTermItems(filename).length);
  }, 60_000);
});

function stopThrottling(): void {
  const names = client.middlewareStack.identify().map((line) => line.split(' ')[0] as string);
  for (const name of names.filter((n) => n.startsWith('throttle-'))) client.middlewareStack.remove(name);
}

describe('search cursors', () => {
  it('rejects a cursor issued for another query', async () => {
    for (const f of ['abc1.mp3', 'abc2.mp3', 'abd.mp3']) await store.upsertAudioFile({ filename: f, size: 1 });
    const first = await store.searchAudioFiles('abc', { limit: 1 });
    expect(first.cursor).toBeDefined();
    await expect(store.searchAudioFiles('xyz', { limit: 1, cursor: first.cursor })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    const second = await store.searchAudioFiles('abc', { limit: 1, cursor: first.cursor });
    expect([...first.items, ...second.items].map((a) => a.filename).sort()).toEqual(['abc1.mp3', 'abc2.mp3']);
  });
});

describe('concurrency', () => {
  it('50 concurrent createUser calls get 50 distinct ids', async () => {
    const users = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.createUser({ username: `racer${i}`, hashedPassword: 'h' })),
    );
    expect(new Set(users.map((u) => u.userId)).size).toBe(50);
    expect(await store.userCount()).toBe(50);
  });

  /** Brings a new row to `status` through allowed transitions. */
  async function reach(filename: string, status: TranscriptStatus): Promise<void> {
    await store.upsertAudioFile({ filename, size: 1, duration: 1 });
    if (status === 'pending') return;
    await store.setTranscriptStatus({ filename, status: 'processing' });
    if (status !== 'processing') await store.setTranscriptStatus({ filename, status });
  }

  /** Whether some order of `done` is a chain of allowed steps from `start` that ends at `end`. */
  function serializable(start: TranscriptStatus, done: TranscriptStatus[], end: TranscriptStatus): boolean {
    if (done.length === 0) return start === end;
    return done.some(
      (next, i) => canTransition(start, next) && serializable(next, [...done.slice(0, i), ...done.slice(i + 1)], end),
    );
  }

  it('racing transitions on one row serialize: exactly one of mutually exclusive writers wins', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TRANSCRIPT_STATUSES),
        fc.array(fc.constantFrom(...TRANSCRIPT_STATUSES), { minLength: 2, maxLength: 5 }),
        async (start, targets) => {
          const filename = `race-${run++}.mp3`;
          await reach(filename, start);
          const results = await Promise.allSettled(
            targets.map((status) =>
              status === 'completed' || status === 'failed'
                ? store.updateTranscript({ filename, transcript: status, status })
                : store.setTranscriptStatus({ filename, status }),
            ),
          );
          for (const r of results) {
            if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(InvalidTransitionError);
          }
          const done = targets.filter((_, i) => results[i]?.status === 'fulfilled');
          const end = (await store.getAudioFile(filename))?.transcriptStatus;
          expect(end).toBeDefined();
          expect(serializable(start, done, end as TranscriptStatus)).toBe(true);
          const exclusive = targets.every((t) => targets.every((u) => !canTransition(t, u)));
          if (exclusive && targets.some((t) => canTransition(start, t))) expect(done).toHaveLength(1);
        },
      ),
      { numRuns: 30 },
    );
  });
});
