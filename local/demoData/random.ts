import { createRandom } from "../../shared/scoring/index.js";

// Seeded randomness for the demo partner. Every value comes from a stream keyed by (seed, tenant index,
// salt), so any tenant can be generated alone and the same seed always gives the same files.

export type Rng = () => number;

/**
 * One salt per independent stream. A new dataset draws from a new salt (never from the tenant stream),
 * so adding it leaves every existing file the same for a seed.
 */
export const salts = {
  archetype: 1,
  tenant: 2,
  usageNoise: 3,
  signals: 4,
  installBase: 5,
  prospect: 6,
  history: 7,
} as const;

/** Stream `salt` of tenant `index`. */
export function tenantRandom(seed: number, index: number, salt: number): Rng {
  return createRandom(mix(seed, index, salt));
}

function mix(seed: number, index: number, salt: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35) ^ Math.imul(salt + 7, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 13)) >>> 0;
}

export const between = (rng: Rng, min: number, max: number) => Math.floor(min + rng() * (max - min + 1));
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
export const chance = (rng: Rng, p: number) => rng() < p;

export function guid(rng: Rng): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rng() * 16).toString(16));
  hex[12] = "4";
  hex[16] = ((Math.floor(rng() * 4) + 8) as number).toString(16);
  const s = hex.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
