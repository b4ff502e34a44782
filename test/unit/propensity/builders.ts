// Small builders for propensity unit tests: tenants, subscription lines, signals.
import type { SubscriptionItem } from "../../../shared/domain/documents.js";
import type { PropensityTenant, SignalRow, TenantInput } from "../../../shared/domain/propensity/index.js";

let next = 0;

export function tenantId(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
}

export function tenant(overrides: Partial<PropensityTenant> = {}): PropensityTenant {
  next += 1;
  return { tenantId: tenantId(next), tenantName: `Tenant ${next}`, domain: `tenant${next}.example.com`, segment: "SMB", ...overrides };
}

export function line(sku: string, seats: number, extra: Partial<SubscriptionItem> = {}): SubscriptionItem {
  return { sku, quantity: seats, paidUnits: seats, status: "Active", ...extra };
}

export function input(t: Partial<PropensityTenant> = {}, subscriptions: SubscriptionItem[] = [], extra: Partial<TenantInput> = {}): TenantInput {
  return { tenant: tenant(t), subscriptions, ...extra };
}

export function signal(tenant: string, signalType: string, observedOn: string, strength?: number): SignalRow {
  return { tenantId: tenant, signalType, observedOn, ...(strength !== undefined ? { strength } : {}) };
}
