import { existsSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { defaultCheckpointPath } from '../../lib/migrate/checkpoint.js';
import { migrateSqliteToDynamo } from '../../lib/migrate/sqlite-to-dynamodb.js';
import { createDynamoStore } from '../../lib/store/dynamo.js';
import { seedPythonDb, type TempDb, useSqliteMigration } from '../unit/migrate/fixtures.js';
import { watchBatchWrites } from '../unit/migrate/wire.js';

/**
 * The migration never overwrites newer data: each item is written with a condition on what the
 * table held when it was read, a tie keeps the table's item, and the attributes the pipeline owns
 * survive an update.
 */

const m = useSqliteMigration('conditional');
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let table: string;
let source: TempDb;
const fast = { baseDelayMs: 1, sleep: async () => {} };
const FILE = 'Track 00001 Ünï.mp3';

beforeEach(() => {
  ({ client, doc, table, source } = m);
});

const get = async (PK: string, SK: string) =>
  (await doc.send(new GetCommand({ TableName: table, Key: { PK, SK } }))).Item;

/** An audio row the pipeline wrote before the migration, older than the source row. */
const olderRow = {
  PK: `AUDIO#${FILE}`,
  SK: 'METADATA',
  filename: FILE,
  size: 1,
  transcript_status: 'failed',
  transcript_error: 'old',
  created_at: '2024-03-01T10:01:00.000Z',
  updated_at: '2020-01-01T00:00:00.000Z',
  sequencer: '0000000000000000000000000000000001',
  etag: 'etag-of-the-upload',
  transcript_s3_key: 'transcripts/Track 00001 Ünï.mp3.txt',
};

describe('sqlite-to-dynamodb against concurrent and newer writes', () => {
  it('loses no pipeline write made between its read and its write: the newer item wins', async () => {
    seedPythonDb(source.db, { audio: 2 });
    await doc.send(new PutCommand({ TableName: table, Item: olderRow }));
    // The pipeline, on its own connection, records a new upload and its transcript right after
    // the migration read the row as older, just before the migration's write reaches the table.
    const pipelineClient = m.dynamo.client();
    const pipeline = createDynamoStore({ client: pipelineClient, tableName: table });
    let raced = false;
    client.middlewareStack.add(
      (next) => async (args) => {
        const input = JSON.stringify(args.input);
        if (!raced && input.includes('UpdateExpression') && input.includes(`AUDIO#${FILE}`)) {
          raced = true;
          await pipeline.upsertAudioFile({ filename: FILE, size: 4242, sequencer: '0A', etag: 'new-etag' });
          await pipeline.setTranscriptStatus({ filename: FILE, status: 'processing' });
          await pipeline.updateTranscript({
            filename: FILE,
            transcript: null,
            transcriptS3Key: 'transcripts/new.txt',
            status: 'completed',
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'pipelineRace' },
    );

    const report = await migrateSqliteToDynamo({ from: source.path, table }, { client, batch: fast });

    expect(raced).toBe(true);
    expect(report.counts.audio).toMatchObject({ read: 2, written: 1, skippedNewer: 1, failed: 0 });
    const row = await get(`AUDIO#${FILE}`, 'METADATA');
    expect(row).toMatchObject({
      size: 4242,
      etag: 'new-etag',
      transcript_status: 'completed',
      transcript_s3_key: 'transcripts/new.txt',
    });
    expect(row?.sequencer).toMatch(/^0A/);
    expect(await pipeline.getAudioFile(FILE)).toMatchObject({ size: 4242, transcriptStatus: 'completed' });
    pipelineClient.destroy();
  });

  it('keeps the table’s item when its updated_at equals the source row’s (a tie is not older)', async () => {
    seedPythonDb(source.db, { users: 1 });
    const tied = {
      PK: 'user#user-1',
      SK: 'PROFILE',
      user_id: 1,
      username: 'user-1',
      hashed_password: 'changed in the table at the same instant',
      is_active: true,
      is_admin: true,
      created_at: '2024-03-01T10:01:00.000Z',
      // The source row's updated_at (sqlTime(2)), written the Python way: naive, microseconds.
      updated_at: '2024-03-01T10:02:00.000002',
    };
    await doc.send(new PutCommand({ TableName: table, Item: tied }));
    const report = await migrateSqliteToDynamo({ from: source.path, table }, { client, batch: fast });
    expect(report.counts.user).toMatchObject({ skippedNewer: 1, written: 0 });
    expect(await get('user#user-1', 'PROFILE')).toEqual(tied);
  });

  it('replaces an older item’s source fields and keeps what the pipeline owns (sequencer, etag, transcript_s3_key)', async () => {
    seedPythonDb(source.db, { audio: 1 });
    await doc.send(new PutCommand({ TableName: table, Item: { ...olderRow, version: 7 } }));
    const report = await migrateSqliteToDynamo({ from: source.path, table }, { client, batch: fast });
    expect(report.counts.audio).toMatchObject({ written: 1, skippedNewer: 0 });
    const row = await get(`AUDIO#${FILE}`, 'METADATA');
    // Source fields from SQLite (row 1: `processing`, no error), index attributes added…
    expect(row).toMatchObject({
      size: 1001,
      transcript_status: 'processing',
      updated_at: '2024-03-01T10:03:00.000Z',
      GSI1PK: 'AUDIO',
    });
    // …a source field the row no longer has is removed…
    expect(row).not.toHaveProperty('transcript_error');
    // …and nothing the pipeline wrote is lost.
    expect(row).toMatchObject({
      sequencer: olderRow.sequencer,
      etag: olderRow.etag,
      transcript_s3_key: olderRow.transcript_s3_key,
      version: 7,
    });
  });
});

describe('sqlite-to-dynamodb checkpoint after failures', () => {
  it('keeps the checkpoint when rows failed, retries just those next time, then removes it', async () => {
    seedPythonDb(source.db, { users: 2, audio: 3 });
    const checkpoint = defaultCheckpointPath(source.path);
    watchBatchWrites(client, { holdBack: () => 25 });
    const first = await migrateSqliteToDynamo(
      { from: source.path, table },
      { client, batch: { ...fast, maxAttempts: 2 } },
    );
    expect(first.ok).toBe(false);
    expect(first.counts.audio.failed).toBe(3);
    expect(existsSync(checkpoint)).toBe(true);

    const healthy = m.dynamo.client();
    const second = await migrateSqliteToDynamo({ from: source.path, table }, { client: healthy, batch: fast });
    expect(second.retried).toBe(3);
    expect(second.resumedFrom).toEqual({ user: 2, audio: 3 });
    // Only the three failed rows were read again; the users counted in the first run stay counted.
    expect(second.counts.audio).toMatchObject({ read: 3, written: 3, failed: 0 });
    expect(second.counts.user).toMatchObject({ read: 2, written: 2 });
    expect(second.ok).toBe(true);
    expect(existsSync(checkpoint)).toBe(false);
    healthy.destroy();
  });
});
