// The API key lives in sessionStorage: this browser tab only, gone when the tab closes.

const storageKey = "poi.apiKey";

export function storedKey(): string | undefined {
  try {
    return sessionStorage.getItem(storageKey) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeKey(key: string): void {
  try {
    sessionStorage.setItem(storageKey, key);
  } catch {
    // Storage refused (private mode): the key then lasts until the page reloads.
  }
}

export function forgetKey(): void {
  try {
    sessionStorage.removeItem(storageKey);
  } catch {
    // nothing stored
  }
}
