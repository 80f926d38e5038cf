import { api, type Datanet, type Model, type Version } from "../api.ts";
import { Account, Badge, Empty, ErrorBox, Loading, useAsync } from "../components.tsx";
import { bps, datanetName, short } from "../format.ts";
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
        <ul className="lineage-leaves">
          {v.value.ver.manifest.contributions.map((c) => (
            <li key={c.id}>
              <Link to={`/contributions/${c.id}`}>contribution #{c.id}</Link>{" "}
              <span className="muted">
                by <Account address={c.contributor} /> · {c.tokens} tokens
              </span>
            </li>
          ))}
        </ul>
      ) : v.value ? (
        <p className="muted">This node has no copy of the version's manifest.</p>
      ) : null}
    </li>
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
      ) : null}
    </section>
  );
}
