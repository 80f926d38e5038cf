import { getProtocolFeeBps, getSettlementTreasury } from "@tributary/sdk";
import type { Address } from "viem";
import type { NodeContext } from "../../context/NodeContext.ts";
import { requireChain } from "../requireChain.ts";

const RATES_TTL_MS = 30_000;

/** Settlement's protocol fee and treasury. */
export type SettlementRates = { protocolFeeBps: number; treasury: Address };

/**
 * Creates a reader of Settlement's protocol fee and treasury, read from the chain at most every 30 s.
 *
 * @example
 * const rates = createSettlementRates(ctx);
 * const { protocolFeeBps, treasury } = await rates();
 */
export function createSettlementRates(ctx: NodeContext): () => Promise<SettlementRates> {
  let rates: (SettlementRates & { at: number }) | undefined;
  return async () => {
    if (rates && Date.now() - rates.at < RATES_TTL_MS) return rates;
    const { sdk } = requireChain(ctx);
    const [bps, treasury] = await Promise.all([getProtocolFeeBps(sdk), getSettlementTreasury(sdk)]);
    rates = { protocolFeeBps: Number(bps), treasury: treasury as Address, at: Date.now() };
    return rates;
  };
}
