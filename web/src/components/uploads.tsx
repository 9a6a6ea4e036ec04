import { useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { formatBytes } from '../format.js';
import { contentTypeOf, type PutHandle, putFile, UploadCancelled } from '../upload.js';

type UploadState =
  | { phase: 'checking' }
  | { phase: 'exists' }
  | { phase: 'signing' }
  | { phase: 'uploading'; loaded: number }
  | { phase: 'done' }
  | { phase: 'cancelled' }
  | { phase: 'refused'; message: string };

interface Upload {
  id: number;
  file: File;
  state: UploadState;
}

/**
 * Drag-and-drop or pick files; each goes straight to S3 on its own presigned PUT, several at
 * once, each with a progress bar and a Cancel button. A name that already exists asks first;
 * a refused type or size shows the API's own words. `onChange` tells the library to poll now.
 */
export function Uploads({ onChange }: { onChange: () => void }) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const handles = useRef(new Map<number, PutHandle>());
  const nextId = useRef(1);

  const update = (id: number, state: UploadState) =>
    setUploads((list) => list.map((upload) => (upload.id === id ? { ...upload, state } : upload)));

  const send = async (id: number, file: File) => {
    update(id, { phase: 'signing' });
    try {
      const ticket = await api.uploadUrl(file.name, contentTypeOf(file));
      update(id, { phase: 'uploading', loaded: 0 });
      const handle = putFile(ticket.url, ticket.headers, file, ({ loaded }) =>
        update(id, { phase: 'uploading', loaded }),
      );
      handles.current.set(id, handle);
      await handle.done;
      update(id, { phase: 'done' });
      onChange();
    } catch (error) {
      if (error instanceof UploadCancelled) update(id, { phase: 'cancelled' });
      else update(id, { phase: 'refused', message: (error as Error).message });
    } finally {
      handles.current.delete(id);
    }
  };

  const start = async (id: number, file: File) => {
    // A presigned PUT replaces an object silently: ask before overwriting an existing file.
    try {
      if (await api.exists(file.name)) {
        update(id, { phase: 'exists' });
        return;
      }
    } catch (error) {
      update(id, { phase: 'refused', message: (error as Error).message });
      return;
    }
    await send(id, file);
  };

  const add = (files: FileList | File[] | null | undefined) => {
    const added = [...(files ?? [])].map((file) => ({
      id: nextId.current++,
      file,
      state: { phase: 'checking' } as const,
    }));
    if (!added.length) return;
    setUploads((list) => [...added, ...list]);
    for (const upload of added) void start(upload.id, upload.file);
  };

  const dismiss = (id: number) => setUploads((list) => list.filter((upload) => upload.id !== id));
  const finished = uploads.filter((u) => ['done', 'cancelled', 'refused'].includes(u.state.phase));

  return (
    <section class="uploads" aria-labelledby="upload-heading">
      <h2 id="upload-heading" class="visually-hidden">
        Upload
      </h2>
      {/* The drop target only adds a pointer shortcut: the button beside it does the same by keyboard. */}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: drag-and-drop has no keyboard equivalent; the file button is the accessible path */}
      <div
        class={`dropzone${dragging ? ' dragging' : ''}`}
        onDragEnter={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragOver={(event) => {
          event.preventDefault();
          if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          add(event.dataTransfer?.files);
        }}
        data-testid="dropzone"
      >
        <p>Drop audio files here, or</p>
        <button type="button" class="primary" onClick={() => input.current?.click()}>
          Choose files…
        </button>
        <input
          ref={input}
          type="file"
          multiple
          accept="audio/*,.mp3,.m4a,.mp4,.wav,.flac,.ogg,.webm,.amr"
          class="visually-hidden"
          tabIndex={-1}
          aria-label="Audio files to upload"
          onChange={(event) => {
            add(event.currentTarget.files);
            event.currentTarget.value = '';
          }}
        />
        <p class="hint">Each file goes straight to storage; transcription starts when it arrives.</p>
      </div>
      {uploads.length ? (
        <ul class="upload-list" aria-label="Uploads">
          {uploads.map((upload) => (
            <UploadRow
              key={upload.id}
              upload={upload}
              onCancel={() => handles.current.get(upload.id)?.abort()}
              onReplace={() => void send(upload.id, upload.file)}
              onDismiss={() => dismiss(upload.id)}
            />
          ))}
        </ul>
      ) : null}
      {finished.length > 1 ? (
        <button
          type="button"
          class="link-button"
          onClick={() => setUploads((list) => list.filter((u) => !finished.includes(u)))}
        >
          Clear finished uploads
        </button>
      ) : null}
    </section>
  );
}

function UploadRow(props: { upload: Upload; onCancel: () => void; onReplace: () => void; onDismiss: () => void }) {
  const { file, state } = props.upload;
  const percent =
    state.phase === 'uploading'
      ? Math.floor((state.loaded / Math.max(1, file.size)) * 100)
      : state.phase === 'done'
        ? 100
        : 0;
  const label = `Upload of ${file.name}`;
  return (
    <li class={`upload upload-${state.phase}`} data-filename={file.name}>
      <div class="upload-head">
        <span class="upload-name">{file.name}</span>
        <span class="muted">{formatBytes(file.size)}</span>
      </div>
      {state.phase === 'uploading' || state.phase === 'signing' || state.phase === 'done' ? (
        <div class="upload-progress">
          <progress max={100} value={percent} aria-label={label} />
          <span aria-hidden="true">{percent}%</span>
        </div>
      ) : null}
      <div class="upload-foot">
        <span class="upload-status" role={state.phase === 'refused' ? 'alert' : undefined}>
          {statusText(state)}
        </span>
        {state.phase === 'uploading' || state.phase === 'signing' ? (
          <button type="button" onClick={props.onCancel} aria-label={`Cancel upload of ${file.name}`}>
            Cancel
          </button>
        ) : null}
        {state.phase === 'exists' ? (
          <>
            <button type="button" class="danger" onClick={props.onReplace} aria-label={`Replace ${file.name}`}>
              Replace
            </button>
            <button type="button" onClick={props.onDismiss} aria-label={`Skip ${file.name}`}>
              Skip
            </button>
          </>
        ) : null}
        {['done', 'cancelled', 'refused'].includes(state.phase) ? (
          <button type="button" class="link-button" onClick={props.onDismiss} aria-label={`Dismiss ${file.name}`}>
            Dismiss
          </button>
        ) : null}
      </div>
    </li>
  );
}

function statusText(state: UploadState): string {
  switch (state.phase) {
    case 'checking':
      return 'Checking…';
    case 'exists':
      return 'A file with this name exists: replace it (its transcript is redone) or skip?';
    case 'signing':
      return 'Asking for an upload URL…';
    case 'uploading':
      return 'Uploading…';
    case 'done':
      return 'Uploaded: transcription starts shortly.';
    case 'cancelled':
      return 'Cancelled: nothing was stored.';
    case 'refused':
      return state.message;
  }
}
