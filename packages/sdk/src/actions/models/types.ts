import type { modelRegistryAbi } from "@tributary/abi";
import type { ContractFunctionArgs } from "viem";

type RegisterArgs = ContractFunctionArgs<typeof modelRegistryAbi, "nonpayable", "registerModel">;

/** A published datanet version a model was trained on: `{ datanetId, version }`. */
export type TrainedOn = RegisterArgs[3][number];

/** Price of an inference: `perCall + ceil(per1kOutputTokens * outputTokens / 1000) + ceil(per1kInputTokens * inputTokens / 1000)` token units. */
export type ModelPricing = RegisterArgs[4];

/**
 * Split of the model price after the protocol fee: `ownerBps + dataBps` must be exactly 10000. An agent's fee is
 * charged on top of the price, never taken from these shares.
 */
export type ModelSplit = RegisterArgs[5];
