import { type FormEvent, useState } from "react";
import { api, type DatanetItem as Datanet, operatorToken, type Page } from "../api.ts";
import { Account, Badge, Empty, ErrorBox, Loading, useAction, useAsync } from "../components.tsx";
import { datanetName, licenseName, metadataUriOf, metaOf } from "../format.ts";
import { Link, navigate } from "../router.tsx";

const PAGE = 20;

/** The datanets: search, pages, and the operator's form to create one. */
export function Datanets() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const [search, setSearch] = useState("");
  const list = useAsync(
    (signal) =>
      api<Page<Datanet>>("GET", `/v1/datanets?limit=${PAGE}${cursor ? `&cursor=${cursor}` : ""}`, undefined, {
        signal,
      }),
    [cursor],
  );
  const q = search.trim().toLowerCase();
  const items = (list.value?.items ?? []).filter((d) => {
    if (!q) return true;
    const meta = metaOf(d.metadataURI);
    return [
      d.id,
      d.owner,
      d.metadataURI,
      meta.name ?? "",
      meta.description ?? "",
      licenseName(d.policy.licenseId),
    ]
      .join(" ")
      .toLowerCase()
      .includes(q);
  });
  return (
    <section>
      <div className="page-head">
        <h1>Datanets</h1>
        <p className="lede">
          Curated collections of contributions. Models trained on a version pay its contributors.
        </p>
      </div>
      <CreateDatanet onCreated={(id) => navigate(`/datanets/${id}`)} />
      <div className="toolbar">
        <label className="search">
          <span>Search</span>
          <input
            type="search"
            value={search}
            placeholder="name, id, owner, license"
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <div className="pager">
          <button
            type="button"
            disabled={cursors.length === 1}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            Previous
          </button>
          <span aria-live="polite">Page {cursors.length}</span>
          <button
            type="button"
            disabled={!list.value?.nextCursor}
            onClick={() => setCursors((c) => [...c, list.value?.nextCursor ?? undefined])}
          >
            Next
          </button>
        </div>
      </div>
      {list.loading && !list.value ? <Loading what="datanets" /> : null}
      <ErrorBox error={list.error} title="Could not list the datanets" />
      {list.value && items.length === 0 ? (
        <Empty title={q ? `No datanet on this page matches “${search}”` : "No datanets yet"}>
          {q ? "Clear the search or go to another page." : "An operator can create the first one above."}
        </Empty>
      ) : null}
      <ul className="cards" aria-label="Datanets">
        {items.map((d) => (
          <li key={d.id} className="card">
            <h2>
              <Link to={`/datanets/${d.id}`}>{datanetName(d)}</Link>
            </h2>
            {metaOf(d.metadataURI).description ? <p>{metaOf(d.metadataURI).description}</p> : null}
            <dl className="facts">
              <div>
                <dt>Id</dt>
                <dd>{d.id}</dd>
              </div>
              <div>
                <dt>License</dt>
                <dd>{licenseName(d.policy.licenseId)}</dd>
              </div>
              <div>
                <dt>Versions</dt>
                <dd>{d.versionCount}</dd>
              </div>
              <div>
                <dt>Owner</dt>
                <dd>
                  <Account address={d.owner} />
                </dd>
              </div>
            </dl>
            {d.policy.curated ? <Badge tone="info">curated</Badge> : <Badge>open</Badge>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function CreateDatanet({ onCreated }: { onCreated: (id: string) => void }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [license, setLicense] = useState("CC-BY-4.0");
  const [curated, setCurated] = useState(true);
  const [policy, setPolicy] = useState<"flag" | "refuse">("flag");
  const create = useAction(async () =>
    api<{ datanetId: string; txHash: string }>(
      "POST",
      "/v1/datanets",
      {
        metadataURI: metadataUriOf({ name: name.trim(), description: description.trim() }),
        policy: { curated, minStake: "0", ...(license.trim() ? { license: license.trim() } : {}) },
        nearDuplicatePolicy: policy,
      },
      { operator: true },
    ),
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await create.go();
    if (r) onCreated(r.datanetId);
  };
  if (!open)
    return (
      <p>
        <button type="button" className="primary" onClick={() => setOpen(true)}>
          Create a datanet
        </button>{" "}
        {operatorToken() ? null : <span className="muted">Operator action: the node's key creates it.</span>}
      </p>
    );
  return (
    <form className="panel form" onSubmit={submit} aria-labelledby="create-title">
      <h2 id="create-title">New datanet</h2>
      <label>
        <span>Name</span>
        <input required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        <span>Description</span>
        <textarea
          rows={2}
          maxLength={600}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </label>
      <div className="row">
        <label>
          <span>License</span>
          <input value={license} maxLength={32} onChange={(e) => setLicense(e.target.value)} />
        </label>
        <label>
          <span>Near duplicates</span>
          <select value={policy} onChange={(e) => setPolicy(e.target.value as "flag" | "refuse")}>
            <option value="flag">flag for the curator</option>
            <option value="refuse">refuse at upload</option>
          </select>
        </label>
      </div>
      <label className="check">
        <input type="checkbox" checked={curated} onChange={(e) => setCurated(e.target.checked)} />
        <span>Curated (contributions wait for a curator's verdict)</span>
      </label>
      <ErrorBox error={create.error} title="The datanet was not created" />
      <div className="actions">
        <button type="submit" className="primary" disabled={create.busy}>
          {create.busy ? "Creating…" : "Create datanet"}
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
