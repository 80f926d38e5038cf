import { datanetRegistryAbi } from "@tributary/abi";
import type { Address, ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getContributionNonce}. */
export type GetContributionNonceParameters = {
  /** Contributor. */
  contributor: Address;
};

/** Return type of {@link getContributionNonce}, as decoded from the ABI. */
export type GetContributionNonceReturnType = ContractFunctionReturnType<
  typeof datanetRegistryAbi,
  "view",
  "nonces"
>;

/** Errors of {@link getContributionNonce}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetContributionNonceErrorType = TributaryError;

/**
 * Next EIP-712 nonce of a contributor for `contributeWithSig` (see {@link signContribution}).
 *
 * @example
 * const nonce = await getContributionNonce(client, { contributor });
 */
export async function getContributionNonce(
  client: TributaryClient,
  params: GetContributionNonceParameters,
): Promise<GetContributionNonceReturnType> {
  return readContract<GetContributionNonceReturnType>(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryAbi,
    functionName: "nonces",
    args: [params.contributor],
  });
}
