import { useState } from 'preact/hooks';
import { api, type ExecutionSummary, isLocalMode } from '../api.js';
import { TableHead } from '../components/fields.js';
import { RunBadge } from '../components/status.js';
import { formatMs, formatTime } from '../format.js';
import { usePageTitle, usePoller } from '../hooks.js';
import { href } from '../router.js';

const FILTERS = ['', 'RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT'] as const;

/** Local mode's executions, newest first: name, status, start, duration and the file each ingests. */
export function ExecutionsPage() {
  const heading = usePageTitle('Executions');
  const [status, setStatus] = useState<string>('');
  const [runs, setRuns] = useState<ExecutionSummary[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  usePoller(async () => {
    try {
      const list = await api.executions(status || undefined);
      setRuns(list);
      setError(undefined);
      return list.some((run) => run.status === 'RUNNING');
    } catch (failure) {
      setError((failure as Error).message);
      return false;
    }
  }, status);

  if (!isLocalMode()) {
    return (
      <div class="page">
        <h1 ref={heading} tabIndex={-1}>
          Executions
        </h1>
        <p>
          Deployed, executions live in the Step Functions console: the stack output <code>ExecutionsConsoleUrl</code>{' '}
          links to them.
        </p>
      </div>
    );
  }

  return (
    <div class="page">
      <h1 ref={heading} tabIndex={-1}>
        Executions
      </h1>
      <div class="toolbar">
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            {FILTERS.map((value) => (
              <option key={value} value={value}>
                {value ? value.toLowerCase().replace('_', ' ') : 'all'}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {runs === undefined ? (
        <p class="muted">Loading…</p>
      ) : runs.length === 0 ? (
        <p class="empty">
          No executions{status ? ` with status ${status.toLowerCase()}` : ''} yet: upload a file to start one.
        </p>
      ) : (
        <table class="executions">
          <caption class="visually-hidden">Executions</caption>
          <TableHead columns={['Name', 'Status', ['Started', 'wide'], ['Duration', 'wide'], 'File']} />
          <tbody>
            {runs.map((run) => (
              <tr key={run.name} data-execution={run.name}>
                <td class="name">
                  <a href={href.execution(run.name)}>{run.name}</a>
                  <span class="narrow-meta">
                    {formatTime(run.startedAt)} · {formatMs(run.durationMs)}
                  </span>
                </td>
                <td>
                  <RunBadge status={run.status} />
                </td>
                <td class="wide">{formatTime(run.startedAt)}</td>
                <td class="wide">{formatMs(run.durationMs)}</td>
                <td class="name">{run.key ? <a href={href.file(run.key)}>{run.key}</a> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
