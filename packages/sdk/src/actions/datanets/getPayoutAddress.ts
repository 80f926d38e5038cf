import { datanetRegistryAbi } from "@tributary/abi";
import type { Address, ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getPayoutAddress}. */
export type GetPayoutAddressParameters = {
  /** Contributor identity. */
  contributor: Address;
};

/** Return type of {@link getPayoutAddress}, as decoded from the ABI. */
export type GetPayoutAddressReturnType = ContractFunctionReturnType<
  typeof datanetRegistryAbi,
  "view",
  "payoutAddressOf"
>;

/** Errors of {@link getPayoutAddress}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetPayoutAddressErrorType = TributaryError;

/**
 * The wallet a contributor's rewards are paid to (the contributor itself when none is set).
 *
 * @example
 * const payout = await getPayoutAddress(client, { contributor });
 */
export async function getPayoutAddress(
  client: TributaryClient,
  params: GetPayoutAddressParameters,
): Promise<GetPayoutAddressReturnType> {
  return readContract<GetPayoutAddressReturnType>(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryAbi,
    functionName: "payoutAddressOf",
    args: [params.contributor],
  });
}
