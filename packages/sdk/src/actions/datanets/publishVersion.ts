import { datanetRegistryAbi } from "@tributary/abi";
import type { ContractFunctionArgs, Hex } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { datanetRegistryCallAbi } from "./internal/callAbi.ts";
import { firstEventArgs } from "./internal/eventArgs.ts";

/** Parameters of {@link publishVersion}. */
export type PublishVersionParameters = {
  /** Datanet. */
  datanetId: bigint;
  /** StandardMerkleTree root over the accepted contributions `(uint256 id, bytes32 contentHash, address contributor)`. */
  contributionsRoot: Hex;
  /** Number of leaves. */
  count: bigint;
  /** Where the version manifest is stored. */
  manifestURI: string;
};

/** Return type of {@link publishVersion}: the transaction plus what its `VersionPublished` event says. */
export type PublishVersionReturnType = WriteResult & { version: bigint };

/** Errors of {@link publishVersion}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type PublishVersionErrorType = TributaryError;

/**
 * Publishes an immutable version of a datanet and returns its number. Only a curator or the owner.
 *
 * @example
 * const { version } = await publishVersion(client, { datanetId: 1n, contributionsRoot: tree.root, count: BigInt(tree.length), manifestURI: "ipfs://…" });
 */
export async function publishVersion(
  client: TributaryClient,
  params: PublishVersionParameters,
): Promise<PublishVersionReturnType> {
  const args = [
    params.datanetId,
    params.contributionsRoot,
    params.count,
    params.manifestURI,
  ] as const satisfies ContractFunctionArgs<typeof datanetRegistryAbi, "nonpayable", "publishVersion">;
  const result = await writeContractAndWait(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryCallAbi,
    functionName: "publishVersion",
    args,
  });
  const event = firstEventArgs(
    result.receipt,
    datanetRegistryAbi,
    client.addresses.datanetRegistry,
    "VersionPublished",
  );
  return { ...result, version: event.version };
}
