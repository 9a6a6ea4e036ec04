import type { CopyReport } from './dynamodb-to-dynamodb.js';
import type { ImportReport } from './import-users.js';
import type { RepairReport } from './repair-legacy-keys.js';
import type { MigrateReport } from './sqlite-to-dynamodb.js';

/** Turns the command reports into the text the CLI prints (tables a person can read at a glance). */

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0))).join('  '),
    )
    .join('\n');
}

/** What both copy commands report: counts per entity, failures, verification. */
type CountsReport = Pick<
  MigrateReport,
  'dryRun' | 'counts' | 'indexItemsWritten' | 'batch' | 'verification' | 'counterRaisedTo' | 'checkpointKept' | 'ok'
> & { failures: { entity: string; id: number | string; reason: string }[]; retried?: number };

function countsReport(report: CountsReport, intro: string[], unit: 'row' | 'item'): string {
  const { user, audio } = report.counts;
  const written = report.dryRun ? 'would write' : 'written';
  const lines = [report.dryRun ? 'Dry run: nothing was written.' : 'Migration summary', ...intro];
  if (report.retried) lines.push(`retried ${report.retried} ${unit}(s) that failed in the previous run`);
  lines.push(
    table([
      ['entity', `${unit}s read`, written, 'unchanged', 'skipped (table as new or newer)', 'failed'],
      ['users', `${user.read}`, `${user.written}`, `${user.unchanged}`, `${user.skippedNewer}`, `${user.failed}`],
      ['audio', `${audio.read}`, `${audio.written}`, `${audio.unchanged}`, `${audio.skippedNewer}`, `${audio.failed}`],
    ]),
  );
  if (!report.dryRun) {
    lines.push(
      `search-index items written: ${report.indexItemsWritten}; BatchWriteItem calls: ${report.batch.writeCalls}, BatchGetItem calls: ${report.batch.getCalls}, retries: ${report.batch.retries}`,
    );
  }
  if (report.counterRaisedTo !== undefined) lines.push(`user id counter raised to ${report.counterRaisedTo}`);
  if (report.verification) {
    const rows = [['entity', `source ${unit}s`, 'items in table', 'check']];
    for (const [entity, v] of Object.entries(report.verification)) {
      const check =
        v.table === v.source
          ? 'match'
          : v.table > v.source
            ? `table has ${v.table - v.source} more`
            : `MISSING ${v.source - v.table}`;
      rows.push([entity === 'user' ? 'users' : 'audio', `${v.source}`, `${v.table}`, check]);
    }
    lines.push('Verification', table(rows));
  }
  if (report.failures.length > 0) {
    lines.push(`Failed ${unit}s:`);
    for (const f of report.failures.slice(0, 50))
      lines.push(`  ${f.entity} ${unit === 'row' ? 'id ' : ''}${f.id}: ${f.reason}`);
    if (report.failures.length > 50) lines.push(`  … and ${report.failures.length - 50} more`);
  }
  if (report.checkpointKept) {
    lines.push(`The checkpoint ${report.checkpointKept} keeps the failed ${unit}s: run again to retry just those.`);
  }
  const changes = user.written + audio.written;
  lines.push(
    report.ok
      ? changes === 0 && !report.dryRun
        ? 'OK: everything unchanged.'
        : 'OK.'
      : `FAILED: some ${unit}s were not migrated (see above); fix them and run again.`,
  );
  return lines.join('\n');
}

/** The verification summary of a sqlite-to-dynamodb run. */
export function formatMigrateReport(report: MigrateReport): string {
  const intro = report.resumedFrom
    ? [`resumed after user id ${report.resumedFrom.user}, audio id ${report.resumedFrom.audio}`]
    : [];
  return countsReport(report, intro, 'row');
}

/** The verification summary of a dynamodb-to-dynamodb run. */
export function formatCopyReport(report: CopyReport): string {
  const intro = [
    `scanned in ${report.segments} parallel segment(s)${report.resumed ? ', resumed from the checkpoint' : ''}`,
  ];
  const ignored = Object.entries(report.ignored).filter(([, n]) => (n ?? 0) > 0);
  if (ignored.length > 0) {
    intro.push(`not copied (rebuilt or not user/audio data): ${ignored.map(([kind, n]) => `${n} ${kind}`).join(', ')}`);
  }
  return countsReport(report, intro, 'item');
}

/** The plan (dry run) or the outcome (--apply) of repair-legacy-keys. */
export function formatRepairReport(report: RepairReport): string {
  const c = report.counts;
  const lines = [
    `Scanned ${report.scanned} items in ${report.pages} page(s).`,
    table([
      ['action', report.applied ? 'done' : 'planned'],
      ['move USER# → user#', `${c.move}`],
      ['finish an interrupted move', `${c.finish}`],
      ['conflict (left alone)', `${c.conflict}`],
      ['add index attributes', `${c.index}`],
      ['add search-index items', `${c.search}`],
      ['changed during repair', `${c.changed}`],
      ['cannot repair', `${c.invalid}`],
    ]),
  ];
  if (report.counterRaisedTo !== undefined) lines.push(`user id counter raised to ${report.counterRaisedTo}`);
  if (!report.applied && c.move + c.finish + c.index + c.search > 0)
    lines.push('Dry run: nothing was written. Run again with --apply to make these changes.');
  if (report.applied && c.move + c.finish + c.index + c.search + c.conflict + c.changed + c.invalid === 0)
    lines.push('Nothing to repair.');
  return lines.join('\n');
}

/** Created users and rejected rows of import-users. */
export function formatImportReport(report: ImportReport): string {
  const lines = [
    report.dryRun
      ? `Dry run: ${report.accepted} user(s) would be created, ${report.rejected.length} row(s) rejected.`
      : `Created ${report.created.length} user(s), rejected ${report.rejected.length} row(s).`,
  ];
  for (const user of report.created) lines.push(`  created  line ${user.line}: ${user.username} (id ${user.userId})`);
  for (const row of report.rejected)
    lines.push(`  rejected line ${row.line}${row.username ? ` (${row.username})` : ''}: ${row.reason}`);
  return lines.join('\n');
}
