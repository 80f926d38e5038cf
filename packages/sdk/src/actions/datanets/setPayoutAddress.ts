import type { datanetRegistryAbi } from "@tributary/abi";
import type { Address, ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { datanetRegistryCallAbi } from "./internal/callAbi.ts";

/** Parameters of {@link setPayoutAddress}. */
export type SetPayoutAddressParameters = {
  /** Wallet the account's rewards are paid to; the zero address or the account itself resets it. */
  payout: Address;
};

/** Return type of {@link setPayoutAddress}: the transaction and its receipt. */
export type SetPayoutAddressReturnType = WriteResult;

/** Errors of {@link setPayoutAddress}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type SetPayoutAddressErrorType = TributaryError;

/**
 * Separates the wallet account's identity from the wallet its rewards are paid to.
 *
 * @example
 * await setPayoutAddress(client, { payout: "0x…" });
 */
export async function setPayoutAddress(
  client: TributaryClient,
  params: SetPayoutAddressParameters,
): Promise<SetPayoutAddressReturnType> {
  const args = [params.payout] as const satisfies ContractFunctionArgs<
    typeof datanetRegistryAbi,
    "nonpayable",
    "setPayoutAddress"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryCallAbi,
    functionName: "setPayoutAddress",
    args,
  });
  return result;
}
