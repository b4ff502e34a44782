import { useEffect, useState } from "preact/hooks";
import { describeError, type Api } from "../../app/api.js";
import type { Cell, Cluster, ClusterMapping, ClusterMappingResponse } from "../../app/types.js";
import { defaultMapping, fitLetters as letters, intentDigits as digits } from "./matrix.js";
import { cellInWords } from "./query.js";

// Administrators: which cluster each of the 16 cells belongs to. Saving queues the refresh that applies it; the
// tab then shows the new clusters once that refresh is in (the parent watches for it).


export function ClusterMappingEditor({ api, current, clusters, onSaved }: {
  api: Api;
  current: ClusterMapping;
  clusters: readonly Cluster[];
  onSaved: (mapping: ClusterMapping) => void;
}) {
  const [draft, setDraft] = useState<ClusterMapping>(current);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: "error" | "ok"; text: string }>();
  useEffect(() => setDraft(current), [current]);
  const changed = (Object.keys(draft) as Cell[]).some((cell) => draft[cell] !== current[cell]);

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setMessage(undefined);
    try {
      const saved = await api.send<ClusterMappingResponse>("PUT", "/api/propensity/cluster-mapping", draft);
      setMessage({ kind: "ok", text: "Saved. The results are being refreshed with the new mapping; the heat map and clusters update when they are in." });
      onSaved(saved?.mapping ?? draft);
    } catch (err) {
      setMessage({ kind: "error", text: `The mapping could not be saved: ${describeError(err)}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <details class="panel">
      <summary>Cluster mapping (administrators)</summary>
      <form class="mapping-form" onSubmit={save} aria-label="Cluster mapping">
        <p class="quiet">Choose the cluster of each cell. Fit bands run down (A high … D very low), intent bands across (1 high … 4 very low).</p>
        <div class="mapping-grid">
          {letters.map((letter) =>
            digits.map((digit) => {
              const cell = `${letter}${digit}` as Cell;
              return (
                <div class="field" key={cell}>
                  <label for={`map-${cell}`}>
                    {cell} <span class="visually-hidden">({cellInWords(cell)})</span>
                  </label>
                  <select id={`map-${cell}`} value={draft[cell]} onChange={(e) => setDraft({ ...draft, [cell]: e.currentTarget.value as Cluster })}>
                    {clusters.map((cluster) => (
                      <option key={cluster} value={cluster}>
                        {cluster}
                      </option>
                    ))}
                  </select>
                </div>
              );
            }),
          )}
        </div>
        <div class="form-actions">
          <button type="submit" disabled={busy || !changed}>
            {busy ? "Saving…" : "Save mapping"}
          </button>
          <button type="button" class="secondary" disabled={busy} onClick={() => setDraft(defaultMapping(clusters))}>
            Use the default
          </button>
          <button type="button" class="secondary" disabled={busy || !changed} onClick={() => setDraft(current)}>
            Undo changes
          </button>
        </div>
        {message && (
          <p class={message.kind === "error" ? "error" : "notice"} role={message.kind === "error" ? "alert" : "status"}>
            {message.text}
          </p>
        )}
      </form>
    </details>
  );
}
