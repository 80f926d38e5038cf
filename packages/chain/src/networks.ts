import { type Chain, defineChain } from "viem";
import { foundry, openledger } from "viem/chains";

/** What the node needs to know about a chain besides its RPC. */
export type NetworkConfig = {
  chain: Chain;
  /** Default RPC; production overrides it from config or `TRIBUTARY_RPC_URL`. */
  rpcUrl: string;
  /** Blocks to wait before the indexer treats an event as final. */
  confirmations: number;
  /** Existing ERC20 used for payments (e.g. OPEN); when absent, deploy mints a TributaryToken. */
  paymentToken?: `0x${string}`;
  /** Whether `tributary up` may start this chain locally. */
  local: boolean;
};

/**
 * Chains Tributary knows by id. Any other EVM chain works through config (`defineNetwork`).
 * OpenLedger mainnet (1612) is an OP Stack L2; its RPC is public, its attribution contracts are not.
 */
export const networks: Record<number, NetworkConfig> = {
  31337: { chain: foundry, rpcUrl: "http://127.0.0.1:8545", confirmations: 0, local: true },
  1612: { chain: openledger, rpcUrl: "https://rpc.openledger.xyz", confirmations: 10, local: false },
};

/** Describes any other EVM chain by id, name and RPC. */
export function defineNetwork(params: {
  id: number;
  name: string;
  rpcUrl: string;
  confirmations?: number;
  paymentToken?: `0x${string}`;
}): NetworkConfig {
  const chain = defineChain({
    id: params.id,
    name: params.name,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [params.rpcUrl] } },
  });
  return {
    chain,
    rpcUrl: params.rpcUrl,
    confirmations: params.confirmations ?? 5,
    local: false,
    ...(params.paymentToken ? { paymentToken: params.paymentToken } : {}),
  };
}

/** The network of a chain id, or a clear error naming what to configure. */
export function getNetwork(chainId: number): NetworkConfig {
  const network = networks[chainId];
  if (!network) {
    throw new Error(
      `unknown chain id ${chainId}. Describe it in the config (id, name, rpcUrl) so Tributary can use it.`,
    );
  }
  return network;
}
