import type { Cell, Cluster, PropensitySummaryResponse } from "../../app/types.js";
import { FilterChips, SearchField } from "../../components/SearchField.js";
import { activeFilters, cellInWords, maxSearchLength, noFilters, type Band, type CustomerType, type Filters } from "./query.js";

// Search and filters above the customers table; the lists (clusters, cells, families, subsegments) come from the
// summary, so they are the ones the results use.

const bandValues: Band[] = ["High", "Medium", "Low", "Very low"];

export function FilterBar({ filters, summary, onChange }: { filters: Filters; summary?: PropensitySummaryResponse; onChange: (next: Filters) => void }) {
  const set = (patch: Partial<Filters>) => onChange({ ...filters, ...patch });
  const select = <K extends keyof Filters>(id: string, label: string, key: K, any: string, options: { value: string; label: string }[]) => (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={(filters[key] as string | undefined) ?? ""} onChange={(e) => set({ [key]: e.currentTarget.value || undefined } as Partial<Filters>)}>
        <option value="">{any}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
  const plain = (values: readonly string[]) => values.map((value) => ({ value, label: value }));
  return (
    <div class="filter-bar">
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <SearchField
          id="pr-search"
          label="Search customers"
          placeholder="Name, domain, tenant ID, customer or TPID"
          maxLength={maxSearchLength}
          value={filters.search}
          onSearch={(search) => set({ search })}
        />
        {select("pr-type", "Type", "customerType", "Customers and prospects", plain(["Customer", "Prospect"] satisfies CustomerType[]))}
        {select("pr-cluster", "Cluster", "cluster", "All clusters", plain((summary?.clusters ?? []).map((c) => c.cluster as Cluster)))}
        {select("pr-cell", "Cell", "cell", "All cells", (summary?.cells ?? []).map((c) => ({ value: c.cell as Cell, label: `${c.cell} (${cellInWords(c.cell)})` })))}
        {select("pr-family", "Family", "family", "All families", plain((summary?.families ?? []).map((f) => f.family)))}
        {select("pr-fit", "Fit band", "fitBand", "Any fit", plain(bandValues))}
        {select("pr-intent", "Intent band", "intentBand", "Any intent", plain(bandValues))}
        {select(
          "pr-subsegment",
          "Subsegment",
          "subsegment",
          "All subsegments",
          plain((summary?.smbCustomers.bySubsegment ?? []).map((s) => s.subsegment).filter((s) => s !== "Unknown")),
        )}
      </form>
      <FilterChips chips={activeFilters(filters)} onChange={onChange} cleared={noFilters} />
    </div>
  );
}
