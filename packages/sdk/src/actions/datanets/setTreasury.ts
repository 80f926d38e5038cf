import type { datanetRegistryAbi } from "@tributary/abi";
import type { Address, ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { datanetRegistryCallAbi } from "./internal/callAbi.ts";

/** Parameters of {@link setTreasury}. */
export type SetTreasuryParameters = {
  /** New receiver of slashed stakes. */
  treasury: Address;
};

/** Return type of {@link setTreasury}: the transaction and its receipt. */
export type SetTreasuryReturnType = WriteResult;

/** Errors of {@link setTreasury}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type SetTreasuryErrorType = TributaryError;

/**
 * Sets where slashed stakes go. Only the registry owner.
 *
 * @example
 * await setTreasury(client, { treasury: "0x…" });
 */
export async function setTreasury(
  client: TributaryClient,
  params: SetTreasuryParameters,
): Promise<SetTreasuryReturnType> {
  const args = [params.treasury] as const satisfies ContractFunctionArgs<
    typeof datanetRegistryAbi,
    "nonpayable",
    "setTreasury"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryCallAbi,
    functionName: "setTreasury",
    args,
  });
  return result;
}
