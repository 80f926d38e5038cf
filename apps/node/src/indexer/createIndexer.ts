import type { Kysely } from "kysely";
import { type Abi, type Address, decodeEventLog, type Hex, type Log, type PublicClient } from "viem";
import { type Database, projectionTables } from "../db/schema.ts";
import { argsFromJson, argsToJson } from "./jsonArgs.ts";
import type { IndexedContract, IndexedLog, LogHandler } from "./types.ts";

/** Options of {@link createIndexer}. */
export type CreateIndexerParameters = {
  db: Kysely<Database>;
  client: PublicClient;
  contracts: IndexedContract[];
  /** First block to read (the deployment's start block). */
  startBlock: number;
  /** Blocks behind the head that are treated as final. 0 on a local chain. */
  confirmations: number;
  /** Handlers by event name; events without one are still stored in `chain_logs`. */
  handlers: Record<string, LogHandler>;
  /** Largest block range per `eth_getLogs`. */
  batchBlocks?: number;
  cursorName?: string;
  onLog?: (line: string) => void;
  /**
   * Called first in every write transaction: several replicas on one PostgreSQL database pass a transaction-level
   * advisory lock here, so their writes (a follower's `syncOnce`, the leader's loop) never interleave. The
   * cursor is then read again inside the transaction and the batch dropped if another writer moved it.
   */
  lockWrites?: (trx: Kysely<Database>) => Promise<void>;
};

/** What one sync step did. */
export type SyncResult = { fromBlock: number; toBlock: number; logs: number; reorgedFrom?: number };

/** A running indexer. */
export type Indexer = {
  /** Indexes up to the confirmed head once; safe to call at any time, from a restart too. */
  syncOnce(): Promise<SyncResult | undefined>;
  /** Block number indexed so far (-1 before the first sync). */
  cursor(): Promise<number>;
  /** Polls `syncOnce` every `intervalMs` until `stop()`. */
  start(intervalMs?: number): void;
  stop(): Promise<void>;
  /**
   * Empties every projection and replays the stored logs into them, in one transaction. For a projection
   * added by an upgrade over logs indexed before it (the node calls it when such a projection is empty).
   */
  rebuildProjections(): Promise<void>;
  /**
   * A number that grows each time a transaction that may have changed a projection has committed (new logs, a
   * rebuild). A value read from a projection after reading `revision() === r` is current while it still is `r`.
   */
  revision(): number;
};

/**
 * Follows the contracts' events from the deployment block into SQLite.
 *
 * Every batch (logs, projections, block hashes, cursor) is written in one transaction, so a crash
 * at any point leaves the database at the previous cursor and the restart re-reads the same range:
 * nothing is lost and nothing is applied twice. Before each batch the stored hash of the cursor
 * block is compared with the chain; on a mismatch (a reorg deeper than `confirmations`) the fork
 * point is found among stored block hashes, logs above it are deleted and the projections are
 * rebuilt from the remaining logs.
 */
export function createIndexer(params: CreateIndexerParameters): Indexer {
  const { db, client } = params;
  const name = params.cursorName ?? "main";
  const batch = params.batchBlocks ?? 2000;
  const abiOf = new Map<string, Abi>(params.contracts.map((c) => [c.address.toLowerCase(), c.abi]));
  const addresses = params.contracts.map((c) => c.address);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let revision = 0;

  const readCursor = async () =>
    await db.selectFrom("chain_cursor").selectAll().where("name", "=", name).executeTakeFirst();

  const decode = (log: Log): IndexedLog | undefined => {
    const abi = abiOf.get(log.address.toLowerCase());
    if (!abi || log.blockNumber === null || log.logIndex === null || !log.blockHash || !log.transactionHash)
      return undefined;
    try {
      const decoded = decodeEventLog({ abi, data: log.data, topics: log.topics as [Hex, ...Hex[]] });
      return {
        blockNumber: Number(log.blockNumber),
        logIndex: log.logIndex,
        blockHash: log.blockHash,
        txHash: log.transactionHash,
        address: log.address,
        eventName: String(decoded.eventName),
        args: (decoded.args ?? {}) as Record<string, unknown>,
      };
    } catch {
      return undefined; // an event of another ABI at the same address: not ours to index
    }
  };

  /** Empties the projections and replays every stored log in chain order. */
  const rebuildProjections = async () => {
    await db.transaction().execute(async (trx) => {
      await params.lockWrites?.(trx);
      for (const table of projectionTables) await trx.deleteFrom(table).execute();
      const rows = await trx
        .selectFrom("chain_logs")
        .selectAll()
        .orderBy("block_number")
        .orderBy("log_index")
        .execute();
      for (const row of rows) {
        const handler = params.handlers[row.event_name];
        if (!handler) continue;
        await handler(trx, {
          blockNumber: row.block_number,
          logIndex: row.log_index,
          blockHash: row.block_hash,
          txHash: row.tx_hash,
          address: row.address as Address,
          eventName: row.event_name,
          args: argsFromJson(row.args),
        });
      }
    });
  };

  /** Finds the highest stored block whose hash the chain still has, and rolls back above it. */
  const rollbackReorg = async (): Promise<number> => {
    const stored = await db.selectFrom("chain_blocks").selectAll().orderBy("block_number", "desc").execute();
    let forkPoint = params.startBlock - 1;
    for (const b of stored) {
      const block = await client.getBlock({ blockNumber: BigInt(b.block_number) }).catch(() => undefined);
      if (block?.hash === b.block_hash) {
        forkPoint = b.block_number;
        break;
      }
    }
    const forkHash =
      forkPoint >= 0 ? ((await client.getBlock({ blockNumber: BigInt(forkPoint) })).hash as string) : "0x";
    await db.transaction().execute(async (trx) => {
      await params.lockWrites?.(trx);
      await trx.deleteFrom("chain_logs").where("block_number", ">", forkPoint).execute();
      await trx.deleteFrom("chain_blocks").where("block_number", ">", forkPoint).execute();
      await trx
        .updateTable("chain_cursor")
        .set({ block_number: forkPoint, block_hash: forkHash })
        .where("name", "=", name)
        .execute();
    });
    await rebuildProjections();
    revision++;
    params.onLog?.(`indexer: reorg detected, rolled back to block ${forkPoint}`);
    return forkPoint + 1;
  };

  const syncOnce = async (): Promise<SyncResult | undefined> => {
    let reorgedFrom: number | undefined;
    const cursor = await readCursor();
    if (cursor && cursor.block_number >= params.startBlock) {
      const block = await client
        .getBlock({ blockNumber: BigInt(cursor.block_number) })
        .catch(() => undefined);
      if (block?.hash !== cursor.block_hash) reorgedFrom = await rollbackReorg();
    }
    const from = ((await readCursor())?.block_number ?? params.startBlock - 1) + 1;
    const head = Number(await client.getBlockNumber({ cacheTime: 0 }));
    const safeHead = head - params.confirmations;
    if (safeHead < from)
      return reorgedFrom === undefined
        ? undefined
        : { fromBlock: from, toBlock: from - 1, logs: 0, reorgedFrom };
    const to = Math.min(safeHead, from + batch - 1);
    const endBlock = await client.getBlock({ blockNumber: BigInt(to) });
    const raw = await client.getLogs({ address: addresses, fromBlock: BigInt(from), toBlock: BigInt(to) });
    const logs = raw.map(decode).filter((l): l is IndexedLog => l !== undefined);
    logs.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
    // The chain must not have moved under the batch: the end block keeps its hash across getLogs, and
    // logs of the end block carry that hash. Otherwise skip this round; the next one sees the reorg.
    const endAgain = await client.getBlock({ blockNumber: BigInt(to) });
    if (
      endAgain.hash !== endBlock.hash ||
      logs.some((l) => l.blockNumber === to && l.blockHash !== endBlock.hash)
    ) {
      params.onLog?.(`indexer: chain changed while reading blocks ${from}-${to}, retrying`);
      return { fromBlock: from, toBlock: from - 1, logs: 0 };
    }
    const applied = await db.transaction().execute(async (trx) => {
      if (params.lockWrites) {
        await params.lockWrites(trx);
        const now = await trx
          .selectFrom("chain_cursor")
          .selectAll()
          .where("name", "=", name)
          .executeTakeFirst();
        if ((now?.block_number ?? params.startBlock - 1) !== from - 1) return false;
      }
      for (const log of logs) {
        const inserted = await trx
          .insertInto("chain_logs")
          .values({
            block_number: log.blockNumber,
            log_index: log.logIndex,
            block_hash: log.blockHash,
            tx_hash: log.txHash,
            address: log.address,
            event_name: log.eventName,
            args: argsToJson(log.args),
          })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) continue;
        await params.handlers[log.eventName]?.(trx, log);
        await trx
          .insertInto("chain_blocks")
          .values({ block_number: log.blockNumber, block_hash: log.blockHash })
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      await trx
        .insertInto("chain_blocks")
        .values({ block_number: to, block_hash: endBlock.hash as string })
        .onConflict((oc) => oc.column("block_number").doUpdateSet({ block_hash: endBlock.hash as string }))
        .execute();
      await trx
        .insertInto("chain_cursor")
        .values({ name, block_number: to, block_hash: endBlock.hash as string })
        .onConflict((oc) =>
          oc.column("name").doUpdateSet({ block_number: to, block_hash: endBlock.hash as string }),
        )
        .execute();
      return true;
    });
    // Another replica indexed these blocks meanwhile: nothing to add, the next round starts past them.
    if (!applied) return { fromBlock: from, toBlock: from - 1, logs: 0 };
    if (logs.length > 0) revision++;
    return {
      fromBlock: from,
      toBlock: to,
      logs: logs.length,
      ...(reorgedFrom !== undefined ? { reorgedFrom } : {}),
    };
  };

  /** Syncs until caught up with the confirmed head. */
  const catchUp = async () => {
    for (;;) {
      const r = await syncOnce();
      if (!r || r.toBlock >= Number(await client.getBlockNumber({ cacheTime: 0 })) - params.confirmations)
        return;
    }
  };

  return {
    syncOnce: async () => {
      // Serialize: a timer tick and a manual call never interleave their transactions.
      while (running) await running.catch(() => {});
      const p = syncOnce();
      running = p;
      try {
        return await p;
      } finally {
        running = undefined;
      }
    },
    cursor: async () => (await readCursor())?.block_number ?? -1,
    revision: () => revision,
    rebuildProjections: async () => {
      while (running) await running.catch(() => {});
      const p = rebuildProjections().then(() => {
        revision++;
      });
      running = p;
      try {
        await p;
      } finally {
        running = undefined;
      }
    },
    start(intervalMs = 500) {
      const tick = async () => {
        try {
          running = catchUp();
          await running;
        } catch (error) {
          params.onLog?.(`indexer: sync failed, retrying: ${(error as Error).message}`);
        } finally {
          running = undefined;
          timer = setTimeout(tick, intervalMs);
        }
      };
      timer = setTimeout(tick, 0);
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      while (running) await running.catch(() => {});
    },
  };
}
