import { createHash } from "node:crypto";
import { createWriteStream, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ApiError } from "../api/ApiError.ts";
import type { NodeContext } from "../context/NodeContext.ts";
import { cidForSha256 } from "../store/cid.ts";
import { type BundleLine, readBundle } from "./bundle.ts";

/**
 * Opens a bundle by CID: from this node's content store, else downloaded from the first node in `sources`
 * that serves it (`GET <node>/v1/bundles/<cid>`), hashed while streaming to disk and kept only if it hashes
 * to the CID (then stored, so this node serves it too).
 */
export async function openBundle(
  ctx: NodeContext,
  cid: string,
  sources: readonly string[],
  doFetch: typeof fetch = fetch,
): Promise<AsyncIterable<BundleLine>> {
  if (!(await ctx.store.has(cid))) await download(ctx, cid, sources, doFetch);
  const stream = ctx.store.createReadStream(cid);
  if (!stream) throw new ApiError(404, "BUNDLE_NOT_FOUND", `bundle ${cid} is not on this node`, "Retry.");
  return readBundle(stream);
}

async function download(ctx: NodeContext, cid: string, sources: readonly string[], doFetch: typeof fetch) {
  const errors: string[] = [];
  mkdirSync(ctx.store.tmpDir, { recursive: true });
  for (const source of sources) {
    const path = join(ctx.store.tmpDir, `download-${cid}-${process.pid}-${Date.now()}`);
    try {
      const res = await doFetch(`${source.replace(/\/$/, "")}/v1/bundles/${cid}`);
      if (!res.ok || !res.body) {
        errors.push(`${source}: HTTP ${res.status}`);
        continue;
      }
      const hash = createHash("sha256");
      const body = Readable.fromWeb(res.body as never);
      body.on("data", (chunk: Buffer) => hash.update(chunk));
      await pipeline(body, createWriteStream(path));
      const got = cidForSha256(hash.digest());
      if (got !== cid) {
        errors.push(`${source}: served bytes that hash to ${got}`);
        rmSync(path, { force: true });
        continue;
      }
      await ctx.store.putFile(path);
      return;
    } catch (error) {
      rmSync(path, { force: true });
      errors.push(`${source}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new ApiError(
    502,
    "BUNDLE_UNAVAILABLE",
    `bundle ${cid} could not be downloaded${errors.length ? `: ${errors.join("; ")}` : " (no node to ask)"}`,
    "Pass the URL of a node that serves it (nodeURL), or configure epoch peers.",
  );
}
