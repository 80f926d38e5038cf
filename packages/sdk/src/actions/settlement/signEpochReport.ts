import type { Address, Hex, LocalAccount } from "viem";
import { buildEpochReportTypedData, type EpochReport } from "./epochReportTypedData.ts";

/** An account that can sign typed data locally (private key, mnemonic or keystore account). */
export type EpochReportSigner = Pick<LocalAccount, "address" | "signTypedData">;

/**
 * Signs an epoch report as an attestor, for Settlement at `settlementAddress` on `chainId`. The
 * signature is valid for that contract, chain and epoch only.
 *
 * @example
 * const signature = await signEpochReport(privateKeyToAccount(key), 31337, settlement, report);
 * await submitEpoch(client, { report, signatures: [signature] });
 */
export async function signEpochReport(
  account: EpochReportSigner,
  chainId: number | bigint,
  settlementAddress: Address,
  report: EpochReport,
): Promise<Hex> {
  return account.signTypedData(buildEpochReportTypedData({ chainId, settlement: settlementAddress, report }));
}
