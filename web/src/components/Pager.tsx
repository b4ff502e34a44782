import type { ListPage, PagedList } from "../app/usePagedList.js";

// Below a table: where the user is, rows per page, previous and next.

export const pageSizes = [25, 50, 100, 200];

export function Pager({ paged, pageSize, onPageSize, label }: {
  paged: PagedList<ListPage>;
  pageSize: number;
  onPageSize: (size: number) => void;
  /** What the rows are, for the status line ("deals"). */
  label?: string;
}) {
  const { list, page } = paged;
  const rows = list.data?.items.length ?? 0;
  const first = (page - 1) * pageSize + 1;
  return (
    <div class="pager">
      <p class="pager-status" aria-live="polite">
        {list.loading ? "Loading…" : rows ? `Page ${page} · ${label ?? "rows"} ${first}–${first + rows - 1}` : ""}
      </p>
      <label class="inline">
        Rows per page{" "}
        <select value={pageSize} onChange={(e) => onPageSize(Number(e.currentTarget.value))}>
          {pageSizes.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <button type="button" class="secondary small" disabled={page === 1 || list.loading} onClick={paged.previous}>
        Previous
      </button>
      <button type="button" class="secondary small" disabled={!list.data?.continuationToken || list.loading} onClick={paged.next}>
        Next
      </button>
    </div>
  );
}
