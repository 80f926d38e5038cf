import { datanetRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Return type of {@link getTreasury}, as decoded from the ABI. */
export type GetTreasuryReturnType = ContractFunctionReturnType<typeof datanetRegistryAbi, "view", "treasury">;

/** Errors of {@link getTreasury}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetTreasuryErrorType = TributaryError;

/**
 * Where slashed stakes go.
 *
 * @example
 * const treasury = await getTreasury(client);
 */
export async function getTreasury(client: TributaryClient): Promise<GetTreasuryReturnType> {
  return readContract<GetTreasuryReturnType>(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryAbi,
    functionName: "treasury",
  });
}
