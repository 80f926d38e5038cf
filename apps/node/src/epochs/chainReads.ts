import { settlementAbi } from "@tributary/abi";
import { type Address, getAddress, type Hex } from "viem";
import type { ChainContext } from "../context/NodeContext.ts";

/** Largest block range asked of the RPC in one `eth_getLogs` (public RPCs cap it). */
const LOG_RANGE = 50_000n;

async function eventsOf<E extends "Deposited" | "EpochSubmitted" | "EpochVetoed" | "EpochFinalized">(
  chain: ChainContext,
  eventName: E,
  toBlock: bigint,
  args?: Record<string, unknown>,
) {
  const from = BigInt(chain.deployment.startBlock ?? 0);
  const out = [];
  for (let start = from; start <= toBlock; start += LOG_RANGE) {
    const end = start + LOG_RANGE - 1n < toBlock ? start + LOG_RANGE - 1n : toBlock;
    const logs = await chain.publicClient.getContractEvents({
      address: chain.deployment.contracts.settlement,
      abi: settlementAbi,
      eventName,
      fromBlock: start,
      toBlock: end,
      ...(args ? { args } : {}),
    } as never);
    out.push(
      ...(logs as unknown as { args: Record<string, unknown>; transactionHash: Hex; blockNumber: bigint }[]),
    );
  }
  return out;
}

/**
 * Every payer that deposited into Settlement up to and including `toBlock`, ascending by address: each
 * needs a charges leaf (amount 0 when never charged) or it could never withdraw.
 */
export async function listDepositors(chain: ChainContext, toBlock: bigint): Promise<Address[]> {
  const logs = await eventsOf(chain, "Deposited", toBlock);
  const set = new Set(logs.map((l) => (l.args.payer as string).toLowerCase()));
  return [...set].sort().map((a) => getAddress(a));
}

/** A report as Settlement accepted it (from its `EpochSubmitted` event). */
export type OnChainReport = {
  report: {
    epoch: bigint;
    chargesRoot: Hex;
    rewardsRoot: Hex;
    cumulativeCharged: bigint;
    cumulativeRewards: bigint;
    receiptsRoot: Hex;
    bundleURI: string;
  };
  digest: Hex;
  signers: Address[];
  challengeEndsAt: bigint;
  txHash: Hex;
  vetoed: boolean;
  finalized: boolean;
};

/**
 * The report Settlement accepted for `epoch` (the latest not vetoed, else the latest vetoed), or undefined
 * when none was ever submitted.
 */
export async function onChainReport(chain: ChainContext, epoch: bigint): Promise<OnChainReport | undefined> {
  const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
  const [submitted, vetoed, finalized] = await Promise.all([
    eventsOf(chain, "EpochSubmitted", head, { epoch }),
    eventsOf(chain, "EpochVetoed", head, { epoch }),
    eventsOf(chain, "EpochFinalized", head, { epoch }),
  ]);
  const vetoedDigests = new Set(vetoed.map((l) => l.args.digest as string));
  const finalizedDigests = new Set(finalized.map((l) => l.args.digest as string));
  const candidates = submitted.map((l) => {
    const a = l.args;
    return {
      report: {
        epoch: a.epoch as bigint,
        chargesRoot: a.chargesRoot as Hex,
        rewardsRoot: a.rewardsRoot as Hex,
        cumulativeCharged: a.cumulativeCharged as bigint,
        cumulativeRewards: a.cumulativeRewards as bigint,
        receiptsRoot: a.receiptsRoot as Hex,
        bundleURI: a.bundleURI as string,
      },
      digest: a.digest as Hex,
      signers: (a.signers as Address[]).map((s) => getAddress(s)),
      challengeEndsAt: a.challengeEndsAt as bigint,
      txHash: l.transactionHash,
      vetoed: vetoedDigests.has(a.digest as string),
      finalized: finalizedDigests.has(a.digest as string),
    };
  });
  return candidates.filter((c) => !c.vetoed).at(-1) ?? candidates.at(-1);
}
