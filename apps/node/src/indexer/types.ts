import type { Transaction } from "kysely";
import type { Abi, Address } from "viem";
import type { Database } from "../db/schema.ts";

/** A decoded log as the handlers see it; bigints stay bigints. */
export type IndexedLog = {
  blockNumber: number;
  logIndex: number;
  blockHash: string;
  txHash: string;
  address: Address;
  eventName: string;
  args: Record<string, unknown>;
};

/** Applies one event to the projections, inside the indexer's transaction. Must be deterministic. */
export type LogHandler = (trx: Transaction<Database>, log: IndexedLog) => Promise<void>;

/** A contract the indexer follows. */
export type IndexedContract = { name: string; address: Address; abi: Abi };
