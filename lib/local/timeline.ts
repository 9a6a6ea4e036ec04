import type { ExecutionRecord, ExecutionSummary, HistoryEvent } from './executions.js';

/** Plain-text views of local executions for `npm run executions`. */

function duration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** One line per execution: name, status, start time, duration. */
export function formatExecutionList(executions: ExecutionSummary[]): string {
  if (executions.length === 0) return 'No local executions yet. Upload a file to the local S3 endpoint to start one.';
  const rows = executions.map((e) => [e.name, e.status, e.startedAt, duration(e.durationMs)]);
  const header = ['NAME', 'STATUS', 'STARTED', 'DURATION'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => pad(cell, widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function brief(value: unknown, max = 160): string {
  const text = JSON.stringify(value);
  if (text === undefined) return '';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Top-level fields a state added or changed, so each line shows what that state did. */
function changes(before: unknown, after: unknown): unknown {
  if (!before || !after || typeof before !== 'object' || typeof after !== 'object' || Array.isArray(after))
    return after;
  const old = before as Record<string, unknown>;
  const changed = Object.entries(after as Record<string, unknown>).filter(
    ([key, value]) => JSON.stringify(old[key]) !== JSON.stringify(value),
  );
  return changed.length === 0 ? undefined : Object.fromEntries(changed);
}

function describe(event: HistoryEvent, previous: { input: unknown; output: unknown }): string {
  const state = event.state ? `${event.state}${event.stateType ? ` (${event.stateType})` : ''}` : '';
  switch (event.type) {
    case 'ExecutionStarted':
      return `execution started  input ${brief(event.input)}`;
    case 'ExecutionSucceeded':
      return 'execution succeeded';
    case 'ExecutionFailed':
      return `execution FAILED  ${event.error}: ${event.cause}`;
    case 'ExecutionAborted':
      return 'execution aborted';
    case 'ExecutionTimeout':
      return 'execution timed out';
    case 'ExecutionRestarted':
      return 'execution restarted from the start (the process running it stopped before it ended)';
    case 'StateEntered': {
      const same = JSON.stringify(event.input) === JSON.stringify(previous.output);
      previous.input = event.input;
      return same ? `→ ${state}` : `→ ${state}  input ${brief(event.input)}`;
    }
    case 'StateExited': {
      const diff = changes(previous.input, event.output);
      previous.output = event.output;
      return diff === undefined ? `← ${state}` : `← ${state}  ${brief(diff)}`;
    }
    case 'StateFailed':
      return `✗ ${state}  ${event.error}: ${event.cause}`;
    case 'StateRetried':
      return `↻ ${state}  retry #${event.attempt} (${(event.errorEquals ?? []).join(', ')})`;
    case 'StateCaught':
      return `⤷ ${state}  caught (${(event.errorEquals ?? []).join(', ')}) → ${event.next}`;
    default:
      return `${event.type} ${state}`.trim();
  }
}

/**
 * A readable timeline of one execution: header, then one line per event with its offset; each
 * state's line shows only the fields it added or changed.
 */
export function formatTimeline(record: ExecutionRecord): string {
  const lines = [
    `${record.name}  ${record.status}`,
    `  arn       ${record.executionArn}`,
    `  started   ${record.startedAt}${record.queuedMs ? ` (queued ${duration(record.queuedMs)})` : ''}`,
    `  stopped   ${record.stoppedAt ?? '—'}  (${duration(record.durationMs)})`,
  ];
  if (record.error) lines.push(`  error     ${record.error}: ${record.cause ?? ''}`);
  if (record.restarts) lines.push(`  restarts  ${record.restarts}`);
  lines.push('');
  const previous = { input: undefined as unknown, output: record.input };
  for (const event of record.events) {
    lines.push(`${pad(`+${duration(event.elapsedMs)}`, 10)} ${describe(event, previous)}`);
  }
  return lines.join('\n');
}
