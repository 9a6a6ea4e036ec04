/**
 * Migration throughput, into dynalite:
 * - `sqlite-to-dynamodb` of N audio rows (default 100,000) + N/100 users from a Python-schema
 *   SQLite file. Baseline from the same run: the Python migration script's approach, one PutItem
 *   per item in sequence, on a sample of the same rows. Also an all-unchanged re-run.
 * - `dynamodb-to-dynamodb` of the same rows from a table in the Python service's item format
 *   (PK/SK only, naive timestamps), with 1 Scan segment (baseline) and with 4.
 * Each run counts the requests it put on the wire: BatchWriteItem (search-index items, against
 * the minimum of items / 25), one conditional UpdateItem per row written, BatchGetItem.
 * Run alone: `npx tsx test/bench/migrate.bench.ts [--rows N]`.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startDynalite } from '../../lib/local/dynalite.js';
import { migrateDynamoToDynamo } from '../../lib/migrate/dynamodb-to-dynamodb.js';
import { itemBuilders } from '../../lib/migrate/items.js';
import { convertAudio, convertUser } from '../../lib/migrate/python-db.js';
import { migrateSqliteToDynamo } from '../../lib/migrate/sqlite-to-dynamodb.js';
import { createTable } from '../../lib/model/table.js';
import { chunk, mapLimit } from '../../lib/store/dynamo/batch.js';
import { createPythonTable } from '../helpers/python-items.js';
import { createPythonDb, seedPythonDb } from '../unit/migrate/fixtures.js';
import { type BenchArgs, numberFlag, runIfMain } from './args.js';

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const line = (r: string[]) =>
    `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join(' | ')} |`;
  return [line(rows[0] ?? []), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join(
    '\n',
  );
}

/** Counts the operations a client sends (by name), from the serialized request. */
function countOperations(client: DynamoDBClient): { counts: Map<string, number>; reset(): void } {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next) => async (args) => {
      const target = (args.request as { headers?: Record<string, string> }).headers?.['x-amz-target'] ?? '';
      const operation = target.split('.').pop() ?? 'unknown';
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      return next(args);
    },
    { step: 'build', name: 'benchOperationCounter', priority: 'low' },
  );
  return { counts, reset: () => counts.clear() };
}

/** The Python service's items for the same rows: plain attributes, PK/SK only, naive timestamps. */
function pythonItems(rows: { users: Record<string, unknown>[]; audio: Record<string, unknown>[] }) {
  const naive = (value: unknown) =>
    typeof value === 'string' ? `${value.slice(0, 10)}T${value.slice(11, 19)}.000000` : value;
  const strip = (raw: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(raw).filter(([k, v]) => k !== 'id' && v !== null && v !== undefined));
  return [
    ...rows.users.map((raw) => ({
      ...strip(raw),
      PK: `user#${String(raw.username).toLowerCase()}`,
      SK: 'PROFILE',
      user_id: raw.id,
      is_active: raw.is_active === 1,
      is_admin: raw.is_admin === 1,
      created_at: naive(raw.created_at),
      updated_at: naive(raw.updated_at),
    })),
    ...rows.audio.map((raw) => ({
      ...strip(raw),
      PK: `AUDIO#${String(raw.filename)}`,
      SK: 'METADATA',
      created_at: naive(raw.created_at),
      updated_at: naive(raw.updated_at),
    })),
  ];
}

/** Runs the benchmark and prints its tables. */
export async function run(args: BenchArgs): Promise<void> {
  const audioRows = numberFlag(args.argv, '--rows', 100_000);
  const userRows = Math.max(10, Math.round(audioRows / 100));
  const sampleRows = Math.min(audioRows, 100);
  const dynamo = await startDynalite();
  const source = createPythonDb();
  try {
    seedPythonDb(source.db, { users: userRows, audio: audioRows });
    const client = dynamo.client();
    const wire = countOperations(client);
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const raw = {
      users: source.db.prepare('SELECT * FROM users ORDER BY id').all() as Record<string, unknown>[],
      audio: source.db.prepare('SELECT * FROM audio_files ORDER BY id').all() as Record<string, unknown>[],
    };

    // Baseline: one PutItem per item, in sequence, for a sample of the same rows and their index items.
    const baselineTable = `bench-baseline-${randomUUID()}`;
    await createTable(client, baselineTable);
    const builders = itemBuilders(baselineTable, client);
    const sample = [
      ...raw.users.slice(0, Math.ceil(sampleRows / 100)).flatMap((row) => {
        const c = convertUser(row);
        return c.ok ? [builders.user(c.row)] : [];
      }),
      ...raw.audio.slice(0, sampleRows).flatMap((row) => {
        const c = convertAudio(row);
        return c.ok ? [...builders.suffixes(c.row.filename, c.row.transcript), builders.audio(c.row)] : [];
      }),
    ];
    const started = performance.now();
    for (const item of sample) await doc.send(new PutCommand({ TableName: baselineTable, Item: item }));
    const baselineSeconds = (performance.now() - started) / 1000;
    const baselineRate = sample.length / baselineSeconds;
    // dynalite keeps every table in memory: drop each one once measured.
    const drop = (name: string) => client.send(new DeleteTableCommand({ TableName: name }));
    await drop(baselineTable);

    const timed = async <T>(work: () => Promise<T>) => {
      wire.reset();
      const start = performance.now();
      const result = await work();
      return { result, seconds: (performance.now() - start) / 1000, ops: new Map(wire.counts) };
    };

    const tableName = `bench-migrate-${randomUUID()}`;
    await createTable(client, tableName);
    const first = await timed(() =>
      migrateSqliteToDynamo({ from: source.path, table: tableName, restart: true }, { client }),
    );
    if (!first.result.ok) throw new Error(`migration failed: ${JSON.stringify(first.result.failures.slice(0, 3))}`);
    const rowsWritten = first.result.counts.user.written + first.result.counts.audio.written;
    const items = rowsWritten + first.result.indexItemsWritten;
    const again = await timed(() => migrateSqliteToDynamo({ from: source.path, table: tableName }, { client }));
    const rerunRows = again.result.counts.user.read + again.result.counts.audio.read;
    await drop(tableName);

    // The same rows in the Python service's deployed table, then copied with 1 and with 4 segments.
    const pythonTable = `bench-python-${randomUUID()}`;
    await createPythonTable(client, pythonTable);
    await mapLimit(chunk(pythonItems(raw), 25), 8, (batch) =>
      doc.send(
        new BatchWriteCommand({ RequestItems: { [pythonTable]: batch.map((Item) => ({ PutRequest: { Item } })) } }),
      ),
    );
    const copies: ({ segments: number } & Awaited<
      ReturnType<typeof timed<Awaited<ReturnType<typeof migrateDynamoToDynamo>>>>
    >)[] = [];
    for (const segments of [1, 4]) {
      const target = `bench-copy-${randomUUID()}`;
      await createTable(client, target);
      const copy = await timed(() =>
        migrateDynamoToDynamo(
          { from: pythonTable, table: target, segments, checkpointPath: `${source.dir}/copy-${segments}.json` },
          { source: client, target: client },
        ),
      );
      if (!copy.result.ok) throw new Error(`copy failed: ${JSON.stringify(copy.result.failures.slice(0, 3))}`);
      copies.push({ segments, ...copy });
      await drop(target);
    }

    const rate = (n: number, seconds: number) => fmt(n / seconds);
    const copyItems = (c: (typeof copies)[number]) =>
      c.result.counts.user.written + c.result.counts.audio.written + c.result.indexItemsWritten;
    const [oneSegment] = copies;
    console.log(
      table([
        ['run', 'source rows', 'items written', 'seconds', 'items/s', 'vs baseline'],
        [
          'baseline: PutItem one by one (sample)',
          fmt(sampleRows + Math.ceil(sampleRows / 100)),
          fmt(sample.length),
          fmt(baselineSeconds, 1),
          fmt(baselineRate),
          '1.00×',
        ],
        [
          'sqlite-to-dynamodb (8 in flight)',
          fmt(userRows + audioRows),
          fmt(items),
          fmt(first.seconds, 1),
          rate(items, first.seconds),
          `${fmt(items / first.seconds / baselineRate, 2)}×`,
        ],
        [
          'sqlite-to-dynamodb re-run, all unchanged (rows/s)',
          fmt(rerunRows),
          `${fmt(again.result.counts.user.written + again.result.counts.audio.written)}`,
          fmt(again.seconds, 1),
          rate(rerunRows, again.seconds),
          '—',
        ],
        ...copies.map((c) => [
          `dynamodb-to-dynamodb, ${c.segments} Scan segment${c.segments > 1 ? 's' : ''}`,
          fmt(c.result.counts.user.read + c.result.counts.audio.read),
          fmt(copyItems(c)),
          fmt(c.seconds, 1),
          rate(copyItems(c), c.seconds),
          `${fmt(copyItems(c) / c.seconds / baselineRate, 2)}×${c === oneSegment ? '' : ` (${fmt(oneSegment!.seconds / c.seconds, 2)}× 1 segment)`}`,
        ]),
      ]),
    );
    console.log();
    const op = (ops: Map<string, number>, name: string) => ops.get(name) ?? 0;
    const minimum = Math.ceil(first.result.indexItemsWritten / 25);
    console.log(
      table([
        ['requests of the first sqlite-to-dynamodb run', 'count', 'vs minimum'],
        ['BatchWriteItem, minimum (search-index items / 25)', fmt(minimum), '1.00×'],
        [
          'BatchWriteItem made (on the wire)',
          fmt(op(first.ops, 'BatchWriteItem')),
          `${fmt(op(first.ops, 'BatchWriteItem') / minimum, 3)}×`,
        ],
        [
          'UpdateItem (a conditional write per row written, + the id counter)',
          fmt(op(first.ops, 'UpdateItem')),
          `${fmt(op(first.ops, 'UpdateItem') / (rowsWritten + 1), 3)}×`,
        ],
        ['BatchGetItem (reading the table’s items first)', fmt(op(first.ops, 'BatchGetItem')), '—'],
        ['retries of unprocessed items', fmt(first.result.batch.retries), '—'],
      ]),
    );
    client.destroy();
  } finally {
    source.cleanup();
    await dynamo.close();
  }
}

runIfMain(import.meta, run);
