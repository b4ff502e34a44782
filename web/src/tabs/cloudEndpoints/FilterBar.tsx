import { useEffect, useRef, useState } from "preact/hooks";
import { maxSearchLength } from "../../../../shared/api/common.js";
import { segments } from "../../../../shared/domain/datasets.js";
import { salesMotions } from "../../../../shared/domain/cloudEndpoints/salesMotion.js";
import { activeFilters, noFilters, type Filters } from "./query.js";
import { choices, SelectField } from "../../components/SelectField.js";

// Search and filters above the table; the filters in force as chips that remove themselves.

export function FilterBar({ filters, onChange }: { filters: Filters; onChange: (next: Filters) => void }) {
  const [search, setSearch] = useState(filters.search);
  const latest = useRef({ filters, onChange });
  latest.current = { filters, onChange };
  // Typing settles for a moment before the table asks again; Enter asks at once.
  useEffect(() => setSearch(filters.search), [filters.search]);
  useEffect(() => {
    const applied = latest.current.filters.search;
    if (search === applied) return;
    const timer = setTimeout(() => {
      // Enter, "Clear all" or a removed chip changed the search meanwhile: that wins over the typing.
      if (latest.current.filters.search !== applied) return;
      latest.current.onChange({ ...latest.current.filters, search });
    }, 350);
    return () => clearTimeout(timer);
  }, [search]);
  const chips = activeFilters(filters);
  const set = (patch: Partial<Filters>) => onChange({ ...filters, ...patch });

  return (
    <div class="filter-bar">
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          onChange({ ...filters, search });
        }}
      >
        <div class="field grow">
          <label for="ce-search">Search tenants</label>
          <input
            id="ce-search"
            type="search"
            placeholder="Name, domain, tenant ID or customer"
            maxLength={maxSearchLength}
            value={search}
            onInput={(e) => setSearch(e.currentTarget.value)}
          />
        </div>
        <SelectField id="ce-motion" label="Sales motion" any="All sales motions" value={filters.salesMotion} options={choices(salesMotions)} onChange={(salesMotion) => set({ salesMotion })} />
        <SelectField id="ce-segment" label="Segment" any="All segments" value={filters.segment} options={choices(segments)} onChange={(segment) => set({ segment })} />
        <div class="field">
          <label for="ce-renewal-from">Renewal from</label>
          <input id="ce-renewal-from" type="month" value={filters.renewalFrom ?? ""} onChange={(e) => set({ renewalFrom: e.currentTarget.value || undefined })} />
        </div>
        <div class="field">
          <label for="ce-renewal-to">Renewal to</label>
          <input id="ce-renewal-to" type="month" value={filters.renewalTo ?? ""} onChange={(e) => set({ renewalTo: e.currentTarget.value || undefined })} />
        </div>
        <SelectField
          id="ce-incentive"
          label="Incentives"
          any="Any"
          value={filters.incentiveEligible}
          options={[{ value: "true", label: "Eligible" }, { value: "false", label: "Not eligible" }]}
          onChange={(incentiveEligible) => set({ incentiveEligible })}
        />
      </form>
      {chips.length > 0 && (
        <ul class="chips" aria-label="Filters in force">
          {chips.map((chip) => (
            <li key={chip.label}>
              <span>{chip.label}</span>
              <button type="button" class="chip-remove" aria-label={`Remove filter ${chip.label}`} onClick={() => onChange(chip.without)}>
                ×
              </button>
            </li>
          ))}
          <li>
            <button type="button" class="link" onClick={() => onChange(noFilters)}>
              Clear all
            </button>
          </li>
        </ul>
      )}
    </div>
  );
}
