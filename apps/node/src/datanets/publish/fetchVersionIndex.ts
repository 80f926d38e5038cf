import { createHash } from "node:crypto";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import type { NodeContext } from "../../context/NodeContext.ts";
import { fetchLimited, OutboundFetchError } from "../../net/fetchLimited.ts";
import { createLineGuard, LineLimitError } from "../../net/lineGuard.ts";
import { outboundLimits } from "../../net/outboundConfig.ts";
import { cidForSha256 } from "../../store/cid.ts";
import { catchUpIndexer, chainOf } from "./chainOf.ts";
import { cidOfContentHash } from "./collectVersionContents.ts";
import { VersionError } from "./errors.ts";
import { indexPublishedVersions } from "./indexPublishedVersions.ts";
import { manifestCidOf, parseManifest } from "./parseManifest.ts";

const cidOf = (bytes: Uint8Array): string => cidForSha256(createHash("sha256").update(bytes).digest());

/** Parameters of {@link fetchVersionIndex}. */
export type FetchVersionIndexParameters = {
  datanetId: bigint;
  version: number;
  /** Nodes to download the version's export from, tried in order. */
  sources: readonly string[];
  fetch?: typeof fetch;
};

/**
 * Gives this node the attribution index of a version published elsewhere, trusting nobody but the chain: the
 * manifest and the texts are downloaded from another node's export (`GET <node>/v1/datanets/:id/versions/:v/
 * export?file=manifest.json|data.jsonl`) and kept only where they hash to what the chain commits to: the
 * manifest to the CID in the version's on-chain `manifestURI`, each text to its contribution's content hash in
 * the manifest. `indexPublishedVersions` then rebuilds the index from them and checks the manifest against
 * the version's on-chain contributions root.
 * A verifier uses it for receipts whose versions it never indexed.
 *
 * @throws {VersionError} `VERSION_NOT_FOUND`, `MANIFEST_MISSING` (no source served a matching manifest),
 * `CONTENT_MISSING` (no source gave the texts the chain commits to).
 *
 * @example
 * const { indexId } = await fetchVersionIndex(ctx, { datanetId: 2n, version: 1, sources: ["http://peer:8787"] });
 */
export async function fetchVersionIndex(
  ctx: NodeContext,
  params: FetchVersionIndexParameters,
): Promise<{ indexId: string }> {
  const { datanetId, version } = params;
  const fetchOption = params.fetch ? { fetch: params.fetch } : {};
  await catchUpIndexer(chainOf(ctx));
  const row = await ctx.db
    .selectFrom("versions")
    .select(["manifest_uri", "contributions_root"])
    .where("datanet_id", "=", Number(datanetId))
    .where("version", "=", version)
    .executeTakeFirst();
  if (!row) {
    throw new VersionError(
      "VERSION_NOT_FOUND",
      `datanet ${datanetId} has no version ${version} on chain`,
      "Check the datanet id and version.",
    );
  }
  const manifestCid = manifestCidOf(row.manifest_uri);
  if (!manifestCid) {
    throw new VersionError(
      "MANIFEST_MISSING",
      `version ${version} of datanet ${datanetId} names its manifest ${row.manifest_uri}, not ipfs://<cid>`,
      "Index it from its texts by hand (POST them to this node's content store), or verify elsewhere.",
    );
  }
  const errors: string[] = [];
  for (const source of params.sources) {
    const base = `${source.replace(/\/$/, "")}/v1/datanets/${datanetId}/versions/${version}/export?file=`;
    try {
      if (!(await ctx.store.has(manifestCid))) {
        const res = await fetchLimited(`${base}manifest.json`, {
          limits: outboundLimits(ctx.outbound, "manifest"),
          ...fetchOption,
        });
        if (!res.ok) {
          await res.cancel();
          errors.push(`${source}: manifest HTTP ${res.status}`);
          continue;
        }
        const bytes = await res.bytes();
        const cid = cidOf(bytes);
        if (cid !== manifestCid) {
          errors.push(`${source}: served a manifest that hashes to ${cid}, not ${manifestCid}`);
          continue;
        }
        await ctx.store.put(bytes);
      }
      const manifest = parseManifest({
        bytes: (await ctx.store.get(manifestCid)) as Uint8Array,
        source: row.manifest_uri,
      });
      const wanted = new Map(manifest.contributions.map((c) => [c.id, c]));
      const missing = [];
      for (const c of manifest.contributions) if (!(await ctx.store.has(c.cid))) missing.push(c.id);
      if (missing.length > 0) {
        const dataLimits = outboundLimits(ctx.outbound, "versionData");
        const res = await fetchLimited(`${base}data.jsonl`, { limits: dataLimits, ...fetchOption });
        if (!res.ok) {
          await res.cancel();
          errors.push(`${source}: data.jsonl HTTP ${res.status}`);
          continue;
        }
        const encoder = new TextEncoder();
        // Line by line (memory is one text, not the export); a line that is not JSON is skipped, never echoed.
        const body = Readable.fromWeb(res.body as never);
        const guarded = createLineGuard(dataLimits);
        body.on("error", (error) => guarded.destroy(error));
        const lines = createInterface({ input: body.pipe(guarded), crlfDelay: Number.POSITIVE_INFINITY });
        for await (const line of lines) {
          if (line.trim() === "") continue;
          let parsed: { id?: unknown; text?: unknown };
          try {
            parsed = JSON.parse(line) as typeof parsed;
          } catch {
            continue;
          }
          const { id, text } = parsed;
          if (typeof id !== "string") continue;
          const entry = wanted.get(id);
          if (!entry || typeof text !== "string" || (await ctx.store.has(entry.cid))) continue;
          // Keep only the text the chain committed to (the CID follows from the contribution's content hash).
          const bytes = encoder.encode(text);
          if (cidOf(bytes) === cidOfContentHash(entry.contentHash)) await ctx.store.put(bytes);
        }
      }
      const outcome = (await indexPublishedVersions(ctx, { datanetId })).find((o) => o.version === version);
      const indexed = await ctx.db
        .selectFrom("version_indexes")
        .select("index_id")
        .where("datanet_id", "=", Number(datanetId))
        .where("version", "=", version)
        .executeTakeFirst();
      if (indexed) {
        if (indexed.index_id !== manifest.index.id) {
          // The texts are the ones the chain commits to, so the rebuilt index is the version's; the manifest's
          // index field is only informative.
          ctx.log("warn", "versions: the manifest names another index than the one its texts build", {
            datanetId: datanetId.toString(),
            version,
            built: indexed.index_id,
            manifest: manifest.index.id,
          });
        }
        return { indexId: indexed.index_id };
      }
      errors.push(`${source}: ${outcome?.detail ?? outcome?.status ?? "not indexed"}`);
    } catch (error) {
      // Only this node's own words: an OutboundFetchError names the URL and the reason, nothing it answered.
      errors.push(
        error instanceof OutboundFetchError || error instanceof VersionError
          ? `${source}: ${error.message}`
          : error instanceof LineLimitError
            ? `${source}: data.jsonl ${error.message}`
            : `${source}: the download failed`,
      );
    }
  }
  throw new VersionError(
    "CONTENT_MISSING",
    `could not index version ${version} of datanet ${datanetId} from other nodes${errors.length ? `: ${errors.join("; ")}` : " (no node to ask)"}`,
    "Pass the URL of a node that has the version (nodeURL), or index it on this node from its export.",
  );
}
