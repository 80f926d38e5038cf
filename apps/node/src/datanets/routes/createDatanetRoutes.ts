import {
  ContractRevertError,
  createDatanet,
  getDatanet,
  isCurator,
  licenseIdOf,
  nodeSchemas as s,
} from "@tributary/sdk";
import type { Hono } from "hono";
import type { Hex } from "viem";
import { createRouter, defineRoute } from "../../api/defineRoute.ts";
import type { NodeContext } from "../../context/NodeContext.ts";
import { getContributionView } from "../curation/getContributionView.ts";
import { listPendingContributions } from "../curation/listPendingContributions.ts";
import { reviewPendingContributions } from "../curation/reviewPendingContributions.ts";
import { chainError } from "../upload/chainErrors.ts";
import { createUploadService } from "../upload/createUploadService.ts";
import { DatanetError } from "../upload/errors.ts";
import { requireChain, sharedUploadState, type UploadOptions } from "../upload/uploadContext.ts";
import { listContributors } from "./listContributors.ts";
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

const pageHint = "Use ?limit=1..500&cursor=<nextCursor>.";
const idHint = (what: string) => ({ params: `Use a decimal ${what} id in the path.` });

/**
 * The datanet HTTP API as a Hono sub-app (docs/datanets.md, docs/api.md): datanets, contributions, uploads
 * (multipart, relayed or direct), curation and review, each declared with `defineRoute` (validated with the
 * schemas of `nodeSchemas` in @tributary/sdk and documented in `/openapi.json`). Lists take `?limit&cursor` and
 * return `{ items, nextCursor }`; bigints are decimal strings; every error is `{ error: { code, message, hint } }`.
 *
 * - `GET /v1/datanets`, `POST /v1/datanets` (operator), `GET /v1/datanets/:id`, `PUT /v1/datanets/:id/settings` (operator)
 * - `GET /v1/datanets/:id/contributions?status=`, `GET /v1/datanets/:id/contributors`, `GET /v1/contributions/:id`
 * - `POST /v1/datanets/:id/uploads` (multipart: files + `contributor`, optional `mode=direct`), `GET /v1/uploads/:id`,
 *   `POST /v1/uploads/:id/submit` (`{ signatures }`)
 * - `GET /v1/datanets/:id/curation`, `POST /v1/datanets/:id/review` (operator; the node must be a curator)
 *
 * @example
 * const node = await createNode({ dataDir, chain, routes: [createDatanetRoutes] });
 * const res = await node.app.request("/v1/datanets?limit=10");
 */
export function createDatanetRoutes(ctx: NodeContext, options: CreateDatanetRoutesOptions = {}): Hono {
  const uploads = createUploadService(ctx, options.upload);
  const maxUploadBytes = options.maxUploadBytes ?? 64 * 1024 * 1024;
  const router = createRouter(ctx);
  if (ctx.chain && options.recoverOnStart !== false) {
    uploads.recoverUploads().then(
      (report) => ctx.log("info", "upload: recovery at start", report),
      (e: unknown) => ctx.log("error", "upload: recovery at start failed", { error: String(e) }),
    );
  }

  router.add(
    defineRoute({
      method: "get",
      path: "/v1/datanets",
      summary: "List the datanets indexed from the chain",
      tags: ["datanets"],
      query: s.PageQuery,
      hints: { query: pageHint },
      responses: { 200: { description: "A page of datanets, by id.", schema: s.DatanetPage } },
      handler: async ({ query: q }) => {
        const rows = await ctx.db
          .selectFrom("datanets")
          .selectAll()
          .where("id", ">", Number(q.cursor ?? 0))
          .orderBy("id")
          .limit(q.limit + 1)
          .execute();
        const items = rows.slice(0, q.limit).map(datanetJson);
        return { items, nextCursor: rows.length > q.limit ? String(rows[q.limit - 1]!.id) : null };
      },
    }),

    defineRoute({
      method: "post",
      path: "/v1/datanets",
      summary: "Create a datanet with the node's key",
      description: "The node becomes the datanet's owner and curator and pays the gas.",
      tags: ["datanets"],
      operator: true,
      body: s.CreateDatanetBody,
      hints: {
        body: 'Send {"metadataURI":"ipfs://…","policy":{"curated":true,"minStake":"0","license":"CC-BY-4.0"}}.',
      },
      responses: { 201: { description: "Created (transaction mined).", schema: s.CreateDatanetResult } },
      errors: { 502: ["CREATE_REVERTED"], 503: ["NO_CHAIN", "RPC_ERROR"] },
      handler: async ({ body }) => {
        const chain = requireChain(ctx);
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
          relayEnabled: body.relayEnabled ?? true,
        });
        return {
          datanetId: created.datanetId,
          txHash: created.hash,
          owner: chain.walletClient.account.address,
        };
      },
    }),

    defineRoute({
      method: "get",
      path: "/v1/datanets/:id",
      summary: "One datanet, with curators, contribution counts and upload settings",
      description: "Read from the chain (`indexed: false`) when the indexer has not seen it yet.",
      tags: ["datanets"],
      params: s.DatanetIdParams,
      hints: idHint("datanet"),
      responses: { 200: { description: "The datanet.", schema: s.DatanetDetail } },
      errors: { 404: ["DATANET_NOT_FOUND"], 503: ["NO_CHAIN", "RPC_ERROR"] },
      handler: async ({ params }) => {
        const datanetId = BigInt(params.id);
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
          return {
            ...datanetJson(row),
            indexed: true,
            curators: curators.map((r) => r.curator),
            contributions: Object.fromEntries(counts.map((r) => [r.status, Number(r.n)])),
            settings,
          };
        }
        // Not indexed yet (or never): the chain is the source of truth.
        const chain = requireChain(ctx);
        try {
          const d = await getDatanet(chain.sdk, { datanetId });
          return {
            id: datanetId,
            owner: d.owner.toLowerCase(),
            metadataURI: d.metadataURI,
            policy: d.policy,
            versionCount: Number(d.versionCount),
            indexed: false,
            settings,
          };
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
      },
    }),

    defineRoute({
      method: "put",
      path: "/v1/datanets/:id/settings",
      summary: "Set the node's upload settings of a datanet (near-duplicate policy, relaying on or off)",
      tags: ["datanets"],
      operator: true,
      params: s.DatanetIdParams,
      body: s.DatanetSettingsBody,
      hints: {
        ...idHint("datanet"),
        body: 'Send {"nearDuplicatePolicy":"refuse"|"flag","nearDuplicateThreshold":0.8,"relayEnabled":true|false}.',
      },
      responses: { 200: { description: "The settings now in force.", schema: s.DatanetSettings } },
      errors: { 403: ["NODE_NOT_CURATOR"], 404: ["DATANET_NOT_FOUND"] },
      handler: async ({ params, body }) => {
        const datanetId = BigInt(params.id);
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
        const current = await uploads.getDatanetSettings(datanetId);
        const settings = {
          nearDuplicatePolicy: body.nearDuplicatePolicy,
          nearDuplicateThreshold: body.nearDuplicateThreshold ?? uploads.deps.options.nearDuplicateThreshold,
          relayEnabled: body.relayEnabled ?? current.relayEnabled,
        };
        await uploads.setDatanetSettings(datanetId, settings);
        return settings;
      },
    }),

    defineRoute({
      method: "get",
      path: "/v1/datanets/:id/contributions",
      summary: "List a datanet's contributions",
      tags: ["contributions"],
      params: s.DatanetIdParams,
      query: s.ContributionsQuery,
      hints: {
        ...idHint("datanet"),
        query: `Use ?status=${s.contributionStatuses.join("|")}&limit=1..500&cursor=<nextCursor>.`,
      },
      responses: { 200: { description: "A page of contributions, by id.", schema: s.ContributionPage } },
      handler: async ({ params, query: q }) => {
        let query = ctx.db
          .selectFrom("contributions")
          .selectAll()
          .where("datanet_id", "=", Number(BigInt(params.id)))
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
        return { items, nextCursor: rows.length > q.limit ? String(rows[q.limit - 1]!.id) : null };
      },
    }),

    defineRoute({
      method: "get",
      path: "/v1/datanets/:id/contributors",
      summary: "A datanet's contributors with their counts, and its totals",
      description:
        "Aggregated by the node over every contribution of the datanet (not a page of them): per contributor the contributions, accepted, pending, rejected and bytes, most accepted first.",
      tags: ["contributions"],
      params: s.DatanetIdParams,
      query: s.PageQuery,
      hints: { ...idHint("datanet"), query: pageHint },
      responses: {
        200: { description: "A page of contributors and the datanet's totals.", schema: s.ContributorPage },
      },
      handler: ({ params, query: q }) =>
        listContributors(ctx, { datanetId: BigInt(params.id), limit: q.limit, cursor: q.cursor }),
    }),

    defineRoute({
      method: "get",
      path: "/v1/contributions/:id",
      summary: "One contribution with a text preview, its metadata and its upload",
      tags: ["contributions"],
      params: s.ContributionIdParams,
      hints: idHint("contribution"),
      responses: { 200: { description: "The contribution.", schema: s.ContributionView } },
      errors: { 404: ["CONTRIBUTION_NOT_FOUND"] },
      handler: async ({ params }) => {
        const id = BigInt(params.id);
        const view = await getContributionView(ctx, id);
        if (!view)
          throw new DatanetError(
            404,
            "CONTRIBUTION_NOT_FOUND",
            `no contribution ${id} is indexed`,
            "Check the id; a contribution registered just now appears once the indexer has caught up.",
          );
        return view;
      },
    }),

    defineRoute({
      method: "post",
      path: "/v1/datanets/:id/uploads",
      summary: "Stage files for a datanet",
      description:
        "Validated, normalized, hashed, deduplicated and stored. Relayed (default): answers the EIP-712 batches the contributor signs, then POST /v1/uploads/:id/submit. Direct: answers the contributeBatch arguments to send yourself.",
      tags: ["uploads"],
      params: s.DatanetIdParams,
      body: s.StageUploadForm,
      bodyContentType: "multipart/form-data",
      // readMultipart streams the body and stops at this limit (413 UPLOAD_TOO_LARGE).
      maxBodyBytes: maxUploadBytes,
      bodyReadByHandler: true,
      hints: idHint("datanet"),
      responses: { 201: { description: "The staged upload.", schema: s.UploadView } },
      errors: {
        400: ["NO_FILES", "TOO_MANY_FILES", "DUPLICATE_IN_UPLOAD", "INVALID_UTF8"],
        403: ["RELAY_DISABLED"],
        409: ["DUPLICATE_CONTENT", "DUPLICATE_IN_FLIGHT", "NEAR_DUPLICATE"],
        413: ["UPLOAD_TOO_LARGE"],
        422: ["EXTRACTION_LIMIT"],
        429: ["RELAY_QUOTA_EXCEEDED"],
        503: ["EXTRACTION_BUSY"],
      },
      handler: async ({ c, params }) => {
        const datanetId = BigInt(params.id);
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
        return await uploads.stageUpload({
          datanetId,
          contributor: contributor as Hex,
          files: form.files.map((f) => ({ name: f.name, bytes: f.bytes })),
          mode,
        });
      },
    }),

    defineRoute({
      method: "get",
      path: "/v1/uploads/:id",
      summary: "One upload: documents, batches, what is left to sign",
      tags: ["uploads"],
      params: s.UploadIdParams,
      responses: { 200: { description: "The upload.", schema: s.UploadView } },
      errors: { 404: ["UPLOAD_NOT_FOUND"] },
      handler: async ({ params }) => {
        const id = params.id;
        const view = /^[0-9a-f]{32}$/.test(id) ? await uploads.getUpload(id) : undefined;
        if (!view)
          throw new DatanetError(
            404,
            "UPLOAD_NOT_FOUND",
            `no upload ${id}`,
            "Use the id returned by POST /v1/datanets/:id/uploads.",
          );
        return view;
      },
    }),

    defineRoute({
      method: "post",
      path: "/v1/uploads/:id/submit",
      summary: "Submit the contributor's signatures; the node registers the documents on chain",
      tags: ["uploads"],
      params: s.UploadIdParams,
      body: s.SubmitUploadBody,
      // Up to 1,000 signatures of 134 characters each.
      maxBodyBytes: 256 * 1024,
      hints: { body: 'Send {"signatures":["0x…"]}, one per signing.batches entry, in order.' },
      responses: { 200: { description: "The upload after submission.", schema: s.UploadView } },
      errors: {
        400: ["SIGNATURE_COUNT", "INVALID_SIGNATURE"],
        403: ["RELAY_DISABLED"],
        404: ["UPLOAD_NOT_FOUND"],
        409: ["UPLOAD_NOT_SUBMITTABLE", "SUBMIT_PENDING"],
        410: ["UPLOAD_EXPIRED", "UPLOAD_GONE"],
        429: ["RELAY_QUOTA_EXCEEDED"],
        502: ["SUBMIT_REVERTED"],
      },
      handler: async ({ params, body }) => {
        const signatures = ("signatures" in body ? body.signatures : [body.signature]) as Hex[];
        return await uploads.submitUpload({ uploadId: params.id, signatures });
      },
    }),

    defineRoute({
      method: "get",
      path: "/v1/datanets/:id/curation",
      summary: "Contributions awaiting review, with previews and near-duplicate flags",
      tags: ["curation"],
      params: s.DatanetIdParams,
      query: s.PageQuery,
      hints: { ...idHint("datanet"), query: pageHint },
      responses: {
        200: {
          description: "A page of pending contributions, oldest first.",
          schema: s.PendingContributionPage,
        },
      },
      handler: async ({ params, query: q }) =>
        await listPendingContributions(ctx, {
          datanetId: BigInt(params.id),
          limit: q.limit,
          ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
          defaultThreshold: uploads.deps.options.nearDuplicateThreshold,
        }),
    }),

    defineRoute({
      method: "post",
      path: "/v1/datanets/:id/review",
      summary: "Review pending contributions with the node's key (accept, reject, rejectAndSlash)",
      description:
        "The node must be a curator of the datanet; verdicts are sent in batches, one transaction each.",
      tags: ["curation"],
      operator: true,
      params: s.DatanetIdParams,
      body: s.ReviewBody,
      // Up to 10,000 verdicts of about 60 bytes each.
      maxBodyBytes: 1024 * 1024,
      hints: {
        ...idHint("datanet"),
        body: 'Send {"reviews":[{"contributionId":"1","verdict":"accept"}]} (verdicts: accept, reject, rejectAndSlash).',
      },
      responses: { 200: { description: "The transactions sent.", schema: s.ReviewResult } },
      errors: {
        403: ["NODE_NOT_CURATOR"],
        409: ["NOT_REVIEWABLE", "COPY_NOT_ACCEPTABLE"],
        502: ["REVIEW_REVERTED"],
      },
      handler: async ({ params, body }) =>
        await reviewPendingContributions(ctx, {
          datanetId: BigInt(params.id),
          reviews: body.reviews.map((r) => ({
            contributionId: BigInt(r.contributionId),
            verdict: r.verdict,
          })),
        }),
    }),
  );

  return router.app;
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
