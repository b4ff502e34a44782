// Public API of CloudAscent propensity (PRODUCT.md section 4): pure domain, no I/O.

export * from "./agreements.js";
export * from "./bands.js";
export * from "./cadence.js";
export * from "./catalogue.js";
export * from "./clusters.js";
export * from "./families.js";
export * from "./fit.js";
export * from "./inputs.js";
export * from "./intent.js";
export * from "./licences.js";
export * from "./partnerDocs.js";
export * from "./report.js";
export * from "./revenue.js";
export * from "./rows.js";
export * from "./score.js";
export * from "./signals.js";
export * from "./subsegments.js";
export * from "./summary.js";
export * from "./tenantInputs.js";
