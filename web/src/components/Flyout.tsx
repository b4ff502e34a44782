import type { ComponentChildren } from "preact";
import { useModal } from "./useModal.js";

// A panel that slides over the right of the page for one record (a customer, a deal): the browser's modal
// <dialog>, so focus stays inside, Escape closes it and focus returns to what opened it.

export function Flyout({ title, subtitle, onClose, children }: { title: string; subtitle?: string; onClose: () => void; children: ComponentChildren }) {
  const { ref, onCancel } = useModal(onClose);
  return (
    <dialog
      ref={ref}
      class="flyout"
      aria-labelledby="flyout-title"
      onCancel={onCancel}
      onClick={(e) => {
        // A click on the backdrop (the dialog element itself, outside its content) closes it.
        if (e.target === ref.current) onClose();
      }}
    >
      <div class="flyout-body">
        <header class="flyout-head">
          <div>
            <h2 id="flyout-title">{title}</h2>
            {subtitle && <p class="quiet">{subtitle}</p>}
          </div>
          <button type="button" class="secondary small" onClick={onClose}>
            Close
          </button>
        </header>
        {children}
      </div>
    </dialog>
  );
}
