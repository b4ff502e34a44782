import { useEffect, useState } from "preact/hooks";

// Addresses are #/{tab}: the server only ever serves index.html and its files, so every tab is a link
// that works after a reload without the server knowing the tabs. One customer of the Opportunities tab is
// #/opportunities/customers/{tenantId} (the export's Link column), which opens the tab with its flyout.

export function currentTabId(): string {
  return /^#\/([a-z0-9-]+)/.exec(location.hash)?.[1] ?? "";
}

/** The tenant id of a #/opportunities/customers/{tenantId} address; undefined for any other. */
export function currentCustomerId(): string | undefined {
  const id = /^#\/opportunities\/customers\/([^/?#]+)/.exec(location.hash)?.[1];
  if (id === undefined) return undefined;
  try {
    return decodeURIComponent(id);
  } catch {
    return undefined;
  }
}

/** What `read` takes from the address, following the address as it changes. */
function useAddress<T>(read: () => T): T {
  const [value, setValue] = useState(read);
  useEffect(() => {
    const update = () => setValue(read);
    addEventListener("hashchange", update);
    return () => removeEventListener("hashchange", update);
  }, []);
  return value;
}

export const useTabId = () => useAddress(currentTabId);
export const useCustomerId = () => useAddress(currentCustomerId);

export const tabHref = (id: string) => `#/${id}`;
export const customerHref = (tenantId: string) => `#/opportunities/customers/${encodeURIComponent(tenantId)}`;
