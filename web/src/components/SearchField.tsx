import { useEffect, useRef, useState } from "preact/hooks";

// A table's keyword search: typing settles for a moment before the table asks again; Enter asks at once. A
// search changed elsewhere meanwhile (a removed chip, "Clear all") wins over the typing.

export function SearchField({ id, label, placeholder, maxLength, value, onSearch }: {
  id: string;
  label: string;
  placeholder?: string;
  maxLength: number;
  /** The search in force. */
  value: string;
  onSearch: (search: string) => void;
}) {
  const [text, setText] = useState(value);
  const latest = useRef({ value, onSearch });
  latest.current = { value, onSearch };
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    const applied = latest.current.value;
    if (text === applied) return;
    const timer = setTimeout(() => {
      if (latest.current.value !== applied) return;
      latest.current.onSearch(text);
    }, 350);
    return () => clearTimeout(timer);
  }, [text]);
  return (
    <div class="field grow">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="search"
        placeholder={placeholder}
        maxLength={maxLength}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            onSearch(text);
          }
        }}
      />
    </div>
  );
}

/** The filters in force as chips that remove themselves, and "Clear all". */
export function FilterChips<F>({ chips, onChange, cleared }: { chips: { label: string; without: F }[]; onChange: (next: F) => void; cleared: F }) {
  if (chips.length === 0) return null;
  return (
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
        <button type="button" class="link" onClick={() => onChange(cleared)}>
          Clear all
        </button>
      </li>
    </ul>
  );
}
