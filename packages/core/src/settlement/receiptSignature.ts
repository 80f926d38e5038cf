import { type Address, type Hex, isAddressEqual, type LocalAccount, recoverTypedDataAddress } from "viem";
import { isLowS, toLowS } from "./lowS.ts";
import type { Receipt } from "./receipt.ts";
import { receiptHash } from "./receiptHash.ts";

/** EIP-712 domain of receipt signatures. No chain id: a receipt is an off-chain record of one node. */
export const receiptDomain = { name: "Tributary Receipt", version: "1" } as const;

/** EIP-712 types of receipt signatures: the node signs the receipt's content hash. */
export const receiptTypes = {
  Receipt: [{ name: "receiptHash", type: "bytes32" }],
} as const;

/**
 * The EIP-712 typed data a node signs for `receipt`: domain `("Tributary Receipt", "1")`, type
 * `Receipt(bytes32 receiptHash)`, message `{ receiptHash: receiptHash(receipt) }`. Pass it to any
 * `signTypedData` (viem account, wallet, hardware signer).
 *
 * @example
 * const signature = await privateKeyToAccount(key).signTypedData(receiptSigningPayload(receipt));
 */
export function receiptSigningPayload(receipt: Receipt) {
  return {
    domain: receiptDomain,
    types: receiptTypes,
    primaryType: "Receipt",
    message: { receiptHash: receiptHash(receipt) },
  } as const;
}

/** What {@link signReceipt} needs of an account: its typed-data signer. */
export type ReceiptSigner = Pick<LocalAccount, "signTypedData">;

/**
 * Signs a receipt with the node's key (local signing, no I/O), in low-s form whatever the signer returns.
 *
 * @example
 * const signature = await signReceipt(privateKeyToAccount(nodeKey), receipt);
 */
export async function signReceipt(account: ReceiptSigner, receipt: Receipt): Promise<Hex> {
  return toLowS(await account.signTypedData(receiptSigningPayload(receipt)));
}

/**
 * True when `signature` is `nodeAddress`'s EIP-712 signature of `receipt`, in low-s form, and the receipt names
 * that node (`receipt.node`). A malformed signature, a high-s (malleated) one or a malformed receipt gives
 * false, not an error; {@link receiptSignatureProblem} says which.
 *
 * @example
 * if (!(await verifyReceiptSignature(receipt, signature, receipt.node))) throw new Error("forged receipt");
 */
export async function verifyReceiptSignature(
  receipt: Receipt,
  signature: Hex,
  nodeAddress: Address,
): Promise<boolean> {
  try {
    if (!isAddressEqual(receipt.node, nodeAddress)) return false;
    if (!isLowS(signature)) return false;
    const signer = await recoverTypedDataAddress({ ...receiptSigningPayload(receipt), signature });
    return isAddressEqual(signer, nodeAddress);
  } catch {
    return false;
  }
}

/** Why a receipt signature is refused (see {@link receiptSignatureProblem}). */
export type ReceiptSignatureProblem = "HIGH_S_SIGNATURE" | "WRONG_SIGNER" | "MALFORMED_SIGNATURE";

/**
 * Why `signature` is not a valid receipt signature of `nodeAddress`, or undefined when it is:
 * `HIGH_S_SIGNATURE` (a malleated signature, `s > n/2`: refused even though it recovers the node),
 * `MALFORMED_SIGNATURE` (not 65 bytes, or nothing recovers from it), `WRONG_SIGNER`.
 *
 * @example
 * const problem = await receiptSignatureProblem(receipt, signature, receipt.node); // "HIGH_S_SIGNATURE"
 */
export async function receiptSignatureProblem(
  receipt: Receipt,
  signature: Hex,
  nodeAddress: Address,
): Promise<ReceiptSignatureProblem | undefined> {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) return "MALFORMED_SIGNATURE";
  if (!isLowS(signature)) return "HIGH_S_SIGNATURE";
  try {
    if (!isAddressEqual(receipt.node, nodeAddress)) return "WRONG_SIGNER";
    const signer = await recoverTypedDataAddress({ ...receiptSigningPayload(receipt), signature });
    return isAddressEqual(signer, nodeAddress) ? undefined : "WRONG_SIGNER";
  } catch {
    return "MALFORMED_SIGNATURE";
  }
}
