import { modelRegistryAbi } from "@tributary/abi";
import type { ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import type { ModelPricing } from "./types.ts";

/** Parameters of {@link setModelPricing}. */
export type SetModelPricingParameters = {
  /** Model. */
  modelId: bigint;
  /** New price. */
  pricing: ModelPricing;
};

/** Return type of {@link setModelPricing}: the transaction and its receipt. */
export type SetModelPricingReturnType = WriteResult;

/** Errors of {@link setModelPricing}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type SetModelPricingErrorType = TributaryError;

/**
 * Replaces a model's price for inferences served from now on. Only the owner, not when deprecated.
 *
 * @example
 * await setModelPricing(client, { modelId: 1n, pricing: { perCall: 0n, per1kOutputTokens: 10n ** 16n, per1kInputTokens: 0n } });
 */
export async function setModelPricing(
  client: TributaryClient,
  params: SetModelPricingParameters,
): Promise<SetModelPricingReturnType> {
  const args = [params.modelId, params.pricing] as const satisfies ContractFunctionArgs<
    typeof modelRegistryAbi,
    "nonpayable",
    "setPricing"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.modelRegistry,
    abi: modelRegistryAbi,
    functionName: "setPricing",
    args,
  });
  return result;
}
