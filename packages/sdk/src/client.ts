import type {
  Abi,
  Account,
  Address,
  Chain,
  Hex,
  PublicClient,
  TransactionReceipt,
  Transport,
  WalletClient,
} from "viem";
import { toTributaryError } from "./errors/ContractRevertError.ts";

/** Addresses of a Tributary deployment (see `deployments/<chainId>.json`). */
export type TributaryAddresses = {
  token: Address;
  datanetRegistry: Address;
  modelRegistry: Address;
  agentRegistry: Address;
  settlement: Address;
};

/** What every SDK action receives: a public client to read, an optional wallet to write, the addresses. */
export type TributaryClient = {
  publicClient: PublicClient<Transport, Chain | undefined>;
  walletClient?: WalletClient<Transport, Chain | undefined, Account>;
  addresses: TributaryAddresses;
};

/** Creates the context SDK actions take as first argument. */
export function createTributaryClient(params: TributaryClient): TributaryClient {
  return { ...params };
}

/** Result of every write action: the transaction and its receipt. */
export type WriteResult = { hash: Hex; receipt: TransactionReceipt };

/**
 * Simulates, sends and waits for a contract write, turning any revert into a typed
 * `ContractRevertError` (error name, decoded arguments, hint). Simulating first means a revert
 * costs no gas and comes back decoded.
 */
export async function writeContractAndWait(
  client: TributaryClient,
  request: { address: Address; abi: Abi; functionName: string; args?: readonly unknown[]; value?: bigint },
): Promise<WriteResult> {
  const wallet = client.walletClient;
  if (!wallet) {
    throw toTributaryError(
      new Error(`${request.functionName} needs a wallet: create the client with a walletClient`),
    );
  }
  try {
    const { request: simulated } = await client.publicClient.simulateContract({
      ...request,
      account: wallet.account,
    } as never);
    const hash = await wallet.writeContract(simulated as never);
    const receipt = await client.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") {
      throw new Error(`${request.functionName} reverted in transaction ${hash}`);
    }
    return { hash, receipt };
  } catch (error) {
    throw toTributaryError(error, request.abi);
  }
}

/** Reads a view function, turning failures into typed SDK errors. */
export async function readContract<T>(
  client: TributaryClient,
  request: { address: Address; abi: Abi; functionName: string; args?: readonly unknown[] },
): Promise<T> {
  try {
    return (await client.publicClient.readContract(request as never)) as T;
  } catch (error) {
    throw toTributaryError(error, request.abi);
  }
}
