import type { ComponentType } from "preact";
import type { Api } from "./api.js";
import type { Me, Role } from "./types.js";

// Every tab of the page: one folder under tabs/, loaded when first opened (its code and charts are
// downloaded then). Adding a tab is one entry here and one folder.

export interface TabProps {
  api: Api;
  me: Me;
}

export interface TabSpec {
  /** Also its address: #/{id}. */
  id: string;
  label: string;
  /** Roles that see the tab; every role when absent. */
  roles?: readonly Role[];
  load: () => Promise<{ default: ComponentType<TabProps> }>;
}

export const tabs: readonly TabSpec[] = [
  { id: "cloud-endpoints", label: "Cloud Endpoints", load: () => import("../tabs/cloudEndpoints/index.js") },
  { id: "opportunities", label: "Opportunities", load: () => import("../tabs/opportunities/index.js") },
  { id: "propensity", label: "Propensity", load: () => import("../tabs/propensity/index.js") },
  { id: "deal-scoring", label: "Deal scoring", load: () => import("../tabs/dealScoring/index.js") },
  { id: "data", label: "Data", load: () => import("../tabs/data/index.js") },
  { id: "keys", label: "Keys", roles: ["administrator"], load: () => import("../tabs/keys/index.js") },
];

export function visibleTabs(role: Role): TabSpec[] {
  return tabs.filter((tab) => !tab.roles || tab.roles.includes(role));
}
