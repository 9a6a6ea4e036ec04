import { useEffect, useRef, useState } from 'preact/hooks';
import { type AudioFile, api } from '../api.js';
import { TableHead } from '../components/fields.js';
import { StatusBadge } from '../components/status.js';
import { Uploads } from '../components/uploads.js';
import { formatAge, formatBytes, formatDuration } from '../format.js';
import { useNow, usePageTitle, usePoller } from '../hooks.js';
import { href } from '../router.js';

const PAGE_SIZES = [10, 25, 50, 100] as const;
const SEARCH_DELAY_MS = 300;

/**
 * Every file with its size, duration, status and time in that status, live (polling with
 * backoff while anything is pending or processing); search by filename or transcript words;
 * a page at a time with the API's cursors.
 */
export function LibraryPage() {
  const heading = usePageTitle('Library');
  const now = useNow();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [pageSize, setPageSize] = useState<number>(25);
  // cursors[i] opens page i (page 0 has none); the stack lets Previous go back.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [files, setFiles] = useState<AudioFile[] | undefined>(undefined);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>(undefined);
  const uploading = useRef(0);

  useEffect(() => {
    const next = text.trim();
    if (next === q) return; // nothing new to search: keep the page the person is on
    const timer = setTimeout(() => {
      setQ(next);
      setCursors([undefined]);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, q]);

  const pageIndex = cursors.length - 1;
  const cursor = cursors[pageIndex];
  const poller = usePoller(
    async () => {
      try {
        const page = q ? await api.search(q, { limit: pageSize, cursor }) : await api.list({ limit: pageSize, cursor });
        setFiles(page.files);
        setNextCursor(page.next_cursor);
        setError(undefined);
        // Fast while the pipeline works on something, or an upload just landed and has no row yet.
        const busy = page.files.some((f) => f.transcript_status === 'pending' || f.transcript_status === 'processing');
        if (uploading.current > 0) uploading.current--;
        return busy || uploading.current > 0;
      } catch (failure) {
        setError((failure as Error).message);
        return false;
      }
    },
    `${q}|${pageSize}|${cursor ?? ''}`,
  );

  return (
    <div class="page">
      <h1 ref={heading} tabIndex={-1}>
        Library
      </h1>
      <Uploads
        onChange={() => {
          uploading.current = 5; // a few fast polls until the pipeline has registered the upload
          poller.poke();
        }}
      />

      <search>
        <form class="search" onSubmit={(event) => event.preventDefault()}>
          <label for="search">Search filenames and transcripts</label>
          <input
            id="search"
            type="search"
            placeholder="e.g. interview or a word that was said"
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </form>
      </search>

      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <p class="muted" aria-live="polite" data-testid="result-count">
        {files === undefined
          ? 'Loading…'
          : q
            ? `${files.length} ${files.length === 1 ? 'match' : 'matches'} for “${q}”${pageIndex ? ` on page ${pageIndex + 1}` : ''}`
            : `${files.length} ${files.length === 1 ? 'file' : 'files'}${pageIndex ? ` on page ${pageIndex + 1}` : ''}`}
      </p>

      {files?.length ? (
        <table class="files">
          <caption class="visually-hidden">Audio files{q ? ` matching ${q}` : ''}</caption>
          <TableHead columns={['Name', ['Size', 'wide'], ['Duration', 'wide'], 'Status', ['In status', 'wide']]} />
          <tbody>
            {files.map((file) => (
              <FileRow key={file.filename} file={file} now={now} />
            ))}
          </tbody>
        </table>
      ) : files ? (
        <p class="empty">{q ? 'No file matches that search.' : 'No files yet: drop one above.'}</p>
      ) : null}

      <nav class="pager" aria-label="Pages">
        <button
          type="button"
          disabled={pageIndex === 0}
          onClick={() => setCursors((list) => (list.length > 1 ? list.slice(0, -1) : list))}
        >
          Previous page
        </button>
        <span>Page {pageIndex + 1}</span>
        <button
          type="button"
          disabled={!nextCursor}
          onClick={() => nextCursor && setCursors((list) => [...list, nextCursor])}
        >
          Next page
        </button>
        <label class="page-size">
          Per page
          <select
            value={pageSize}
            onChange={(e) => {
              setPageSize(Number(e.currentTarget.value));
              setCursors([undefined]);
            }}
          >
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </label>
      </nav>
    </div>
  );
}

function FileRow({ file, now }: { file: AudioFile; now: number }) {
  const snippet = typeof file.transcript === 'string' && file.transcript ? file.transcript : undefined;
  const age = formatAge(file.updated_at, now);
  return (
    <tr data-filename={file.filename} data-status={file.transcript_status}>
      <td class="name">
        <a href={href.file(file.filename)}>{file.filename}</a>
        {snippet ? <p class="snippet">…{snippet}…</p> : null}
        <span class="narrow-meta">
          {formatBytes(file.size)} · {formatDuration(file.duration)} · {age} in status
        </span>
      </td>
      <td class="wide">{formatBytes(file.size)}</td>
      <td class="wide">{formatDuration(file.duration)}</td>
      <td>
        <StatusBadge status={file.transcript_status} />
      </td>
      <td class="wide">
        <time dateTime={file.updated_at} title={file.updated_at}>
          {age}
        </time>
      </td>
    </tr>
  );
}
