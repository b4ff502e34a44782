import type { ModelId } from "../inputs.js";
import type { OpportunityModelDefinition } from "../definition.js";
import { bSkuUpsell } from "./bSkuUpsell.js";
import { churnRisk } from "./churnRisk.js";
import { eSkuUpsell } from "./eSkuUpsell.js";
import { mdbGrowth } from "./mdbGrowth.js";
import { mdoGrowth } from "./mdoGrowth.js";
import { mfaEngagement } from "./mfaEngagement.js";
import { smbEngagement } from "./smbEngagement.js";
import { trials } from "./trials.js";

/** The eight models in the Lighthouse table's order; on equal probability the earlier one is kept for its type. */
export const opportunityModels: readonly OpportunityModelDefinition[] = [
  bSkuUpsell,
  eSkuUpsell,
  churnRisk,
  smbEngagement,
  mdoGrowth,
  mfaEngagement,
  mdbGrowth,
  trials,
];

export const modelById = Object.fromEntries(opportunityModels.map((m) => [m.id, m])) as Record<ModelId, OpportunityModelDefinition>;

export { bSkuUpsell, churnRisk, eSkuUpsell, mdbGrowth, mdoGrowth, mfaEngagement, smbEngagement, trials };
