import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from "chart.js";
import { useEffect, useRef } from "preact/hooks";

// One chart of a tab, drawn by Chart.js (only the bar, doughnut and line parts are bundled). The canvas carries
// the figures in words for screen readers; a bar that filters the table is also reachable from the filters.

Chart.register(BarController, BarElement, CategoryScale, LinearScale, DoughnutController, ArcElement, LineController, LineElement, PointElement, Tooltip, Legend);
Chart.defaults.color = "#334155";
Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

const accent = "#0b5cad";
const muted = "#a9c1dd";
const doughnutColors = [accent, "#cbd5e1", "#0f766e", "#b45309"];

/** Splits a label into lines of at most `width` characters, at spaces. */
export function wrapLabel(label: string, width = 22): string | string[] {
  if (label.length <= width) return label;
  const lines: string[] = [];
  for (const word of label.split(" ")) {
    const last = lines.at(-1);
    if (last !== undefined && (last + " " + word).length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

export interface ChartPoint {
  label: string;
  value: number;
}

export interface ChartProps {
  title: string;
  kind: "bar" | "horizontalBar" | "doughnut" | "line";
  points: ChartPoint[];
  format: (value: number) => string;
  /** How a category is shown (e.g. "2026-03" as "Mar 2026"). */
  labelOf?: (label: string) => string;
  /** The category the table is filtered by, drawn stronger than the others. */
  selected?: string;
  /** Makes the bars clickable. */
  onSelect?: (label: string) => void;
  hint?: string;
  /** The value axis' fixed ends (a score's 0–100); from zero to the largest value when absent. */
  range?: { min: number; max: number };
}

export function ChartCard(props: ChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const latest = useRef(props);
  latest.current = props;
  const { kind, points, selected, format, labelOf, range } = props;
  const clickable = Boolean(props.onSelect);

  useEffect(() => {
    if (!canvas.current || points.length === 0) return;
    const horizontal = kind === "horizontalBar";
    const labels = points.map((p) => (labelOf ? labelOf(p.label) : p.label));
    const values = points.map((p) => p.value);
    const config: ChartConfiguration<"bar" | "doughnut" | "line"> =
      kind === "line"
        ? {
            type: "line",
            data: { labels, datasets: [{ data: values, borderColor: accent, backgroundColor: accent, pointRadius: 3, tension: 0 }] },
            options: {
              animation: false,
              responsive: true,
              maintainAspectRatio: false,
              scales: {
                y: { min: range?.min, max: range?.max, beginAtZero: true, ticks: { callback: (v: string | number) => format(Number(v)) } },
                x: { offset: true, grid: { display: false }, ticks: { autoSkip: true, maxRotation: 0 } },
              },
              plugins: { legend: { display: false }, tooltip: { callbacks: { label: (item) => ` ${format(Number(item.raw))}` } } },
            },
          }
        : kind === "doughnut"
        ? {
            type: "doughnut",
            data: { labels, datasets: [{ data: values, backgroundColor: doughnutColors, borderWidth: 1 }] },
            options: {
              animation: false,
              responsive: true,
              maintainAspectRatio: false,
              plugins: {
                legend: { position: "bottom" },
                tooltip: { callbacks: { label: (item) => ` ${item.label}: ${format(Number(item.raw))}` } },
              },
            },
          }
        : {
            type: "bar",
            data: {
              labels,
              datasets: [
                {
                  data: values,
                  backgroundColor: points.map((p) => (selected === undefined || p.label === selected ? accent : muted)),
                  borderRadius: 3,
                  maxBarThickness: 36,
                },
              ],
            },
            options: {
              animation: false,
              responsive: true,
              maintainAspectRatio: false,
              indexAxis: horizontal ? "y" : "x",
              // A click anywhere in a bar's band picks that bar (short bars are easy to hit too).
              interaction: { mode: "index", intersect: false, axis: horizontal ? "y" : "x" },
              scales: {
                [horizontal ? "x" : "y"]: { beginAtZero: true, ticks: { callback: (v: string | number) => format(Number(v)) } },
                [horizontal ? "y" : "x"]: {
                  grid: { display: false },
                  // Long names (sales motions, workshops) wrap instead of being cut at the canvas edge.
                  ticks: { autoSkip: !horizontal, callback: (_value: string | number, index: number) => wrapLabel(labels[index] ?? "") },
                },
              },
              plugins: {
                legend: { display: false },
                tooltip: { callbacks: { label: (item) => ` ${format(Number(item.raw))}` } },
              },
              onHover: (_event, elements, chart) => {
                chart.canvas.style.cursor = clickable && elements.length ? "pointer" : "default";
              },
              onClick: (event, elements) => {
                const index = elements[0]?.index;
                const select = latest.current.onSelect;
                if (select && index !== undefined && event.native) select(points[index].label);
              },
            },
          };
    const chart = new Chart(canvas.current, config as ChartConfiguration);
    return () => chart.destroy();
  }, [kind, points, selected, format, labelOf, clickable, range?.min, range?.max]);

  const described = points.map((p) => `${labelOf ? labelOf(p.label) : p.label}: ${format(p.value)}`).join("; ");
  return (
    <figure class="chart-card">
      <figcaption>{props.title}</figcaption>
      {points.length === 0 ? (
        <p class="chart-empty">No data yet.</p>
      ) : (
        <div class={kind === "horizontalBar" && points.length > 4 ? "chart-box tall" : "chart-box"}>
          <canvas ref={canvas} role="img" aria-label={`${props.title}. ${described}`} data-chart={props.title} />
        </div>
      )}
      {props.hint && points.length > 0 && <p class="chart-hint">{props.hint}</p>}
    </figure>
  );
}
