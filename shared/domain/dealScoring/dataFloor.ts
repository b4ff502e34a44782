import { z } from "zod";
import { addMonths } from "./calendar.js";
import { columnText } from "./dealRows.js";
import { failure, success, type Outcome } from "./errors.js";
import { stagesReached, type DealHistory } from "./history.js";
import { dealOutcome, filterSelects, type ModelConfig } from "./modelConfig.js";
import { stageOrder } from "./perStage.js";

// Which closed deals a model learns from, what was left out and why, and the data floor (seed 004):
// at least 40 won and 40 lost deals created and closed in the training window; per-stage modelling also
// needs at least 40 closed deals that reached the last stage.

export const DATA_FLOOR = { won: 40, lost: 40, lastStage: 40 } as const;

const examples = z.object({ deals: z.number().int(), examples: z.array(z.string()) });

export const dataReportSchema = z.object({
  window: z.object({ from: z.string(), to: z.string(), months: z.number().int() }),
  /** Deals the filter selects. */
  selected: z.number().int(),
  filteredOut: z.number().int(),
  won: z.number().int(),
  lost: z.number().int(),
  open: z.number().int(),
  /** Status values that match neither the won nor the lost values: those deals count as open. */
  otherStatusValues: z.array(z.object({ value: z.string(), deals: z.number().int() })),
  closedWithoutCloseDate: examples,
  closedBeforeCreated: examples,
  /** Closed deals created before the window or closed after the training time. */
  outsideWindow: z.number().int(),
});
export type DataReport = z.infer<typeof dataReportSchema>;

export interface TrainingSelection {
  config: ModelConfig;
  /** Won and lost deals in the window, oldest close first (ties by dealId). */
  closed: DealHistory[];
  won: number;
  lost: number;
  /** Stages in business-process order, and how many closed deals reached the last one. */
  stages: string[];
  reachedLastStage: number;
  report: DataReport;
}

const MAX_EXAMPLES = 10;

/** Selects the closed deals a model learns from at `now`, and reports every deal left out and why. */
export function selectTrainingDeals(histories: readonly DealHistory[], config: ModelConfig, now: Date): TrainingSelection {
  const from = addMonths(now, -config.trainingWindowMonths).toISOString();
  const to = now.toISOString();
  const report: DataReport = {
    window: { from, to, months: config.trainingWindowMonths },
    selected: 0,
    filteredOut: 0,
    won: 0,
    lost: 0,
    open: 0,
    otherStatusValues: [],
    closedWithoutCloseDate: { deals: 0, examples: [] },
    closedBeforeCreated: { deals: 0, examples: [] },
    outsideWindow: 0,
  };
  const known = new Set([...config.wonValues, ...config.lostValues].map((v) => v.toLowerCase()));
  const other = new Map<string, number>();
  const closed: DealHistory[] = [];
  const note = (bucket: { deals: number; examples: string[] }, id: string) => {
    bucket.deals++;
    if (bucket.examples.length < MAX_EXAMPLES) bucket.examples.push(id);
  };
  for (const h of histories) {
    const deal = h.deal;
    if (!filterSelects(deal, config)) {
      report.filteredOut++;
      continue;
    }
    report.selected++;
    const outcome = dealOutcome(deal, config);
    if (outcome === "open") {
      report.open++;
      const status = columnText(deal, config.statusColumn);
      if (status !== undefined && !known.has(status.toLowerCase())) other.set(status, (other.get(status) ?? 0) + 1);
      continue;
    }
    if (deal.closedOn === undefined) {
      note(report.closedWithoutCloseDate, deal.dealId);
      continue;
    }
    if (deal.closedOn < deal.createdOn) {
      note(report.closedBeforeCreated, deal.dealId);
      continue;
    }
    if (deal.createdOn < from || deal.closedOn > to) {
      report.outsideWindow++;
      continue;
    }
    closed.push(h);
    if (outcome === "won") report.won++;
    else report.lost++;
  }
  report.otherStatusValues = [...other.entries()]
    .map(([value, deals]) => ({ value, deals }))
    .sort((a, b) => b.deals - a.deals || (a.value < b.value ? -1 : 1));
  closed.sort((a, b) => (a.deal.closedOn! < b.deal.closedOn! ? -1 : a.deal.closedOn! > b.deal.closedOn! ? 1 : a.dealId < b.dealId ? -1 : a.dealId > b.dealId ? 1 : 0));
  const stages = stageOrder(closed, config.stages);
  const last = stages[stages.length - 1];
  const reachedLastStage = last === undefined ? 0 : closed.filter((h) => stagesReached(h).includes(last)).length;
  return { config, closed, won: report.won, lost: report.lost, stages, reachedLastStage, report };
}

export interface FloorCount {
  have: number;
  need: number;
}

export interface DataFloorShortfall {
  window: DataReport["window"];
  won: FloorCount;
  lost: FloorCount;
  lastStage?: FloorCount & { stage: string | null };
}

function more(c: FloorCount): string {
  return c.have >= c.need ? `${c.have}` : `${c.have} (${c.need - c.have} more needed)`;
}

/** The selection when it meets the data floor; otherwise a refusal with the counts it has and needs. */
export function checkDataFloor(selection: TrainingSelection): Outcome<TrainingSelection> {
  const { config, report } = selection;
  const won = { have: selection.won, need: DATA_FLOOR.won };
  const lost = { have: selection.lost, need: DATA_FLOOR.lost };
  const windowWords = `created and closed in the last ${config.trainingWindowMonths} months`;
  if (won.have < won.need || lost.have < lost.need) {
    return failure(
      "not_enough_deals",
      `a model needs at least ${won.need} won and ${lost.need} lost deals ${windowWords}; there are ${more(won)} won and ${more(lost)} lost`,
      "trainingWindowMonths",
      { window: report.window, won, lost } satisfies DataFloorShortfall,
    );
  }
  if (config.perStage) {
    const stage = selection.stages[selection.stages.length - 1] ?? null;
    if (stage === null) {
      return failure("per_stage_needs_stages", "per-stage modelling needs deals with a stage; no closed deal in the window has one", "perStage", {
        window: report.window,
        won,
        lost,
        lastStage: { stage, have: 0, need: DATA_FLOOR.lastStage },
      } satisfies DataFloorShortfall);
    }
    const lastStage = { stage, have: selection.reachedLastStage, need: DATA_FLOOR.lastStage };
    if (lastStage.have < lastStage.need) {
      return failure(
        "not_enough_deals",
        `per-stage modelling needs at least ${lastStage.need} closed deals ${windowWords} that reached the last stage (${stage}); there are ${more(lastStage)}`,
        "perStage",
        { window: report.window, won, lost, lastStage } satisfies DataFloorShortfall,
      );
    }
  }
  return success(selection);
}
