/**
 * Migration throughput: `sqlite-to-dynamodb` of N audio rows (default 100,000) + N/100 users
 * (1,000) from a Python-schema SQLite file into dynalite. Baseline from the same run: the Python
 * migration script's approach, one PutItem per item in sequence, on a sample of the same rows.
 * Also counts BatchWriteItem calls against the minimum (items / 25) and times an all-unchanged
 * re-run. Run alone: `npx tsx test/bench/migrate.bench.ts [--rows N]`.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startDynalite } from '../../lib/local/dynalite.js';
import { itemBuilders } from '../../lib/migrate/items.js';
import { convertAudio, convertUser } from '../../lib/migrate/python-db.js';
import { migrateSqliteToDynamo } from '../../lib/migrate/sqlite-to-dynamodb.js';
import { createTable } from '../../lib/model/table.js';
import { createPythonDb, seedPythonDb } from '../unit/migrate/fixtures.js';
import { watchBatchWrites } from '../unit/migrate/wire.js';
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

/** Runs the benchmark and prints its table. */
export async function run(args: BenchArgs): Promise<void> {
  const audioRows = numberFlag(args.argv, '--rows', 100_000);
  const userRows = Math.max(10, Math.round(audioRows / 100));
  const sampleRows = Math.min(audioRows, 100);
  const dynamo = await startDynalite();
  const source = createPythonDb();
  try {
    seedPythonDb(source.db, { users: userRows, audio: audioRows });
    const client = dynamo.client();
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

    // Baseline: one PutItem per item, in sequence, for a sample of the same rows and their index items.
    const baselineTable = `bench-baseline-${randomUUID()}`;
    await createTable(client, baselineTable);
    const builders = itemBuilders(baselineTable, client);
    const sample = [
      ...(
        source.db.prepare('SELECT * FROM users ORDER BY id LIMIT ?').all(Math.ceil(sampleRows / 100)) as Record<
          string,
          unknown
        >[]
      ).flatMap((raw) => {
        const c = convertUser(raw);
        return c.ok ? [builders.user(c.row)] : [];
      }),
      ...(
        source.db.prepare('SELECT * FROM audio_files ORDER BY id LIMIT ?').all(sampleRows) as Record<string, unknown>[]
      ).flatMap((raw) => {
        const c = convertAudio(raw);
        return c.ok ? [...builders.suffixes(c.row.filename, c.row.transcript), builders.audio(c.row)] : [];
      }),
    ];
    let started = performance.now();
    for (const item of sample) await doc.send(new PutCommand({ TableName: baselineTable, Item: item }));
    const baselineSeconds = (performance.now() - started) / 1000;
    const baselineRate = sample.length / baselineSeconds;

    const tableName = `bench-migrate-${randomUUID()}`;
    await createTable(client, tableName);
    const wire = watchBatchWrites(client);
    started = performance.now();
    const report = await migrateSqliteToDynamo({ from: source.path, table: tableName, restart: true }, { client });
    const seconds = (performance.now() - started) / 1000;
    if (!report.ok) throw new Error(`migration failed: ${JSON.stringify(report.failures.slice(0, 3))}`);
    const items = report.counts.user.written + report.counts.audio.written + report.indexItemsWritten;
    const minimumCalls = Math.ceil(items / 25);

    started = performance.now();
    const again = await migrateSqliteToDynamo({ from: source.path, table: tableName }, { client });
    const rerunSeconds = (performance.now() - started) / 1000;
    const rerunRows = again.counts.user.read + again.counts.audio.read;

    console.log(
      table([
        ['run', 'source rows', 'items', 'seconds', 'items/s', 'vs baseline'],
        [
          'baseline: PutItem one by one (sample)',
          fmt(sampleRows + Math.ceil(sampleRows / 100)),
          fmt(sample.length),
          fmt(baselineSeconds, 1),
          fmt(baselineRate),
          '1.00×',
        ],
        [
          'sqlite-to-dynamodb (BatchWrite, 8 in flight)',
          fmt(userRows + audioRows),
          fmt(items),
          fmt(seconds, 1),
          fmt(items / seconds),
          `${fmt(items / seconds / baselineRate, 2)}×`,
        ],
        [
          're-run, all unchanged (rows/s)',
          fmt(rerunRows),
          `${fmt(again.counts.user.written + again.counts.audio.written)} written`,
          fmt(rerunSeconds, 1),
          fmt(rerunRows / rerunSeconds),
          '—',
        ],
      ]),
    );
    console.log();
    console.log(
      table([
        ['BatchWriteItem calls', 'count', 'vs minimum'],
        ['minimum (items / 25)', fmt(minimumCalls), '1.00×'],
        ['made by the migration (on the wire)', fmt(wire.batchWrites), `${fmt(wire.batchWrites / minimumCalls, 3)}×`],
        ['of which retries of unprocessed items', fmt(report.batch.retries), '—'],
      ]),
    );
    client.destroy();
  } finally {
    source.cleanup();
    await dynamo.close();
  }
}

runIfMain(import.meta, run);
