import { tributaryTokenAbi } from "@tributary/abi";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Return type of {@link getTokenMetadata}. */
export type GetTokenMetadataReturnType = { name: string; symbol: string; decimals: number };

/** Errors of {@link getTokenMetadata}. */
export type GetTokenMetadataErrorType = TributaryError;

/**
 * Name, symbol and decimals of the payment token (any ERC20, e.g. TRIB locally or OPEN in production).
 *
 * @example
 * const { symbol, decimals } = await getTokenMetadata(client);
 */
export async function getTokenMetadata(client: TributaryClient): Promise<GetTokenMetadataReturnType> {
  const read = <T>(functionName: "name" | "symbol" | "decimals") =>
    readContract<T>(client, { address: client.addresses.token, abi: tributaryTokenAbi, functionName });
  const [name, symbol, decimals] = await Promise.all([
    read<string>("name"),
    read<string>("symbol"),
    read<number>("decimals"),
  ]);
  return { name, symbol, decimals };
}
