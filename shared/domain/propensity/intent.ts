import { z } from "zod";
import { bandOf, toScore, type Band } from "./bands.js";
import { dayNumber } from "./dates.js";
import type { SignalRow } from "./rows.js";

// Intent: how strongly a tenant is showing buying signals now (PRODUCT.md section 4).
//   points = Σ weight(type) × strength × 0.5^(age / half-life)   over the tenant's signals
//   intent = round(100 × (1 − 2^(−points / saturationPoints)))
// Age is in whole days from the signal's day to the refresh day (a signal of today is at full strength).
// A signal without a strength counts at full strength (1). The mapping is monotone: more points never give
// a lower intent; one fresh full-strength signal of weight 1 gives 50 with the default saturation of 1 point,
// two give 75 (High). Signals dated after the refresh day are ignored and counted; signal types without a
// weight are kept with weight 0 and listed, so a partner sees which types to weigh.

/** Default weight per signal type (a setting): how much one full-strength, fresh signal of the type says. */
export const defaultSignalWeights: Readonly<Record<string, number>> = {
  "Demo request": 1.5,
  "Trial sign-up": 1.2,
  "Pricing research": 1.2,
  "Product research": 1,
  "Competitor evaluation": 1,
  "Technology change": 0.8,
  "Event attendance": 0.8,
  Funding: 0.8,
  Expansion: 0.7,
  "Merger or acquisition": 0.7,
  "Content download": 0.6,
  "Job posting": 0.5,
  "Leadership change": 0.5,
  "Website visit": 0.3,
};

export const intentSettingsSchema = z.object({
  halfLifeDays: z.number().positive().default(30),
  /** Weights per signal type; they override the defaults of the same type (compared ignoring case and punctuation). */
  signalWeights: z.record(z.string(), z.number().min(0)).default({}),
  /** Points at which intent reaches 50. */
  saturationPoints: z.number().positive().default(1),
  /** Signals shown as the explanation. */
  explainTop: z.number().int().min(0).default(3),
});
export type IntentSettings = z.infer<typeof intentSettingsSchema>;
export const defaultIntentSettings: IntentSettings = intentSettingsSchema.parse({});

const typeKeys = new Map<string, string>();

/** Signal types compare without case, spaces or punctuation: "Demo-Request" is "demo request". */
export function signalTypeKey(type: string): string {
  // Few distinct types, hundreds of thousands of signals: each spelling is worked out once.
  let key = typeKeys.get(type);
  if (key === undefined) {
    key = type.toLowerCase().replace(/[^a-z0-9]+/g, "");
    if (typeKeys.size < 10_000) typeKeys.set(type, key);
  }
  return key;
}

/** The weight of a signal type under the settings, undefined for a type without one. */
export function signalWeights(settings: Pick<IntentSettings, "signalWeights">): (type: string) => number | undefined {
  const byKey = new Map<string, number>();
  for (const [type, w] of Object.entries(defaultSignalWeights)) byKey.set(signalTypeKey(type), w);
  for (const [type, w] of Object.entries(settings.signalWeights)) byKey.set(signalTypeKey(type), w);
  return (type) => byKey.get(signalTypeKey(type));
}

export interface ExplainedSignal {
  signalType: string;
  observedOn: string;
  strength: number;
  weight: number;
  /** This signal's share of the intent points today. */
  points: number;
  ageDays: number;
  /** "Demo request on 2026-05-02, 12 days ago (strength 0.8)". */
  text: string;
}

export interface TenantIntent {
  /** Σ weight × strength × decay. */
  points: number;
  intent: number;
  intentBand: Band;
  /** The strongest signals now, strongest first. */
  strongestSignals: ExplainedSignal[];
  /** Signals that count (not in the future, with a valid strength), including those of unknown types. */
  signalsCounted: number;
  /** Signals dated after the refresh day (ignored). */
  futureSignals: number;
  /** Signals whose strength is not a number from 0 to 1 (ignored; ingest refuses them, this guards other callers). */
  invalidStrength: number;
  /** Signal types without a weight, with their counts (kept with weight 0). */
  unknownTypes: Map<string, number>;
}

function describeSignal(s: { signalType: string; observedOn: string; strength: number; ageDays: number }): string {
  const age = s.ageDays === 0 ? "today" : s.ageDays === 1 ? "1 day ago" : `${s.ageDays} days ago`;
  return `${s.signalType} on ${s.observedOn.slice(0, 10)}, ${age} (strength ${Number(s.strength.toFixed(2))})`;
}

/** Intent of one tenant from its signals, at the refresh day `asOf`. */
export function intentOf(
  signals: readonly SignalRow[],
  asOf: string,
  settings: IntentSettings = defaultIntentSettings,
  weightOf: (type: string) => number | undefined = signalWeights(settings),
): TenantIntent {
  const today = dayNumber(asOf);
  const out: TenantIntent = {
    points: 0,
    intent: 0,
    intentBand: "Very low",
    strongestSignals: [],
    signalsCounted: 0,
    futureSignals: 0,
    invalidStrength: 0,
    unknownTypes: new Map(),
  };
  const scored: { s: SignalRow; points: number; ageDays: number; strength: number; weight: number }[] = [];
  for (const s of signals) {
    const ageDays = today - dayNumber(s.observedOn);
    if (ageDays < 0) {
      out.futureSignals++;
      continue;
    }
    const strength = s.strength ?? 1;
    if (!(strength >= 0 && strength <= 1)) {
      out.invalidStrength++;
      continue;
    }
    out.signalsCounted++;
    let weight = weightOf(s.signalType);
    if (weight === undefined) {
      out.unknownTypes.set(s.signalType, (out.unknownTypes.get(s.signalType) ?? 0) + 1);
      weight = 0;
    }
    const points = weight * strength * Math.pow(0.5, ageDays / settings.halfLifeDays);
    out.points += points;
    if (points > 0) scored.push({ s, points, ageDays, strength, weight });
  }
  out.intent = toScore(1 - Math.pow(2, -out.points / settings.saturationPoints));
  out.intentBand = bandOf(out.intent);
  scored.sort((a, b) => b.points - a.points || b.s.observedOn.localeCompare(a.s.observedOn));
  out.strongestSignals = scored.slice(0, settings.explainTop).map(({ s, points, ageDays, strength, weight }) => {
    const e = { signalType: s.signalType, observedOn: s.observedOn, strength, weight, points, ageDays };
    return { ...e, text: describeSignal(e) };
  });
  return out;
}
