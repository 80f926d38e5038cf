import type { Address, EIP1193Provider, Hex } from "viem";
import type { TypedDataJson } from "./api.ts";

/** How the browser signs: a wallet (EIP-1193 `window.ethereum`) or a development key (local networks). */
export type SignerKind = "wallet" | "key";

const KEY = "tributary.devKey";

declare global {
  interface Window {
    ethereum?: EIP1193Provider;
  }
}

/** Whether a browser wallet is present. */
export function hasWallet(): boolean {
  return typeof window.ethereum?.request === "function";
}

/** The development key kept for this tab (sessionStorage), if any. */
export function devKey(): Hex | undefined {
  const k = sessionStorage.getItem(KEY);
  return k && /^0x[0-9a-fA-F]{64}$/.test(k) ? (k as Hex) : undefined;
}

// viem is loaded on first use, so pages that never sign do not download it.
const accounts = () => import("viem/accounts");

/** Keeps (or clears) a development private key for this tab; resolves with its address. */
export async function setDevKey(key: string): Promise<Address | undefined> {
  const k = key.trim();
  if (!k) {
    sessionStorage.removeItem(KEY);
    return undefined;
  }
  if (!/^0x[0-9a-fA-F]{64}$/.test(k)) throw new Error("a private key is 0x followed by 64 hex digits");
  sessionStorage.setItem(KEY, k);
  return (await accounts()).privateKeyToAccount(k as Hex).address;
}

/** The signer to use: the development key when one is set, else the wallet, else none. */
export function signerKind(): SignerKind | undefined {
  if (devKey()) return "key";
  if (hasWallet()) return "wallet";
  return undefined;
}

async function walletClient() {
  if (!window.ethereum) throw new Error("no browser wallet (window.ethereum) in this browser");
  const { createWalletClient, custom } = await import("viem");
  return createWalletClient({ transport: custom(window.ethereum) });
}

/** The address that signs: asks the wallet for its account, or derives it from the development key. */
export async function signerAddress(): Promise<Address> {
  const key = devKey();
  if (key) return (await accounts()).privateKeyToAccount(key).address;
  const [account] = await (await walletClient()).requestAddresses();
  if (!account) throw new Error("the wallet gave no account");
  return account;
}

/** Typed data JSON (uints as decimal strings) → viem's typed data (uints as bigints), using its `types`. */
export function typedDataOf(td: TypedDataJson) {
  const types = Object.fromEntries(Object.entries(td.types).filter(([name]) => name !== "EIP712Domain"));
  const convert = (type: string, value: unknown): unknown => {
    if (type.endsWith("[]")) return (value as unknown[]).map((v) => convert(type.slice(0, -2), v));
    if (/^u?int\d*$/.test(type)) return BigInt(value as string | number);
    const struct = types[type];
    if (struct && value && typeof value === "object") {
      const obj = value as Record<string, unknown>;
      return Object.fromEntries(struct.map((f) => [f.name, convert(f.type, obj[f.name])]));
    }
    return value;
  };
  const domain = { ...td.domain } as Record<string, unknown>;
  if (domain.chainId !== undefined) domain.chainId = Number(domain.chainId);
  return {
    domain,
    types,
    primaryType: td.primaryType,
    message: convert(td.primaryType, td.message) as Record<string, unknown>,
  };
}

/** Signs EIP-712 typed data (an upload batch) with the development key or the wallet. */
export async function signTypedData(td: TypedDataJson): Promise<Hex> {
  const data = typedDataOf(td) as never;
  const key = devKey();
  if (key) return (await accounts()).privateKeyToAccount(key).signTypedData(data);
  const client = await walletClient();
  const account = await signerAddress();
  return client.signTypedData({ account, ...(data as object) } as never);
}

const claimAbi = [
  {
    type: "function",
    name: "claim",
    stateMutability: "nonpayable",
    inputs: [
      { name: "account", type: "address" },
      { name: "cumulativeAmount", type: "uint256" },
      { name: "proof", type: "bytes32[]" },
    ],
    outputs: [{ name: "amount", type: "uint256" }],
  },
] as const;

/** Sends `Settlement.claim(account, cumulativeAmount, proof)` from the browser wallet; returns the tx hash. */
export async function claimWithWallet(params: {
  settlement: Address;
  account: Address;
  cumulativeAmount: bigint;
  proof: Hex[];
}): Promise<Hex> {
  const client = await walletClient();
  const from = await signerAddress();
  return client.writeContract({
    account: from,
    chain: null,
    address: params.settlement,
    abi: claimAbi,
    functionName: "claim",
    args: [params.account, params.cumulativeAmount, params.proof],
  });
}
