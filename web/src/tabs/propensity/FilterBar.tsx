import type { Cell, Cluster, PropensitySummaryResponse } from "../../app/types.js";
import { FilterChips, SearchField } from "../../components/SearchField.js";
import { choices, SelectField, type Choice } from "../../components/SelectField.js";
import { activeFilters, cellInWords, maxSearchLength, noFilters, type Band, type CustomerType, type Filters } from "./query.js";

// Search and filters above the customers table; the lists (clusters, cells, families, subsegments) come from the
// summary, so they are the ones the results use.

const bandValues: Band[] = ["High", "Medium", "Low", "Very low"];

export function FilterBar({ filters, summary, onChange }: { filters: Filters; summary?: PropensitySummaryResponse; onChange: (next: Filters) => void }) {
  const set = (patch: Partial<Filters>) => onChange({ ...filters, ...patch });
  // Each list sets one filter; its values are the API's (the page never invents one).
  const select = <K extends keyof Filters>(id: string, label: string, key: K, any: string, options: readonly Choice[]) => (
    <SelectField id={id} label={label} any={any} value={filters[key] as string | undefined} options={options} onChange={(value) => set({ [key]: value } as Partial<Filters>)} />
  );
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
        {select("pr-type", "Type", "customerType", "Customers and prospects", choices(["Customer", "Prospect"] satisfies CustomerType[]))}
        {select("pr-cluster", "Cluster", "cluster", "All clusters", choices((summary?.clusters ?? []).map((c) => c.cluster as Cluster)))}
        {select("pr-cell", "Cell", "cell", "All cells", (summary?.cells ?? []).map((c) => ({ value: c.cell as Cell, label: `${c.cell} (${cellInWords(c.cell)})` })))}
        {select("pr-family", "Family", "family", "All families", choices((summary?.families ?? []).map((f) => f.family)))}
        {select("pr-fit", "Fit band", "fitBand", "Any fit", choices(bandValues))}
        {select("pr-intent", "Intent band", "intentBand", "Any intent", choices(bandValues))}
        {select(
          "pr-subsegment",
          "Subsegment",
          "subsegment",
          "All subsegments",
          choices((summary?.smbCustomers.bySubsegment ?? []).map((s) => s.subsegment).filter((s) => s !== "Unknown")),
        )}
      </form>
      <FilterChips chips={activeFilters(filters)} onChange={onChange} cleared={noFilters} />
    </div>
  );
}
