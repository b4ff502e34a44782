import { useState } from "preact/hooks";
import { workAccountSignInUrl } from "./session.js";

// Locally the page signs in with an API key; it is checked with GET /api/me before it is kept. In Azure, behind
// App Service authentication, people sign in with their work account first; keys (for scripts) still work.

export function SignIn({
  notice,
  onSignIn,
  workAccountLogin,
}: {
  notice?: string;
  onSignIn: (key: string) => Promise<string | undefined>;
  /** App Service authentication's login path, when this site offers work-account sign-in. */
  workAccountLogin?: string;
}) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) {
      setError("Enter your API key.");
      return;
    }
    setBusy(true);
    setError(undefined);
    const message = await onSignIn(trimmed);
    setBusy(false);
    if (message) setError(message);
  };

  const noticeText = notice && !error && (
    <p class="notice" role="status">
      {notice}
    </p>
  );

  return (
    <main class="sign-in">
      <form onSubmit={submit} noValidate>
        <h1>Partner opportunity insights</h1>
        {workAccountLogin && noticeText}
        {workAccountLogin ? (
          <>
            <a class="button work-account" href={workAccountSignInUrl(workAccountLogin)}>
              Sign in with your work account
            </a>
            <p class="or">Or sign in with an API key your partner's administrator issued.</p>
          </>
        ) : (
          <p>
            Sign in with your partner's API key (an administrator issues keys; <code>npm start</code> prints one).
          </p>
        )}
        {!workAccountLogin && noticeText}
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "key-help sign-in-error" : "key-help"}
        />
        <p id="key-help" class="help">
          Kept for this browser tab only, and sent only to this site.
        </p>
        {error && (
          <p id="sign-in-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class={workAccountLogin ? "secondary" : undefined} disabled={busy}>
          {busy ? "Signing in…" : workAccountLogin ? "Sign in with the key" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
