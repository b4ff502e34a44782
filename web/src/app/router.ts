import { useEffect, useState } from "preact/hooks";

// Addresses are #/{tab}: the server only ever serves index.html and its files, so every tab is a link
// that works after a reload without the server knowing the tabs.

export function currentTabId(): string {
  return /^#\/([a-z0-9-]+)/.exec(location.hash)?.[1] ?? "";
}

export function useTabId(): string {
  const [id, setId] = useState(currentTabId);
  useEffect(() => {
    const update = () => setId(currentTabId());
    addEventListener("hashchange", update);
    return () => removeEventListener("hashchange", update);
  }, []);
  return id;
}

export const tabHref = (id: string) => `#/${id}`;
