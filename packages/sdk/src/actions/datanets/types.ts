import type { datanetRegistryAbi } from "@tributary/abi";
import { type ContractFunctionArgs, type Hex, pad, stringToHex } from "viem";

/**
 * A datanet's rules, as the contract takes them: `curated` (contributions start Pending and need review) or open,
 * `minStake` (token units escrowed per contribution), `licenseId` (bytes32) and `refundStakeOnAccept`.
 */
export type DatanetPolicy = ContractFunctionArgs<typeof datanetRegistryAbi, "nonpayable", "createDatanet">[1];

/** Names of `ContributionStatus`, indexed by the number the contract returns. */
export const contributionStatuses = [
  "None",
  "Pending",
  "Accepted",
  "Rejected",
  "Slashed",
  "Withdrawn",
] as const;

/** A contribution's lifecycle state. */
export type ContributionStatusName = (typeof contributionStatuses)[number];

/** The contract's numeric verdicts of `review`. */
export const verdicts = { accept: 0, reject: 1, rejectAndSlash: 2 } as const;

/** A curator's judgement: accept, reject (stake returned) or reject and slash (stake to the treasury). */
export type Verdict = keyof typeof verdicts;

/**
 * The license id convention: an SPDX identifier (at most 32 ASCII bytes), right-padded with zeros to bytes32.
 *
 * @example
 * licenseIdOf("CC-BY-4.0"); // 0x43432d42592d342e30000000...
 */
export function licenseIdOf(spdx: string): Hex {
  const bytes = new TextEncoder().encode(spdx).length;
  if (bytes === 0 || bytes > 32)
    throw new RangeError(`license id must be 1..32 bytes, got "${spdx}" (${bytes})`);
  return pad(stringToHex(spdx), { dir: "right", size: 32 });
}
