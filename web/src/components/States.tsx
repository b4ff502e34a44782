import type { ComponentChildren } from "preact";

// Loading, empty and error states: every view says what is happening, never a blank area.

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p class="state loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state empty">
      <p class="title">{title}</p>
      {children}
    </div>
  );
}

export function ErrorMessage({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div class="state error" role="alert">
      <p>{message}</p>
      {onRetry && (
        <button type="button" class="secondary small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
