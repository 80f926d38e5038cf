import { tributaryTokenAbi } from "@tributary/abi";
import { type Address, type ContractFunctionArgs, type Hex, parseSignature } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link permitTokens}: an ERC-2612 permit signed by `owner` (see {@link signPermit}). */
export type PermitTokensParameters = {
  owner: Address;
  spender: Address;
  value: bigint;
  /** Unix seconds after which the permit is refused. */
  deadline: bigint;
  /** 65-byte signature from {@link signPermit}. */
  signature: Hex;
};

/** Return type of {@link permitTokens}. */
export type PermitTokensReturnType = WriteResult;

/** Errors of {@link permitTokens}: `ContractRevertError` (e.g. `ERC2612ExpiredSignature`, `ERC2612InvalidSigner`). */
export type PermitTokensErrorType = TributaryError;

/**
 * Submits an ERC-2612 permit, so `spender` may pull `value` from `owner` without `owner` sending a transaction. A
 * node relaying a staked contribution submits the contributor's permit first, then `contributeWithSig`.
 *
 * @example
 * const signature = await signPermit(contributor, { ...terms, spender: client.addresses.datanetRegistry, value, deadline });
 * await permitTokens(relayerClient, { owner: contributor.address, spender, value, deadline, signature });
 */
export async function permitTokens(
  client: TributaryClient,
  params: PermitTokensParameters,
): Promise<PermitTokensReturnType> {
  const { r, s, v, yParity } = parseSignature(params.signature);
  const args = [
    params.owner,
    params.spender,
    params.value,
    params.deadline,
    Number(v ?? BigInt(yParity + 27)),
    r,
    s,
  ] as const satisfies ContractFunctionArgs<typeof tributaryTokenAbi, "nonpayable", "permit">;
  return writeContractAndWait(client, {
    address: client.addresses.token,
    abi: tributaryTokenAbi,
    functionName: "permit",
    args,
  });
}
