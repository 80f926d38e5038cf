import { randomUUID } from "node:crypto";
import { getVersion, getVersionCount, isCurator } from "@tributary/sdk";
import type { NodeContext } from "../../context/NodeContext.ts";
import type { PublicationRow } from "../../db/schema.ts";
import { buildManifest } from "./buildManifest.ts";
import { buildVersionIndex } from "./buildVersionIndex.ts";
import { catchUpIndexer, chainOf, withNodeKey } from "./chainOf.ts";
import { collectVersionContents } from "./collectVersionContents.ts";
import { completePublication, manifestUriOf, type Publication } from "./completePublication.ts";
import { VersionError } from "./errors.ts";
import { failpoint } from "./failpoint.ts";
import { signPublishTransaction } from "./signPublishTransaction.ts";

/** Parameters of {@link publishVersion}. */
export type PublishVersionParameters = {
  datanetId: bigint;
  /** How long to wait for the transaction to be mined (default 120 s). */
  receiptTimeoutMs?: number;
};

/** Return type of {@link publishVersion}: the finished publication (state `indexed`). */
export type PublishVersionReturnType = Publication;

/**
 * Errors of {@link publishVersion} (`VersionError`): `NO_CHAIN`, `DATANET_NOT_FOUND`, `NODE_NOT_CURATOR`,
 * `EMPTY_VERSION`, `VERSION_UNCHANGED`, `CONTENT_MISSING`, `ACCOUNT_CANNOT_SIGN`, `PUBLISH_REVERTED`,
 * `PUBLISH_TIMEOUT` and `RPC_ERROR` (the last two retryable; the publication then stays in flight).
 */
export type PublishVersionErrorType = VersionError;

/**
 * Publishes the next version of a datanet with the node's key. Steps, each durable before the next:
 *
 * 1. catch the indexer up, so the projection equals the chain; finish any publication of this datanet a
 *    crash left in flight;
 * 2. take the Accepted contributions and their texts from the content store; build the contributions tree
 *    (refused when empty, or when the latest version already has exactly this root);
 * 3. build the attribution index and write it (content-addressed) — failpoint `after-index`;
 * 4. build the canonical manifest (listing the index) and put it in the store — `after-manifest`;
 * 5. sign `publishVersion(root, count, "ipfs://<manifest cid>")` and write a `publications` row holding the
 *    signed transaction — `after-db`;
 * 6. broadcast — `after-broadcast`; wait for the receipt — `after-receipt`; record `version_indexes`.
 *
 * A crash before step 5 leaves only content-addressed blobs, which the next attempt writes again unchanged;
 * from step 5 on, `recoverPublications` finishes the row (see `completePublication`).
 *
 * @example
 * const { version, manifestURI, indexId } = await publishVersion(ctx, { datanetId: 1n });
 */
export async function publishVersion(
  ctx: NodeContext,
  params: PublishVersionParameters,
): Promise<PublishVersionReturnType> {
  const chain = chainOf(ctx);
  const { datanetId } = params;
  await catchUpIndexer(chain);
  const datanet = await ctx.db
    .selectFrom("datanets")
    .selectAll()
    .where("id", "=", Number(datanetId))
    .executeTakeFirst();
  if (!datanet) {
    throw new VersionError(
      "DATANET_NOT_FOUND",
      `datanet ${datanetId} does not exist on chain ${chain.chainId}`,
      "Check the datanet id (GET /v1/datanets lists them).",
      { details: { datanetId: datanetId.toString() } },
    );
  }
  const node = chain.walletClient.account.address;
  if (!(await isCurator(chain.sdk, { datanetId, account: node }))) {
    throw new VersionError(
      "NODE_NOT_CURATOR",
      `this node's address ${node} is not a curator of datanet ${datanetId}, so it cannot publish its versions`,
      `Have the datanet owner (${datanet.owner}) add ${node} as a curator (DatanetRegistry.addCurator(${datanetId}, ${node})), or publish with a curator's key.`,
      { details: { datanetId: datanetId.toString(), node, owner: datanet.owner } },
    );
  }

  const inFlight = await ctx.db
    .selectFrom("publications")
    .selectAll()
    .where("datanet_id", "=", Number(datanetId))
    .where("state", "in", ["planned", "broadcast", "mined"])
    .execute();
  const finished: Publication[] = [];
  for (const row of inFlight) {
    finished.push(
      await withNodeKey(ctx, () => completePublication(ctx, { publication: row, ...timeout(params) })),
    );
  }
  if (finished.length > 0) await catchUpIndexer(chain);

  const { documents, contributionsRoot } = await collectVersionContents(ctx, { datanetId });
  const latest = Number(await getVersionCount(chain.sdk, { datanetId }));
  if (latest > 0) {
    const previous = await getVersion(chain.sdk, { datanetId, version: BigInt(latest) });
    if (previous.contributionsRoot.toLowerCase() === contributionsRoot) {
      // A crash had left this very publication in flight and it is now done: that is the answer.
      const recovered = finished.find(
        (p) => p.contributionsRoot === contributionsRoot && p.version === latest,
      );
      if (recovered) return recovered;
      throw new VersionError(
        "VERSION_UNCHANGED",
        `version ${latest} of datanet ${datanetId} already holds exactly these ${documents.length} accepted contributions`,
        "Accept new contributions (or let contributors withdraw) before publishing another version.",
        { details: { datanetId: datanetId.toString(), version: latest } },
      );
    }
  }
  const plannedVersion = latest + 1;

  const built = await buildVersionIndex(ctx, { documents });
  failpoint("after-index");
  documents.forEach((d, i) => {
    d.tokens = built.tokenCounts[i] ?? 0;
  });
  const { bytes } = buildManifest({
    chainId: chain.chainId,
    datanetRegistry: chain.deployment.contracts.datanetRegistry,
    datanetId: datanetId.toString(),
    version: plannedVersion,
    contributionsRoot,
    count: documents.length,
    tokenizer: ctx.tokenizer.name,
    licenseId: datanet.license_id.toLowerCase() as `0x${string}`,
    index: { id: built.indexId, formatVersion: built.formatVersion, tokens: built.tokens },
    contributions: documents.map(({ text: _text, contributionId: _id, ...c }) => c),
  });
  const { cid: manifestCid } = await ctx.store.put(bytes);
  failpoint("after-manifest");

  // From signing to the receipt, hold the node key: a relayed upload must not take the nonce in between.
  return await withNodeKey(ctx, async () => {
    const signed = await signPublishTransaction(chain, {
      datanetId,
      contributionsRoot,
      count: documents.length,
      manifestURI: manifestUriOf(manifestCid),
    });
    const now = new Date().toISOString();
    const row: PublicationRow = {
      id: randomUUID(),
      datanet_id: Number(datanetId),
      planned_version: plannedVersion,
      version: null,
      contributions_root: contributionsRoot,
      count: documents.length,
      manifest_cid: manifestCid,
      index_id: built.indexId,
      tokens: built.tokens,
      state: "planned",
      tx_hash: signed.txHash,
      raw_tx: signed.rawTx,
      nonce: signed.nonce,
      block_number: null,
      error: null,
      created_at: now,
      updated_at: now,
    };
    await ctx.db.insertInto("publications").values(row).execute();
    failpoint("after-db");
    return await completePublication(ctx, { publication: row, ...timeout(params) });
  });
}

function timeout(params: PublishVersionParameters): { receiptTimeoutMs?: number } {
  return params.receiptTimeoutMs === undefined ? {} : { receiptTimeoutMs: params.receiptTimeoutMs };
}
