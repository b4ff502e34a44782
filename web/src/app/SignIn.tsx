import { useState } from "preact/hooks";

// Locally the page signs in with an API key; it is checked with GET /api/me before it is kept.

export function SignIn({ notice, onSignIn }: { notice?: string; onSignIn: (key: string) => Promise<string | undefined> }) {
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

  return (
    <main class="sign-in">
      <form onSubmit={submit} noValidate>
        <h1>Partner opportunity insights</h1>
        <p>
          Sign in with your partner's API key (an administrator issues keys; <code>npm start</code> prints one).
        </p>
        {notice && !error && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
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
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
