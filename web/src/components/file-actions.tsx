import { useState } from 'preact/hooks';
import { type AudioFile, api, offers } from '../api.js';
import { href } from '../router.js';
import { type ConfirmOptions, useConfirm } from './confirm.js';

interface Action {
  label: string;
  /** Offered in this state, by a server that has the route. */
  shown: boolean;
  disabled?: boolean;
  danger?: boolean;
  /** Asked first; the action runs only on "yes". */
  confirm?: ConfirmOptions;
  run: () => Promise<{ message: string }>;
  /** After success (default: the API's message, and a poll). */
  afterwards?: () => void;
}

/**
 * The actions the API offers on one file — transcribe again, cancel, delete the transcript,
 * delete the file — each destructive one behind a confirmation; results and refusals in the
 * API's words.
 */
export function FileActions(props: { file: AudioFile; hasText: boolean; onChange: () => void }) {
  const { file, hasText } = props;
  const { filename } = file;
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | undefined>(undefined);
  const [dialog, confirm] = useConfirm();
  const status = file.transcript_status;
  const running = status === 'pending' || status === 'processing';

  const actions: Action[] = [
    {
      label: 'Transcribe again',
      shown: true,
      disabled: status === 'processing',
      ...(hasText
        ? {
            confirm: {
              title: 'Transcribe again?',
              message: 'The current transcript is replaced when the new one is ready.',
              confirmLabel: 'Transcribe again',
            },
          }
        : {}),
      run: () => api.transcribe(filename),
    },
    {
      label: 'Cancel transcription',
      shown: running && offers('POST', '/api/audio/{filename}/transcript/cancel'),
      confirm: {
        title: 'Cancel the transcription?',
        message: 'The run stops and the file is marked failed ("cancelled"). You can transcribe it again later.',
        confirmLabel: 'Cancel transcription',
        cancelLabel: 'Let it run',
        danger: true,
      },
      run: () => api.cancel(filename),
    },
    {
      label: 'Delete transcript',
      shown: Boolean(file.has_transcript) || status === 'completed',
      confirm: {
        title: 'Delete the transcript?',
        message: `The transcript of ${filename} is discarded and the file goes back to pending. The audio stays.`,
        confirmLabel: 'Delete transcript',
        danger: true,
      },
      run: () => api.deleteTranscript(filename),
    },
    {
      label: 'Delete file',
      shown: offers('DELETE', '/api/audio/{filename}'),
      danger: true,
      confirm: {
        title: `Delete ${filename}?`,
        message: 'The audio, its transcript and its metadata are deleted for good.',
        confirmLabel: 'Delete file',
        danger: true,
      },
      run: () => api.deleteFile(filename),
      afterwards: () => {
        location.hash = href.library();
      },
    },
  ];

  const perform = async (action: Action) => {
    if (action.confirm && !(await confirm(action.confirm))) return;
    setBusy(true);
    try {
      const result = await action.run();
      if (action.afterwards) return action.afterwards();
      setNotice({ text: result.message });
      props.onChange();
    } catch (error) {
      setNotice({ text: (error as Error).message, error: true });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="actions-heading">
      <h2 id="actions-heading">Actions</h2>
      <div class="actions">
        {actions
          .filter((action) => action.shown)
          .map((action) => (
            <button
              type="button"
              key={action.label}
              class={action.danger ? 'danger' : undefined}
              disabled={busy || action.disabled}
              onClick={() => perform(action)}
            >
              {action.label}
            </button>
          ))}
      </div>
      <p class={notice?.error ? 'error' : 'notice'} role="status" aria-live="polite">
        {notice?.text ?? ''}
      </p>
      {dialog}
    </section>
  );
}
