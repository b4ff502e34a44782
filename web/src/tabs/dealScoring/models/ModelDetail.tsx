import { useEffect, useState } from "preact/hooks";
import { describeError, type Api } from "../../../app/api.js";
import { formatDateTime } from "../../../app/format.js";
import type { DealModel, DealModelVersion, TrainingAccepted } from "../../../app/types.js";
import { useApiGet } from "../../../app/useApiGet.js";
import { ConfirmDialog } from "../../../components/ConfirmDialog.js";
import { ErrorMessage, Loading } from "../../../components/States.js";
import { GradeBandsEditor } from "./GradeBands.js";
import { VersionPerformance } from "./Performance.js";
import { problemOf } from "./refusal.js";
import { RefusalMessage } from "./RefusalMessage.js";

// One model (administrators): its configuration, train / publish / force publish / revert / delete, automatic
// retraining, grade bands, its versions and the chosen version's performance. Refusals are shown in words where
// the action was asked for; while a version trains the model is read again every few seconds.

const trainingPollMs = 3000;

type Confirm = { kind: "force"; version: DealModelVersion } | { kind: "revert" } | { kind: "delete" };

export function ModelDetail({ api, modelId, onChanged, onDeleted }: { api: Api; modelId: string; onChanged: () => void; onDeleted: () => void }) {
  const get = useApiGet<DealModel>(api, `/api/deal-models/${encodeURIComponent(modelId)}`);
  const [model, setModel] = useState<DealModel>();
  const [busy, setBusy] = useState<string>();
  const [outcome, setOutcome] = useState<{ error?: unknown; notice?: string; action?: string }>({});
  const [confirm, setConfirm] = useState<Confirm>();
  const [shownVersion, setShownVersion] = useState<number>();
  useEffect(() => setModel(get.data), [get.data]);

  const training = model?.versions.some((v) => v.state === "training");
  useEffect(() => {
    if (!training || get.loading) return;
    const timer = setTimeout(get.reload, trainingPollMs);
    return () => clearTimeout(timer);
  }, [training, get.loading, get.data]);

  if (get.error !== undefined && !model) return <ErrorMessage message={`The model could not be loaded: ${describeError(get.error)}`} onRetry={get.reload} />;
  if (!model) return <Loading label="Loading the model…" />;

  const base = `/api/deal-models/${encodeURIComponent(model.modelId)}`;
  const newestTrained = [...model.versions].filter((v) => v.state === "trained").sort((a, b) => b.version - a.version)[0];
  const active = model.versions.find((v) => v.state === "active");
  const shown =
    model.versions.find((v) => v.version === shownVersion) ??
    active ??
    [...model.versions].sort((a, b) => b.version - a.version).find((v) => v.performance || v.failure) ??
    model.versions[model.versions.length - 1];

  /** Runs one action; a refusal stays beside the action until the next one. */
  const act = async (action: string, run: () => Promise<DealModel | undefined | "deleted">, notice: (m?: DealModel) => string) => {
    setBusy(action);
    setOutcome({});
    try {
      const result = await run();
      if (result === "deleted") {
        onDeleted();
        return;
      }
      if (result) setModel(result);
      setOutcome({ notice: notice(result), action });
      get.reload();
      onChanged();
    } catch (error) {
      setOutcome({ error, action });
    } finally {
      setBusy(undefined);
      setConfirm(undefined);
    }
  };

  const train = () =>
    act(
      "train",
      async () => {
        const accepted = await api.send<TrainingAccepted>("POST", `${base}/train`);
        setShownVersion(accepted?.version);
        return undefined;
      },
      () => "Training queued: the new version appears below and is ready in a minute or two. This page updates by itself.",
    );
  const publish = (version: DealModelVersion, force = false) =>
    act(
      "publish",
      () => api.send<DealModel>("POST", `${base}/publish`, undefined, { version: version.version, force: force ? "true" : undefined }),
      () => `Version ${version.version} published${force ? " by force" : ""}: the deals are rescored at the refresh this queued.`,
    );
  const revert = () => act("revert", () => api.send<DealModel>("POST", `${base}/revert`), (m) => `Reverted to version ${m?.activeVersion ?? "before"}; the deals are rescored at the refresh this queued.`);
  const remove = () =>
    act(
      "delete",
      async () => {
        await api.send("DELETE", base);
        return "deleted";
      },
      () => "",
    );
  const setAutomatic = (on: boolean) =>
    act("automatic", () => api.send<DealModel>("PATCH", base, { retrainAutomatically: on }), () => (on ? "Automatic retraining is on." : "Automatic retraining is off."));

  const feedback = (action: string) =>
    outcome.action !== action ? null : outcome.error !== undefined ? (
      <RefusalMessage error={outcome.error}>
        {action === "publish" && problemOf(outcome.error) === "not_ready_to_publish" && newestTrained && (
          <button type="button" class="danger small" onClick={() => setConfirm({ kind: "force", version: newestTrained })}>
            Publish by force…
          </button>
        )}
      </RefusalMessage>
    ) : outcome.notice ? (
      <p class="notice" role="status">
        {outcome.notice}
      </p>
    ) : null;

  const c = model.config;
  return (
    <section class="model-detail" aria-labelledby="model-title">
      <div class="model-head">
        <h3 id="model-title">
          {c.name} <span class={`badge state-${model.state}`}>{stateWords[model.state]}</span>
        </h3>
        <p class="quiet">
          Won when {c.statusColumn} is {c.wonValues.join(" or ")}; lost when {c.lostValues.join(" or ")}. {c.filter ? `Only deals whose ${c.filter.column} is ${c.filter.values.join(" or ")}. ` : "Every deal. "}
          Trains on the last {c.trainingWindowMonths} months{c.perStage ? ", per stage" : ""}. Created {formatDateTime(model.createdAt)}.
          {model.retrainDueAt ? ` Next automatic retraining ${formatDateTime(model.retrainDueAt)}.` : ""}
        </p>
      </div>

      <div class="model-actions" role="group" aria-label="Model actions">
        <button type="button" onClick={train} disabled={busy !== undefined || training}>
          {busy === "train" ? "Queuing…" : training ? "Training…" : "Train a new version"}
        </button>
        <button type="button" onClick={() => newestTrained && publish(newestTrained)} disabled={busy !== undefined || !newestTrained} title={newestTrained ? undefined : active ? "The newest trained version is the active one" : "Train a version first"}>
          {busy === "publish" ? "Publishing…" : newestTrained ? `Publish version ${newestTrained.version}` : "Publish"}
        </button>
        <button type="button" class="secondary" onClick={() => setConfirm({ kind: "revert" })} disabled={busy !== undefined || !active}>
          Revert to the previous version
        </button>
        <label class="check inline">
          <input type="checkbox" checked={model.retrainAutomatically} disabled={busy !== undefined} onChange={(e) => setAutomatic(e.currentTarget.checked)} />
          Retrain automatically every 15 days
        </label>
        <button type="button" class="danger" onClick={() => setConfirm({ kind: "delete" })} disabled={busy !== undefined}>
          Delete model
        </button>
      </div>
      {feedback("train")}
      {feedback("publish")}
      {feedback("revert")}
      {feedback("automatic")}
      {feedback("delete")}

      <GradeBandsEditor api={api} model={model} onSaved={(m) => (setModel(m), onChanged())} />

      <h3>Versions</h3>
      {model.versions.length === 0 ? (
        <p>No version yet: train one.</p>
      ) : (
        <div class="table-scroll" role="region" aria-label="Model versions" tabIndex={0}>
          <table class="data-table compact">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">State</th>
                <th scope="col">Started by</th>
                <th scope="col">Requested</th>
                <th scope="col">Trained</th>
                <th scope="col" class="num">
                  AUC
                </th>
                <th scope="col">Readiness</th>
                <th scope="col">
                  <span class="visually-hidden">Show</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {[...model.versions]
                .sort((a, b) => b.version - a.version)
                .map((v) => (
                  <tr key={v.version}>
                    <th scope="row">{v.version}</th>
                    <td>
                      {versionStateWords[v.state]}
                      {v.forcedPublish ? " (by force)" : ""}
                    </td>
                    <td>{v.trigger === "automatic" ? "Automatic retraining" : "Administrator"}</td>
                    <td>{formatDateTime(v.requestedAt)}</td>
                    <td>{formatDateTime(v.trainedAt)}</td>
                    <td class="num">{v.performance?.auc == null ? "–" : v.performance.auc.toFixed(3)}</td>
                    <td>{v.readiness ? <span class={`badge readiness-${v.readiness.readiness.replace(/ /g, "-").toLowerCase()}`}>{v.readiness.readiness}</span> : "–"}</td>
                    <td>
                      <button type="button" class="secondary small" aria-pressed={shown?.version === v.version} onClick={() => setShownVersion(v.version)}>
                        Performance of version {v.version}
                      </button>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      )}

      {shown && (
        <section aria-labelledby="performance-title">
          <h3 id="performance-title">Performance of version {shown.version}</h3>
          {shown.state === "training" ? (
            <p class="banner busy" role="status">
              <span class="spinner" aria-hidden="true" />
              Version {shown.version} is training. Its performance shows here when it is done.
            </p>
          ) : (
            <VersionPerformance version={shown} />
          )}
        </section>
      )}

      {confirm?.kind === "force" && (
        <ConfirmDialog
          title={`Publish version ${confirm.version.version} by force?`}
          confirmLabel="Publish by force"
          busy={busy === "publish"}
          onConfirm={() => publish(confirm.version, true)}
          onCancel={() => setConfirm(undefined)}
        >
          <p>
            It is <strong>{confirm.version.readiness?.readiness ?? "not ready"}</strong>
            {confirm.version.readiness ? `: ${confirm.version.readiness.reason}` : ""}. Its scores replace this model's for every deal it selects; the
            version is recorded as published by force.
          </p>
        </ConfirmDialog>
      )}
      {confirm?.kind === "revert" && (
        <ConfirmDialog title="Revert to the previous version?" confirmLabel="Revert" busy={busy === "revert"} onConfirm={revert} onCancel={() => setConfirm(undefined)}>
          <p>The previously published version becomes active again and the deals are rescored with it. The current version stays, trained, and can be published again.</p>
        </ConfirmDialog>
      )}
      {confirm?.kind === "delete" && (
        <ConfirmDialog title={`Delete ${c.name}?`} confirmLabel="Delete model" busy={busy === "delete"} onConfirm={remove} onCancel={() => setConfirm(undefined)}>
          <p>The model, its versions and its deals' score histories are deleted; its scores go at the rescoring this queues. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

export const stateWords: Record<DealModel["state"], string> = {
  new: "New",
  training: "Training",
  trained: "Trained, not published",
  failed: "Training failed",
  published: "Published",
};

const versionStateWords: Record<DealModelVersion["state"], string> = {
  training: "Training",
  trained: "Trained",
  failed: "Failed",
  published: "Published before",
  active: "Active",
};
