import { beforeAll, describe, expect, it } from "vitest";
import {
  addMonths,
  DEFAULT_GRADE_BANDS,
  gradeFor,
  moveGradeEdge,
  orThrow,
  parseModelConfig,
  recordObservation,
  recordSnapshot,
  scoreOpenDeals,
  TOP_FACTORS,
  trainDealModel,
  type DealHistory,
  type TrainedDealModel,
} from "../../../shared/domain/dealScoring/index.js";
import { auc } from "../../../shared/scoring/index.js";
import { generateCrmHistory, type CrmHistory } from "../../../local/demoData/deals.js";

const now = new Date("2026-05-01T00:00:00Z");
const DAY = 86_400_000;

describe("scoring open deals", () => {
  let crm: CrmHistory;
  let deals: DealHistory[];
  let trained: TrainedDealModel;
  let open: DealHistory[];

  beforeAll(() => {
    crm = generateCrmHistory({ seed: 23, now, closedDeals: 900, openDeals: 150 });
    deals = [];
    for (const s of crm.snapshots) deals = orThrow(recordSnapshot(deals, s)).histories;
    trained = orThrow(trainDealModel({ histories: deals, config: orThrow(parseModelConfig({ ignoreEmpty: ["employees"] }, now)), now }));
    open = deals.filter((h) => h.deal.status === "Open" && h.lastSeenAt === now.toISOString());
  });

  it("scores every open deal of the latest snapshot created in the past two years, and says why others are left out", () => {
    const latest = now.toISOString();
    const template = open[0].deal;
    const tooOld = recordObservation(undefined, { ...template, dealId: "OLD", createdOn: addMonths(now, -30).toISOString() }, latest).history;
    const gone = recordObservation(undefined, { ...template, dealId: "GONE" }, new Date(now.getTime() - 30 * DAY).toISOString()).history;
    const { scores, report } = scoreOpenDeals({ model: trained.model, histories: [...deals, tooOld, gone], now });
    expect(new Set(scores.map((s) => s.dealId))).toEqual(new Set(open.map((h) => h.deal.dealId)));
    expect(report).toMatchObject({ scored: open.length, createdTooLongAgo: 1, otherStatusValues: [{ value: "Open", deals: open.length }] });
    expect(report.current).toBe(deals.filter((h) => h.lastSeenAt === latest).length + 1);
  });

  it("gives score = round(100 × calibrated probability) and the grade of its band", () => {
    const bands = orThrow(moveGradeEdge(DEFAULT_GRADE_BANDS, "A", "min", 90));
    const { scores } = scoreOpenDeals({ model: trained.model, histories: deals, now, gradeBands: bands });
    for (const s of scores) {
      expect(s.score).toBe(Math.round(100 * s.probability));
      expect(s.grade).toBe(gradeFor(s.score, bands));
    }
    expect(new Set(scores.map((s) => s.grade)).size).toBeGreaterThan(1);
  });

  it("ranks open deals by how they will end, well above chance: at least halfway to the plant's own ranking", () => {
    const { scores } = scoreOpenDeals({ model: trained.model, histories: deals, now });
    const willWin = scores.map((s) => (crm.wins.get(s.dealId) ? 1 : 0));
    const oracle = auc(scores.map((s) => crm.truth.get(s.dealId)!), willWin);
    expect(auc(scores.map((s) => s.score), willWin)).toBeGreaterThanOrEqual(0.5 + (oracle - 0.5) / 2);
  });

  it("ranks open deals by their planted chance: deals without a competitor score higher on average", () => {
    const { scores } = scoreOpenDeals({ model: trained.model, histories: deals, now });
    const competitor = new Map(open.map((h) => [h.deal.dealId, h.deal.attributes.competitor?.value]));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const withOne = scores.filter((s) => competitor.get(s.dealId) === "Yes").map((s) => s.score);
    const without = scores.filter((s) => competitor.get(s.dealId) === "No").map((s) => s.score);
    expect(mean(without)).toBeGreaterThan(mean(withOne));
  });

  it("lists up to five factors raising and five lowering the score, strongest first, and every factor on request", () => {
    const { scores } = scoreOpenDeals({ model: trained.model, histories: deals, now });
    const keys = trained.model.artifact.spec.inputs.map((i) => i.key);
    for (const s of scores) {
      expect(s.topPositive.length).toBeLessThanOrEqual(TOP_FACTORS);
      expect(s.topNegative.length).toBeLessThanOrEqual(TOP_FACTORS);
      expect(s.topPositive.every((f, i) => f.contribution > 0 && (i === 0 || f.contribution <= s.topPositive[i - 1].contribution))).toBe(true);
      expect(s.topNegative.every((f, i) => f.contribution < 0 && (i === 0 || f.contribution >= s.topNegative[i - 1].contribution))).toBe(true);
      expect(s.factors.every((f) => keys.includes(f.key))).toBe(true);
      const strongestUp = s.factors.filter((f) => f.counted && f.contribution > 0).slice(0, TOP_FACTORS);
      expect(s.topPositive).toEqual(strongestUp);
    }
    const product = scores[0].factors.find((f) => f.key === "product")!;
    expect(product.text).toMatch(new RegExp(`^Product is ${product.value} \\((raises|lowers) the score\\)$`));
    expect(product.insight).toMatch(/^\d+ % of \d+ closed deals where Product is .+ were won \(overall \d+ %\)$/);
  });

  it("ignores an empty value when asked: it scores as the typical value and is never a top factor", () => {
    const empty = open.find((h) => h.deal.attributes.employees === undefined)!;
    const typical = trained.model.artifact.spec.inputs.find((i) => i.key === "employees")!.impute as number;
    const filled: DealHistory = { ...empty, deal: { ...empty.deal, dealId: "FILLED", attributes: { ...empty.deal.attributes, employees: { type: "number", value: typical } } } };
    const { scores } = scoreOpenDeals({ model: trained.model, histories: [empty, { ...filled, dealId: "FILLED" }], now });
    const [a, b] = ["FILLED", empty.dealId].map((id) => scores.find((s) => s.dealId === id)!);
    expect(b.probability).toBe(a.probability);
    const factor = b.factors.find((f) => f.key === "employees")!;
    expect(factor).toMatchObject({ counted: false, value: null, text: expect.stringContaining("is empty (ignored") });
    expect([...b.topPositive, ...b.topNegative].some((f) => f.key === "employees")).toBe(false);
  });

  it("gives the trend against the score at least 7 days earlier", () => {
    const { scores } = scoreOpenDeals({ model: trained.model, histories: deals, now });
    const s = scores[0];
    const daysAgo = (d: number) => new Date(now.getTime() - d * DAY).toISOString();
    const trendWith = (points: { at: string; score: number }[]) =>
      scoreOpenDeals({ model: trained.model, histories: deals, now, scoreHistory: (id) => (id === s.dealId ? points : undefined) }).scores.find((x) => x.dealId === s.dealId)!;
    expect(s.trend).toBe("Not enough info");
    expect(trendWith([{ at: daysAgo(3), score: Math.max(0, s.score - 20) }]).trend).toBe("Not enough info");
    const lower = Math.max(0, s.score - 5);
    const improving = trendWith([{ at: daysAgo(8), score: lower }, { at: daysAgo(2), score: s.score }]);
    expect(improving.trend).toBe(s.score - lower >= 5 ? "Improving" : "Steady");
    expect(improving.previousScore).toBe(lower);
    expect(trendWith([{ at: daysAgo(7), score: s.score }]).trend).toBe("Steady");
  });
});
