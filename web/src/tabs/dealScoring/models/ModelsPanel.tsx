import { useState } from "preact/hooks";
import { describeError, type Api } from "../../../app/api.js";
import { formatDateTime } from "../../../app/format.js";
import type { DealModel } from "../../../app/types.js";
import { useApiGet } from "../../../app/useApiGet.js";
import { Empty, ErrorMessage, Loading } from "../../../components/States.js";
import { CreateModel } from "./CreateModel.js";
import { ModelDetail, stateWords } from "./ModelDetail.js";

// Administrators: the partner's models (at most 10) with their state and active version; one opens below with
// its performance and controls.

export function ModelsPanel({ api, onChanged }: { api: Api; onChanged: () => void }) {
  const list = useApiGet<{ items: DealModel[] }>(api, "/api/deal-models");
  const [openId, setOpenId] = useState<string>();
  const models = list.data?.items ?? [];
  const changed = () => {
    list.reload();
    onChanged();
  };
  return (
    <section class="table-section models" aria-labelledby="models-title">
      <h2 id="models-title" class="section-title">
        Models (administrators)
      </h2>
      <CreateModel
        api={api}
        onCreated={(model) => {
          setOpenId(model.modelId);
          list.reload();
        }}
      />
      {list.error !== undefined && !list.data ? (
        <ErrorMessage message={`The models could not be loaded: ${describeError(list.error)}`} onRetry={list.reload} />
      ) : !list.data ? (
        <Loading label="Loading models…" />
      ) : models.length === 0 ? (
        <Empty title="No model yet.">
          <p>Create one above, train it on your closed deals, review its performance and publish it to score your open deals.</p>
        </Empty>
      ) : (
        <div class="table-scroll" role="region" aria-label="Models table" tabIndex={0}>
          <table class="data-table compact">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">State</th>
                <th scope="col">Active version</th>
                <th scope="col">Readiness</th>
                <th scope="col">Filter</th>
                <th scope="col">Automatic retraining</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {models.map((m) => {
                const active = m.versions.find((v) => v.state === "active");
                return (
                  <tr key={m.modelId}>
                    <th scope="row">
                      <button type="button" class="link row-open" aria-expanded={openId === m.modelId} onClick={() => setOpenId(openId === m.modelId ? undefined : m.modelId)}>
                        {m.config.name}
                      </button>
                    </th>
                    <td>
                      <span class={`badge state-${m.state}`}>{stateWords[m.state]}</span>
                    </td>
                    <td>{active ? `Version ${active.version}` : "–"}</td>
                    <td>{active?.readiness?.readiness ?? "–"}</td>
                    <td>{m.config.filter ? `${m.config.filter.column}: ${m.config.filter.values.join(", ")}` : "Every deal"}</td>
                    <td>{m.retrainAutomatically ? "On" : "Off"}</td>
                    <td>{formatDateTime(m.createdAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {openId && models.some((m) => m.modelId === openId) && (
        <ModelDetail
          key={openId}
          api={api}
          modelId={openId}
          onChanged={changed}
          onDeleted={() => {
            setOpenId(undefined);
            changed();
          }}
        />
      )}
    </section>
  );
}
