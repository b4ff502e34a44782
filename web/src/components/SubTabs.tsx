import type { ComponentChildren } from "preact";
import { useRef } from "preact/hooks";

// Tabs inside a tab (Opportunities' All / Acquisition / Retention / Growth): a WAI-ARIA tablist, one tab in the
// Tab order, the arrow keys (and Home, End) moving between them, the panel labelled by the selected tab.

export interface SubTab<K extends string> {
  key: K;
  label: string;
  /** A count shown beside the label. */
  count?: string;
}

export function SubTabs<K extends string>({ id, label, tabs, selected, onSelect, children }: {
  id: string;
  label: string;
  tabs: SubTab<K>[];
  selected: K;
  onSelect: (key: K) => void;
  children: ComponentChildren;
}) {
  const list = useRef<HTMLDivElement>(null);
  const move = (event: KeyboardEvent) => {
    const index = tabs.findIndex((t) => t.key === selected);
    const next =
      event.key === "ArrowRight" ? (index + 1) % tabs.length : event.key === "ArrowLeft" ? (index - 1 + tabs.length) % tabs.length : event.key === "Home" ? 0 : event.key === "End" ? tabs.length - 1 : -1;
    if (next < 0) return;
    event.preventDefault();
    onSelect(tabs[next].key);
    list.current?.querySelectorAll<HTMLButtonElement>('[role="tab"]')[next]?.focus();
  };
  return (
    <>
      <div class="sub-tabs" role="tablist" aria-label={label} ref={list} onKeyDown={move}>
        {tabs.map((tab) => {
          const active = tab.key === selected;
          return (
            <button
              key={tab.key}
              type="button"
              role="tab"
              id={`${id}-tab-${tab.key}`}
              aria-selected={active}
              aria-controls={`${id}-panel`}
              tabIndex={active ? 0 : -1}
              onClick={() => onSelect(tab.key)}
            >
              {tab.label}
              {tab.count !== undefined && <span class="tab-count">{tab.count}</span>}
            </button>
          );
        })}
      </div>
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-tab-${selected}`} class="sub-tab-panel">
        {children}
      </div>
    </>
  );
}
