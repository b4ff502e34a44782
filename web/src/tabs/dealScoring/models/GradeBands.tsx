import { useEffect, useState } from "preact/hooks";
import type { Api } from "../../../app/api.js";
import type { DealModel } from "../../../app/types.js";
import { bandsFrom, type Starts } from "./gradeBands.js";
import { RefusalMessage } from "./RefusalMessage.js";

// Grade bands: where A, B and C start (D starts at 0, A ends at 100); each band ends one below the next, so
// moving one band's start moves its neighbour's end. Saving re-grades the deals at the rescoring it queues.


export function GradeBandsEditor({ api, model, onSaved }: { api: Api; model: DealModel; onSaved: (model: DealModel) => void }) {
  const current = { A: model.gradeBands.A.min, B: model.gradeBands.B.min, C: model.gradeBands.C.min };
  const [starts, setStarts] = useState<Starts>(current);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  useEffect(() => setStarts(current), [model.gradeBands.A.min, model.gradeBands.B.min, model.gradeBands.C.min]);
  const changed = starts.A !== current.A || starts.B !== current.B || starts.C !== current.C;
  const preview = bandsFrom(starts);

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      const updated = await api.send<DealModel>("PUT", `/api/deal-models/${encodeURIComponent(model.modelId)}/grade-bands`, preview);
      if (updated) onSaved(updated);
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="grade-bands" onSubmit={save} aria-labelledby="grade-bands-title">
      <h3 id="grade-bands-title">Grade bands</h3>
      <div class="filters">
        {(["A", "B", "C"] as const).map((grade) => (
          <div class="field" key={grade}>
            <label for={`band-${grade}`}>{grade} from</label>
            <input
              id={`band-${grade}`}
              type="number"
              inputMode="numeric"
              min={1}
              max={100}
              step={1}
              value={starts[grade]}
              onInput={(e) => {
                const value = Number(e.currentTarget.value);
                if (Number.isFinite(value)) setStarts({ ...starts, [grade]: Math.round(value) });
                setSaved(false);
              }}
            />
          </div>
        ))}
        <div class="field end">
          <button type="submit" disabled={busy || !changed}>
            {busy ? "Saving…" : "Save grade bands"}
          </button>
        </div>
      </div>
      <p class="quiet" aria-live="polite">
        {(["A", "B", "C", "D"] as const).map((g) => `${g} ${preview[g].min}–${preview[g].max}`).join(" · ")}
      </p>
      {saved && !changed && (
        <p class="notice" role="status">
          Grade bands saved; the deals are re-graded at the rescoring this queued.
        </p>
      )}
      {error !== undefined && <RefusalMessage error={error} />}
    </form>
  );
}
