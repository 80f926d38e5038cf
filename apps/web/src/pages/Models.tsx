import { useState } from "react";
import { api, type Datanet, type Model, type Version } from "../api.ts";
import { Account, Badge, Empty, ErrorBox, Loading, useAsync } from "../components.tsx";
import { bps, count, datanetName, short } from "../format.ts";
import { Money } from "../money.tsx";
import { Link } from "../router.tsx";

/** The model registry as this node serves it, each model with its lineage: datanet versions → contributions. */
export function Models() {
  const list = useAsync((signal) => api<{ data: Model[] }>("GET", "/v1/models", undefined, { signal }), []);
  return (
    <section>
      <div className="page-head">
        <h1>Models</h1>
        <p className="lede">
          Models this node serves, and what they were trained on. Each answer pays the contributions it came
          from.
        </p>
      </div>
      {list.loading && !list.value ? <Loading what="models" /> : null}
      <ErrorBox error={list.error} title="Could not list the models" />
      {list.value && list.value.data.length === 0 ? (
        <Empty title="No models yet">
          A model is registered against a published datanet version (the operator registers one with the
          node's key).
        </Empty>
      ) : null}
      <ul className="cards single" aria-label="Models">
        {(list.value?.data ?? []).map((m) => (
          <li key={m.id} className="card" data-testid="model">
            <div className="card-head">
              <h2>{m.id}</h2>
              <Badge tone="info">{m.tributary?.kind ?? "model"}</Badge>
            </div>
            {m.tributary ? (
              <dl className="facts">
                <div>
                  <dt>On-chain id</dt>
                  <dd>{m.tributary.modelId}</dd>
                </div>
                <div>
                  <dt>Owner</dt>
                  <dd>
                    <Account address={m.owned_by} />
                  </dd>
                </div>
                <div>
                  <dt>Price</dt>
                  <dd>
                    <Money units={m.tributary.pricing.perCall} /> per call +{" "}
                    <Money units={m.tributary.pricing.per1kOutputTokens} /> per 1k output tokens
                    {m.tributary.pricing.per1kInputTokens && m.tributary.pricing.per1kInputTokens !== "0" ? (
                      <>
                        {" "}
                        + <Money units={m.tributary.pricing.per1kInputTokens} /> per 1k input tokens
                      </>
                    ) : null}
                  </dd>
                </div>
                <div>
                  <dt>Split</dt>
                  <dd>
                    owner {bps(m.tributary.split.ownerBps)} · data {bps(m.tributary.split.dataBps)}
                  </dd>
                </div>
              </dl>
            ) : null}
            <h3>Lineage</h3>
            <ol className="lineage">
              {(m.tributary?.datanetVersions ?? []).map((dv) => (
                <Lineage
                  key={`${dv.datanetId}-${dv.version}`}
                  datanetId={dv.datanetId}
                  version={dv.version}
                />
              ))}
            </ol>
            <div className="actions">
              <Link className="button primary" to={`/playground?model=${encodeURIComponent(m.id)}`}>
                Try in the playground
              </Link>
            </div>
          </li>
        ))}
      </ul>
      <Agents models={list.value?.data ?? []} />
    </section>
  );
}

function Lineage({ datanetId, version }: { datanetId: string; version: number }) {
  const v = useAsync(
    async (signal) => {
      const [d, ver] = await Promise.all([
        api<Datanet>("GET", `/v1/datanets/${datanetId}`, undefined, { signal }),
        api<Version>("GET", `/v1/datanets/${datanetId}/versions/${version}`, undefined, { signal }),
      ]);
      return { d, ver };
    },
    [datanetId, version],
  );
  return (
    <li>
      <div className="lineage-node">
        <span className="muted">datanet version</span>{" "}
        <Link to={`/datanets/${datanetId}`}>{v.value ? datanetName(v.value.d) : `datanet ${datanetId}`}</Link>{" "}
        v{version}
        {v.value ? (
          <span className="muted">
            {" "}
            · {v.value.ver.count} contributions · root{" "}
            <span className="mono" title={v.value.ver.contributionsRoot}>
              {short(v.value.ver.contributionsRoot)}
            </span>
          </span>
        ) : null}
      </div>
      <ErrorBox error={v.error} title="Could not load this version" />
      {v.value?.ver.manifest?.contributions ? (
        <Leaves contributions={v.value.ver.manifest.contributions} />
      ) : v.value ? (
        <p className="muted">This node has no copy of the version's manifest.</p>
      ) : null}
    </li>
  );
}

type Leaf = { id: string; contributor: string; tokens: number };
const LEAVES_PER_PAGE = 20;

/**
 * A version's contributions: a summary by contributor, then the list itself, paged (20 at a time) and
 * folded away when long (a version can hold thousands).
 */
function Leaves({ contributions }: { contributions: Leaf[] }) {
  const [page, setPage] = useState(0);
  const byContributor = new Map<string, { n: number; tokens: number }>();
  let tokens = 0;
  for (const c of contributions) {
    const e = byContributor.get(c.contributor) ?? { n: 0, tokens: 0 };
    e.n++;
    e.tokens += c.tokens;
    tokens += c.tokens;
    byContributor.set(c.contributor, e);
  }
  const pages = Math.max(1, Math.ceil(contributions.length / LEAVES_PER_PAGE));
  const shown = contributions.slice(page * LEAVES_PER_PAGE, (page + 1) * LEAVES_PER_PAGE);
  const top = [...byContributor].sort((a, b) => b[1].tokens - a[1].tokens).slice(0, 5);
  return (
    <div className="lineage-leaves">
      <p data-testid="lineage-summary">
        {count(contributions.length)} contribution{contributions.length === 1 ? "" : "s"} from{" "}
        {byContributor.size} contributor{byContributor.size === 1 ? "" : "s"} · {count(tokens)} tokens of text
      </p>
      <ul className="leaf-list">
        {top.map(([address, e]) => (
          <li key={address}>
            <Account address={address} />{" "}
            <span className="muted">
              {count(e.n)} contribution{e.n === 1 ? "" : "s"} · {count(e.tokens)} tokens
            </span>
          </li>
        ))}
        {byContributor.size > top.length ? (
          <li className="muted">and {byContributor.size - top.length} more contributors</li>
        ) : null}
      </ul>
      <details open={contributions.length <= LEAVES_PER_PAGE}>
        <summary>Contributions ({count(contributions.length)})</summary>
        <ul className="leaf-list">
          {shown.map((c) => (
            <li key={c.id}>
              <Link to={`/contributions/${c.id}`}>contribution #{c.id}</Link>{" "}
              <span className="muted">
                by <Account address={c.contributor} /> · {count(c.tokens)} tokens
              </span>
            </li>
          ))}
        </ul>
        {pages > 1 ? (
          <div className="pager">
            <button type="button" disabled={page === 0} onClick={() => setPage((p) => p - 1)}>
              Previous
            </button>
            <span className="muted">
              page {page + 1} of {pages}
            </span>
            <button type="button" disabled={page + 1 >= pages} onClick={() => setPage((p) => p + 1)}>
              Next
            </button>
          </div>
        ) : null}
      </details>
    </div>
  );
}

type Agent = {
  agentId: string;
  operator: string;
  active: boolean;
  feeBps: number;
  agentCardURI: string;
  allowedModels: string[];
};

/** AgentRegistry: who may call which model, for what fee on top of the price. */
function Agents({ models }: { models: Model[] }) {
  const list = useAsync(
    (signal) => api<{ items: Agent[] }>("GET", "/v1/agents?limit=100", undefined, { signal }),
    [],
  );
  const nameOf = (id: string) => models.find((m) => m.tributary?.modelId === id)?.id ?? `model ${id}`;
  return (
    <section className="panel" aria-labelledby="agents-title">
      <h2 id="agents-title">Agents</h2>
      <p className="muted">
        Registered on chain (AgentRegistry). A request made through an agent (header X-Tributary-Agent) pays
        the agent's fee on top of the model's price.
      </p>
      {list.loading && !list.value ? <Loading what="agents" /> : null}
      <ErrorBox error={list.error} title="Could not list the agents" />
      {list.value && list.value.items.length === 0 ? (
        <Empty title="No agents yet">Register one with `tributary agent register`.</Empty>
      ) : null}
      {list.value && list.value.items.length > 0 ? (
        <div className="table-wrap">
          <table aria-label="Agents">
            <thead>
              <tr>
                <th>Agent</th>
                <th>Operator</th>
                <th>Fee</th>
                <th>Models</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {list.value.items.map((a) => (
                <tr key={a.agentId} data-testid="agent">
                  <td>
                    #{a.agentId} <span className="muted">{a.agentCardURI}</span>
                  </td>
                  <td>
                    <Account address={a.operator} />
                  </td>
                  <td>{bps(a.feeBps)}</td>
                  <td>{a.allowedModels.length === 0 ? "any" : a.allowedModels.map(nameOf).join(", ")}</td>
                  <td>
                    <Badge tone={a.active ? "ok" : "warn"}>{a.active ? "active" : "inactive"}</Badge>
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
