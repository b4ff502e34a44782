import { FilterChips, SearchField } from "../../components/SearchField.js";
import { activeFilters, allTypes, maxSearchLength, statuses, typesOf, type Filters, type OpportunityType, type ProbabilityStatus } from "./query.js";

// Search and filters above the opportunities (the category is the tab above them). Products match exactly: the
// page suggests the ones it has seen.

export function FilterBar({ filters, products, onChange }: { filters: Filters; products: string[]; onChange: (next: Filters) => void }) {
  const set = (patch: Partial<Filters>) => onChange({ ...filters, ...patch });
  const types = filters.category ? typesOf[filters.category] : allTypes;
  return (
    <div class="filter-bar">
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <SearchField id="op-search" label="Search customers" placeholder="Tenant name, domain or ID" maxLength={maxSearchLength} value={filters.search} onSearch={(search) => set({ search })} />
        {types.length > 1 && (
          <div class="field">
            <label for="op-type">Type</label>
            <select id="op-type" value={filters.type ?? ""} onChange={(e) => set({ type: (e.currentTarget.value || undefined) as OpportunityType | undefined })}>
              <option value="">All types</option>
              {types.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </div>
        )}
        <div class="field">
          <label for="op-status">Probability</label>
          <select id="op-status" value={filters.status ?? ""} onChange={(e) => set({ status: (e.currentTarget.value || undefined) as ProbabilityStatus | undefined })}>
            <option value="">Any probability</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="op-product">Product</label>
          <input id="op-product" list="op-product-values" value={filters.product ?? ""} maxLength={maxSearchLength} placeholder="Any" onChange={(e) => set({ product: e.currentTarget.value.trim() || undefined })} />
          <datalist id="op-product-values">
            {products.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
        </div>
      </form>
      <FilterChips chips={activeFilters(filters)} onChange={onChange} cleared={{ search: "", category: filters.category }} />
    </div>
  );
}
