import { useState } from "preact/hooks";
import { describeError, type Api, type Query } from "../app/api.js";

// "Export CSV" for a table's current view: the key goes in a header, so the file is fetched here and handed to
// the browser as a download under the name the server suggests.

export function ExportButton({ api, path, query, label = "Export CSV" }: { api: Api; path: string; query: Query; label?: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const download = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { blob, fileName } = await api.download(path, query);
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = fileName;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      setError(`The export failed: ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="export">
      <button type="button" onClick={download} disabled={busy}>
        {busy ? "Exporting…" : label}
      </button>
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
