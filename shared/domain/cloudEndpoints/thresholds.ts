// The Cloud Endpoints (Windows 365) tab's numeric rules (PRODUCT.md section 3, seed 002), in one place.

export const cloudEndpointsThresholds = {
  /** Visible only with more than this many W365-eligible seats. */
  minEligibleSeatsExclusive: 100,
  /** Enterprise tenants need more than this many Microsoft 365 licences. */
  enterpriseMinM365Exclusive: 150,
  /** SME&C tenants need more than this many Microsoft 365 licences. */
  smecMinM365Exclusive: 25,
  /** Intune utilisation at or below this is Nurture Intune. */
  nurtureIntuneMaxInclusive: 0.2,
  /** High-propensity motions need at least this many eligible seats; fewer is Low Whitespace. */
  highPropensityMinEligibleSeats: 500,
  /** Mature means more than this many W365 PAU. */
  matureMinW365PauExclusive: 250,
} as const;

const t = cloudEndpointsThresholds;
