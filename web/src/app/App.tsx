import type { ComponentType } from "preact";
import { useCallback, useEffect, useErrorBoundary, useState } from "preact/hooks";
import { ErrorMessage, Loading } from "../components/States.js";
import { ApiError, createApi, describeError, type Api } from "./api.js";
import { roleLabels } from "./format.js";
import { tabHref, useTabId } from "./router.js";
import { forgetKey, storedKey, storeKey, workAccountLogin, workAccountSignOutUrl } from "./session.js";
import { SignIn } from "./SignIn.js";
import { visibleTabs, type TabProps, type TabSpec } from "./tabs.js";
import type { Me } from "./types.js";

// The shell: sign-in (an API key, or in Azure a work account), the header, the tabs the caller's role may see,
// and the open tab.

type Phase =
  | { kind: "checking"; key: string }
  /** Asking the API whether the platform's session signs someone in with a work account. */
  | { kind: "checkingWorkAccount" }
  | { kind: "signedOut"; notice?: string }
  | { kind: "unreachable"; key?: string; message: string }
  /** Signed in with a work account that may not use the API (no app role, or no partner mapped): the API's words. */
  | { kind: "refused"; message: string }
  | { kind: "signedIn"; me: Me; api: Api; workAccount: boolean };

const wrongKeyMessage =
  "This API key was not accepted. Check that you pasted the whole key (it starts with poi_) and that it has not been revoked.";
const expiredMessage = "Your API key is no longer accepted (it may have been revoked). Sign in again.";
const sessionEndedMessage = "Your work-account sign-in has ended. Sign in again.";

export function App() {
  // Read once: the page server puts the meta in index.html when the app trusts App Service authentication.
  const [loginPath] = useState(workAccountLogin);
  const [phase, setPhase] = useState<Phase>(() => {
    const key = storedKey();
    if (key) return { kind: "checking", key };
    return loginPath ? { kind: "checkingWorkAccount" } : { kind: "signedOut" };
  });

  const signOut = useCallback((notice?: string) => {
    forgetKey();
    setPhase({ kind: "signedOut", notice });
  }, []);

  /** Ends the platform's session (its cookie), which then comes back to the sign-in. */
  const signOutOfWorkAccount = useCallback(() => {
    forgetKey();
    window.location.assign(workAccountSignOutUrl);
  }, []);

  /** Checks the key with GET /api/me; answers a message in words when it cannot sign in. */
  const signIn = useCallback(
    async (key: string): Promise<string | undefined> => {
      try {
        const me = await createApi(key).get<Me>("/api/me");
        storeKey(key);
        setPhase({ kind: "signedIn", me, api: createApi(key, () => signOut(expiredMessage)), workAccount: false });
        return undefined;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return wrongKeyMessage;
        return describeError(err);
      }
    },
    [signOut],
  );

  useEffect(() => {
    if (phase.kind === "checking") {
      void signIn(phase.key).then((message) => {
        if (message === wrongKeyMessage) signOut(expiredMessage);
        else if (message) setPhase({ kind: "unreachable", key: phase.key, message });
      });
    } else if (phase.kind === "checkingWorkAccount") {
      // No key: the API signs in whoever the platform's session cookie names, or answers 401 when there is none.
      createApi(undefined)
        .get<Me>("/api/me")
        .then(
          (me) => setPhase({ kind: "signedIn", me, api: createApi(undefined, () => signOut(sessionEndedMessage)), workAccount: true }),
          (err: unknown) => {
            if (err instanceof ApiError && err.status === 401) setPhase({ kind: "signedOut" });
            else if (err instanceof ApiError && err.status === 403) setPhase({ kind: "refused", message: err.message });
            else setPhase({ kind: "unreachable", message: describeError(err) });
          },
        );
    }
  }, [phase, signIn, signOut]);

  switch (phase.kind) {
    case "checking":
    case "checkingWorkAccount":
      return <Loading label="Signing in…" />;
    case "signedOut":
      return <SignIn notice={phase.notice} onSignIn={signIn} workAccountLogin={loginPath} />;
    case "unreachable":
      return (
        <main class="page-message">
          <ErrorMessage
            message={phase.message}
            onRetry={() => setPhase(phase.key ? { kind: "checking", key: phase.key } : { kind: "checkingWorkAccount" })}
          />
          <button type="button" class="secondary" onClick={() => (phase.key || !loginPath ? signOut() : signOutOfWorkAccount())}>
            Sign out
          </button>
        </main>
      );
    case "refused":
      return (
        <main class="page-message">
          <h1>You are signed in, but cannot use this page yet</h1>
          <p class="error" role="alert">
            {phase.message}
          </p>
          <p>Sign out to use another account or an API key.</p>
          <button type="button" class="secondary" onClick={signOutOfWorkAccount}>
            Sign out
          </button>
        </main>
      );
    case "signedIn":
      return <Shell me={phase.me} api={phase.api} onSignOut={phase.workAccount ? signOutOfWorkAccount : () => signOut()} />;
  }
}

function Shell({ me, api, onSignOut }: { me: Me; api: Api; onSignOut: () => void }) {
  const tabId = useTabId();
  const tabs = visibleTabs(me.role);
  const tab = tabId === "" ? tabs[0] : tabs.find((t) => t.id === tabId);
  useEffect(() => {
    document.title = `${tab?.label ?? "Not found"} · Partner opportunity insights`;
  }, [tab]);
  const skipToContent = (event: Event) => {
    // A plain #main link would change the tab address; move the focus instead.
    event.preventDefault();
    document.getElementById("main")?.focus();
  };
  return (
    <div class="shell">
      <a class="skip-link" href="#main" onClick={skipToContent}>
        Skip to content
      </a>
      <header class="top-bar">
        <span class="product">Partner opportunity insights</span>
        <span class="who">
          <span class="partner">{me.partnerId}</span> · <span class="role">{roleLabels[me.role] ?? me.role}</span>
        </span>
        <button type="button" class="secondary small" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <nav class="tabs" aria-label="Tabs">
        <ul>
          {tabs.map((t) => (
            <li key={t.id}>
              <a href={tabHref(t.id)} aria-current={t === tab ? "page" : undefined}>
                {t.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {tab ? (
          <TabView key={tab.id} spec={tab} api={api} me={me} />
        ) : (
          <section class="page-message">
            <h1>Not found</h1>
            <p>
              There is no tab at this address for your role. <a href={tabHref(tabs[0].id)}>Open {tabs[0].label}</a>.
            </p>
          </section>
        )}
      </main>
    </div>
  );
}

function TabView({ spec, api, me }: { spec: TabSpec } & TabProps) {
  const [loaded, setLoaded] = useState<{ Tab: ComponentType<TabProps> } | { error: unknown }>();
  // A tab that fails while rendering shows words, never a blank page.
  const [renderError, resetError] = useErrorBoundary((err) => console.warn(`The ${spec.label} tab failed`, err));
  useEffect(() => {
    let live = true;
    spec.load().then(
      (module) => live && setLoaded({ Tab: module.default }),
      (error) => live && setLoaded({ error }),
    );
    return () => {
      live = false;
    };
  }, [spec]);
  if (renderError) {
    return <ErrorMessage message={`The ${spec.label} tab ran into a problem. Try again, or reload the page.`} onRetry={resetError} />;
  }
  if (!loaded) return <Loading label={`Loading ${spec.label}…`} />;
  if ("error" in loaded) return <ErrorMessage message={`The ${spec.label} tab could not be downloaded. Check your connection and reload the page.`} />;
  const { Tab } = loaded;
  return <Tab api={api} me={me} />;
}
