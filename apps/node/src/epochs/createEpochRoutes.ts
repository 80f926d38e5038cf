import { Readable } from "node:stream";
import { receiptFromJson } from "@tributary/core";
import { type EpochReport, hashEpochReportOffline } from "@tributary/sdk";
import { type Context, Hono } from "hono";
import { sql } from "kysely";
import { type Address, getAddress, type Hex, isAddress } from "viem";
import { z } from "zod";
import { ApiError } from "../api/ApiError.ts";
import { parseJsonText } from "../api/json.ts";
import { requireOperator } from "../api/requireOperator.ts";
import { requireWellFormed } from "../api/requireWellFormed.ts";
import type { NodeContext } from "../context/NodeContext.ts";
import { createCosignAuth } from "./authenticateCosign.ts";
import { isStoredBundle } from "./bundleSource.ts";
import { createEpochService, type EpochService, type EpochServiceOptions } from "./createEpochService.ts";
import { epochOfRowid, epochRanges, parseEpochParam, receiptRange, toEpochView } from "./epochRecords.ts";
import { quarantinedRowids, quarantineOf } from "./quarantine.ts";

/** Options of {@link createEpochRoutes}. */
export type CreateEpochRoutesOptions = EpochServiceOptions & {
  /** A service to use (one is created from `ctx` and the options when absent). */
  service?: EpochService;
  /** Close and finalize on a timer every `intervalMs` (0 or absent: only on request). */
  intervalMs?: number;
};

/** Turns bigints into decimal strings, recursively (every amount in the API is a string). */
export function jsonify(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(jsonify);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonify(v)]));
  }
  return value;
}

const uint = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, "a decimal integer string");
const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "32 bytes of 0x-hex");
const reportBody = z.object({
  report: z.object({
    epoch: uint,
    chargesRoot: hex32,
    rewardsRoot: hex32,
    cumulativeCharged: uint,
    cumulativeRewards: uint,
    receiptsRoot: hex32,
    bundleURI: z.string().min(1).max(512),
  }),
  nodeURL: z.string().min(1).max(2048),
  receiptCount: z
    .string()
    .regex(/^(0|[1-9][0-9]{0,9})$/, "a decimal integer string")
    .optional(),
  issuedAt: z
    .string()
    .regex(/^(0|[1-9][0-9]{0,15})$/, "unix seconds as a decimal string")
    .optional(),
  nonce: hex32.optional(),
  signer: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, "an address")
    .optional(),
  signature: z
    .string()
    .regex(/^0x[0-9a-fA-F]{130}$/, "a 65-byte signature")
    .optional(),
});
const claimsBody = z.object({ accounts: z.array(z.string()).min(1).max(100) });
const closeBody = z.strictObject({ allowEmpty: z.boolean().optional() });
const verifyBody = z.object({ nodeURL: z.string().min(1).max(2048).optional() });

async function body<T>(c: Context, schema: z.ZodType<T>, allowEmpty = false): Promise<T> {
  let raw: unknown = {};
  const text = await c.req.text();
  if (text.trim() !== "" || !allowEmpty)
    raw = parseJsonText(text, { hint: "Send a JSON object body.", allowEmpty: false });
  requireWellFormed(raw, "body", text);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(
      400,
      "INVALID_BODY",
      `invalid request body: ${issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "malformed"}`,
      "Check the body against docs/api-epochs.md.",
    );
  }
  return parsed.data;
}

function addressParam(raw: string, what = "address"): Address {
  if (!isAddress(raw, { strict: false })) {
    throw new ApiError(
      400,
      "INVALID_ADDRESS",
      `'${raw}' is not an ${what}`,
      "Pass a 0x-prefixed 20-byte hex address.",
    );
  }
  return getAddress(raw);
}

function page(c: Context): { limit: number; cursor: number | undefined } {
  const limitRaw = c.req.query("limit") ?? "50";
  const cursorRaw = c.req.query("cursor");
  const limit = Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    throw new ApiError(400, "INVALID_LIMIT", `limit ${limitRaw} is not in 1..500`, "Use ?limit=50.");
  }
  if (cursorRaw !== undefined && !/^[1-9][0-9]{0,15}$/.test(cursorRaw)) {
    throw new ApiError(
      400,
      "INVALID_CURSOR",
      `cursor ${cursorRaw} is not one this API gave`,
      "Pass nextCursor unchanged.",
    );
  }
  return { limit, cursor: cursorRaw === undefined ? undefined : Number(cursorRaw) };
}

/**
 * Epochs, earnings, proofs, claims, payers and receipts over HTTP (docs/api-epochs.md). Operator route:
 * `POST /v1/epochs/close`. Starts `resume()` in the background (an interrupted close is finished) and, with
 * `intervalMs`, a timer that closes and finalizes on its own.
 */
export function createEpochRoutes(ctx: NodeContext, options: CreateEpochRoutesOptions = {}): Hono {
  const service = options.service ?? createEpochService(ctx, options);
  const app = new Hono();
  const cosignAuth = createCosignAuth();
  if (ctx.chain) {
    const resume = () =>
      service
        .resume()
        .catch((error: unknown) =>
          ctx.log("error", "epoch recovery failed; the next close retries it", { error: String(error) }),
        );
    // Replicas: the replica elected epoch closer finishes whatever close its predecessor left (kill -9 included).
    if (ctx.leaders) ctx.leaders.epochs.whenElected(() => void resume());
    else void resume();
    if (options.intervalMs && options.intervalMs > 0) {
      const timer = setInterval(() => void service.tick(), options.intervalMs);
      timer.unref();
    }
  }

  app.get("/v1/epochs", async (c) => {
    const { limit, cursor } = page(c);
    let q = ctx.db
      .selectFrom("epochs")
      .selectAll()
      .orderBy("epoch", "desc")
      .limit(limit + 1);
    if (cursor !== undefined) q = q.where("epoch", "<", cursor);
    const rows = await q.execute();
    const items = rows.slice(0, limit).map(toEpochView);
    return c.json({ items, nextCursor: rows.length > limit ? String(items.at(-1)?.epoch) : null });
  });
  app.post("/v1/epochs/close", requireOperator(ctx), async (c) => {
    const { allowEmpty } = await body(c, closeBody, true);
    const row = await service.close(allowEmpty ? { allowEmpty } : {});
    return c.json(toEpochView(row), 201);
  });
  app.get("/v1/epochs/:epoch", async (c) =>
    c.json(await service.view(parseEpochParam(c.req.param("epoch")))),
  );
  app.get("/v1/epochs/:epoch/bundle", async (c) => {
    const view = await service.view(parseEpochParam(c.req.param("epoch")));
    if (!view.bundleCid) {
      throw new ApiError(
        404,
        "BUNDLE_NOT_READY",
        `epoch ${view.epoch} has no bundle yet (${view.status})`,
        "Retry once it is bundled.",
      );
    }
    return streamBundle(ctx, view.bundleCid);
  });
  app.get("/v1/bundles/:cid", async (c) => {
    const cid = c.req.param("cid");
    const known =
      (await ctx.db.selectFrom("epochs").select("epoch").where("bundle_cid", "=", cid).executeTakeFirst()) ??
      (await ctx.db
        .selectFrom("epoch_vetoes")
        .select("epoch")
        .where("bundle_cid", "=", cid)
        .executeTakeFirst());
    if (!known && !(await isStoredBundle(ctx, cid))) {
      throw new ApiError(
        404,
        "BUNDLE_NOT_FOUND",
        `no bundle ${cid} on this node`,
        "Ask the node that closed the epoch.",
      );
    }
    return streamBundle(ctx, cid);
  });
  app.post("/v1/epochs/:epoch/finalize", async (c) => {
    const row = await service.finalize(parseEpochParam(c.req.param("epoch")));
    return c.json(toEpochView(row));
  });
  app.post("/v1/epochs/:epoch/verify", async (c) => {
    const epoch = parseEpochParam(c.req.param("epoch"));
    const { nodeURL } = await body(c, verifyBody, true);
    return c.json(await service.verify(epoch, nodeURL));
  });
  app.post("/v1/epochs/:epoch/cosign", async (c) => {
    const epoch = parseEpochParam(c.req.param("epoch"));
    const { report, nodeURL, ...rest } = await body(c, reportBody);
    if (report.epoch !== String(epoch)) {
      throw new ApiError(
        400,
        "EPOCH_MISMATCH",
        `the path says epoch ${epoch}, the report ${report.epoch}`,
        "Send the report of the epoch in the path.",
      );
    }
    const parsed: EpochReport = {
      epoch: BigInt(report.epoch),
      chargesRoot: report.chargesRoot as Hex,
      rewardsRoot: report.rewardsRoot as Hex,
      cumulativeCharged: BigInt(report.cumulativeCharged),
      cumulativeRewards: BigInt(report.cumulativeRewards),
      receiptsRoot: report.receiptsRoot as Hex,
      bundleURI: report.bundleURI,
    };
    const chain = ctx.chain;
    if (!chain) {
      throw new ApiError(
        503,
        "NO_CHAIN",
        "epochs need a chain connection",
        "Start the node with a chain config.",
      );
    }
    const receiptCount = BigInt(rest.receiptCount ?? "0");
    await cosignAuth.authenticate(chain, {
      request: {
        epoch: parsed.epoch,
        reportDigest: hashEpochReportOffline({
          chainId: chain.chainId,
          settlement: chain.deployment.contracts.settlement,
          report: parsed,
        }),
        bundleURI: parsed.bundleURI,
        receiptCount,
        nodeURL,
        issuedAt: BigInt(rest.issuedAt ?? "0"),
        nonce: (rest.nonce ?? `0x${"00".repeat(32)}`) as Hex,
      },
      signer: rest.signer as Address | undefined,
      signature: rest.signature as Hex | undefined,
    });
    const result = await service.cosign(parsed, nodeURL, { receiptCount: Number(receiptCount) });
    return c.json({
      signer: result.signer,
      signature: result.signature,
      receiptCount: result.verification.receiptCount,
    });
  });

  app.get("/v1/accounts/:address/earnings", async (c) =>
    c.json(jsonify(await service.earnings(addressParam(c.req.param("address"))))),
  );
  app.get("/v1/accounts/:address/proof", async (c) => {
    const tree = c.req.query("tree") ?? "rewards";
    if (tree !== "rewards" && tree !== "charges") {
      throw new ApiError(
        400,
        "INVALID_TREE",
        `tree '${tree}' is not rewards or charges`,
        "Use ?tree=rewards (claims) or ?tree=charges (withdrawals).",
      );
    }
    return c.json(jsonify(await service.proofOf(addressParam(c.req.param("address")), tree)));
  });
  app.post("/v1/claims", async (c) => {
    const { accounts } = await body(c, claimsBody);
    return c.json(jsonify(await service.claim(accounts.map((a) => addressParam(a, "account address")))));
  });
  app.get("/v1/payers/:address", async (c) =>
    c.json(jsonify(await service.payer(addressParam(c.req.param("address"), "payer address")))),
  );

  app.get("/v1/receipts", async (c) => {
    const { limit, cursor } = page(c);
    let q = ctx.db
      .selectFrom("receipts")
      .select([sql<number>`rowid`.as("rowid"), "id", "receipt_json", "hash", "signature"])
      .orderBy(sql`rowid`, "desc")
      .limit(limit + 1);
    if (cursor !== undefined) q = q.where(sql<number>`rowid`, "<", cursor);
    const payer = c.req.query("payer");
    if (payer) q = q.where("payer", "=", addressParam(payer, "payer address").toLowerCase());
    const model = c.req.query("model");
    if (model) {
      if (!/^[0-9]{1,15}$/.test(model))
        throw new ApiError(
          400,
          "INVALID_MODEL",
          `model '${model}' is not a model id`,
          "Pass ?model=<decimal id>.",
        );
      q = q.where("model_id", "=", Number(model));
    }
    const epoch = c.req.query("epoch");
    if (epoch) {
      const range = await receiptRange(ctx, parseEpochParam(epoch));
      q = q
        .where(sql<number>`rowid`, ">", range.from)
        .where(sql<number>`rowid`, "<=", range.to)
        .where(sql<number>`rowid`, "not in", ctx.db.selectFrom("receipt_quarantine").select("receipt_rowid"));
    }
    const rows = await q.execute();
    const ranges = await epochRanges(ctx);
    const quarantined = rows.length
      ? await quarantinedRowids(ctx, { from: (rows.at(-1)?.rowid ?? 1) - 1, to: rows[0]?.rowid ?? 0 })
      : new Set<number>();
    const items = rows.slice(0, limit).map((r) => ({
      id: r.id,
      // A quarantined receipt is in no epoch.
      epoch: quarantined.has(r.rowid) ? null : epochOfRowid(ranges, r.rowid),
      receipt: JSON.parse(r.receipt_json),
      receiptHash: r.hash,
      signature: r.signature,
    }));
    return c.json({ items, nextCursor: rows.length > limit ? String(rows[limit - 1]?.rowid) : null });
  });
  app.get("/v1/receipts/:id", async (c) => {
    const id = c.req.param("id").toLowerCase();
    if (!/^0x[0-9a-f]{64}$/.test(id)) {
      throw new ApiError(
        400,
        "INVALID_RECEIPT_ID",
        `'${id}' is not a receipt id`,
        "Receipt ids are 32 bytes of 0x-hex (X-Tributary-Receipt).",
      );
    }
    const r = await ctx.db
      .selectFrom("receipts")
      .selectAll()
      .select(sql<number>`rowid`.as("rowid"))
      .where("id", "=", id)
      .executeTakeFirst();
    if (!r)
      throw new ApiError(
        404,
        "RECEIPT_NOT_FOUND",
        `no receipt ${id} on this node`,
        "Check the id (X-Tributary-Receipt header of the response).",
      );
    receiptFromJson(r.receipt_json);
    const quarantine = await quarantineOf(ctx, r.id);
    return c.json({
      id: r.id,
      epoch: quarantine ? null : epochOfRowid(await epochRanges(ctx), r.rowid),
      quarantine: quarantine
        ? { epoch: quarantine.epoch, reason: quarantine.reason, quarantinedAt: quarantine.quarantined_at }
        : null,
      receipt: JSON.parse(r.receipt_json),
      receiptHash: r.hash,
      signature: r.signature,
      input: r.input ?? null,
      output: r.output,
    });
  });
  return app;
}

function streamBundle(ctx: NodeContext, cid: string): Response {
  const stream = ctx.store.createReadStream(cid);
  if (!stream)
    throw new ApiError(
      404,
      "BUNDLE_NOT_FOUND",
      `bundle ${cid} is not in this node's store`,
      "Ask the node that closed the epoch.",
    );
  return new Response(Readable.toWeb(stream as Readable) as ReadableStream, {
    headers: {
      "content-type": "application/x-ndjson",
      "cache-control": "public, max-age=31536000, immutable",
    },
  });
}
