import { existsSync } from "node:fs";
import { datanetRegistryAbi } from "@tributary/abi";
import { getVersion, getVersionCount } from "@tributary/sdk";
import {
  type Hex,
  parseEventLogs,
  TransactionNotFoundError,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
  WaitForTransactionReceiptTimeoutError,
} from "viem";
import type { ChainContext, NodeContext } from "../../context/NodeContext.ts";
import type { PublicationRow } from "../../db/schema.ts";
import { buildVersionIndex } from "./buildVersionIndex.ts";
import { catchUpIndexer, chainOf } from "./chainOf.ts";
import { VersionError } from "./errors.ts";
import { failpoint } from "./failpoint.ts";
import { parseManifest } from "./parseManifest.ts";
import { recordVersionIndex } from "./recordVersionIndex.ts";
import { signPublishTransaction } from "./signPublishTransaction.ts";

/** A publication of this node, as the API reports it. */
export type Publication = {
  id: string;
  datanetId: bigint;
  /** The on-chain version number (once mined; else the planned one). */
  version: number;
  plannedVersion: number;
  contributionsRoot: Hex;
  count: number;
  manifestCid: string;
  manifestURI: string;
  indexId: string;
  tokens: number;
  state: PublicationRow["state"];
  txHash: Hex;
  blockNumber: number | null;
};

/** Parameters of {@link completePublication}. */
export type CompletePublicationParameters = {
  publication: PublicationRow;
  /** How long to wait for the transaction to be mined (default 120 s); the row stays `broadcast` on timeout. */
  receiptTimeoutMs?: number;
};

/** Errors of {@link completePublication}: `PUBLISH_REVERTED`, `PUBLISH_TIMEOUT`, `RPC_ERROR` (`VersionError`). */
export type CompletePublicationErrorType = VersionError;

/** The URI a publication records on chain for its manifest. */
export const manifestUriOf = (cid: string): string => `ipfs://${cid}`;

/**
 * Drives one publication from whatever state a crash left it in to `indexed`. Each step is idempotent:
 *
 * - `planned` / `broadcast`: if the signed transaction has a receipt, or a version with the same root and
 *   manifest URI exists on chain, it is mined; otherwise the same signed bytes are (re)broadcast. Only when
 *   the nonce was taken by another transaction of the node's key (so ours can never be mined) is the
 *   transaction signed again with a fresh nonce.
 * - `mined`: the indexer is caught up, the index file checked (rebuilt from the manifest if it vanished) and
 *   the `version_indexes` row written.
 *
 * @example
 * const done = await completePublication(ctx, { publication: row });
 */
export async function completePublication(
  ctx: NodeContext,
  params: CompletePublicationParameters,
): Promise<Publication> {
  const chain = chainOf(ctx);
  let row = params.publication;
  if (row.state === "failed") {
    throw new VersionError(
      "PUBLISH_REVERTED",
      `publication ${row.id} of datanet ${row.datanet_id} failed: ${row.error ?? "reverted"}`,
      "Fix the cause (e.g. add the node's address as a curator) and publish again.",
    );
  }
  if (row.state === "planned" || row.state === "broadcast") {
    let mined = await findMined(ctx, chain, row);
    if (!mined) {
      row = await broadcast(ctx, chain, row);
      mined = await waitMined(ctx, chain, row, params.receiptTimeoutMs ?? 120_000);
    }
    row = await update(ctx, row, {
      state: "mined",
      version: mined.version,
      block_number: mined.blockNumber,
    });
    failpoint("after-receipt");
  }
  if (row.state === "mined") {
    await catchUpIndexer(chain);
    const version = row.version ?? row.planned_version;
    if (!existsSync(ctx.indexes.pathOf(row.index_id))) await rebuildIndex(ctx, row);
    await recordVersionIndex(ctx, {
      datanetId: BigInt(row.datanet_id),
      version,
      indexId: row.index_id,
      tokens: row.tokens,
    });
    const projected = await ctx.db
      .selectFrom("versions")
      .select("published_block")
      .where("datanet_id", "=", row.datanet_id)
      .where("version", "=", version)
      .executeTakeFirst();
    row = await update(ctx, row, {
      state: "indexed",
      block_number: row.block_number ?? projected?.published_block ?? null,
    });
  }
  return publicationOf(row);
}

/** The API view of a publications row. */
export function publicationOf(row: PublicationRow): Publication {
  return {
    id: row.id,
    datanetId: BigInt(row.datanet_id),
    version: row.version ?? row.planned_version,
    plannedVersion: row.planned_version,
    contributionsRoot: row.contributions_root as Hex,
    count: row.count,
    manifestCid: row.manifest_cid,
    manifestURI: manifestUriOf(row.manifest_cid),
    indexId: row.index_id,
    tokens: row.tokens,
    state: row.state,
    txHash: row.tx_hash as Hex,
    blockNumber: row.block_number,
  };
}

type Mined = { version: number; blockNumber: number | null };

async function update(
  ctx: NodeContext,
  row: PublicationRow,
  changes: Partial<Omit<PublicationRow, "id">>,
): Promise<PublicationRow> {
  const next = { ...row, ...changes, updated_at: new Date().toISOString() };
  await ctx.db
    .updateTable("publications")
    .set({ ...changes, updated_at: next.updated_at })
    .where("id", "=", row.id)
    .execute();
  return next;
}

async function receiptOf(chain: ChainContext, hash: Hex): Promise<TransactionReceipt | undefined> {
  try {
    return await chain.publicClient.getTransactionReceipt({ hash });
  } catch (error) {
    if (error instanceof TransactionReceiptNotFoundError) return undefined;
    throw rpcError(error);
  }
}

/** Version number and block of a mined publication, or undefined when it is not on chain yet. */
async function findMined(
  ctx: NodeContext,
  chain: ChainContext,
  row: PublicationRow,
): Promise<Mined | undefined> {
  const receipt = await receiptOf(chain, row.tx_hash as Hex);
  if (receipt) return await minedFrom(ctx, row, receipt);
  // No receipt for our hash (e.g. an RPC that pruned it): the chain itself says whether the version exists.
  const datanetId = BigInt(row.datanet_id);
  const count = Number(await getVersionCount(chain.sdk, { datanetId }));
  const uri = manifestUriOf(row.manifest_cid);
  for (let v = Math.max(1, row.planned_version); v <= count; v++) {
    const onChain = await getVersion(chain.sdk, { datanetId, version: BigInt(v) });
    if (onChain.contributionsRoot.toLowerCase() === row.contributions_root && onChain.manifestURI === uri) {
      return { version: v, blockNumber: null };
    }
  }
  return undefined;
}

async function minedFrom(ctx: NodeContext, row: PublicationRow, receipt: TransactionReceipt): Promise<Mined> {
  if (receipt.status !== "success") {
    await update(ctx, row, { state: "failed", error: `transaction ${receipt.transactionHash} reverted` });
    throw new VersionError(
      "PUBLISH_REVERTED",
      `publishVersion for datanet ${row.datanet_id} reverted in transaction ${receipt.transactionHash}`,
      "Check that the node's address is still a curator of the datanet, then publish again.",
    );
  }
  const [event] = parseEventLogs({
    abi: datanetRegistryAbi,
    logs: receipt.logs,
    eventName: "VersionPublished",
  });
  if (!event) throw new Error(`transaction ${receipt.transactionHash} has no VersionPublished event`);
  const version = Number(event.args.version);
  if (version !== row.planned_version) {
    ctx.log("warn", "another curator published first: the version number differs from the manifest's", {
      datanetId: row.datanet_id,
      planned: row.planned_version,
      version,
    });
  }
  return { version, blockNumber: Number(receipt.blockNumber) };
}

async function isKnown(chain: ChainContext, hash: Hex): Promise<boolean> {
  try {
    await chain.publicClient.getTransaction({ hash });
    return true;
  } catch (error) {
    if (error instanceof TransactionNotFoundError) return false;
    throw rpcError(error);
  }
}

/** Sends the row's signed transaction; signs a new one only when its nonce went to another transaction. */
async function broadcast(
  ctx: NodeContext,
  chain: ChainContext,
  row: PublicationRow,
): Promise<PublicationRow> {
  let current = row;
  for (let attempt = 0; ; attempt++) {
    try {
      await chain.publicClient.sendRawTransaction({ serializedTransaction: current.raw_tx as Hex });
    } catch (error) {
      // "already known" / "nonce too low": fine when it is our transaction that the node holds or mined.
      if (!(await isKnown(chain, current.tx_hash as Hex))) {
        const used = await chain.publicClient.getTransactionCount({
          address: chain.walletClient.account.address,
          blockTag: "latest",
        });
        if (used <= current.nonce || attempt >= 3) throw rpcError(error);
        // The nonce went to another transaction of the node's key, and ours is not mined (no receipt, no
        // version with this root): it can never be mined, so signing again with a fresh nonce cannot double-publish.
        const signed = await signPublishTransaction(chain, {
          datanetId: BigInt(current.datanet_id),
          contributionsRoot: current.contributions_root as Hex,
          count: current.count,
          manifestURI: manifestUriOf(current.manifest_cid),
        });
        current = await update(ctx, current, {
          state: "planned",
          raw_tx: signed.rawTx,
          tx_hash: signed.txHash,
          nonce: signed.nonce,
        });
        continue;
      }
    }
    current = await update(ctx, current, { state: "broadcast" });
    failpoint("after-broadcast");
    return current;
  }
}

async function waitMined(
  ctx: NodeContext,
  chain: ChainContext,
  row: PublicationRow,
  timeout: number,
): Promise<Mined> {
  try {
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash: row.tx_hash as Hex, timeout });
    return await minedFrom(ctx, row, receipt);
  } catch (error) {
    if (error instanceof VersionError) throw error;
    if (error instanceof WaitForTransactionReceiptTimeoutError) {
      throw new VersionError(
        "PUBLISH_TIMEOUT",
        `transaction ${row.tx_hash} publishing datanet ${row.datanet_id} was not mined within ${timeout} ms`,
        "It stays in flight: the node finishes it on restart (recoverPublications) or on the next publish.",
        { cause: error },
      );
    }
    throw rpcError(error);
  }
}

/** The index file vanished (disk restored from an old backup...): rebuild it from the manifest's blobs. */
async function rebuildIndex(ctx: NodeContext, row: PublicationRow): Promise<void> {
  const bytes = await ctx.store.get(row.manifest_cid);
  if (!bytes) {
    throw new VersionError(
      "MANIFEST_MISSING",
      `manifest ${row.manifest_cid} of datanet ${row.datanet_id} is missing from the content store`,
      "Restore the content store from a backup (or fetch the CID from IPFS), then restart the node.",
    );
  }
  const manifest = parseManifest({ bytes, source: row.manifest_cid });
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const documents = [];
  for (const c of manifest.contributions) {
    const text = await ctx.store.get(c.cid);
    if (!text) {
      throw new VersionError(
        "CONTENT_MISSING",
        `contribution ${c.id} (${c.cid}) is missing from the content store`,
        "Restore the content store from a backup, then restart the node.",
      );
    }
    documents.push({ contributionId: BigInt(c.id), text: decoder.decode(text) });
  }
  const built = await buildVersionIndex(ctx, { documents });
  if (built.indexId !== row.index_id) {
    throw new VersionError(
      "MANIFEST_INVALID",
      `rebuilt index ${built.indexId} differs from the recorded ${row.index_id}`,
      "The content store or the tokenizer changed; rebuild the version's index from its manifest.",
    );
  }
}

function rpcError(cause: unknown): VersionError {
  return new VersionError(
    "RPC_ERROR",
    `chain request failed: ${(cause as Error)?.message?.split("\n")[0] ?? String(cause)}`,
    "Check the node's RPC connection; the publication stays in flight and is finished on retry or restart.",
    { cause },
  );
}
