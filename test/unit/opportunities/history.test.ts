import { describe, expect, it } from "vitest";
import {
  addMonths,
  issueWarnings,
  normaliseHistory,
  partnerSnapshotDates,
  seatsOf,
  stateAt,
  trendStatus,
  unknownSkuWarning,
} from "../../../shared/domain/opportunities/history.js";
import { defaultOpportunitySettings as settings } from "../../../shared/domain/opportunities/inputs.js";
import { history, line, month } from "./fixtures.js";

describe("tenant history", () => {
  it("sorts snapshots given in any order and keeps the first listed of a duplicated date", () => {
    const h = normaliseHistory(
      history([
        { asOf: "2024-02-01", items: [line("SPB", 10)] },
        { asOf: "2024-04-01", items: [line("SPB", 30)] },
        { asOf: "2024-02-01", items: [line("SPB", 99)] },
        { asOf: "2024-03-01", items: [line("SPB", 20)] },
      ]),
    );
    expect(h.snapshots.map((s) => s.asOf)).toEqual(["2024-02-01", "2024-03-01", "2024-04-01"]);
    expect(h.snapshots[0].items[0].quantity).toBe(10);
    expect(h.issues).toMatchObject({ duplicateSnapshots: 1, outOfOrder: true });
    expect(issueWarnings(h.issues).join(" ")).toMatch(/1 duplicate subscription snapshots.*sorted by date/);
  });

  it("ignores snapshots without a valid date and counts them", () => {
    const h = normaliseHistory(history([{ asOf: "2024-13-01", items: [] }, { asOf: "soon", items: [] }, { asOf: "2024-01-01", items: [] }]));
    expect(h.snapshots.map((s) => s.asOf)).toEqual(["2024-01-01"]);
    expect(h.issues.invalidSnapshotDates).toBe(2);
  });

  it("counts a tenant missing from a later drop of the partner as holding no licences then, and not before it joined", () => {
    const stays = history([
      { asOf: "2024-03-01", items: [line("SPB", 5)] },
      { asOf: "2024-02-01", items: [line("SPB", 5)] },
      { asOf: "2024-01-01", items: [line("SPB", 5)] },
    ]);
    const leaves = history([{ asOf: "2024-02-01", items: [line("SPB", 8)] }]);
    const dates = partnerSnapshotDates([stays, leaves]);
    const h = normaliseHistory(leaves, dates);
    expect(h.snapshots.map((s) => [s.asOf, s.absent])).toEqual([
      ["2024-02-01", false],
      ["2024-03-01", true],
    ]);
    expect(stateAt(h, 1, settings).suiteSeats).toBe(0);
  });

  it("never uses snapshots or usage months after today", () => {
    const h = normaliseHistory(
      history(
        [
          { asOf: "2024-03-01", items: [line("SPB", 30)] },
          { asOf: "2024-02-01", items: [line("SPB", 20)] },
        ],
        { "2024-02": month({ Teams: [20, 10] }), "2024-03": month({ Teams: [30, 30] }) },
      ),
      [],
      "2024-02-15",
    );
    expect(h.snapshots.map((s) => s.asOf)).toEqual(["2024-02-01"]);
    expect(h.issues.futureSnapshots).toBe(1);
    expect(stateAt(h, 0, settings).features.teamsUtilisation).toBeCloseTo(0.5);
    expect(issueWarnings(h.issues)).toContain("1 subscription snapshots dated after today were not used");
  });

  it("knows tenure from a start date or from joining after the partner's first drop, and never calls an older customer new", () => {
    const early = history([{ asOf: "2024-01-01", items: [line("SPB", 5)] }, { asOf: "2024-06-01", items: [line("SPB", 5)] }]);
    const joiner = history([{ asOf: "2024-03-01", items: [line("SPB", 5)] }, { asOf: "2024-06-01", items: [line("SPB", 5)] }]);
    const dated = history([{ asOf: "2024-06-01", items: [line("SPB", 5, { startDate: "2023-06-15" })] }]);
    const dates = partnerSnapshotDates([early, joiner, dated]);
    const tenure = (h: typeof early) => {
      const n = normaliseHistory(h, dates);
      return stateAt(n, n.snapshots.length - 1, settings).features.tenureMonths;
    };
    expect(Number.isNaN(tenure(early))).toBe(true);
    expect(tenure(joiner)).toBe(3);
    expect(tenure(dated)).toBe(12);
  });

  it("keeps the newest 24 snapshots", () => {
    const snapshots = Array.from({ length: 30 }, (_, i) => ({ asOf: addMonths("2022-01-01", i), items: [line("SPB", i + 1)] }));
    const h = normaliseHistory(history(snapshots));
    expect(h.snapshots).toHaveLength(24);
    expect(h.snapshots[0].asOf).toBe("2022-07-01");
    expect(h.issues.truncatedSnapshots).toBe(6);
  });

  it("reads the usage trend as Positive above +5 %, Negative below −5 %, otherwise No change", () => {
    expect(trendStatus(0.051, 0.05)).toBe("Positive");
    expect(trendStatus(0.05, 0.05)).toBe("No change");
    expect(trendStatus(-0.05, 0.05)).toBe("No change");
    expect(trendStatus(-0.051, 0.05)).toBe("Negative");
    expect(trendStatus(NaN, 0.05)).toBeUndefined();
  });

  it("compares the latest usage month with exactly three months before, per workload", () => {
    const h = normaliseHistory(
      history([{ asOf: "2024-04-01", items: [line("SPB", 100)] }], {
        "2024-01": month({ Teams: [100, 80], Exchange: [100, 50] }),
        "2024-02": month({ Teams: [100, 10] }),
        "2024-04": month({ Teams: [100, 60], Exchange: [100, 55] }),
      }),
    );
    const s = stateAt(h, 0, settings);
    expect(s.features.teamsTrend).toBeCloseTo(-0.25);
    expect(s.features.exchangeTrend).toBeCloseTo(0.1);
    expect(s.features.teamsUtilisation).toBeCloseTo(0.6);
  });

  it("treats a gap in usage three months back as an unknown trend, never as a fall", () => {
    const h = normaliseHistory(
      history([{ asOf: "2024-04-01", items: [line("SPB", 100)] }], {
        "2024-02": month({ Teams: [100, 90] }),
        "2024-04": month({ Teams: [100, 10] }),
      }),
    );
    const s = stateAt(h, 0, settings);
    expect(Number.isNaN(s.features.teamsTrend)).toBe(true);
    expect(s.features.teamsUtilisation).toBeCloseTo(0.1);
  });

  it("uses the latest usage month up to two months before the snapshot, and none older", () => {
    const usage = { "2024-01": month({ Teams: [10, 5] }) };
    const recent = stateAt(normaliseHistory(history([{ asOf: "2024-03-15", items: [line("SPB", 10)] }], usage)), 0, settings);
    const stale = stateAt(normaliseHistory(history([{ asOf: "2024-04-01", items: [line("SPB", 10)] }], usage)), 0, settings);
    expect(recent.features.teamsUtilisation).toBeCloseTo(0.5);
    expect(stale.usageMonth).toBeUndefined();
    expect(Number.isNaN(stale.features.teamsUtilisation)).toBe(true);
  });

  it("reads MFA utilisation as MFA users over Entra ID users, unknown when the month has no MFA rows", () => {
    const withMfa = normaliseHistory(history([{ asOf: "2024-01-01", items: [] }], { "2024-01": month({ EntraID: [200, 190], MFA: [200, 50] }) }));
    const without = normaliseHistory(history([{ asOf: "2024-01-01", items: [] }], { "2024-01": month({ EntraID: [200, 190] }) }));
    expect(stateAt(withMfa, 0, settings).features.mfaUtilisation).toBeCloseTo(0.25);
    expect(Number.isNaN(stateAt(without, 0, settings).features.mfaUtilisation)).toBe(true);
  });

  it("counts paid seats of active lines only; trials and Teams Exploratory are trials, expired lines count nowhere", () => {
    const h = normaliseHistory(
      history([
        {
          asOf: "2024-01-01",
          items: [
            line("O365_BUSINESS_PREMIUM", 40, { paidUnits: 35 }),
            line("SPB", 10, { status: "Trial" }),
            line("TEAMS_EXPLORATORY", 25, { status: "Active" }),
            line("ENTERPRISEPACK", 50, { status: "Expired" }),
            line("SPE_E3", 5, { status: "Warning" }),
          ],
        },
      ]),
    );
    const s = stateAt(h, 0, settings);
    expect(seatsOf(s, "businessStandard")).toBe(35);
    expect(seatsOf(s, "o365E3")).toBe(0);
    expect(s.suiteSeats).toBe(40);
    expect(s.trials.map((t) => [t.sku, t.quantity])).toEqual([
      ["SPB", 10],
      ["TEAMS_EXPLORATORY", 25],
    ]);
  });

  it("counts unknown SKUs as paid licences in no family, and names them in one warning", () => {
    const h = normaliseHistory(history([{ asOf: "2024-01-01", items: [line("SPB", 10), line("CONTOSO_SPECIAL", 7), line("contoso_special", 3)] }]));
    const s = stateAt(h, 0, settings);
    expect(s.paidLicences).toBe(20);
    expect(s.suiteSeats).toBe(10);
    expect([...s.unknownSkus]).toEqual([["CONTOSO_SPECIAL", 2]]);
    expect(unknownSkuWarning(s.unknownSkus)).toMatch(/1 SKU part numbers are not in the catalogue \(CONTOSO_SPECIAL\) on 2 subscription lines/);
  });

  it("measures seat change against the newest snapshot at least three months earlier", () => {
    const h = normaliseHistory(
      history([
        { asOf: "2024-01-01", items: [line("SPB", 100)] },
        { asOf: "2024-02-01", items: [line("SPB", 90)] },
        { asOf: "2024-04-01", items: [line("SPB", 80)] },
      ]),
    );
    expect(stateAt(h, 2, settings).features.seatChange3m).toBeCloseTo(-0.2);
    expect(Number.isNaN(stateAt(h, 1, settings).features.seatChange3m)).toBe(true);
  });
});
