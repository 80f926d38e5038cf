import { useState } from "react";
import { api, type Page, type PendingContribution } from "../api.ts";
import { Account, Badge, Empty, ErrorBox, Loading, useAction, useAsync } from "../components.tsx";
import { short } from "../format.ts";
import { Money } from "../money.tsx";
import { Link } from "../router.tsx";

type Verdict = "accept" | "reject" | "rejectAndSlash";

/** The curation queue of a datanet: previews, near-duplicate flags, verdicts, and publishing a version. */
export function Curation({ datanetId }: { datanetId: string }) {
  const list = useAsync(
    (signal) =>
      api<Page<PendingContribution>>("GET", `/v1/datanets/${datanetId}/curation?limit=100`, undefined, {
        signal,
      }),
    [datanetId],
  );
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState("");
  const review = useAction(async (ids: string[], verdict: Verdict) => {
    await api(
      "POST",
      `/v1/datanets/${datanetId}/review`,
      { reviews: ids.map((contributionId) => ({ contributionId, verdict })) },
      { operator: true },
    );
    // The verdicts are on chain; wait until the node's indexer has them before showing the queue again.
    for (let i = 0; i < 50; i++) {
      const page = await api<Page<PendingContribution>>(
        "GET",
        `/v1/datanets/${datanetId}/curation?limit=100`,
      );
      if (!page.items.some((p) => ids.includes(p.contributionId))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    setSelected(new Set());
    setMessage(`${verdict === "accept" ? "Accepted" : "Rejected"} ${ids.length} contribution(s).`);
    list.reload();
  });
  const publish = useAction(async () =>
    api<{ version: number; count: number; txHash: string }>(
      "POST",
      `/v1/datanets/${datanetId}/versions`,
      {},
      { operator: true },
    ),
  );
  const items = list.value?.items ?? [];
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  return (
    <section>
      <p className="crumbs">
        <Link to="/datanets">Datanets</Link> / <Link to={`/datanets/${datanetId}`}>{datanetId}</Link> /
        curation
      </p>
      <div className="page-head">
        <h1>Curation queue</h1>
        <p className="lede">
          Contributions of datanet {datanetId} waiting for a verdict. The node's key sends the verdicts
          (operator actions).
        </p>
      </div>
      <div className="toolbar">
        <label className="check">
          <input
            type="checkbox"
            checked={items.length > 0 && selected.size === items.length}
            onChange={(e) =>
              setSelected(e.target.checked ? new Set(items.map((i) => i.contributionId)) : new Set())
            }
            disabled={items.length === 0}
          />
          <span>Select all</span>
        </label>
        <div className="actions">
          <button
            type="button"
            className="primary"
            disabled={selected.size === 0 || review.busy}
            onClick={() => review.go([...selected], "accept")}
          >
            Accept selected ({selected.size})
          </button>
          <button
            type="button"
            disabled={selected.size === 0 || review.busy}
            onClick={() => review.go([...selected], "reject")}
          >
            Reject selected
          </button>
          <button type="button" onClick={list.reload}>
            Refresh
          </button>
        </div>
      </div>
      {review.busy ? (
        <p className="notice" role="status">
          Sending the verdicts…
        </p>
      ) : message ? (
        <p className="notice ok" role="status">
          {message}
        </p>
      ) : null}
      <ErrorBox error={review.error} title="The verdicts were not sent" />
      {list.loading && !list.value ? <Loading what="the queue" /> : null}
      <ErrorBox error={list.error} title="Could not load the queue" />
      {list.value && items.length === 0 ? (
        <Empty title="Nothing to review">
          New uploads appear here once they are registered.{" "}
          <Link to={`/datanets/${datanetId}/upload`}>Upload files</Link>.
        </Empty>
      ) : null}
      <ul className="queue" aria-label="Pending contributions">
        {items.map((p) => (
          <li key={p.contributionId} className="card" data-testid="pending">
            <div className="card-head">
              <label className="check">
                <input
                  type="checkbox"
                  checked={selected.has(p.contributionId)}
                  onChange={() => toggle(p.contributionId)}
                />
                <span>
                  <Link to={`/contributions/${p.contributionId}`}>Contribution #{p.contributionId}</Link>
                </span>
              </label>
              <Badge tone="warn">{p.status}</Badge>
            </div>
            <p className="muted">
              by <Account address={p.contributor} /> · {p.size} bytes · stake <Money units={p.stake} /> ·{" "}
              <span className="mono" title={p.contentHash}>
                {short(p.contentHash)}
              </span>
            </p>
            {p.available ? (
              <blockquote className="preview">
                {p.preview}
                {p.truncated ? "…" : ""}
              </blockquote>
            ) : (
              <p className="notice">This node does not have the text of this contribution.</p>
            )}
            {p.copyOf ? (
              <p className="notice">
                A copy: the same text counts as <Link to={`/contributions/${p.copyOf}`}>#{p.copyOf}</Link>{" "}
                (registered by the contributor who uploaded it). Reject it; the node will not accept it.
              </p>
            ) : null}
            {p.nearDuplicates.length > 0 ? (
              <div className="flags">
                {p.nearDuplicates.map((f) => (
                  <Badge key={`${f.contributionId}-${f.datanetId}`} tone="bad">
                    near duplicate of{" "}
                    <Link to={`/contributions/${f.contributionId}`}>#{f.contributionId}</Link> in datanet{" "}
                    {f.datanetId} ({Math.round(f.similarity * 100)}% similar)
                  </Badge>
                ))}
              </div>
            ) : null}
            <div className="actions">
              <button
                type="button"
                className="small primary"
                disabled={review.busy}
                onClick={() => review.go([p.contributionId], "accept")}
              >
                Accept #{p.contributionId}
              </button>
              <button
                type="button"
                className="small"
                disabled={review.busy}
                onClick={() => review.go([p.contributionId], "reject")}
              >
                Reject #{p.contributionId}
              </button>
            </div>
          </li>
        ))}
      </ul>
      <div className="panel">
        <h2>Publish a version</h2>
        <p>
          Freezes the accepted contributions into a new version (Merkle root on chain, manifest and
          attribution index on this node). Models are registered against a version.
        </p>
        <button type="button" className="primary" disabled={publish.busy} onClick={() => publish.go()}>
          {publish.busy ? "Publishing…" : "Publish version"}
        </button>
        {publish.result ? (
          <p className="notice ok" role="status">
            Published version {publish.result.version} with {publish.result.count} contribution(s).{" "}
            <Link to={`/datanets/${datanetId}`}>See the datanet</Link>.
          </p>
        ) : null}
        <ErrorBox error={publish.error} title="The version was not published" />
      </div>
    </section>
  );
}
