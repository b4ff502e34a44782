import type { ComponentChildren } from "preact";
import { describeError } from "../app/api.js";

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

/**
 * A result table's states around the table itself: the error (with retry), loading, "none yet" before the first
 * refresh, "none match" with a way to clear the filters, else the table (`children`).
 */
export function ListStates({ noun, notice, error, loaded, count, notYet, onRetry, onClearFilters, children }: {
  /** What the rows are, plural ("deals"). */
  noun: string;
  /** Said above the table (paging started again after a refresh, feedback saved). */
  notice?: string;
  error: unknown;
  loaded: boolean;
  count: number;
  /** Set when nothing has been computed yet: the title and what will bring rows. */
  notYet?: { title: string; text: string };
  onRetry: () => void;
  onClearFilters: () => void;
  children: ComponentChildren;
}) {
  return (
    <>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {error !== undefined ? (
        <ErrorMessage message={`The ${noun} could not be loaded: ${describeError(error)}`} onRetry={onRetry} />
      ) : !loaded ? (
        <Loading label={`Loading ${noun}…`} />
      ) : count > 0 ? (
        children
      ) : notYet ? (
        <Empty title={notYet.title}>
          <p>{notYet.text}</p>
        </Empty>
      ) : (
        <Empty title={`No ${noun} match these filters.`}>
          <button type="button" class="secondary small" onClick={onClearFilters}>
            Clear filters
          </button>
        </Empty>
      )}
    </>
  );
}
