import { useState } from "preact/hooks";
import type { Api } from "../../../app/api.js";
import type { DealModel } from "../../../app/types.js";
import { problemOf } from "./refusal.js";
import { RefusalMessage } from "./RefusalMessage.js";

// A new model from its configuration (the fields a partner usually sets; every input is used). A filter that
// overlaps another model's is refused with the overlaps; the administrator may then create it anyway.

const list = (text: string) =>
  text
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);

export function CreateModel({ api, onCreated }: { api: Api; onCreated: (model: DealModel) => void }) {
  const [name, setName] = useState("");
  const [windowMonths, setWindowMonths] = useState(24);
  const [filterColumn, setFilterColumn] = useState("");
  const [filterValues, setFilterValues] = useState("");
  const [perStage, setPerStage] = useState(false);
  const [statusColumn, setStatusColumn] = useState("status");
  const [wonValues, setWonValues] = useState("Won");
  const [lostValues, setLostValues] = useState("Lost");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();

  const create = async (confirmOverlap: boolean) => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      const body = {
        ...(name.trim() ? { name: name.trim() } : {}),
        statusColumn: statusColumn.trim() || "status",
        wonValues: list(wonValues),
        lostValues: list(lostValues),
        trainingWindowMonths: windowMonths,
        perStage,
        ...(filterColumn.trim() ? { filter: { column: filterColumn.trim(), values: list(filterValues) } } : {}),
        ...(confirmOverlap ? { confirmOverlap: true } : {}),
      };
      const created = await api.send<DealModel>("POST", "/api/deal-models", body);
      if (created) {
        setNotice(`${created.config.name} created. Train it to see how well it would score your deals.${created.warning ? ` ${created.warning.message}` : ""}`);
        setName("");
        onCreated(created);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <details class="panel">
      <summary>Create a model</summary>
      <form
        class="create-model"
        aria-label="Create a model"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void create(false);
        }}
      >
        <div class="filters">
          <div class="field grow">
            <label for="model-name">Name</label>
            <input id="model-name" value={name} maxLength={100} placeholder="OpportunityScoring_YYYYMMDDHHmm when empty" onInput={(e) => setName(e.currentTarget.value)} aria-describedby="model-name-help" />
            <span id="model-name-help" class="help">
              Letters, digits and underscores.
            </span>
          </div>
          <div class="field">
            <label for="model-window">Training window (months)</label>
            <input id="model-window" type="number" min={3} max={24} step={1} value={windowMonths} onInput={(e) => setWindowMonths(Math.round(Number(e.currentTarget.value)))} />
          </div>
          <div class="field">
            <label for="model-filter-column">Filter column</label>
            <input id="model-filter-column" value={filterColumn} placeholder="none: every deal" onInput={(e) => setFilterColumn(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="model-filter-values">Filter values</label>
            <input id="model-filter-values" value={filterValues} placeholder="comma-separated" onInput={(e) => setFilterValues(e.currentTarget.value)} disabled={!filterColumn.trim()} />
          </div>
        </div>
        <div class="filters">
          <div class="field">
            <label for="model-status">Status column</label>
            <input id="model-status" value={statusColumn} onInput={(e) => setStatusColumn(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="model-won">Won values</label>
            <input id="model-won" value={wonValues} onInput={(e) => setWonValues(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="model-lost">Lost values</label>
            <input id="model-lost" value={lostValues} onInput={(e) => setLostValues(e.currentTarget.value)} />
          </div>
          <label class="check field end">
            <input type="checkbox" checked={perStage} onChange={(e) => setPerStage(e.currentTarget.checked)} />
            Per-stage modelling
          </label>
          <div class="field end">
            <button type="submit" disabled={busy}>
              {busy ? "Creating…" : "Create model"}
            </button>
          </div>
        </div>
        {error !== undefined && (
          <RefusalMessage error={error}>
            {problemOf(error) === "filter_overlap_unconfirmed" && (
              <button type="button" class="secondary small" onClick={() => create(true)} disabled={busy}>
                Create it anyway
              </button>
            )}
          </RefusalMessage>
        )}
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
      </form>
    </details>
  );
}
