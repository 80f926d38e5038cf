import type { Address, Hex, LocalAccount } from "viem";

/** Parameters of {@link signPermit}. */
export type SignPermitParameters = {
  chainId: number;
  /** The token (its EIP-712 name must be `name`). */
  token: Address;
  /** EIP-712 domain name of the token; "Tributary" for TributaryToken. */
  name?: string;
  spender: Address;
  value: bigint;
  /** The owner's current permit nonce (`getPermitNonce`). */
  nonce: bigint;
  deadline: bigint;
};

/**
 * Signs an ERC-2612 permit as `account` (the token owner), for {@link permitTokens}.
 *
 * @example
 * const nonce = await getPermitNonce(client, { owner: account.address });
 * const signature = await signPermit(account, { chainId, token: client.addresses.token, spender, value, nonce, deadline });
 */
export function signPermit(
  account: Pick<LocalAccount, "address" | "signTypedData">,
  params: SignPermitParameters,
): Promise<Hex> {
  return account.signTypedData({
    domain: {
      name: params.name ?? "Tributary",
      version: "1",
      chainId: params.chainId,
      verifyingContract: params.token,
    },
    types: {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    },
    primaryType: "Permit",
    message: {
      owner: account.address,
      spender: params.spender,
      value: params.value,
      nonce: params.nonce,
      deadline: params.deadline,
    },
  });
}
