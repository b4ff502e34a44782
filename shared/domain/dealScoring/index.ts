// Predictive deal scoring (PRODUCT.md section 5, seed 004): the pure domain. The lead's ports, adapters,
// routes and functions call these; nothing here does I/O.

export * from "./errors.js";
export * from "./calendar.js";
export * from "./dealRows.js";
export * from "./history.js";
export * from "./modelConfig.js";
export * from "./dataFloor.js";
export * from "./features.js";
export * from "./attributeInsights.js";
export * from "./perStage.js";
export * from "./publishGate.js";
export * from "./train.js";
export * from "./replacement.js";
export * from "./lifecycle.js";
export * from "./grades.js";
export * from "./trend.js";
export * from "./score.js";
export * from "./snapshotHistory.js";
export * from "./scoredDeals.js";
