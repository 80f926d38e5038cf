import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, rmSync } from "node:fs";
import { open as openFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ApiError } from "../api/ApiError.ts";
import type { NodeContext } from "../context/NodeContext.ts";
import { fetchLimited, OutboundFetchError } from "../net/fetchLimited.ts";
import { createLineGuard, LineLimitError } from "../net/lineGuard.ts";
import { type BundleLimits, outboundLimits } from "../net/outboundConfig.ts";
import { cidForSha256 } from "../store/cid.ts";
import { BUNDLE_FORMAT, type BundleLine, readBundle } from "./bundle.ts";

/** Bundles downloaded for one verification, kept aside until it succeeds. */
export type BundleStage = {
  /**
   * Opens a bundle by CID: from this node's content store, else downloaded from the first of the sources that
   * serves bytes hashing to the CID, under the bundle limits (size, line length, line count, time), into a
   * temporary file. Nothing reaches the content store before {@link BundleStage.commit}.
   *
   * @throws {ApiError} 502 `BUNDLE_UNAVAILABLE` naming each source and why it failed (never what it answered).
   */
  open(cid: string): Promise<AsyncIterable<BundleLine>>;
  /** Puts every downloaded bundle into the content store (call once the verification succeeded). */
  commit(): Promise<void>;
  /** Removes the downloaded bundles that were not committed (always call, in a `finally`). */
  discard(): void;
};

/**
 * A stage for the bundles of one verification: downloaded bundles wait in temporary files until the report
 * they back is verified, so a bundle that hashes right but does not verify never appears in the content store
 * (nor under `GET /v1/bundles/:cid`).
 *
 * @example
 * const stage = createBundleStage(ctx, [peerUrl]);
 * try {
 *   const result = await verifyBundle(ctx, chain, { report, lines: await stage.open(cid), openBundle: stage.open });
 *   if (result.ok) await stage.commit();
 * } finally {
 *   stage.discard();
 * }
 */
export function createBundleStage(
  ctx: NodeContext,
  sources: readonly string[],
  options: { fetch?: typeof fetch; limits?: BundleLimits } = {},
): BundleStage {
  const limits = options.limits ?? outboundLimits(ctx.outbound, "bundle");
  const staged = new Map<string, string>();
  return {
    async open(cid) {
      if (!staged.has(cid) && !(await ctx.store.has(cid))) {
        staged.set(cid, await download(ctx, cid, sources, limits, options.fetch));
      }
      const path = staged.get(cid);
      const stream = path ? createReadStream(path) : ctx.store.createReadStream(cid);
      if (!stream) throw new ApiError(404, "BUNDLE_NOT_FOUND", `bundle ${cid} is not on this node`, "Retry.");
      return readBundle(stream);
    },
    async commit() {
      for (const [cid, path] of staged) {
        await ctx.store.putFile(path);
        staged.delete(cid);
      }
    },
    discard() {
      for (const path of staged.values()) rmSync(path, { force: true });
      staged.clear();
    },
  };
}

async function download(
  ctx: NodeContext,
  cid: string,
  sources: readonly string[],
  limits: BundleLimits,
  doFetch: typeof fetch | undefined,
): Promise<string> {
  const errors: string[] = [];
  mkdirSync(ctx.store.tmpDir, { recursive: true });
  for (const source of sources) {
    const path = join(ctx.store.tmpDir, `download-${cid}-${process.pid}-${Date.now()}-${errors.length}`);
    const url = `${source.replace(/\/+$/, "")}/v1/bundles/${cid}`;
    try {
      const res = await fetchLimited(url, { limits, ...(doFetch ? { fetch: doFetch } : {}) });
      if (!res.ok) {
        await res.cancel();
        errors.push(`${source}: HTTP ${res.status}`);
        continue;
      }
      const hash = createHash("sha256");
      const guard = createLineGuard(limits);
      guard.on("data", (chunk: Buffer) => hash.update(chunk));
      await pipeline(Readable.fromWeb(res.body as never), guard, createWriteStream(path));
      const got = cidForSha256(hash.digest());
      if (got !== cid) {
        rmSync(path, { force: true });
        errors.push(`${source}: served bytes that hash to ${got}`);
        continue;
      }
      return path;
    } catch (error) {
      rmSync(path, { force: true });
      const why =
        error instanceof OutboundFetchError
          ? error.message
          : error instanceof LineLimitError
            ? `${url}: the bundle ${error.message}`
            : `${url}: the download failed`;
      errors.push(why);
    }
  }
  throw new ApiError(
    502,
    "BUNDLE_UNAVAILABLE",
    `bundle ${cid} could not be downloaded${errors.length ? `: ${errors.join("; ")}` : " (no node to ask)"}`,
    "Check that the node that closed the epoch is one of this node's peers and serves the bundle; the bundle limits are NodeConfig.outbound.bundle.",
  );
}

/**
 * Whether the content store holds `cid` as an epoch bundle of this deployment (its first line is a bundle
 * header for this chain and Settlement), so `GET /v1/bundles/:cid` serves bundles only, not any stored file
 * (uploads, texts, manifests) by its CID.
 */
export async function isStoredBundle(ctx: NodeContext, cid: string): Promise<boolean> {
  if (!ctx.chain || !(await ctx.store.has(cid).catch(() => false))) return false;
  let head: string;
  const file = await openFile(ctx.store.pathOf(cid), "r").catch(() => undefined);
  if (!file) return false;
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await file.close();
  }
  const newline = head.indexOf("\n");
  if (newline < 0) return false;
  try {
    const header = JSON.parse(head.slice(0, newline)) as Record<string, unknown>;
    return (
      header.type === "header" &&
      header.format === BUNDLE_FORMAT &&
      header.chainId === ctx.chain.chainId &&
      String(header.settlement).toLowerCase() === ctx.chain.deployment.contracts.settlement.toLowerCase()
    );
  } catch {
    return false;
  }
}
