// The Cloud Endpoints (Windows 365) tab: PRODUCT.md section 3 and seed 002. Pure functions, one file per
// rule a user asks about; the SKU catalogue (../skuCatalog.ts) is the data they read.
export * from "./thresholds.js";
export * from "./licences.js";
export * from "./usage.js";
export * from "./incentives.js";
export * from "./visibility.js";
export * from "./salesMotion.js";
export * from "./row.js";
export * from "./summary.js";
