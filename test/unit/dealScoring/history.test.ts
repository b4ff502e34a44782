import { describe, expect, it } from "vitest";
import {
  currentDeals,
  orThrow,
  recordSnapshot,
  stageSince,
  stagesReached,
  type DealHistory,
  type DealRow,
} from "../../../shared/domain/dealScoring/index.js";

const day = (d: string) => `${d}T00:00:00.000Z`;
function row(dealId: string, status: string, stage: string | undefined, createdOn = day("2026-01-10")): DealRow {
  return { dealId, status, createdOn, ...(stage ? { stage } : {}), attributes: {} };
}
function apply(histories: DealHistory[], takenAt: string, rows: DealRow[]) {
  return orThrow(recordSnapshot(histories, { takenAt: day(takenAt), rows }));
}

describe("deal history across snapshots", () => {
  it("keeps each status and stage change as a run, dated by the snapshot that showed it", () => {
    let h = apply([], "2026-02-01", [row("A", "Open", "Qualify")]).histories;
    h = apply(h, "2026-03-01", [row("A", "Open", "Qualify")]).histories;
    const third = apply(h, "2026-04-01", [row("A", "Open", "Propose")]);
    h = apply(third.histories, "2026-05-01", [{ ...row("A", "Won", "Propose"), closedOn: day("2026-04-20") }]).histories;
    expect(third.summary).toMatchObject({ changed: 1, added: 0 });
    expect(h[0].runs.map((r) => [r.status, r.stage, r.from.slice(0, 10), r.to.slice(0, 10)])).toEqual([
      ["Open", "Qualify", "2026-02-01", "2026-03-01"],
      ["Open", "Propose", "2026-04-01", "2026-04-01"],
      ["Won", "Propose", "2026-05-01", "2026-05-01"],
    ]);
    expect(h[0].deal.status).toBe("Won");
    expect(stagesReached(h[0])).toEqual(["Qualify", "Propose"]);
    // A status change within a stage is not a stage change: Propose since the April snapshot.
    expect(stageSince(h[0], day("2026-05-01"))).toBe(day("2026-04-01"));
  });

  it("changes nothing when the same snapshot is delivered twice", () => {
    const once = apply([], "2026-02-01", [row("A", "Open", "Qualify"), row("B", "Open", "Develop")]).histories;
    const twice = apply(once, "2026-02-01", [row("A", "Open", "Qualify"), row("B", "Open", "Develop")]);
    expect(twice.histories).toEqual(once);
    expect(twice.summary).toMatchObject({ unchanged: 2, changed: 0, added: 0 });
  });

  it("places a snapshot delivered late between the ones around it", () => {
    let h = apply([], "2026-02-01", [row("A", "Open", "Qualify")]).histories;
    h = apply(h, "2026-04-01", [row("A", "Open", "Propose")]).histories;
    h = apply(h, "2026-03-01", [row("A", "Open", "Develop")]).histories;
    expect(h[0].runs.map((r) => r.stage)).toEqual(["Qualify", "Develop", "Propose"]);
    // The latest row stays the April one.
    expect(h[0].deal.stage).toBe("Propose");
    expect(h[0].lastSeenAt).toBe(day("2026-04-01"));
  });

  it("dates a new deal's first stage from its creation only when it was created after the previous snapshot", () => {
    let h = apply([], "2026-02-01", [row("OLD", "Open", "Qualify", day("2026-01-10"))]).histories;
    expect(stageSince(h[0], day("2026-02-01"))).toBeUndefined();
    h = apply(h, "2026-03-01", [row("OLD", "Open", "Qualify", day("2026-01-10")), row("NEW", "Open", "Qualify", day("2026-02-15"))]).histories;
    expect(stageSince(h.find((x) => x.dealId === "NEW")!, day("2026-03-01"))).toBe(day("2026-02-15"));
  });

  it("treats deals missing from the latest snapshot as no longer current", () => {
    let h = apply([], "2026-02-01", [row("A", "Open", "Qualify"), row("B", "Open", "Qualify")]).histories;
    const next = apply(h, "2026-03-01", [row("A", "Open", "Develop")]);
    h = next.histories;
    expect(next.summary.absent).toBe(1);
    expect(currentDeals(h).map((x) => x.dealId)).toEqual(["A"]);
  });

  it("refuses a snapshot with a dealId twice, naming the field and the ids", () => {
    const out = recordSnapshot([], { takenAt: day("2026-02-01"), rows: [row("A", "Open", undefined), row("A", "Won", undefined)] });
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.error).toMatchObject({ code: "duplicate_deal_id", field: "dealId", details: { dealIds: ["A"], count: 1 } });
  });
});
