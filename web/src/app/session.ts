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

// In Azure, behind App Service authentication, people sign in with their work account: the platform keeps the
// session in a cookie and tells the API who they are. The page server says so with a meta (no inline script).

const workAccountMeta = 'meta[name="poi-work-account"]';

/** The login path of work-account sign-in, when this site offers it (a path of this origin only). */
export function workAccountLogin(): string | undefined {
  const path = document.querySelector(workAccountMeta)?.getAttribute("content") ?? "";
  return /^\/(?!\/)/.test(path) ? path : undefined;
}

/** Signs in with the work account, then comes back to the page. */
export const workAccountSignInUrl = (loginPath: string) => `${loginPath}?post_login_redirect_uri=/`;

/** Ends the platform's session, then comes back to the page's sign-in. */
export const workAccountSignOutUrl = "/.auth/logout?post_logout_redirect_uri=/";
