import { useEffect, useState } from "react";
import { api, type Epoch, type Page, type Verification } from "../api.ts";
import { Badge, Empty, ErrorBox, Loading, useAction, useAsync } from "../components.tsx";
import { relative, short } from "../format.ts";
import { Money } from "../money.tsx";

function useNow(): number {
  const [now, setNow] = useState(() => Date.now() / 1000);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now() / 1000), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

function tone(status: string): "ok" | "warn" | "bad" | "info" | undefined {
  if (status === "finalized") return "ok";
  if (status === "submitted") return "warn";
  if (status === "vetoed") return "bad";
  return "info";
}

/** Epoch reports: status, challenge window countdown, verification, and the operator's close button. */
export function Epochs() {
  const list = useAsync((signal) => api<Page<Epoch>>("GET", "/v1/epochs", undefined, { signal }), []);
  const close = useAction(async () => api<Epoch>("POST", "/v1/epochs/close", {}, { operator: true }));
  const now = useNow();
  return (
    <section>
      <div className="page-head">
        <h1>Epochs</h1>
        <p className="lede">
          Each epoch report commits the receipts' charges and rewards on chain. Anyone can verify a report
          during its challenge window; after it, the rewards are claimable.
        </p>
        <div className="actions">
          <button
            type="button"
            className="primary"
            disabled={close.busy}
            onClick={async () => {
              if (await close.go()) list.reload();
            }}
          >
            {close.busy ? "Closing…" : "Close epoch"}
          </button>
          <button type="button" onClick={list.reload}>
            Refresh
          </button>
        </div>
      </div>
      {close.result ? (
        <p className="notice ok" role="status">
          Closed epoch {close.result.epoch} with {close.result.receiptCount} receipt(s).
        </p>
      ) : null}
      <ErrorBox error={close.error} title="The epoch was not closed" />
      {list.loading && !list.value ? <Loading what="epochs" /> : null}
      <ErrorBox error={list.error} title="Could not list the epochs" />
      {list.value && list.value.items.length === 0 ? (
        <Empty title="No epoch yet">The operator closes an epoch to settle the receipts served so far.</Empty>
      ) : null}
      <ul className="cards single" aria-label="Epochs">
        {(list.value?.items ?? []).map((e) => (
          <EpochCard key={e.epoch} epoch={e} now={now} onChange={list.reload} />
        ))}
      </ul>
    </section>
  );
}

function EpochCard({ epoch: e, now, onChange }: { epoch: Epoch; now: number; onChange: () => void }) {
  const verify = useAction(async () => api<Verification>("POST", `/v1/epochs/${e.epoch}/verify`, {}));
  const finalize = useAction(async () => api<Epoch>("POST", `/v1/epochs/${e.epoch}/finalize`, {}));
  // The node keeps the last verification as JSON (the schema leaves it open); it has the verify answer's shape.
  const v = verify.result ?? (e.verification as Verification | null);
  const windowLeft = e.challengeEndsAt === null ? undefined : e.challengeEndsAt - now;
  return (
    <li className="card" data-testid="epoch">
      <div className="card-head">
        <h2>Epoch {e.epoch}</h2>
        <Badge tone={tone(e.status)}>{e.status}</Badge>
      </div>
      <dl className="facts">
        <div>
          <dt>Receipts</dt>
          <dd>{e.receiptCount}</dd>
        </div>
        <div>
          <dt>Charged this epoch</dt>
          <dd>
            <Money units={e.epochCharged} />
          </dd>
        </div>
        <div>
          <dt>Cumulative rewards</dt>
          <dd>
            <Money units={e.cumulativeRewards} />
          </dd>
        </div>
        <div>
          <dt>Challenge window</dt>
          <dd>
            {windowLeft === undefined
              ? "not submitted"
              : windowLeft > 0
                ? `ends ${relative(windowLeft)}`
                : `ended ${relative(windowLeft)}`}
          </dd>
        </div>
        <div>
          <dt>Submit tx</dt>
          <dd className="mono">{short(e.submitTx)}</dd>
        </div>
        <div>
          <dt>Bundle</dt>
          <dd>
            <a href={`/v1/epochs/${e.epoch}/bundle`}>receipts (JSON lines)</a>
          </dd>
        </div>
      </dl>
      {v ? (
        <div className={`notice ${v.ok ? "ok" : "bad"}`} role="status">
          {v.ok
            ? `Verified: ${v.receiptCount} receipt(s) recomputed, the report matches the chain.`
            : `Verification failed: ${v.differences.length} difference(s).`}
          {v.differences.length > 0 ? (
            <ul>
              {v.differences.slice(0, 10).map((d, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list
                <li key={i}>
                  {d.receiptId ? `receipt ${short(d.receiptId)}: ` : ""}
                  {d.field}: expected {String(d.expected)}, got {String(d.actual)}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      <ErrorBox error={verify.error} title="Verification did not run" />
      <ErrorBox error={finalize.error} title="Not finalized" />
      <div className="actions">
        <button type="button" disabled={verify.busy} onClick={() => verify.go()}>
          {verify.busy ? "Verifying…" : "Verify"}
        </button>
        {/* The chain's clock decides; the node answers CHALLENGE_WINDOW_OPEN with the time left when early. */}
        {e.status === "submitted" ? (
          <button
            type="button"
            disabled={finalize.busy}
            onClick={async () => {
              if (await finalize.go()) onChange();
            }}
          >
            Finalize
          </button>
        ) : null}
      </div>
    </li>
  );
}
