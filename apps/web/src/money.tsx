import { formatTokenAmount, groupThousands, type TokenUnit } from "@tributary/core/money";
import type { NodeHealth } from "@tributary/sdk";
import { useSyncExternalStore } from "react";

/**
 * The payment token as the node reports it on `GET /health` (symbol and decimals read from the ERC-20 the
 * Settlement pays in), fetched once per page load. `undefined` until known, or when the node has no chain.
 */
let token: TokenUnit | undefined;
let requested = false;
const listeners = new Set<() => void>();

function load(): void {
  if (requested) return;
  requested = true;
  fetch("/health")
    .then((r) => r.json() as Promise<NodeHealth>)
    .then((h) => {
      if (h.token) {
        token = { symbol: h.token.symbol, decimals: h.token.decimals };
        for (const l of listeners) l();
      }
    })
    .catch(() => {
      requested = false; // try again on the next render that needs it
    });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  load();
  return () => listeners.delete(listener);
}

/** The payment token's symbol and decimals, once the node has told them. */
export function useToken(): TokenUnit | undefined {
  return useSyncExternalStore(subscribe, () => token);
}

/**
 * An amount as text: `0.00116 TRIB` (exact, from base units), or the base units with their name while the
 * token is not known yet.
 */
export function moneyText(units: string | bigint, unit: TokenUnit | undefined): string {
  const s = String(units);
  if (!/^-?\d+$/.test(s)) return s;
  return unit ? formatTokenAmount(s, unit) : `${groupThousands(s)} base units`;
}

/**
 * An amount of the payment token: `0.00116 TRIB`, the number never wrapped (the symbol may go to the next line
 * in a narrow box), with the exact base units on hover.
 */
export function Money({ units }: { units: string | bigint | null | undefined }) {
  const unit = useToken();
  if (units === null || units === undefined || units === "") return <>–</>;
  const s = String(units);
  const exact = unit !== undefined && /^-?\d+$/.test(s);
  return (
    <span className="money" title={`${s} base units`} data-base-units={s}>
      <span className="money-num">
        {exact ? formatTokenAmount(s, unit, { symbol: false }) : moneyText(s, unit)}
      </span>
      {exact && unit.symbol ? <> {unit.symbol}</> : null}
    </span>
  );
}
