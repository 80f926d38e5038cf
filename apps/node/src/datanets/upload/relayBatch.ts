import { datanetRegistryAbi } from "@tributary/abi";
import { getContributionIdOf } from "@tributary/sdk";
import {
  decodeEventLog,
  encodeFunctionData,
  getAddress,
  type Hex,
  keccak256,
  type TransactionReceipt,
} from "viem";
import type { UploadBatchRow, UploadRow } from "../../db/schema.ts";
import { chainError } from "./chainErrors.ts";
import { metadataUriOf } from "./documentBlobs.ts";
import { DatanetError } from "./errors.ts";
import { failpoint } from "./failpoint.ts";
import { requireChain, type UploadDeps } from "./uploadContext.ts";

/** What happened to a batch: mined (its contributions are recorded) or reverted (it needs a new signature). */
export type RelayBatchReturnType =
  | { outcome: "mined"; contributionIds: bigint[] }
  | { outcome: "reverted"; error: string };

/**
 * Brings one batch of a relayed upload on chain, whatever state a crash left it in. Runs under the node-key lock.
 *
 * - `signed`: simulate (a revert costs nothing and comes back decoded), take the relayer's next nonce, sign the
 *   transaction locally, write the raw transaction and its hash to the batch row (**durable before broadcast**),
 *   broadcast, wait for the receipt, record the contribution ids.
 * - `sent` (recovery, or a broadcast that failed): a receipt of any hash ever signed for the batch settles it;
 *   content already registered settles it too (matched from the chain); else the same raw transaction is
 *   rebroadcast (same nonce); if the relayer's nonce was taken by another transaction, the batch is signed again
 *   with a fresh nonce. Two relayer transactions carrying the same contributor signature can never both register:
 *   the first consumes the contributor's EIP-712 nonce (and the contract refuses content it already has).
 *
 * @example
 * const result = await relayBatch(deps, upload, 0);
 */
export async function relayBatch(
  deps: UploadDeps,
  upload: UploadRow,
  batch: number,
): Promise<RelayBatchReturnType> {
  return await deps.state.nodeKeyLock.run(async () => {
    const row = await deps.ctx.db
      .selectFrom("upload_batches")
      .selectAll()
      .where("upload_id", "=", upload.id)
      .where("batch", "=", batch)
      .executeTakeFirst();
    if (!row) throw new Error(`upload ${upload.id} has no batch ${batch}`);
    if (row.status === "mined")
      return { outcome: "mined", contributionIds: await idsOf(deps, upload.id, batch) };
    if (row.status === "sent") return await resolveSent(deps, upload, row);
    return await signAndSend(deps, upload, row);
  });
}

async function batchArgs(deps: UploadDeps, upload: UploadRow, row: UploadBatchRow) {
  const docs = await deps.ctx.db
    .selectFrom("upload_documents")
    .selectAll()
    .where("upload_id", "=", upload.id)
    .where("batch", "=", row.batch)
    .orderBy("position")
    .execute();
  return {
    docs,
    args: [
      BigInt(upload.datanet_id),
      docs.map((d) => d.content_hash as Hex),
      docs.map((d) => BigInt(d.size)),
      docs.map((d) => metadataUriOf(d.metadata_cid)),
      getAddress(upload.contributor),
      BigInt(upload.deadline),
      row.signature as Hex,
    ] as const,
  };
}

async function signAndSend(
  deps: UploadDeps,
  upload: UploadRow,
  row: UploadBatchRow,
): Promise<RelayBatchReturnType> {
  const { ctx } = deps;
  const chain = requireChain(ctx);
  const account = chain.walletClient.account;
  if (account.type !== "local")
    throw new DatanetError(
      500,
      "ACCOUNT_CANNOT_SIGN",
      "the node's account cannot sign raw transactions",
      "Configure the node with a local key (private key, mnemonic or keystore) so relayed transactions can be recorded before they are broadcast.",
    );
  const registry = chain.deployment.contracts.datanetRegistry;
  const { args } = await batchArgs(deps, upload, row);
  try {
    await chain.publicClient.simulateContract({
      address: registry,
      abi: datanetRegistryAbi,
      functionName: "contributeBatchWithSig",
      args,
      account,
    });
  } catch (e) {
    const error = chainError(
      e,
      "SUBMIT_REVERTED",
      `batch ${row.batch} of upload ${upload.id}`,
      datanetRegistryAbi,
    );
    if (error.code === "RPC_ERROR") throw error;
    await dropBatchesFrom(deps, upload, row.batch, error.message);
    throw new DatanetError(
      409,
      "SUBMIT_REVERTED",
      error.message,
      `${error.hint} Nothing was sent; GET /v1/uploads/${upload.id} gives fresh typed data to sign.`.trim(),
      { cause: e, details: error.details },
    );
  }
  const data = encodeFunctionData({ abi: datanetRegistryAbi, functionName: "contributeBatchWithSig", args });
  let raw: Hex;
  let nonce: number;
  try {
    nonce = await chain.publicClient.getTransactionCount({ address: account.address, blockTag: "pending" });
    const request = await chain.walletClient.prepareTransactionRequest({
      account,
      chain: chain.walletClient.chain,
      to: registry,
      data,
      nonce,
    });
    raw = await chain.walletClient.signTransaction(request as never);
  } catch (e) {
    throw chainError(e, "RPC_ERROR", "preparing the relayed transaction");
  }
  const hash = keccak256(raw);
  const hashes = [...(JSON.parse(row.tx_hashes) as string[]), hash];
  await ctx.db
    .updateTable("upload_batches")
    .set({
      status: "sent",
      relayer_nonce: nonce,
      raw_tx: raw,
      tx_hash: hash,
      tx_hashes: JSON.stringify(hashes),
      error: null,
      updated_at: new Date().toISOString(),
    })
    .where("upload_id", "=", upload.id)
    .where("batch", "=", row.batch)
    .execute();
  failpoint("upload:after-intent");
  const sent = {
    ...row,
    status: "sent" as const,
    relayer_nonce: nonce,
    raw_tx: raw,
    tx_hash: hash,
    tx_hashes: JSON.stringify(hashes),
  };
  try {
    await chain.publicClient.sendRawTransaction({ serializedTransaction: raw });
  } catch (e) {
    ctx.log("warn", "upload: broadcast failed, resolving the batch", {
      id: upload.id,
      batch: row.batch,
      e: String(e),
    });
    return await resolveSent(deps, upload, sent);
  }
  failpoint("upload:after-broadcast");
  return await settle(deps, upload, sent, await waitReceipt(deps, hash));
}

async function waitReceipt(deps: UploadDeps, hash: Hex): Promise<TransactionReceipt> {
  const chain = requireChain(deps.ctx);
  try {
    return await chain.publicClient.waitForTransactionReceipt({
      hash,
      timeout: deps.options.receiptTimeoutMs,
    });
  } catch (e) {
    throw new DatanetError(
      504,
      "SUBMIT_PENDING",
      `transaction ${hash} is not mined yet`,
      "It is recorded and will be resolved by recovery; check GET /v1/uploads/:id later.",
      { cause: e, retryable: true },
    );
  }
}

async function receiptOf(
  deps: UploadDeps,
  hashes: readonly string[],
): Promise<TransactionReceipt | undefined> {
  const chain = requireChain(deps.ctx);
  for (const hash of hashes) {
    const receipt = await chain.publicClient
      .getTransactionReceipt({ hash: hash as Hex })
      .catch(() => undefined);
    if (receipt) return receipt;
  }
  return undefined;
}

async function resolveSent(
  deps: UploadDeps,
  upload: UploadRow,
  row: UploadBatchRow,
): Promise<RelayBatchReturnType> {
  const { ctx } = deps;
  const chain = requireChain(ctx);
  const hashes = JSON.parse(row.tx_hashes) as string[];
  const mined = await receiptOf(deps, hashes);
  if (mined) return await settle(deps, upload, row, mined);
  // Registered some other way (the contributor sent the same signature itself): take the ids from the chain.
  const { docs } = await batchArgs(deps, upload, row);
  const ids: bigint[] = [];
  for (const d of docs)
    ids.push(
      await getContributionIdOf(chain.sdk, {
        datanetId: BigInt(upload.datanet_id),
        contributor: getAddress(upload.contributor),
        contentHash: d.content_hash as Hex,
      }),
    );
  if (ids.every((id) => id !== 0n)) {
    await recordMined(
      deps,
      upload,
      row.batch,
      docs.map((d, i) => [d.position, ids[i]!] as const),
      null,
    );
    return { outcome: "mined", contributionIds: ids };
  }
  if (row.raw_tx) {
    try {
      await chain.publicClient.sendRawTransaction({ serializedTransaction: row.raw_tx as Hex });
      return await settle(deps, upload, row, await waitReceipt(deps, row.tx_hash as Hex));
    } catch (e) {
      if (e instanceof DatanetError) throw e;
      if (/already known|known transaction|already imported/i.test(String(e)))
        return await settle(deps, upload, row, await waitReceipt(deps, row.tx_hash as Hex));
      const late = await receiptOf(deps, hashes);
      if (late) return await settle(deps, upload, row, late);
      ctx.log("warn", "upload: rebroadcast refused, signing the batch again", {
        id: upload.id,
        batch: row.batch,
        e: String(e).slice(0, 200),
      });
    }
  }
  return await signAndSend(deps, upload, row);
}

async function settle(
  deps: UploadDeps,
  upload: UploadRow,
  row: UploadBatchRow,
  receipt: TransactionReceipt,
): Promise<RelayBatchReturnType> {
  failpoint("upload:after-receipt");
  if (receipt.status !== "success") {
    const error = `transaction ${receipt.transactionHash} reverted`;
    await dropBatchesFrom(deps, upload, row.batch, error);
    return { outcome: "reverted", error };
  }
  const registry = requireChain(deps.ctx).deployment.contracts.datanetRegistry.toLowerCase();
  const idOf = new Map<string, bigint>();
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== registry) continue;
    try {
      const ev = decodeEventLog({ abi: datanetRegistryAbi, data: log.data, topics: log.topics });
      if (ev.eventName === "ContributionRegistered")
        idOf.set(ev.args.contentHash.toLowerCase(), ev.args.contributionId);
    } catch {
      // another event of the registry's ABI that does not decode: not ours
    }
  }
  const { docs } = await batchArgs(deps, upload, row);
  const pairs = docs.map((d) => [d.position, idOf.get(d.content_hash.toLowerCase()) ?? 0n] as const);
  if (pairs.some(([, id]) => id === 0n))
    throw new Error(`receipt ${receipt.transactionHash} lacks registrations of upload ${upload.id}`);
  await recordMined(deps, upload, row.batch, pairs, Number(receipt.blockNumber), receipt.transactionHash);
  return { outcome: "mined", contributionIds: pairs.map(([, id]) => id) };
}

async function recordMined(
  deps: UploadDeps,
  upload: UploadRow,
  batch: number,
  pairs: readonly (readonly [number, bigint])[],
  blockNumber: number | null,
  txHash?: Hex,
): Promise<void> {
  await deps.ctx.db.transaction().execute(async (trx) => {
    for (const [position, id] of pairs) {
      await trx
        .updateTable("upload_documents")
        .set({ contribution_id: Number(id) })
        .where("upload_id", "=", upload.id)
        .where("position", "=", position)
        .execute();
    }
    await trx
      .updateTable("upload_batches")
      .set({
        status: "mined",
        block_number: blockNumber,
        ...(txHash ? { tx_hash: txHash } : {}),
        error: null,
        updated_at: new Date().toISOString(),
      })
      .where("upload_id", "=", upload.id)
      .where("batch", "=", batch)
      .execute();
    const open = await trx
      .selectFrom("upload_documents")
      .select("position")
      .where("upload_id", "=", upload.id)
      .where("contribution_id", "is", null)
      .executeTakeFirst();
    if (!open)
      await trx
        .updateTable("uploads")
        .set({ status: "completed", error: null, updated_at: new Date().toISOString() })
        .where("id", "=", upload.id)
        .execute();
  });
}

/** Forgets the signatures of batch `from` and later (they can no longer be used in order); the upload waits for new ones. */
async function dropBatchesFrom(
  deps: UploadDeps,
  upload: UploadRow,
  from: number,
  error: string,
): Promise<void> {
  await deps.ctx.db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom("upload_batches")
      .where("upload_id", "=", upload.id)
      .where("batch", ">=", from)
      .where("status", "!=", "mined")
      .execute();
    const mined = await trx
      .selectFrom("upload_batches")
      .select("batch")
      .where("upload_id", "=", upload.id)
      .executeTakeFirst();
    await trx
      .updateTable("uploads")
      .set({ status: mined ? "submitting" : "staged", error, updated_at: new Date().toISOString() })
      .where("id", "=", upload.id)
      .execute();
  });
}

async function idsOf(deps: UploadDeps, uploadId: string, batch: number): Promise<bigint[]> {
  const rows = await deps.ctx.db
    .selectFrom("upload_documents")
    .select("contribution_id")
    .where("upload_id", "=", uploadId)
    .where("batch", "=", batch)
    .orderBy("position")
    .execute();
  return rows.map((r) => BigInt(r.contribution_id ?? 0));
}
