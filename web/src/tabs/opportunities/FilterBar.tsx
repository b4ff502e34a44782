import { FilterChips, SearchField } from "../../components/SearchField.js";
import { activeFilters, allTypes, maxSearchLength, statuses, typesOf, type Filters, type OpportunityType, type ProbabilityStatus } from "./query.js";
import { choices, SelectField } from "../../components/SelectField.js";

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
          <SelectField<OpportunityType> id="op-type" label="Type" any="All types" value={filters.type} options={choices(types)} onChange={(type) => set({ type })} />
        )}
        <SelectField<ProbabilityStatus> id="op-status" label="Probability" any="Any probability" value={filters.status} options={choices(statuses)} onChange={(status) => set({ status })} />
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
