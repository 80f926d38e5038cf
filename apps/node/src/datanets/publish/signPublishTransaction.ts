import { datanetRegistryAbi } from "@tributary/abi";
import { toTributaryError } from "@tributary/sdk";
import { encodeFunctionData, type Hex, keccak256 } from "viem";
import type { ChainContext } from "../../context/NodeContext.ts";
import { VersionError } from "./errors.ts";

/** Parameters of {@link signPublishTransaction}. */
export type SignPublishTransactionParameters = {
  datanetId: bigint;
  contributionsRoot: Hex;
  count: number;
  manifestURI: string;
  /** Nonce to sign with; the account's next pending nonce when omitted. */
  nonce?: number;
};

/** Return type of {@link signPublishTransaction}: the signed transaction, not yet sent. */
export type SignPublishTransactionReturnType = { rawTx: Hex; txHash: Hex; nonce: number };

/** Errors of {@link signPublishTransaction}: `ACCOUNT_CANNOT_SIGN`, `PUBLISH_REVERTED` (`VersionError`). */
export type SignPublishTransactionErrorType = VersionError;

/**
 * Simulates `publishVersion` with the node's key (a refusal comes back decoded, at no gas), then signs the
 * transaction locally without sending it. Keeping the signed bytes lets a crash be finished by rebroadcasting
 * the very same transaction (same nonce, same hash), so a version can never be published twice by retrying.
 *
 * @example
 * const { rawTx, txHash, nonce } = await signPublishTransaction(chain, { datanetId: 1n, contributionsRoot, count: 42, manifestURI });
 */
export async function signPublishTransaction(
  chain: ChainContext,
  params: SignPublishTransactionParameters,
): Promise<SignPublishTransactionReturnType> {
  const { walletClient, publicClient } = chain;
  const account = walletClient.account;
  if (account.type !== "local") {
    throw new VersionError(
      "ACCOUNT_CANNOT_SIGN",
      `the node's account ${account.address} cannot sign transactions locally`,
      "Configure the node with a private key or keystore account: a publication keeps its signed transaction so a crash can be finished without publishing twice.",
    );
  }
  const args = [
    params.datanetId,
    params.contributionsRoot,
    BigInt(params.count),
    params.manifestURI,
  ] as const;
  const to = chain.deployment.contracts.datanetRegistry;
  let gas: bigint;
  try {
    await publicClient.simulateContract({
      address: to,
      abi: datanetRegistryAbi,
      functionName: "publishVersion",
      args,
      account,
    });
    gas = await publicClient.estimateContractGas({
      address: to,
      abi: datanetRegistryAbi,
      functionName: "publishVersion",
      args,
      account,
    });
  } catch (error) {
    const decoded = toTributaryError(error, datanetRegistryAbi);
    throw new VersionError(
      decoded.code === "CONTRACT_REVERT" ? "PUBLISH_REVERTED" : "RPC_ERROR",
      `publishVersion(${params.datanetId}) would fail: ${decoded.shortMessage}`,
      decoded.hint ?? "Check the node's chain connection and the datanet's curators.",
      { cause: decoded },
    );
  }
  const nonce =
    params.nonce ??
    (await publicClient.getTransactionCount({ address: account.address, blockTag: "pending" }));
  const request = await walletClient.prepareTransactionRequest({
    account,
    chain: walletClient.chain,
    to,
    data: encodeFunctionData({ abi: datanetRegistryAbi, functionName: "publishVersion", args }),
    nonce,
    // 20% over the estimate: the storage the call touches can change between signing and mining.
    gas: (gas * 12n) / 10n,
  });
  const rawTx = await walletClient.signTransaction(request as never);
  return { rawTx, txHash: keccak256(rawTx), nonce };
}
