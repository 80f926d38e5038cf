import { settlementAbi } from "@tributary/abi";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link setQuorum}. */
export type SetQuorumParameters = {
  /** Distinct attestor signatures a report needs, 1..attestor count. */
  quorum: bigint;
};

/** Result of {@link setQuorum}: the transaction and its receipt. */
export type SetQuorumReturnType = WriteResult;

/** Thrown by {@link setQuorum}: a `ContractRevertError` (`OwnableUnauthorizedAccount`, `SettlementInvalidQuorum`) or an RPC error. */
export type SetQuorumErrorType = TributaryError;

/**
 * Sets the quorum of epoch reports (Settlement owner only).
 *
 * @example
 * const { receipt } = await setQuorum(client, { quorum: 2n });
 */
export async function setQuorum(
  client: TributaryClient,
  params: SetQuorumParameters,
): Promise<SetQuorumReturnType> {
  return writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "setQuorum",
    args: [params.quorum],
  });
}
