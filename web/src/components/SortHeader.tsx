// A column header that sorts the table: a button (with aria-sort on the header) when the API sorts by it.

export function SortHeader<C extends string>({ label, column, sort, onSort, numeric }: {
  label: string;
  /** The API's sort column; a plain header when absent. */
  column?: C;
  sort: { column: string; order: "asc" | "desc" };
  onSort: (column: C) => void;
  numeric?: boolean;
}) {
  const sorted = column !== undefined && sort.column === column;
  return (
    <th scope="col" class={numeric ? "num" : undefined} aria-sort={sorted ? (sort.order === "asc" ? "ascending" : "descending") : undefined}>
      {column === undefined ? (
        label
      ) : (
        <button type="button" class="sort" onClick={() => onSort(column)}>
          {label}
          <span class="sort-mark" aria-hidden="true">
            {sorted ? (sort.order === "asc" ? "▲" : "▼") : "↕"}
          </span>
        </button>
      )}
    </th>
  );
}

/** "Sort by" as a list (the phone's way to sort, and the only way for columns the table does not show). */
export function SortSelect<C extends string>({ labels, column, onPick }: { labels: Record<C, string>; column: C; onPick: (column: C) => void }) {
  return (
    <label class="inline">
      Sort by{" "}
      <select value={column} onChange={(e) => onPick(e.currentTarget.value as C)}>
        {(Object.keys(labels) as C[]).map((c) => (
          <option key={c} value={c}>
            {labels[c]}
          </option>
        ))}
      </select>
    </label>
  );
}
