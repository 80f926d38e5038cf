import type { ContributorPage } from "@tributary/sdk";
import { useEffect, useState } from "react";
import { api, type Contribution, type Datanet, type Page, type VersionSummary } from "../api.ts";
import { Account, Badge, Empty, ErrorBox, Loading, Stat, useAsync } from "../components.tsx";
import { count, datanetName, licenseName, metaOf, short } from "../format.ts";
import { Money } from "../money.tsx";
import { Link } from "../router.tsx";

const STATUSES = ["", "Pending", "Accepted", "Rejected", "Slashed", "Withdrawn"];

/** Tone of a contribution status badge. */
export function statusTone(status: string): "ok" | "warn" | "bad" | "info" | undefined {
  if (status === "Accepted") return "ok";
  if (status === "Pending") return "warn";
  if (status === "Rejected" || status === "Slashed") return "bad";
  return undefined;
}

/** One datanet: policy, license, counts, contributions, versions and contributors. */
export function DatanetDetail({ datanetId }: { datanetId: string }) {
  const d = useAsync(
    (signal) => api<Datanet>("GET", `/v1/datanets/${datanetId}`, undefined, { signal }),
    [datanetId],
  );
  // A datanet created a moment ago is read from the chain until the indexer has it.
  useEffect(() => {
    if (d.value && d.value.indexed === false) {
      const t = setTimeout(d.reload, 1000);
      return () => clearTimeout(t);
    }
  }, [d.value, d.reload]);
  if (d.loading && !d.value) return <Loading what={`datanet ${datanetId}`} />;
  if (!d.value) return <ErrorBox error={d.error} title={`Could not load datanet ${datanetId}`} />;
  const n = d.value;
  const meta = metaOf(n.metadataURI);
  const counts = n.contributions ?? {};
  return (
    <section>
      <p className="crumbs">
        <Link to="/datanets">Datanets</Link> / {n.id}
      </p>
      <div className="page-head">
        <h1>{datanetName(n)}</h1>
        {meta.description ? <p className="lede">{meta.description}</p> : null}
        <div className="actions">
          <Link className="button primary" to={`/datanets/${n.id}/upload`}>
            Upload files
          </Link>
          <Link className="button" to={`/datanets/${n.id}/curation`}>
            Curation queue{counts.Pending ? ` (${counts.Pending})` : ""}
          </Link>
        </div>
      </div>
      {n.indexed === false ? (
        <p className="notice" role="status">
          Read from the chain: the node's indexer has not caught up with this datanet yet.
        </p>
      ) : null}
      <div className="stats">
        <Stat label="License" value={licenseName(n.policy.licenseId)} />
        <Stat label="Versions" value={n.versionCount} />
        <Stat label="Accepted" value={counts.Accepted ?? 0} />
        <Stat label="Pending" value={counts.Pending ?? 0} />
        <Stat label="Minimum stake" value={<Money units={n.policy.minStake} />} />
      </div>
      <dl className="facts wide">
        <div>
          <dt>Owner</dt>
          <dd>
            <Account address={n.owner} />
          </dd>
        </div>
        <div>
          <dt>Curation</dt>
          <dd>{n.policy.curated ? "curated" : "open (accepted on arrival)"}</dd>
        </div>
        <div>
          <dt>Curators</dt>
          <dd>
            {(n.curators ?? []).length === 0
              ? "the owner"
              : (n.curators ?? []).map((c) => (
                  <span key={c} className="sep">
                    <Account address={c} />
                  </span>
                ))}
          </dd>
        </div>
        <div>
          <dt>Near duplicates</dt>
          <dd>
            {n.settings
              ? `${n.settings.nearDuplicatePolicy} at similarity ≥ ${n.settings.nearDuplicateThreshold}`
              : "–"}
          </dd>
        </div>
        <div>
          <dt>Metadata</dt>
          <dd className="mono wrap">
            {n.metadataURI.startsWith("data:") ? "inline (data: URI)" : n.metadataURI}
          </dd>
        </div>
      </dl>
      <Versions datanetId={n.id} />
      <Contributions datanetId={n.id} />
    </section>
  );
}

function Versions({ datanetId }: { datanetId: string }) {
  const v = useAsync(
    (signal) => api<Page<VersionSummary>>("GET", `/v1/datanets/${datanetId}/versions`, undefined, { signal }),
    [datanetId],
  );
  return (
    <section aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      <ErrorBox error={v.error} title="Could not list the versions" />
      {v.value && v.value.items.length === 0 ? (
        <Empty title="No published version">
          Accept contributions in the <Link to={`/datanets/${datanetId}/curation`}>curation queue</Link>, then
          publish a version there.
        </Empty>
      ) : null}
      {v.value && v.value.items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Version</th>
                <th>Contributions</th>
                <th className="wide-only">Tokens</th>
                <th className="wide-only">Root</th>
                <th>Manifest</th>
              </tr>
            </thead>
            <tbody>
              {v.value.items.map((x) => (
                <tr key={x.version}>
                  <td>v{x.version}</td>
                  <td>{x.count}</td>
                  <td className="wide-only">{x.tokens ?? "–"}</td>
                  <td className="mono wide-only" title={x.contributionsRoot}>
                    {short(x.contributionsRoot)}
                  </td>
                  <td className="mono wrap">
                    <a href={`/v1/datanets/${datanetId}/versions/${x.version}/export?file=manifest.json`}>
                      {short(x.manifestURI.replace("ipfs://", ""))}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function Contributions({ datanetId }: { datanetId: string }) {
  const [status, setStatus] = useState("");
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const list = useAsync(
    (signal) =>
      api<Page<Contribution>>(
        "GET",
        `/v1/datanets/${datanetId}/contributions?limit=50${status ? `&status=${status}` : ""}${cursor ? `&cursor=${cursor}` : ""}`,
        undefined,
        { signal },
      ),
    [datanetId, status, cursor],
  );
  return (
    <>
      <section aria-labelledby="contributions-title">
        <div className="section-head">
          <h2 id="contributions-title">Contributions</h2>
          <label className="inline">
            <span>Status</span>
            <select
              value={status}
              onChange={(e) => {
                setStatus(e.target.value);
                setCursors([undefined]);
              }}
            >
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s || "all"}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ErrorBox error={list.error} title="Could not list the contributions" />
        {list.value && list.value.items.length === 0 ? (
          <Empty title={status ? `No ${status.toLowerCase()} contribution` : "No contributions yet"}>
            <Link to={`/datanets/${datanetId}/upload`}>Upload files</Link> to contribute.
          </Empty>
        ) : null}
        {list.value && list.value.items.length > 0 ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Id</th>
                  <th>Status</th>
                  <th>Contributor</th>
                  <th className="wide-only">Bytes</th>
                  <th className="wide-only">Content hash</th>
                </tr>
              </thead>
              <tbody>
                {list.value.items.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <Link to={`/contributions/${c.id}`}>#{c.id}</Link>
                    </td>
                    <td>
                      <Badge tone={statusTone(c.status)}>{c.status}</Badge>
                    </td>
                    <td>
                      <Account address={c.contributor} />
                    </td>
                    <td className="wide-only">{c.size}</td>
                    <td className="mono wide-only" title={c.contentHash}>
                      {short(c.contentHash)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <div className="pager">
          <button
            type="button"
            disabled={cursors.length === 1}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            Previous
          </button>
          <button
            type="button"
            disabled={!list.value?.nextCursor}
            onClick={() => setCursors((c) => [...c, list.value?.nextCursor ?? undefined])}
          >
            Next
          </button>
        </div>
      </section>
      <Contributors datanetId={datanetId} />
    </>
  );
}

/** The datanet's contributors with their counts, aggregated by the node over every contribution, paged. */
function Contributors({ datanetId }: { datanetId: string }) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const list = useAsync(
    (signal) =>
      api<ContributorPage>(
        "GET",
        `/v1/datanets/${datanetId}/contributors?limit=20${cursor ? `&cursor=${cursor}` : ""}`,
        undefined,
        { signal },
      ),
    [datanetId, cursor],
  );
  const page = list.value;
  return (
    <section aria-labelledby="contributors-title" data-testid="contributors">
      <h2 id="contributors-title">Contributors</h2>
      <ErrorBox error={list.error} title="Could not list the contributors" />
      {page && page.totals.contributors === 0 ? <Empty title="No contributors yet" /> : null}
      {page && page.totals.contributors > 0 ? (
        <>
          <p className="muted" data-testid="contributor-totals">
            {page.totals.contributors} contributor{page.totals.contributors === 1 ? "" : "s"} ·{" "}
            {page.totals.contributions} contributions ({page.totals.accepted} accepted) ·{" "}
            {count(page.totals.bytes)} bytes
          </p>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Contributor</th>
                  <th>Contributions</th>
                  <th>Accepted</th>
                  <th className="wide-only">Pending</th>
                  <th className="wide-only">Bytes</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((c) => (
                  <tr key={c.contributor}>
                    <td>
                      <Account address={c.contributor} />
                    </td>
                    <td>{c.contributions}</td>
                    <td>{c.accepted}</td>
                    <td className="wide-only">{c.pending}</td>
                    <td className="wide-only">{count(c.bytes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {cursors.length > 1 || page.nextCursor ? (
            <div className="pager">
              <button
                type="button"
                disabled={cursors.length === 1}
                onClick={() => setCursors((c) => c.slice(0, -1))}
              >
                Previous
              </button>
              <button
                type="button"
                disabled={!page.nextCursor}
                onClick={() => setCursors((c) => [...c, page.nextCursor ?? undefined])}
              >
                Next
              </button>
            </div>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
