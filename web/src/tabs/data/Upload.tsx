import { useState } from "preact/hooks";
import { datasetNames } from "../../../../shared/domain/datasets.js";
import { ApiError, describeError, type Api } from "../../app/api.js";
import { formatInteger } from "../../app/format.js";
import type { UploadGrant } from "../../app/types.js";

// Upload a drop from the page: the API hands out a short-lived URL that can only create this one blob
// in the partner's drops folder; the file goes straight to storage (never through the API, never with the key).

export interface Uploaded {
  blobPath: string;
  fileName: string;
  dataset: string;
}

type Phase = { kind: "idle" } | { kind: "asking" } | { kind: "uploading"; loaded: number; total: number } | { kind: "error"; message: string };

export function Upload({ api, onUploaded }: { api: Api; onUploaded: (upload: Uploaded) => void }) {
  const [dataset, setDataset] = useState<string>(datasetNames[0]);
  const [file, setFile] = useState<File>();
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const busy = phase.kind === "asking" || phase.kind === "uploading";

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!file) return setPhase({ kind: "error", message: "Choose a file to upload." });
    if (!/\.csv(\.gz)?$/i.test(file.name)) return setPhase({ kind: "error", message: "The file must be a .csv or .csv.gz file." });
    setPhase({ kind: "asking" });
    try {
      const grant = await api.send<UploadGrant>("POST", "/api/uploads", { dataset, fileName: file.name });
      if (!grant || grant.method !== "PUT" || !/^https?:\/\//.test(grant.uploadUrl)) throw new ApiError(0, "The service did not hand out an upload address.");
      setPhase({ kind: "uploading", loaded: 0, total: file.size });
      await putWithProgress(grant.uploadUrl, file, { ...grant.headers, "content-type": contentTypeOf(file.name) }, (loaded, total) =>
        setPhase({ kind: "uploading", loaded, total }),
      );
      setPhase({ kind: "idle" });
      setFile(undefined);
      (event.target as HTMLFormElement).reset();
      onUploaded({ blobPath: grant.blobPath, fileName: file.name, dataset });
    } catch (err) {
      setPhase({ kind: "error", message: uploadMessage(err) });
    }
  };

  return (
    <form class="upload" onSubmit={submit} aria-labelledby="upload-title">
      <h2 id="upload-title" class="section-title">
        Upload a drop
      </h2>
      <p class="help">A CSV file (UTF-8, header on the first line), optionally gzipped. It is ingested within seconds of arriving.</p>
      <div class="filters">
        <div class="field">
          <label for="upload-dataset">Dataset</label>
          <select id="upload-dataset" value={dataset} onChange={(e) => setDataset(e.currentTarget.value)} disabled={busy}>
            {datasetNames.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </div>
        <div class="field grow">
          <label for="upload-file">File</label>
          <input id="upload-file" type="file" accept=".csv,.gz,text/csv,application/gzip" disabled={busy} onChange={(e) => setFile(e.currentTarget.files?.[0])} />
        </div>
        <div class="field end">
          <button type="submit" disabled={busy}>
            {phase.kind === "asking" ? "Preparing…" : phase.kind === "uploading" ? "Uploading…" : "Upload"}
          </button>
        </div>
      </div>
      {phase.kind === "uploading" && (
        <div class="progress">
          <progress id="upload-progress" max={phase.total || 1} value={phase.loaded} aria-label="Upload progress" />
          <span aria-live="polite">
            {formatInteger(Math.round((phase.loaded / (phase.total || 1)) * 100))} % of {formatInteger(Math.ceil(phase.total / 1024))} KB
          </span>
        </div>
      )}
      {phase.kind === "error" && (
        <p class="error" role="alert">
          {phase.message}
        </p>
      )}
    </form>
  );
}

const contentTypeOf = (name: string) => (/\.gz$/i.test(name) ? "application/gzip" : "text/csv; charset=utf-8");

function uploadMessage(err: unknown): string {
  if (err instanceof ApiError && err.status === 404) return "Uploading from the page is not available on this server yet. Drop the file into blob storage instead (see the README).";
  if (err instanceof ApiError && err.status === 403) return "Your key's role may not upload files.";
  return `The upload failed: ${describeError(err)}`;
}

/** PUT with upload progress (fetch reports none); only the grant's headers go along, never the API key. */
function putWithProgress(url: string, body: Blob, headers: Record<string, string>, onProgress: (loaded: number, total: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded, e.total);
    };
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300
        ? resolve()
        : reject(new ApiError(xhr.status, xhr.status === 403 ? "the upload address has expired; try again." : `storage answered ${xhr.status}.`));
    xhr.onerror = () => reject(new ApiError(0, "the storage account could not be reached."));
    xhr.send(body);
  });
}
