import type { DealFactor } from "../../app/types.js";

// The factors widget: what raises and what lowers a deal's score, in words (the top ones in the table, every
// factor with the insight behind it in the deal's panel).

/** The table's cell: the strongest `top` factors each way. */
export function FactorsWidget({ positive, negative, top = 2 }: { positive: DealFactor[]; negative: DealFactor[]; top?: number }) {
  if (positive.length === 0 && negative.length === 0) return <span class="quiet">–</span>;
  const more = Math.max(0, positive.length - top) + Math.max(0, negative.length - top);
  return (
    <ul class="factors" aria-label="Top factors">
      {positive.slice(0, top).map((f) => (
        <li key={`+${f.key}`} class="raises">
          <span aria-hidden="true">▲ </span>
          {f.text}
        </li>
      ))}
      {negative.slice(0, top).map((f) => (
        <li key={`-${f.key}`} class="lowers">
          <span aria-hidden="true">▼ </span>
          {f.text}
        </li>
      ))}
      {more > 0 && <li class="quiet">+{more} more (open the deal)</li>}
    </ul>
  );
}

/** The deal panel's list: each factor, whether it counted, and its insight. */
export function FactorList({ factors, title }: { factors: DealFactor[]; title: string }) {
  if (factors.length === 0) return null;
  return (
    <section>
      <h3>{title}</h3>
      <ul class="factor-list">
        {factors.map((f) => (
          <li key={f.key} class={f.direction}>
            <span aria-hidden="true">{f.direction === "raises" ? "▲ " : "▼ "}</span>
            {f.text}
            {!f.counted && <span class="quiet"> (not counted: an ignored empty value, or not used at this stage)</span>}
            {f.insight && <span class="insight">{f.insight}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}
