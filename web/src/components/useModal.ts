import { useLayoutEffect, useRef } from "preact/hooks";

/**
 * A <dialog> shown as a modal from before its first paint (never a plain block first) until it unmounts: focus
 * stays inside and Escape calls `onClose` instead of closing it behind the component's back.
 */
export function useModal(onClose: () => void) {
  const ref = useRef<HTMLDialogElement>(null);
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  const onCancel = (event: Event) => {
    event.preventDefault();
    onClose();
  };
  return { ref, onCancel };
}
