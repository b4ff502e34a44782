// A labelled filter list: the first choice means "no filter" (undefined), the others are the API's values.

export interface Choice {
  value: string;
  label: string;
}

/** Choices whose label is the value itself. */
export const choices = (values: readonly string[]): Choice[] => values.map((value) => ({ value, label: value }));

export function SelectField<V extends string>({ id, label, value, any, options, onChange }: {
  id: string;
  label: string;
  value: V | undefined;
  /** The label of the "no filter" choice ("All segments"). */
  any: string;
  options: readonly Choice[];
  onChange: (value: V | undefined) => void;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value ?? ""} onChange={(e) => onChange((e.currentTarget.value || undefined) as V | undefined)}>
        <option value="">{any}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
