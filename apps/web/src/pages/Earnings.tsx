import { type FormEvent, useState } from "react";
import { api, type Earnings as EarningsView } from "../api.ts";
import { Empty, ErrorBox, Loading, Stat, useAction, useAsync } from "../components.tsx";
import { isAddress, short } from "../format.ts";
import { Money, moneyText, useToken } from "../money.tsx";
import { Link, navigate } from "../router.tsx";
import { claimWithWallet, hasWallet } from "../signer.ts";

const SETTLEMENT_KEY = "tributary.settlement";

/** A contributor's (or model owner's) earnings: over time, per datanet and model, by stage, and claiming. */
export function Earnings({ address }: { address: string }) {
  const [input, setInput] = useState(address);
  const go = (e: FormEvent) => {
    e.preventDefault();
    if (isAddress(input)) navigate(`/earnings/${input.trim()}`);
  };
  return (
    <section>
      <div className="page-head">
        <h1>Earnings</h1>
        <p className="lede">
          What an account earned from answers that used its contributions, and what it can claim.
        </p>
      </div>
      <form className="toolbar start" onSubmit={go}>
        <label className="search">
          <span>Account</span>
          <input
            value={input}
            placeholder="0x…"
            spellCheck={false}
            aria-invalid={input !== "" && !isAddress(input)}
            onChange={(e) => setInput(e.target.value)}
          />
        </label>
        <button type="submit" className="primary" disabled={!isAddress(input)}>
          Show
        </button>
      </form>
      {address ? (
        isAddress(address) ? (
          <Dashboard address={address} />
        ) : (
          <ErrorBox
            error={new Error(`${address} is not an address (0x and 40 hex digits)`)}
            title="Bad address"
          />
        )
      ) : (
        <Empty title="Pick an account">
          Enter an address, or follow a contributor's link from a contribution.
        </Empty>
      )}
    </section>
  );
}

function Dashboard({ address }: { address: string }) {
  const e = useAsync(
    (signal) => api<EarningsView>("GET", `/v1/accounts/${address}/earnings`, undefined, { signal }),
    [address],
  );
  const claim = useAction(async () =>
    api<{ txHash: string; total: string; skipped?: string[] }>("POST", "/v1/claims", { accounts: [address] }),
  );
  const walletClaim = useAction(async () => {
    const settlement = localStorage.getItem(SETTLEMENT_KEY) ?? "";
    if (!isAddress(settlement)) throw new Error("Set the Settlement contract address in Settings first.");
    const p = await api<{ cumulativeAmount: string; proof: `0x${string}`[] }>(
      "GET",
      `/v1/accounts/${address}/proof?tree=rewards`,
    );
    return claimWithWallet({
      settlement: settlement as `0x${string}`,
      account: address as `0x${string}`,
      cumulativeAmount: BigInt(p.cumulativeAmount),
      proof: p.proof,
    });
  });
  const token = useToken();
  if (e.loading && !e.value) return <Loading what="earnings" />;
  if (!e.value) return <ErrorBox error={e.error} title="Could not load the earnings" />;
  const v = e.value;
  const claimable = BigInt(v.claimable);
  return (
    <div data-testid="earnings">
      <h2 className="mono wrap">{v.account}</h2>
      <div className="stats money-stats">
        <Stat
          label="Unsettled"
          value={<Money units={v.unsettled} />}
          note="in receipts not yet in an epoch"
        />
        <Stat label="Pending" value={<Money units={v.pending} />} note={pendingNote(v.pendingEpoch)} />
        <Stat label="Claimable now" value={<Money units={v.claimable} />} note="finalized, not claimed yet" />
        <Stat label="Claimed" value={<Money units={v.claimed} />} />
      </div>
      <div className="panel">
        <h3>Claim</h3>
        <p>
          Claiming pays the finalized amount to <span className="mono">{short(v.account)}</span>, whoever
          sends it.
        </p>
        <div className="actions">
          <button
            type="button"
            className="primary"
            disabled={claimable === 0n || claim.busy}
            onClick={async () => {
              if (await claim.go()) e.reload();
            }}
          >
            {claim.busy
              ? "Claiming…"
              : claimable === 0n
                ? "Nothing to claim yet"
                : `Claim ${moneyText(v.claimable, token)} (node relays)`}
          </button>
          {hasWallet() ? (
            <button
              type="button"
              disabled={claimable === 0n || walletClaim.busy}
              onClick={() => walletClaim.go()}
            >
              Claim with my wallet
            </button>
          ) : null}
        </div>
        {claim.result ? (
          <p className="notice ok" role="status">
            Claimed <Money units={claim.result.total} /> in transaction{" "}
            <span className="mono">{short(claim.result.txHash)}</span>.
          </p>
        ) : null}
        {walletClaim.result ? (
          <p className="notice ok" role="status">
            Sent claim transaction <span className="mono">{short(walletClaim.result)}</span>.
          </p>
        ) : null}
        <ErrorBox error={claim.error} title="The claim failed" />
        <ErrorBox error={walletClaim.error} title="The wallet claim failed" />
      </div>
      <h3>Over time</h3>
      <Chart history={v.history} />
      <div className="two">
        <section>
          <h3>By datanet</h3>
          {v.byDatanet.length === 0 ? (
            <Empty title="Nothing yet" />
          ) : (
            <table>
              <thead>
                <tr>
                  <th>Datanet</th>
                  <th>Amount</th>
                </tr>
              </thead>
              <tbody>
                {v.byDatanet.map((d) => (
                  <tr key={d.datanetId}>
                    <td>
                      <Link to={`/datanets/${d.datanetId}`}>{d.datanetId}</Link>
                    </td>
                    <td>
                      <Money units={d.amount} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section>
          <h3>By model</h3>
          {v.byModel.length === 0 ? (
            <Empty title="Nothing yet" />
          ) : (
            <table>
              <thead>
                <tr>
                  <th>Model</th>
                  <th>Amount</th>
                </tr>
              </thead>
              <tbody>
                {v.byModel.map((m) => (
                  <tr key={m.modelId}>
                    <td>{m.name || m.modelId}</td>
                    <td>
                      <Money units={m.amount} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </div>
  );
}

/**
 * What the pending amount waits for: its epoch's challenge window (until when), or once the window is over a
 * finalization (the Epochs page's Finalize, or `tributary epoch finalize`). Never "challenge window" after it.
 */
function pendingNote(p: EarningsView["pendingEpoch"]): string {
  if (!p) return "in no report waiting to be finalized";
  const end = p.challengeEndsAt ? new Date(p.challengeEndsAt * 1000).toLocaleString() : "";
  return p.windowOver
    ? `epoch ${p.epoch}: window over${end ? ` (${end})` : ""}; claimable once finalized`
    : `epoch ${p.epoch}: claimable after its challenge window${end ? ` ends ${end}` : ""} and it is finalized`;
}

/** Earnings per epoch (bars) and their running total (line), in SVG, plus a table for screen readers. */
function Chart({ history }: { history: EarningsView["history"] }) {
  const token = useToken();
  if (history.length === 0)
    return <Empty title="No epoch yet">Earnings appear here once an epoch containing them is closed.</Empty>;
  const W = 640;
  const H = 180;
  const pad = { l: 16, r: 16, t: 28, b: 28 };
  const cumulative = history.map((h) => BigInt(h.cumulative));
  let top = 0n;
  for (const v of cumulative) if (v > top) top = v;
  const max = top > 0n ? top : 1n; // the scale's divisor; the label shows the real top
  const slot = (W - pad.l - pad.r) / history.length;
  const x = (i: number) => pad.l + slot * (i + 0.5);
  const y = (v: bigint) => pad.t + (H - pad.t - pad.b) * (1 - Number((v * 10_000n) / max) / 10_000);
  const bar = Math.min(48, slot * 0.6);
  const path = cumulative
    .map((v, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(v).toFixed(1)}`)
    .join(" ");
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Earnings by epoch and running total">
        <line x1={pad.l} x2={W - pad.r} y1={H - pad.b} y2={H - pad.b} className="axis" />
        <line x1={pad.l} x2={pad.l} y1={pad.t} y2={H - pad.b} className="axis" />
        {/* The scale above the axis, left-aligned: a long amount grows to the right, never off the left edge. */}
        <text x={pad.l} y={pad.t - 12} textAnchor="start" className="tick" data-testid="chart-max">
          {moneyText(top, token)}
        </text>
        <line x1={pad.l} x2={pad.l + 4} y1={pad.t} y2={pad.t} className="axis" />
        {history.map((h, i) => (
          <g key={h.epoch}>
            <rect
              x={x(i) - bar / 2}
              width={bar}
              y={y(BigInt(h.amount))}
              height={H - pad.b - y(BigInt(h.amount))}
              className={`bar ${h.status}`}
            >
              <title>
                epoch {h.epoch}: {moneyText(h.amount, token)} ({h.status})
              </title>
            </rect>
            <text x={x(i)} y={H - 8} textAnchor="middle" className="tick">
              epoch {h.epoch}
            </text>
          </g>
        ))}
        <path d={path} className="line" />
        {history.map((h, i) => (
          <circle key={h.epoch} cx={x(i)} cy={y(cumulative[i]!)} r={4} className="pt">
            <title>
              total after epoch {h.epoch}: {moneyText(h.cumulative, token)}
            </title>
          </circle>
        ))}
      </svg>
      <p className="legend small-text muted">
        <span className="key bar-key" /> earned in the epoch (amber while in its challenge window){" "}
        <span className="key line-key" /> running total
      </p>
      <figcaption className="visually-hidden">
        <table>
          <tbody>
            {history.map((h) => (
              <tr key={h.epoch}>
                <td>epoch {h.epoch}</td>
                <td>
                  <Money units={h.amount} />
                </td>
                <td>
                  <Money units={h.cumulative} />
                </td>
                <td>{h.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </figcaption>
    </figure>
  );
}
