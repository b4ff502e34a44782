import { useState } from "preact/hooks";
import { roles } from "../../../../shared/domain/documents.js";
import { describeError } from "../../app/api.js";
import { formatDateTime, roleLabels } from "../../app/format.js";
import type { TabProps } from "../../app/tabs.js";
import type { ApiKeyInfo, CreatedKey } from "../../app/types.js";
import { useApiGet } from "../../app/useApiGet.js";
import { ConfirmDialog } from "../../components/ConfirmDialog.js";
import { Empty, ErrorMessage, Loading } from "../../components/States.js";

// Keys (administrators): the partner's API keys, issuing one (shown once, copyable) and revoking one.

export default function KeysTab({ api, me }: TabProps) {
  const list = useApiGet<{ items: ApiKeyInfo[] }>(api, "/api/keys");
  const [issued, setIssued] = useState<CreatedKey>();
  const [revoking, setRevoking] = useState<ApiKeyInfo>();
  const [revokeBusy, setRevokeBusy] = useState(false);
  const [revokeError, setRevokeError] = useState<string>();

  const revoke = async () => {
    if (!revoking) return;
    setRevokeBusy(true);
    setRevokeError(undefined);
    try {
      await api.send("DELETE", `/api/keys/${encodeURIComponent(revoking.keyId)}`);
      setRevoking(undefined);
      list.reload();
    } catch (err) {
      setRevokeError(`The key could not be revoked: ${describeError(err)}`);
    } finally {
      setRevokeBusy(false);
    }
  };

  return (
    <section class="tab" aria-labelledby="tab-title">
      <div class="tab-head">
        <h1 id="tab-title">API keys</h1>
        <p class="results-line">Keys of {me.partnerId}. A key is shown only when it is issued; only its hash is stored.</p>
      </div>

      <IssueKey
        api={api}
        onIssued={(key) => {
          setIssued(key);
          list.reload();
        }}
      />
      {issued && <NewKey issued={issued} onDone={() => setIssued(undefined)} />}

      <section class="table-section" aria-labelledby="keys-title">
        <h2 id="keys-title" class="section-title">
          Keys
        </h2>
        {list.error !== undefined && !list.data ? (
          <ErrorMessage message={`The keys could not be loaded: ${describeError(list.error)}`} onRetry={list.reload} />
        ) : !list.data ? (
          <Loading label="Loading keys…" />
        ) : list.data.items.length === 0 ? (
          <Empty title="No keys yet." />
        ) : (
          <div class="table-scroll" role="region" aria-label="Keys table" tabIndex={0}>
            <table class="data-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Key id</th>
                  <th scope="col">Created</th>
                  <th scope="col">Created by</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((key) => (
                  <tr key={key.keyId}>
                    <th scope="row">
                      {key.name}
                      {key.keyId === me.keyId && <span class="quiet"> (this session)</span>}
                    </th>
                    <td>{roleLabels[key.role] ?? key.role}</td>
                    <td>
                      <code>{key.keyId}</code>
                    </td>
                    <td>{formatDateTime(key.createdAt)}</td>
                    <td>{key.createdBy ? <code>{key.createdBy}</code> : "–"}</td>
                    <td>{key.revokedAt ? <span class="badge failed">Revoked {formatDateTime(key.revokedAt)}</span> : <span class="badge loaded">Active</span>}</td>
                    <td>
                      {!key.revokedAt && (
                        <button type="button" class="danger small" onClick={() => (setRevokeError(undefined), setRevoking(key))} aria-label={`Revoke ${key.name} (${key.keyId})`}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {revoking && (
        <ConfirmDialog title="Revoke this key?" confirmLabel="Revoke key" busy={revokeBusy} onConfirm={revoke} onCancel={() => setRevoking(undefined)}>
          <p>
            <strong>{revoking.name}</strong> (<code>{revoking.keyId}</code>, {roleLabels[revoking.role]}) stops working at once here and everywhere
            within 30 seconds. Tools that use it will be refused. This cannot be undone.
          </p>
          {revoking.keyId === me.keyId && <p class="error">This is the key you are signed in with: you will be signed out.</p>}
          {revokeError && (
            <p class="error" role="alert">
              {revokeError}
            </p>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}

function IssueKey({ api, onIssued }: { api: TabProps["api"]; onIssued: (key: CreatedKey) => void }) {
  const [name, setName] = useState("");
  const [role, setRole] = useState<string>("reportViewer");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!name.trim()) return setError("Give the key a name: what or who it is for.");
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.send<CreatedKey>("POST", "/api/keys", { name: name.trim(), role });
      if (created) onIssued(created);
      setName("");
    } catch (err) {
      setError(`The key could not be issued: ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="issue-key" onSubmit={submit} aria-labelledby="issue-title" noValidate>
      <h2 id="issue-title" class="section-title">
        Issue a key
      </h2>
      <div class="filters">
        <div class="field grow">
          <label for="key-name">Name</label>
          <input id="key-name" value={name} maxLength={100} placeholder="e.g. Power BI refresh" onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="key-role">Role</label>
          <select id="key-role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {roleLabels[r]}
              </option>
            ))}
          </select>
        </div>
        <div class="field end">
          <button type="submit" disabled={busy}>
            {busy ? "Issuing…" : "Issue key"}
          </button>
        </div>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function NewKey({ issued, onDone }: { issued: CreatedKey; onDone: () => void }) {
  const [copied, setCopied] = useState<string>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(issued.key);
      setCopied("Copied to the clipboard.");
    } catch {
      (document.getElementById("new-key") as HTMLInputElement | null)?.select();
      setCopied("Copying was refused by the browser: the key is selected, press Ctrl+C (⌘C).");
    }
  };
  return (
    <div class="new-key" role="region" aria-labelledby="new-key-title">
      <h2 id="new-key-title" class="section-title">
        New key for {issued.name} ({roleLabels[issued.role]})
      </h2>
      <p>Copy it now: it is shown only this once.</p>
      <div class="copy-row">
        <label for="new-key" class="visually-hidden">
          New API key
        </label>
        <input id="new-key" readOnly value={issued.key} spellcheck={false} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" onClick={copy}>
          Copy
        </button>
        <button type="button" class="secondary" onClick={onDone}>
          Done
        </button>
      </div>
      {copied && (
        <p class="quiet" role="status">
          {copied}
        </p>
      )}
    </div>
  );
}
