import { ContractRevertError, createDatanet, getDatanet, isCurator, licenseIdOf } from "@tributary/sdk";
import { Hono } from "hono";
import type { Hex } from "viem";
import { z } from "zod";
import type { NodeContext } from "../../context/NodeContext.ts";
import { getContributionView } from "../curation/getContributionView.ts";
import { listPendingContributions } from "../curation/listPendingContributions.ts";
import { reviewPendingContributions } from "../curation/reviewPendingContributions.ts";
import { chainError } from "../upload/chainErrors.ts";
import { createUploadService } from "../upload/createUploadService.ts";
import { DatanetError } from "../upload/errors.ts";
import { requireChain, sharedUploadState, type UploadOptions } from "../upload/uploadContext.ts";
import { json, parse, readJson } from "./json.ts";
import { readMultipart } from "./readMultipart.ts";

/** Options of {@link createDatanetRoutes}. */
export type CreateDatanetRoutesOptions = {
  /** Options of the upload service (limits, batch size, TTLs). */
  upload?: UploadOptions;
  /** Largest multipart body of `POST /v1/datanets/:id/uploads`, in bytes (default 64 MiB; the app's `http.maxBodyBytes` applies too). */
  maxUploadBytes?: number;
  /** Run `recoverUploads` once in the background when the routes are created (default true). */
  recoverOnStart?: boolean;
};

const idParam = z.string().regex(/^\d{1,20}$/, "a decimal id");
const uint = z.union([
  z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  z.string().regex(/^\d{1,78}$/),
]);
const hex = (bytes: number) => z.string().regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`));
const page = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,20}$/)
    .optional(),
});
const statuses = ["Pending", "Accepted", "Rejected", "Slashed", "Withdrawn"] as const;

const CreateBody = z.strictObject({
  metadataURI: z.string().min(1).max(2048),
  policy: z.strictObject({
    curated: z.boolean(),
    minStake: uint.default(0),
    license: z.string().min(1).max(32).optional(),
    licenseId: hex(32).optional(),
    refundStakeOnAccept: z.boolean().default(true),
  }),
  nearDuplicatePolicy: z.enum(["flag", "refuse"]).default("flag"),
  nearDuplicateThreshold: z.number().min(0).max(1).optional(),
});
const SettingsBody = z.strictObject({
  nearDuplicatePolicy: z.enum(["flag", "refuse"]),
  nearDuplicateThreshold: z.number().min(0).max(1).optional(),
});
const SubmitBody = z.union([
  z.strictObject({ signatures: z.array(z.string().regex(/^0x[0-9a-fA-F]+$/)).max(1000) }),
  z.strictObject({ signature: z.string().regex(/^0x[0-9a-fA-F]+$/) }),
]);
const ReviewBody = z.strictObject({
  reviews: z
    .array(z.strictObject({ contributionId: uint, verdict: z.enum(["accept", "reject", "rejectAndSlash"]) }))
    .min(1)
    .max(10_000),
});

function idOf(value: string | undefined, what: string): bigint {
  return BigInt(parse(idParam, value, `Use a decimal ${what} id in the path.`));
}

/**
 * The datanet HTTP API as a Hono sub-app (docs/datanets.md): datanets, contributions, uploads (multipart, relayed
 * or direct), curation and review. Lists take `?limit&cursor` and return `{ items, nextCursor }`; bigints are
 * decimal strings; every error is `{ error: { code, message, hint } }` (the app's `onError`).
 *
 * - `GET /v1/datanets`, `POST /v1/datanets` (node key), `GET /v1/datanets/:id`, `PUT /v1/datanets/:id/settings`
 * - `GET /v1/datanets/:id/contributions?status=`, `GET /v1/contributions/:id`
 * - `POST /v1/datanets/:id/uploads` (multipart: files + `contributor`, optional `mode=direct`), `GET /v1/uploads/:id`,
 *   `POST /v1/uploads/:id/submit` (`{ signatures }`)
 * - `GET /v1/datanets/:id/curation`, `POST /v1/datanets/:id/review` (node key, node must be a curator)
 *
 * @example
 * const node = await createNode({ dataDir, chain, routes: [createDatanetRoutes] });
 * const res = await node.app.request("/v1/datanets?limit=10");
 */
export function createDatanetRoutes(ctx: NodeContext, options: CreateDatanetRoutesOptions = {}): Hono {
  const uploads = createUploadService(ctx, options.upload);
  const maxUploadBytes = options.maxUploadBytes ?? 64 * 1024 * 1024;
  const app = new Hono();
  if (ctx.chain && options.recoverOnStart !== false) {
    uploads.recoverUploads().then(
      (report) => ctx.log("info", "upload: recovery at start", report),
      (e: unknown) => ctx.log("error", "upload: recovery at start failed", { error: String(e) }),
    );
  }

  app.get("/v1/datanets", async (c) => {
    const q = parse(page, c.req.query(), "Use ?limit=1..500&cursor=<nextCursor>.");
    const rows = await ctx.db
      .selectFrom("datanets")
      .selectAll()
      .where("id", ">", Number(q.cursor ?? 0))
      .orderBy("id")
      .limit(q.limit + 1)
      .execute();
    const items = rows.slice(0, q.limit).map(datanetJson);
    return json(c, { items, nextCursor: rows.length > q.limit ? String(rows[q.limit - 1]!.id) : null });
  });

  app.post("/v1/datanets", async (c) => {
    const chain = requireChain(ctx);
    const body = parse(
      CreateBody,
      await readJson(c),
      'Send {"metadataURI":"ipfs://…","policy":{"curated":true,"minStake":"0","license":"CC-BY-4.0"}}.',
    );
    let licenseId: Hex = `0x${"00".repeat(32)}`;
    if (body.policy.licenseId) licenseId = body.policy.licenseId as Hex;
    else if (body.policy.license) licenseId = licenseIdOf(body.policy.license);
    const policy = {
      curated: body.policy.curated,
      minStake: BigInt(body.policy.minStake),
      licenseId,
      refundStakeOnAccept: body.policy.refundStakeOnAccept,
    };
    let created: Awaited<ReturnType<typeof createDatanet>>;
    try {
      created = await sharedUploadState(ctx).nodeKeyLock.run(() =>
        createDatanet(chain.sdk, { metadataURI: body.metadataURI, policy }),
      );
    } catch (e) {
      throw chainError(e, "CREATE_REVERTED", "createDatanet");
    }
    await uploads.setDatanetSettings(created.datanetId, {
      nearDuplicatePolicy: body.nearDuplicatePolicy,
      nearDuplicateThreshold: body.nearDuplicateThreshold ?? uploads.deps.options.nearDuplicateThreshold,
    });
    return json(
      c,
      { datanetId: created.datanetId, txHash: created.hash, owner: chain.walletClient.account.address },
      201,
    );
  });

  app.get("/v1/datanets/:id", async (c) => {
    const datanetId = idOf(c.req.param("id"), "datanet");
    const settings = await uploads.getDatanetSettings(datanetId);
    const row = await ctx.db
      .selectFrom("datanets")
      .selectAll()
      .where("id", "=", Number(datanetId))
      .executeTakeFirst();
    if (row) {
      const counts = await ctx.db
        .selectFrom("contributions")
        .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
        .where("datanet_id", "=", row.id)
        .groupBy("status")
        .execute();
      const curators = await ctx.db
        .selectFrom("datanet_curators")
        .select("curator")
        .where("datanet_id", "=", row.id)
        .execute();
      return json(c, {
        ...datanetJson(row),
        indexed: true,
        curators: curators.map((r) => r.curator),
        contributions: Object.fromEntries(counts.map((r) => [r.status, Number(r.n)])),
        settings,
      });
    }
    // Not indexed yet (or never): the chain is the source of truth.
    const chain = requireChain(ctx);
    try {
      const d = await getDatanet(chain.sdk, { datanetId });
      return json(c, {
        id: datanetId,
        owner: d.owner.toLowerCase(),
        metadataURI: d.metadataURI,
        policy: d.policy,
        versionCount: d.versionCount,
        indexed: false,
        settings,
      });
    } catch (e) {
      if (e instanceof ContractRevertError && e.errorName === "DatanetRegistryDatanetNotFound")
        throw new DatanetError(
          404,
          "DATANET_NOT_FOUND",
          `datanet ${datanetId} does not exist`,
          "List datanets with GET /v1/datanets.",
        );
      throw chainError(e, "RPC_ERROR", "reading the datanet");
    }
  });

  app.put("/v1/datanets/:id/settings", async (c) => {
    const datanetId = idOf(c.req.param("id"), "datanet");
    const body = parse(
      SettingsBody,
      await readJson(c),
      'Send {"nearDuplicatePolicy":"refuse"|"flag","nearDuplicateThreshold":0.8}.',
    );
    const chain = requireChain(ctx);
    const node = chain.walletClient.account.address;
    const allowed = await isCurator(chain.sdk, { datanetId, account: node }).catch((e: unknown) => {
      throw chainError(e, "DATANET_NOT_FOUND", `datanet ${datanetId}`);
    });
    if (!allowed)
      throw new DatanetError(
        403,
        "NODE_NOT_CURATOR",
        `this node (${node}) is not a curator of datanet ${datanetId}`,
        "Only a node that curates the datanet keeps its upload settings; add the node as a curator first.",
      );
    const settings = {
      nearDuplicatePolicy: body.nearDuplicatePolicy,
      nearDuplicateThreshold: body.nearDuplicateThreshold ?? uploads.deps.options.nearDuplicateThreshold,
    };
    await uploads.setDatanetSettings(datanetId, settings);
    return json(c, settings);
  });

  app.get("/v1/datanets/:id/contributions", async (c) => {
    const datanetId = idOf(c.req.param("id"), "datanet");
    const q = parse(
      page.extend({ status: z.enum(statuses).optional() }),
      c.req.query(),
      `Use ?status=${statuses.join("|")}&limit=1..500&cursor=<nextCursor>.`,
    );
    let query = ctx.db
      .selectFrom("contributions")
      .selectAll()
      .where("datanet_id", "=", Number(datanetId))
      .where("id", ">", Number(q.cursor ?? 0));
    if (q.status) query = query.where("status", "=", q.status);
    const rows = await query
      .orderBy("id")
      .limit(q.limit + 1)
      .execute();
    const items = rows.slice(0, q.limit).map((r) => ({
      id: String(r.id),
      datanetId: String(r.datanet_id),
      contributor: r.contributor,
      contentHash: r.content_hash,
      size: r.size,
      status: r.status,
      stake: r.stake,
      metadataUri: r.metadata_uri,
      registeredBlock: r.registered_block,
      updatedBlock: r.updated_block,
    }));
    return json(c, { items, nextCursor: rows.length > q.limit ? String(rows[q.limit - 1]!.id) : null });
  });

  app.get("/v1/contributions/:id", async (c) => {
    const id = idOf(c.req.param("id"), "contribution");
    const view = await getContributionView(ctx, id);
    if (!view)
      throw new DatanetError(
        404,
        "CONTRIBUTION_NOT_FOUND",
        `no contribution ${id} is indexed`,
        "Check the id; a contribution registered just now appears once the indexer has caught up.",
      );
    return json(c, view);
  });

  app.post("/v1/datanets/:id/uploads", async (c) => {
    const datanetId = idOf(c.req.param("id"), "datanet");
    const form = await readMultipart(c.req.raw, maxUploadBytes);
    const contributor = form.fields.get("contributor");
    if (!contributor)
      throw new DatanetError(
        400,
        "INVALID_REQUEST",
        "the form has no `contributor` field",
        "Add a `contributor` field with the wallet address.",
      );
    const mode = form.fields.get("mode") ?? "relayed";
    if (mode !== "relayed" && mode !== "direct")
      throw new DatanetError(
        400,
        "INVALID_REQUEST",
        `mode must be relayed or direct, got ${mode}`,
        "Leave `mode` out for relayed uploads.",
      );
    const view = await uploads.stageUpload({
      datanetId,
      contributor: contributor as Hex,
      files: form.files.map((f) => ({ name: f.name, bytes: f.bytes })),
      mode,
    });
    return json(c, view, 201);
  });

  app.get("/v1/uploads/:id", async (c) => {
    const id = c.req.param("id");
    const view = /^[0-9a-f]{32}$/.test(id) ? await uploads.getUpload(id) : undefined;
    if (!view)
      throw new DatanetError(
        404,
        "UPLOAD_NOT_FOUND",
        `no upload ${id}`,
        "Use the id returned by POST /v1/datanets/:id/uploads.",
      );
    return json(c, view);
  });

  app.post("/v1/uploads/:id/submit", async (c) => {
    const body = parse(
      SubmitBody,
      await readJson(c),
      'Send {"signatures":["0x…"]}, one per signing.batches entry, in order.',
    );
    const signatures = ("signatures" in body ? body.signatures : [body.signature]) as Hex[];
    return json(c, await uploads.submitUpload({ uploadId: c.req.param("id"), signatures }));
  });

  app.get("/v1/datanets/:id/curation", async (c) => {
    const datanetId = idOf(c.req.param("id"), "datanet");
    const q = parse(page, c.req.query(), "Use ?limit=1..500&cursor=<nextCursor>.");
    return json(
      c,
      await listPendingContributions(ctx, {
        datanetId,
        limit: q.limit,
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
        defaultThreshold: uploads.deps.options.nearDuplicateThreshold,
      }),
    );
  });

  app.post("/v1/datanets/:id/review", async (c) => {
    const datanetId = idOf(c.req.param("id"), "datanet");
    const body = parse(
      ReviewBody,
      await readJson(c),
      'Send {"reviews":[{"contributionId":"1","verdict":"accept"}]} (verdicts: accept, reject, rejectAndSlash).',
    );
    const result = await reviewPendingContributions(ctx, {
      datanetId,
      reviews: body.reviews.map((r) => ({ contributionId: BigInt(r.contributionId), verdict: r.verdict })),
    });
    return json(c, result);
  });

  return app;
}

function datanetJson(row: {
  id: number;
  owner: string;
  metadata_uri: string;
  curated: number;
  min_stake: string;
  license_id: string;
  refund_stake_on_accept: number;
  version_count: number;
  created_block: number;
}) {
  return {
    id: String(row.id),
    owner: row.owner,
    metadataURI: row.metadata_uri,
    policy: {
      curated: row.curated === 1,
      minStake: row.min_stake,
      licenseId: row.license_id,
      refundStakeOnAccept: row.refund_stake_on_accept === 1,
    },
    versionCount: row.version_count,
    createdBlock: row.created_block,
  };
}
