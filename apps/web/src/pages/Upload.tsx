import { type DragEvent, useEffect, useRef, useState } from "react";
import { api, type TypedDataJson, type Upload as UploadView, uploadFile } from "../api.ts";
import { ErrorBox } from "../components.tsx";
import { short } from "../format.ts";
import { Link } from "../router.tsx";
import { hasWallet, signerAddress, signerKind, signTypedData } from "../signer.ts";

type Entry = {
  key: number;
  file: File;
  state: "queued" | "uploading" | "staged" | "submitting" | "done" | "error";
  progress: number;
  upload?: UploadView;
  error?: unknown;
};

const ACCEPT = ".txt,.md,.jsonl,.csv,.pdf,.docx";
let nextKey = 1;

/** Upload files to a datanet: drop or pick files, each staged with its progress and errors, then sign and submit. */
export function Upload({ datanetId }: { datanetId: string }) {
  const [entries, setEntries] = useState<Entry[]>([]);
  const [contributor, setContributor] = useState<string>();
  const [signerError, setSignerError] = useState<unknown>();
  const [dragging, setDragging] = useState(false);
  const [submitError, setSubmitError] = useState<unknown>();
  const queue = useRef<Promise<void>>(Promise.resolve());
  const kind = signerKind();

  useEffect(() => {
    if (signerKind() === "key") signerAddress().then(setContributor, (e: unknown) => setSignerError(e));
  }, []);

  const update = (key: number, patch: Partial<Entry>) =>
    setEntries((list) => list.map((e) => (e.key === key ? { ...e, ...patch } : e)));

  const connect = async () => {
    setSignerError(undefined);
    try {
      setContributor(await signerAddress());
    } catch (e) {
      setSignerError(e);
    }
  };

  const add = (files: FileList | File[]) => {
    if (!contributor) return;
    const added = Array.from(files).map((file) => ({
      key: nextKey++,
      file,
      state: "queued" as const,
      progress: 0,
    }));
    setEntries((list) => [...list, ...added]);
    for (const entry of added) {
      queue.current = queue.current.then(async () => {
        update(entry.key, { state: "uploading" });
        try {
          const upload = await uploadFile(datanetId, entry.file, contributor, (p) =>
            update(entry.key, { progress: p }),
          );
          update(entry.key, { state: "staged", upload, progress: 1 });
        } catch (error) {
          update(entry.key, { state: "error", error });
        }
      });
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (e.dataTransfer.files.length > 0) add(e.dataTransfer.files);
  };

  const staged = entries.filter((e) => e.state === "staged");
  const submit = async () => {
    setSubmitError(undefined);
    for (const entry of staged) {
      update(entry.key, { state: "submitting" });
      try {
        // Fresh typed data: the contributor's nonce moves with every upload signed before this one.
        const fresh = await api<UploadView>("GET", `/v1/uploads/${entry.upload!.id}`);
        const batches = fresh.signing?.batches ?? [];
        const signatures = [];
        for (const b of batches) signatures.push(await signTypedData(b.typedData as TypedDataJson));
        const done = await api<UploadView>("POST", `/v1/uploads/${entry.upload!.id}/submit`, { signatures });
        update(entry.key, { state: "done", upload: done });
      } catch (error) {
        update(entry.key, { state: "staged", error });
        setSubmitError(error);
        return;
      }
    }
  };

  return (
    <section>
      <p className="crumbs">
        <Link to="/datanets">Datanets</Link> / <Link to={`/datanets/${datanetId}`}>{datanetId}</Link> / upload
      </p>
      <div className="page-head">
        <h1>Upload to datanet {datanetId}</h1>
        <p className="lede">
          Each file is checked, normalized and stored by the node; you sign one message per file and the node
          registers your contributions on chain (it pays the gas).
        </p>
      </div>
      <div className="panel">
        <h2>Contributor</h2>
        {contributor ? (
          <p>
            Signing as <span className="mono">{contributor}</span> (
            {kind === "key" ? "development key" : "browser wallet"}).
          </p>
        ) : kind === "wallet" || hasWallet() ? (
          <button type="button" className="primary" onClick={connect}>
            Connect wallet
          </button>
        ) : (
          <p>
            No signer: this browser has no wallet. On a local network, set a development key in{" "}
            <Link to="/settings">Settings</Link>.
          </p>
        )}
        <ErrorBox error={signerError} title="No signer" />
      </div>
      <section
        className={`dropzone ${dragging ? "over" : ""} ${contributor ? "" : "disabled"}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        aria-label="Drop files here"
        data-testid="dropzone"
      >
        <p>
          <strong>Drop files here</strong> (.txt, .md, .jsonl, .csv, .pdf, .docx)
        </p>
        <label className="button">
          Choose files
          <input
            type="file"
            multiple
            accept={ACCEPT}
            disabled={!contributor}
            className="visually-hidden"
            onChange={(e) => {
              if (e.target.files) add(e.target.files);
              e.target.value = "";
            }}
          />
        </label>
      </section>
      {entries.length > 0 ? (
        <ul className="files" aria-label="Files">
          {entries.map((e) => (
            <li key={e.key} className={`file ${e.state}`} data-testid="upload-file">
              <div className="file-head">
                <strong>{e.file.name}</strong>
                <span className="muted">{(e.file.size / 1024).toFixed(1)} KiB</span>
                <span className="file-state">{stateLabel(e)}</span>
                {e.state === "staged" || e.state === "error" || e.state === "queued" ? (
                  <button
                    type="button"
                    className="small"
                    aria-label={`Remove ${e.file.name}`}
                    onClick={() => setEntries((l) => l.filter((x) => x.key !== e.key))}
                  >
                    Remove
                  </button>
                ) : null}
              </div>
              <progress max={1} value={e.progress} aria-label={`${e.file.name} upload progress`} />
              {e.error ? <ErrorBox error={e.error} title={`${e.file.name} was refused`} /> : null}
              {e.upload ? <Documents upload={e.upload} /> : null}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="actions">
        <button type="button" className="primary" disabled={staged.length === 0} onClick={submit}>
          Sign and submit {staged.length || ""} {staged.length === 1 ? "file" : "files"}
        </button>
        {entries.some((e) => e.state === "done") ? (
          <Link className="button" to={`/datanets/${datanetId}/curation`}>
            Open the curation queue
          </Link>
        ) : null}
      </div>
      <ErrorBox error={submitError} title="Submitting stopped" />
    </section>
  );
}

function stateLabel(e: Entry): string {
  switch (e.state) {
    case "queued":
      return "waiting";
    case "uploading":
      return `uploading ${Math.round(e.progress * 100)}%`;
    case "staged":
      return `staged: ${e.upload?.documents.length ?? 0} document(s), ready to sign`;
    case "submitting":
      return "signing and registering…";
    case "done":
      return e.upload?.status === "completed" ? "registered" : (e.upload?.status ?? "submitted");
    case "error":
      return "refused";
  }
}

function Documents({ upload }: { upload: UploadView }) {
  return (
    <ul className="docs">
      {upload.documents.map((d) => (
        <li key={d.contentHash}>
          <span className="mono" title={d.contentHash}>
            {short(d.contentHash)}
          </span>
          {d.contributionId ? (
            <>
              {" → "}
              <Link to={`/contributions/${d.contributionId}`}>contribution #{d.contributionId}</Link>
            </>
          ) : null}
          {(d.nearDuplicates ?? []).map((f, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: flags have no id
            <span key={i} className="badge warn">
              near duplicate of{" "}
              {f.kind === "contribution" ? `#${f.contributionId}` : `file position ${f.position}`} (
              {Math.round(f.similarity * 100)}%)
            </span>
          ))}
        </li>
      ))}
    </ul>
  );
}
