import { datanetRegistryAbi } from "@tributary/abi";
import type { ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { datanetRegistryCallAbi } from "./internal/callAbi.ts";
import { firstEventArgs } from "./internal/eventArgs.ts";
import type { DatanetPolicy } from "./types.ts";

/** Parameters of {@link createDatanet}. */
export type CreateDatanetParameters = {
  /** Where the datanet's name, description and card are stored. */
  metadataURI: string;
  /** Its rules (curated or open, stake, license, stake refund on accept). */
  policy: DatanetPolicy;
};

/** Return type of {@link createDatanet}: the transaction plus what its `DatanetCreated` event says. */
export type CreateDatanetReturnType = WriteResult & { datanetId: bigint };

/** Errors of {@link createDatanet}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type CreateDatanetErrorType = TributaryError;

/**
 * Creates a datanet owned by the wallet's account and returns its id.
 *
 * @example
 * const { datanetId } = await createDatanet(client, {
 *   metadataURI: "ipfs://…",
 *   policy: { curated: true, minStake: 0n, licenseId: licenseIdOf("CC-BY-4.0"), refundStakeOnAccept: true },
 * });
 */
export async function createDatanet(
  client: TributaryClient,
  params: CreateDatanetParameters,
): Promise<CreateDatanetReturnType> {
  const args = [params.metadataURI, params.policy] as const satisfies ContractFunctionArgs<
    typeof datanetRegistryAbi,
    "nonpayable",
    "createDatanet"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryCallAbi,
    functionName: "createDatanet",
    args,
  });
  const event = firstEventArgs(
    result.receipt,
    datanetRegistryAbi,
    client.addresses.datanetRegistry,
    "DatanetCreated",
  );
  return { ...result, datanetId: event.datanetId };
}
