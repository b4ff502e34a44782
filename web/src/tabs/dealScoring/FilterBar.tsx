import type { DealScoresSummaryResponse } from "../../app/types.js";
import { FilterChips, SearchField } from "../../components/SearchField.js";
import { activeFilters, maxSearchLength, noFilters, type Filters, type Grade, type Trend } from "./query.js";
import { choices, SelectField } from "../../components/SelectField.js";

// Search and filters above the scored deals. Owner, stage and product match exactly: the page suggests the
// values it has seen.

const gradeValues: Grade[] = ["A", "B", "C", "D"];
const trendValues: Trend[] = ["Improving", "Steady", "Declining", "Not enough info"];

export function FilterBar({ filters, summary, seen, onChange }: {
  filters: Filters;
  summary?: DealScoresSummaryResponse;
  /** Owners, stages and products of the deals loaded so far. */
  seen: { owner: string[]; stage: string[]; product: string[] };
  onChange: (next: Filters) => void;
}) {
  const set = (patch: Partial<Filters>) => onChange({ ...filters, ...patch });
  const modelName = (id: string) => summary?.models.find((m) => m.modelId === id)?.name ?? id;
  const exact = (key: "owner" | "stage" | "product", label: string) => (
    <div class="field">
      <label for={`ds-${key}`}>{label}</label>
      <input
        id={`ds-${key}`}
        list={`ds-${key}-values`}
        value={filters[key] ?? ""}
        maxLength={200}
        placeholder="Any"
        onChange={(e) => set({ [key]: e.currentTarget.value.trim() || undefined })}
      />
      <datalist id={`ds-${key}-values`}>
        {seen[key].map((v) => (
          <option key={v} value={v} />
        ))}
      </datalist>
    </div>
  );
  return (
    <div class="filter-bar">
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <SearchField id="ds-search" label="Search deals" placeholder="Deal ID, name, owner, product or stage" maxLength={maxSearchLength} value={filters.search} onSearch={(search) => set({ search })} />
        <SelectField<Grade> id="ds-grade" label="Grade" any="All grades" value={filters.grade} options={choices(gradeValues)} onChange={(grade) => set({ grade })} />
        <SelectField<Trend> id="ds-trend" label="Trend" any="All trends" value={filters.trend} options={choices(trendValues)} onChange={(trend) => set({ trend })} />
        {exact("owner", "Owner")}
        {exact("stage", "Stage")}
        {exact("product", "Product")}
        {(summary?.models.length ?? 0) > 1 && (
          <SelectField
            id="ds-model"
            label="Model"
            any="All models"
            value={filters.modelId}
            options={summary!.models.map((m) => ({ value: m.modelId, label: m.name }))}
            onChange={(modelId) => set({ modelId })}
          />
        )}
      </form>
      <FilterChips chips={activeFilters(filters, modelName)} onChange={onChange} cleared={noFilters} />
    </div>
  );
}
