import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export interface ConfirmOptions {
  title: string;
  message: ComponentChildren;
  confirmLabel: string;
  /** The button that changes nothing (default "Cancel"). */
  cancelLabel?: string;
  /** Destructive actions get the red button. */
  danger?: boolean;
}

interface Pending extends ConfirmOptions {
  resolve: (confirmed: boolean) => void;
}

/**
 * A modal confirmation on the native <dialog> (focus trapped, Escape cancels, focus returns to
 * the button that opened it). `ask` resolves true only when the person confirms.
 */
export function useConfirm(): [ComponentChildren, (options: ConfirmOptions) => Promise<boolean>] {
  const [pending, setPending] = useState<Pending | undefined>(undefined);
  const ask = (options: ConfirmOptions) =>
    new Promise<boolean>((resolve) => {
      setPending({ ...options, resolve });
    });
  const close = (confirmed: boolean) => {
    pending?.resolve(confirmed);
    setPending(undefined);
  };
  return [pending ? <ConfirmDialog {...pending} onClose={close} /> : null, ask];
}

function ConfirmDialog(props: ConfirmOptions & { onClose: (confirmed: boolean) => void }) {
  const cancelButton = useRef<HTMLButtonElement>(null);
  useEffect(() => cancelButton.current?.focus(), []);
  return (
    <Modal labelledBy="confirm-title" describedBy="confirm-message" onCancel={() => props.onClose(false)}>
      <h2 id="confirm-title">{props.title}</h2>
      <div id="confirm-message">{props.message}</div>
      <div class="dialog-actions">
        <button type="button" ref={cancelButton} onClick={() => props.onClose(false)}>
          {props.cancelLabel ?? 'Cancel'}
        </button>
        <button type="button" class={props.danger ? 'danger' : 'primary'} onClick={() => props.onClose(true)}>
          {props.confirmLabel}
        </button>
      </div>
    </Modal>
  );
}

/**
 * A native modal <dialog>, open while mounted: focus stays inside, Escape calls `onCancel`, and
 * focus goes back to whatever opened it.
 */
export function Modal(props: {
  labelledBy: string;
  describedBy?: string;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    dialog.current?.showModal();
    return () => opener?.focus();
  }, []);
  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby={props.labelledBy}
      aria-describedby={props.describedBy}
      onCancel={(event) => {
        event.preventDefault();
        props.onCancel();
      }}
    >
      {props.children}
    </dialog>
  );
}
