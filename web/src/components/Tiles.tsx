import type { ComponentChildren } from "preact";

// KPI tiles: a label, one figure, an optional line under it.

export function Tiles({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <ul class="tiles" aria-label={label}>
      {children}
    </ul>
  );
}

export function Tile({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <li class="tile">
      <span class="tile-label">{label}</span>
      <span class="tile-value">{value}</span>
      {hint && <span class="tile-hint">{hint}</span>}
    </li>
  );
}
