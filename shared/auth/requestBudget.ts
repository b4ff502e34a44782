import { TooManyRequestsError } from "../errors.js";

// A request budget per caller (an API key, a signed-in identity) and instance: a token bucket refilled
// continuously; past it, 429 with Retry-After. Bounded, so a flood of callers cannot grow it without end.

const maxBudgets = 50_000;

export interface RequestBudgets {
  /** Spends one request of `callerId`'s budget; throws TooManyRequestsError when none is left. */
  spend(callerId: string, now?: number): void;
  clear(): void;
}

export function createRequestBudgets(perMinute: number): RequestBudgets {
  const budgets = new Map<string, { tokens: number; at: number }>();
  const ratePerMs = perMinute / 60_000;
  return {
    spend(callerId, now = Date.now()) {
      const bucket = budgets.get(callerId) ?? { tokens: perMinute, at: now };
      bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.at) * ratePerMs);
      bucket.at = now;
      if (bucket.tokens < 1) {
        throw new TooManyRequestsError(Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000)));
      }
      bucket.tokens -= 1;
      budgets.delete(callerId);
      budgets.set(callerId, bucket);
      while (budgets.size > maxBudgets) budgets.delete(budgets.keys().next().value!);
    },
    clear() {
      budgets.clear();
    },
  };
}
