import type { ComponentChildren } from "preact";
import { describeError } from "../app/api.js";
import type { ListPage, PagedList } from "../app/usePagedList.js";

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
 * A paged result table's states around the table itself: the error (with retry), loading, "none yet" before the
 * first refresh, "none match" with a way to clear the filters, else the table (`children`).
 */
export function ListStates({ noun, paged, notice: said, notYet, onClearFilters, children }: {
  /** What the rows are, plural ("deals"). */
  noun: string;
  paged: PagedList<ListPage>;
  /** Said above the table instead of the paging's own notice (feedback saved). */
  notice?: string;
  /** What is said while nothing is computed yet (the list answers notRefreshedYet, or `now` says so). */
  notYet: { title: string; text: string; now?: boolean };
  onClearFilters: () => void;
  children: ComponentChildren;
}) {
  const { list, error } = paged;
  const notice = said ?? paged.notice;
  const count = list.data?.items.length ?? 0;
  const onRetry = list.reload;
  const nothingYet = list.data?.status === "notRefreshedYet" || notYet.now === true;
  return (
    <>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {error !== undefined ? (
        <ErrorMessage message={`The ${noun} could not be loaded: ${describeError(error)}`} onRetry={onRetry} />
      ) : !list.data ? (
        <Loading label={`Loading ${noun}…`} />
      ) : count > 0 ? (
        children
      ) : nothingYet ? (
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
