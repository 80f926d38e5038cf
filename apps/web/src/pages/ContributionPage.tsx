import { api, type ContributionView } from "../api.ts";
import { Account, Badge, ErrorBox, Loading, useAsync } from "../components.tsx";
import { Money } from "../money.tsx";
import { Link } from "../router.tsx";
import { statusTone } from "./DatanetDetail.tsx";

/** One contribution: its text preview, source, status, contributor and the upload that brought it. */
export function ContributionPage({ id }: { id: string }) {
  const c = useAsync(
    (signal) => api<ContributionView>("GET", `/v1/contributions/${id}`, undefined, { signal }),
    [id],
  );
  if (c.loading && !c.value) return <Loading what={`contribution ${id}`} />;
  if (!c.value) return <ErrorBox error={c.error} title={`Could not load contribution ${id}`} />;
  return <ContributionDetails view={c.value} heading="h1" />;
}

/** What the upload pipeline writes into a contribution's metadata blob. */
type SourceMetadata = { source?: { name?: string; locator?: string; format?: string } };

/** The body of a contribution view (also shown in the playground's side panel). */
export function ContributionDetails({ view: v, heading }: { view: ContributionView; heading: "h1" | "h2" }) {
  const H = heading;
  // The metadata blob is free-form JSON; the upload pipeline writes `source` (name, locator, format).
  const source = (v.metadata as SourceMetadata | null)?.source;
  return (
    <article className="contribution" data-testid="contribution">
      {heading === "h1" ? (
        <p className="crumbs">
          <Link to="/datanets">Datanets</Link> / <Link to={`/datanets/${v.datanetId}`}>{v.datanetId}</Link> /
          contribution {v.contributionId}
        </p>
      ) : null}
      <H>
        Contribution #{v.contributionId} <Badge tone={statusTone(v.status)}>{v.status}</Badge>
      </H>
      <dl className="facts wide">
        <div>
          <dt>Contributor</dt>
          <dd>
            <Account address={v.contributor} />
          </dd>
        </div>
        <div>
          <dt>Datanet</dt>
          <dd>
            <Link to={`/datanets/${v.datanetId}`}>{v.datanetId}</Link>
          </dd>
        </div>
        <div>
          <dt>Source</dt>
          <dd>
            {source?.name ?? "–"}
            {source?.locator ? ` (${source.locator})` : ""}
          </dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>{v.size} bytes</dd>
        </div>
        <div>
          <dt>Stake</dt>
          <dd>
            <Money units={v.stake} />
          </dd>
        </div>
        <div>
          <dt>Content hash</dt>
          <dd className="mono wrap">{v.contentHash}</dd>
        </div>
      </dl>
      {v.available ? (
        <blockquote className="preview">
          {v.preview}
          {v.truncated ? "…" : ""}
        </blockquote>
      ) : (
        <p className="notice">This node does not have the text.</p>
      )}
    </article>
  );
}
