import { useRef, useState } from 'preact/hooks';
import { ApiError, type AudioFile, api, type ExecutionSummary, filePath, isLocalMode } from '../api.js';
import { Facts } from '../components/fields.js';
import { FileActions } from '../components/file-actions.js';
import { RunBadge, StatusBadge } from '../components/status.js';
import { formatAge, formatBytes, formatDuration, formatMs, formatTime } from '../format.js';
import { useNow, usePageTitle, usePoller } from '../hooks.js';
import { href } from '../router.js';

/**
 * One file: a player on its stream URL, the transcript (scrolls, copies), the error in words,
 * the actions the API offers (with a confirmation for the destructive ones), and its executions.
 */
export function FilePage({ filename }: { filename: string }) {
  const heading = usePageTitle(filename);
  const now = useNow();
  const [file, setFile] = useState<AudioFile | undefined>(undefined);
  const [transcript, setTranscript] = useState<string | null | undefined>(undefined);
  const [runs, setRuns] = useState<ExecutionSummary[] | undefined>(undefined);
  const [missing, setMissing] = useState<string | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  // The player keeps the first stream URL: a fresh signature on every poll would restart playback.
  const streamUrl = useRef<string | undefined>(undefined);

  const poller = usePoller(async () => {
    try {
      const next = await api.metadata(filename);
      setFile(next);
      setMissing(undefined);
      setLoadError(undefined);
      if (next.has_transcript || next.transcript_status === 'completed') {
        const body = await api.transcript(filename);
        setTranscript(body.transcript);
      } else {
        setTranscript(null);
      }
      // Executions are local mode's; deployed, the Step Functions console has them.
      if (isLocalMode()) setRuns((await api.executions()).filter((run) => run.key === filename));
      return next.transcript_status === 'pending' || next.transcript_status === 'processing';
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) setMissing(error.message);
      else setLoadError((error as Error).message);
      return false;
    }
  }, filename);

  if (missing) {
    return (
      <div class="page">
        <h1 ref={heading} tabIndex={-1}>
          {filename}
        </h1>
        <p role="alert">{missing}</p>
        <p>
          <a href={href.library()}>Back to the library</a>
        </p>
      </div>
    );
  }

  if (file && !streamUrl.current) streamUrl.current = file.url ?? filePath(filename);
  const status = file?.transcript_status;
  const running = status === 'pending' || status === 'processing';
  const hasText = Boolean(transcript);

  return (
    <div class="page">
      <p class="crumbs">
        <a href={href.library()}>Library</a> /
      </p>
      <h1 ref={heading} tabIndex={-1} class="filename">
        {filename}
      </h1>
      {loadError ? (
        <p class="error" role="alert">
          {loadError}
        </p>
      ) : null}
      {file ? (
        <>
          <Facts
            items={[
              [
                'Status',
                <>
                  <StatusBadge status={file.transcript_status} />{' '}
                  <span class="muted">for {formatAge(file.updated_at, now)}</span>
                </>,
              ],
              ['Size', formatBytes(file.size)],
              ['Duration', formatDuration(file.duration)],
              ['Uploaded', formatTime(file.created_at)],
              ['Transcribed', formatTime(file.transcribed_at)],
            ]}
          />

          {file.transcript_status === 'failed' ? (
            <div class="error-box" role="alert">
              <h2>Why it failed</h2>
              <p>{file.transcript_error || 'The pipeline recorded no reason.'}</p>
            </div>
          ) : null}

          <section aria-labelledby="player-heading">
            <h2 id="player-heading">Listen</h2>
            {/* biome-ignore lint/a11y/useMediaCaption: the transcript below is the text of the audio */}
            <audio controls preload="metadata" src={streamUrl.current} aria-label={`Play ${filename}`} />
          </section>

          <section aria-labelledby="transcript-heading">
            <div class="section-head">
              <h2 id="transcript-heading">Transcript</h2>
              {hasText ? <CopyButton text={transcript ?? ''} /> : null}
            </div>
            {hasText ? (
              // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to scroll it
              <section class="transcript" tabIndex={0} aria-label="Transcript text">
                <pre>{transcript}</pre>
              </section>
            ) : (
              <p class="muted">
                {running
                  ? 'Transcribing… this page updates by itself.'
                  : status === 'completed'
                    ? 'The transcript is empty: no speech was recognised.'
                    : 'No transcript.'}
              </p>
            )}
          </section>

          <FileActions file={file} hasText={hasText} onChange={() => poller.poke()} />

          {runs ? (
            <section aria-labelledby="runs-heading">
              <h2 id="runs-heading">Executions</h2>
              {runs.length ? (
                <ul class="runs">
                  {runs.map((run) => (
                    <li key={run.name}>
                      <a href={href.execution(run.name)}>{run.name}</a> <RunBadge status={run.status} />{' '}
                      <span class="muted">
                        {formatTime(run.startedAt)} · {formatMs(run.durationMs)}
                      </span>
                    </li>
                  ))}
                </ul>
              ) : (
                <p class="muted">No local execution of this file.</p>
              )}
            </section>
          ) : null}
        </>
      ) : (
        <p class="muted">Loading…</p>
      )}
    </div>
  );
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState<string | undefined>(undefined);
  return (
    <span class="copy">
      <button
        type="button"
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(text);
            setCopied('Copied to the clipboard.');
          } catch {
            setCopied('The browser refused the clipboard: select the text and copy it.');
          }
        }}
      >
        Copy transcript
      </button>
      <span role="status" class="muted">
        {copied ?? ''}
      </span>
    </span>
  );
}
