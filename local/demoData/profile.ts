import { between, chance, pick, salts, tenantRandom, type Rng } from "./random.js";

// The profile a demo tenant is generated from: its archetype (the sales motion a refresh should find, or
// why it stays hidden), segment, industry and seat mix. Every dataset file builds on it.
//
// The mix is chosen so a refresh puts tenants in every Cloud Endpoints sales motion (seed 002) and
// leaves some out: SMB tenants, tenants reached only as the EA licensing partner, and tenants below
// the licence thresholds.

/** The profile a tenant was generated from; the sales motion is what the refresh should find (none: not visible). */
export type DemoArchetype =
  | "Land W365"
  | "Expand W365"
  | "Expand W365 - Mature"
  | "Expand to Frontline (Flex)"
  | "Expand to Frontline (Flex) - Mature"
  | "Low Whitespace"
  | "Nurture Intune"
  | "hidden: SMB"
  | "hidden: EA licensing only"
  | "hidden: below thresholds"
  /** A company without licences (propensity's prospects), listed after the customer tenants. */
  | "hidden: prospect";

// Share of tenants per profile (sums to 1).
const archetypeWeights: [DemoArchetype, number][] = [
  ["Land W365", 0.12],
  ["Expand W365", 0.1],
  ["Expand W365 - Mature", 0.05],
  ["Expand to Frontline (Flex)", 0.07],
  ["Expand to Frontline (Flex) - Mature", 0.04],
  ["Low Whitespace", 0.14],
  ["Nurture Intune", 0.13],
  ["hidden: SMB", 0.2],
  ["hidden: EA licensing only", 0.06],
  ["hidden: below thresholds", 0.09],
];

const industries = {
  frontline: ["Retail", "Manufacturing", "Healthcare", "Hospitality", "Transportation and Logistics"],
  other: ["Financial Services", "Professional Services", "Education", "Government", "Media and Communications", "Energy", "Technology"],
} as const;

export function archetypeFor(seed: number, index: number, total: number): DemoArchetype {
  // The first tenants cycle through every profile so even a small partner shows each motion.
  const cycle = archetypeWeights.length;
  if (index < cycle * 2 && total >= cycle) return archetypeWeights[index % cycle][0];
  const r = tenantRandom(seed, index, salts.archetype)();
  let acc = 0;
  for (const [archetype, weight] of archetypeWeights) {
    acc += weight;
    if (r < acc) return archetype;
  }
  return archetypeWeights[archetypeWeights.length - 1][0];
}

export interface TenantProfile {
  archetype: DemoArchetype;
  visible: boolean;
  /** The sales motion a refresh should find; undefined for a hidden tenant. */
  motion: DemoArchetype | undefined;
  isFlex: boolean;
  segment: "Enterprise" | "SME&C" | "SMB";
  industry: string;
  /** W365-eligible seats: ME5 + ME3 + F3. */
  eligible: number;
  f3: number;
  e5: number;
  e3: number;
  /** Windows 365 paid units. */
  w365: number;
  /** Intune utilisation in the latest month. */
  intuneUtil: number;
  emsSeats: number;
  o365e3: number;
  smbSeats: number;
  smbSku: "O365_BUSINESS_ESSENTIALS" | "O365_BUSINESS_PREMIUM" | "SPB";
}

/** Draws the profile from the tenant stream (the first draws after the tenant id). */
export function drawProfile(rng: Rng, archetype: DemoArchetype): TenantProfile {
  const visible = !archetype.startsWith("hidden");
  const motion = visible ? archetype : undefined;
  const isFlex = motion?.startsWith("Expand to Frontline") ?? false;

  // Segment and size
  let segment: "Enterprise" | "SME&C" | "SMB";
  if (archetype === "hidden: SMB") segment = "SMB";
  else if (motion === "Low Whitespace" || motion === "Nurture Intune" || archetype === "hidden: below thresholds") {
    segment = chance(rng, 0.5) ? "SME&C" : "Enterprise";
  } else segment = chance(rng, 0.7) ? "Enterprise" : "SME&C";

  const industry = isFlex
    ? pick(rng, industries.frontline)
    : motion === "Expand W365" || motion === "Expand W365 - Mature"
      ? // Frontline industries appear here too, but such tenants hold no F3 seats (so they are not Flex).
        pick(rng, chance(rng, 0.3) ? industries.frontline : industries.other)
      : pick(rng, chance(rng, 0.45) ? industries.frontline : industries.other);

  // W365-eligible seats (ME5 + ME3 + F3) by profile
  let eligible: number;
  switch (archetype) {
    case "Land W365":
    case "Expand W365":
    case "Expand to Frontline (Flex)":
      eligible = between(rng, 520, segment === "Enterprise" ? 9000 : 2400);
      break;
    case "Expand W365 - Mature":
    case "Expand to Frontline (Flex) - Mature":
      eligible = between(rng, 1500, 18000);
      break;
    case "Low Whitespace":
      eligible = between(rng, segment === "Enterprise" ? 180 : 110, 480);
      break;
    case "Nurture Intune":
      eligible = between(rng, 120, 5000);
      break;
    case "hidden: EA licensing only":
      eligible = between(rng, 800, 12000);
      break;
    case "hidden: below thresholds":
      eligible = between(rng, 10, 95);
      break;
    case "hidden: SMB":
      eligible = 0;
      break;
    case "hidden: prospect":
      throw new Error("a prospect has no licence profile (prospects.ts draws it)");
  }

  // Split eligible seats into F3 (frontline), E5 and E3
  let f3 = 0;
  if (isFlex) f3 = Math.max(20, Math.round(eligible * (0.3 + rng() * 0.4)));
  else if (motion !== "Expand W365" && motion !== "Expand W365 - Mature" && segment !== "SMB" && chance(rng, 0.25)) {
    f3 = Math.round(eligible * (0.1 + rng() * 0.3));
  }
  const e5 = Math.round((eligible - f3) * (0.15 + rng() * 0.45));
  const e3 = eligible - f3 - e5;

  // W365 paid units
  let w365 = 0;
  if (motion === "Expand W365" || motion === "Expand to Frontline (Flex)") w365 = between(rng, 10, 240);
  else if (motion === "Expand W365 - Mature" || motion === "Expand to Frontline (Flex) - Mature") w365 = between(rng, 260, Math.min(1200, eligible - 50));
  else if (motion === "Low Whitespace" || motion === "Nurture Intune") w365 = chance(rng, 0.3) ? between(rng, 5, 60) : 0;

  // Intune utilisation in the latest month: > 20 % for the high-propensity motions, ≤ 20 % for Nurture.
  const intuneUtil =
    motion === "Nurture Intune" ? (chance(rng, 0.3) ? 0 : 0.02 + rng() * 0.16) : segment === "SMB" ? 0 : 0.26 + rng() * 0.6;
  const emsSeats = segment !== "SMB" && chance(rng, 0.35) ? Math.round(eligible * (0.05 + rng() * 0.2)) : 0;
  const o365e3 = segment !== "SMB" && chance(rng, 0.3) ? between(rng, 20, 800) : 0;

  // SMB: Business SKUs
  const smbSeats = segment === "SMB" ? between(rng, 5, 280) : 0;
  const smbSku = pick(rng, ["O365_BUSINESS_ESSENTIALS", "O365_BUSINESS_PREMIUM", "SPB"] as const);

  return { archetype, visible, motion, isFlex, segment, industry, eligible, f3, e5, e3, w365, intuneUtil, emsSeats, o365e3, smbSeats, smbSku };
}
