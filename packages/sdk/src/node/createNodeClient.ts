import type { Address, Hex, LocalAccount, TypedDataDefinition } from "viem";
import type { z } from "zod";
import type { CosignRequestBody } from "../actions/settlement/cosignRequestTypedData.ts";
import { TributaryError } from "../errors/TributaryError.ts";
import type * as s from "./schemas/index.ts";

/** JSON as the node sends it: ids and amounts are decimal strings. */
export type Json = Record<string, unknown>;

/** A page of a list route. */
export type Page<T> = { items: T[]; nextCursor: string | null };

/** A file to upload: its name decides the format (.txt, .md, .jsonl, .csv, .pdf, .docx). */
export type UploadFile = { name: string; content: Uint8Array | string };

/**
 * A request type as the client takes it: wherever the node accepts an unsigned integer as a number or a
 * decimal string, a bigint works too (the client sends it as a decimal string).
 */
export type ClientInput<T> = [Exclude<T, undefined>] extends [string | number]
  ? [string | number] extends [Exclude<T, undefined>]
    ? T | bigint
    : T
  : T extends readonly (infer U)[]
    ? ClientInput<U>[]
    : T extends object
      ? { [K in keyof T]: ClientInput<T[K]> }
      : T;

/** `GET /health`. */
export type NodeHealth = z.infer<typeof s.Health>;
/** `GET /health/ready`. */
export type NodeReadiness = z.infer<typeof s.Readiness>;
/** A datanet as listed. */
export type DatanetItem = z.infer<typeof s.Datanet>;
/** `GET /v1/datanets/:id`. */
export type DatanetDetail = z.infer<typeof s.DatanetDetail>;
/** The node's upload settings of a datanet. */
export type DatanetSettings = z.infer<typeof s.DatanetSettings>;
/** Body of `POST /v1/datanets`. */
export type CreateDatanetBody = ClientInput<z.input<typeof s.CreateDatanetBody>>;
/** Answer of `POST /v1/datanets`. */
export type CreateDatanetResult = z.infer<typeof s.CreateDatanetResult>;
/** A contribution as listed. */
export type ContributionItem = z.infer<typeof s.Contribution>;
/** Status of a contribution. */
export type ContributionStatus = (typeof s.contributionStatuses)[number];
/** `GET /v1/datanets/:id/contributors`: a page of contributors with their counts, and the totals. */
export type ContributorPage = z.infer<typeof s.ContributorPage>;
/** `GET /v1/contributions/:id`. */
export type ContributionView = z.infer<typeof s.ContributionView>;
/** An upload as the node reports it (`GET /v1/uploads/:id`). */
export type UploadView = z.infer<typeof s.UploadView>;
/** A contribution awaiting review. */
export type PendingContribution = z.infer<typeof s.PendingContribution>;
/** Answer of `POST /v1/datanets/:id/review`. */
export type ReviewResult = z.infer<typeof s.ReviewResult>;
/** A published version as listed. */
export type VersionSummary = z.infer<typeof s.VersionSummary>;
/** `GET /v1/datanets/:id/versions/:version`. */
export type VersionDetail = z.infer<typeof s.VersionDetail>;
/** Answer of `POST /v1/datanets/:id/versions`. */
export type Publication = z.infer<typeof s.Publication>;
/** `GET /v1/datanets/:id/versions/:version/export`. */
export type VersionExportView = z.infer<typeof s.VersionExport>;
/** Body of `POST /v1/attribution`. */
export type AttributionRequest = ClientInput<z.input<typeof s.AttributionRequest>>;
/** Answer of `POST /v1/attribution`. */
export type AttributionResponse = z.infer<typeof s.AttributionResponse>;

/** Options of {@link createNodeClient}. */
export type CreateNodeClientParameters = {
  /** The node's base URL, e.g. `http://127.0.0.1:8787`. */
  baseUrl: string;
  /** A fetch implementation (default: the global one; pass one with auth headers if a proxy needs it). */
  fetch?: typeof fetch;
  /** The node's operator token, sent as `Authorization: Bearer <token>` (needed by operator routes). */
  operatorToken?: string;
};

/**
 * Typed client of a node's HTTP API: datanets, uploads (stage, sign, submit), curation, versions
 * (publish, export), attribution audits, health. Request and response types come from the same Zod
 * schemas the node validates with (`nodeSchemas`). Works in Node and browsers. Every error response
 * becomes a {@link TributaryError} with the node's `code` and `hint`.
 *
 * @example
 * const node = createNodeClient({ baseUrl: "http://127.0.0.1:8787", operatorToken });
 * const upload = await node.stageUpload({ datanetId: 1n, contributor: account.address, files: [{ name: "a.txt", content: "..." }] });
 * await node.submitUpload(upload.id, await signUpload(upload, account));
 */
export function createNodeClient(params: CreateNodeClientParameters) {
  const base = params.baseUrl.replace(/\/$/, "");
  const doFetch = params.fetch ?? fetch;

  async function send(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ res: Response; json: unknown }> {
    let res: Response;
    const headers: Record<string, string> = {};
    if (params.operatorToken) headers.authorization = `Bearer ${params.operatorToken}`;
    const init: RequestInit = { method, headers };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
      headers["content-type"] = "application/json";
    }
    try {
      res = await doFetch(`${base}${path}`, init);
    } catch (cause) {
      throw new TributaryError(`cannot reach the node at ${base}`, {
        code: "NODE_UNREACHABLE",
        hint: "Check the URL and that the node runs (tributary up).",
        cause,
        retryable: true,
      });
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = text;
    }
    return { res, json };
  }

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { res, json } = await send(method, path, body);
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string; hint?: string } } | undefined)?.error;
      throw new TributaryError(e?.message ?? `${method} ${path} failed with HTTP ${res.status}`, {
        code: e?.code ?? `HTTP_${res.status}`,
        ...(e?.hint ? { hint: e.hint } : {}),
        retryable: res.status >= 500,
        details: { status: res.status, method, path, requestId: res.headers.get("x-request-id") },
      });
    }
    return json as T;
  }

  const qs = (q: Record<string, string | number | bigint | undefined>) => {
    const entries = Object.entries(q).filter(([, v]) => v !== undefined) as [string, string][];
    return entries.length
      ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`
      : "";
  };
  type PageQuery = { limit?: number; cursor?: string };

  return {
    /** Liveness: `{ ok, version, uptimeSeconds }`. */
    health: () => request<NodeHealth>("GET", "/health"),
    /** Readiness: database, chain RPC, indexer lag; answers the checks whether ready or not (no throw on 503). */
    ready: async () => {
      const { res, json } = await send("GET", "/health/ready");
      if (res.status !== 200 && res.status !== 503)
        throw new TributaryError(`GET /health/ready failed with HTTP ${res.status}`, {
          code: `HTTP_${res.status}`,
          retryable: res.status >= 500,
        });
      return json as NodeReadiness;
    },
    /** The node's OpenAPI 3.1 document. */
    openApi: () => request<Json & { openapi: string; paths: Record<string, Json> }>("GET", "/openapi.json"),
    listDatanets: (q: PageQuery = {}) => request<Page<DatanetItem>>("GET", `/v1/datanets${qs(q)}`),
    getDatanet: (datanetId: bigint) => request<DatanetDetail>("GET", `/v1/datanets/${datanetId}`),
    /** Creates a datanet with the node's key (operator; the node becomes its owner and curator). */
    createDatanet: (body: CreateDatanetBody) => request<CreateDatanetResult>("POST", "/v1/datanets", body),
    /** Sets the node's near-duplicate policy for a datanet (operator; the node must be a curator). */
    setDatanetSettings: (datanetId: bigint, body: z.input<typeof s.DatanetSettingsBody>) =>
      request<DatanetSettings>("PUT", `/v1/datanets/${datanetId}/settings`, body),
    listContributions: (
      datanetId: bigint,
      q: PageQuery & { status?: ContributionStatus | (string & {}) } = {},
    ) => request<Page<ContributionItem>>("GET", `/v1/datanets/${datanetId}/contributions${qs(q)}`),
    /** Contributors of a datanet with counts per contributor (computed by the node over every contribution). */
    listContributors: (datanetId: bigint, q: PageQuery = {}) =>
      request<ContributorPage>("GET", `/v1/datanets/${datanetId}/contributors${qs(q)}`),
    getContribution: (contributionId: bigint) =>
      request<ContributionView>("GET", `/v1/contributions/${contributionId}`),
    /** Stages files: validated, normalized, hashed, deduplicated and stored; returns what to sign. */
    stageUpload: (p: {
      datanetId: bigint;
      contributor: Address;
      files: UploadFile[];
      mode?: "relayed" | "direct";
    }) => {
      const form = new FormData();
      form.set("contributor", p.contributor);
      if (p.mode) form.set("mode", p.mode);
      for (const f of p.files) form.append("files", new Blob([f.content as BlobPart]), f.name);
      return request<UploadView>("POST", `/v1/datanets/${p.datanetId}/uploads`, form);
    },
    getUpload: (uploadId: string) => request<UploadView>("GET", `/v1/uploads/${uploadId}`),
    /** Relays the contributor's signatures; the node registers the documents on chain and pays the gas. */
    submitUpload: (uploadId: string, signatures: Hex[]) =>
      request<UploadView>("POST", `/v1/uploads/${uploadId}/submit`, { signatures }),
    listCuration: (datanetId: bigint, q: PageQuery = {}) =>
      request<Page<PendingContribution>>("GET", `/v1/datanets/${datanetId}/curation${qs(q)}`),
    /** Reviews with the node's key (operator; the node must be a curator). */
    review: (
      datanetId: bigint,
      reviews: { contributionId: bigint; verdict: "accept" | "reject" | "rejectAndSlash" }[],
    ) => request<ReviewResult>("POST", `/v1/datanets/${datanetId}/review`, { reviews }),
    listVersions: (datanetId: bigint, q: PageQuery = {}) =>
      request<Page<VersionSummary>>("GET", `/v1/datanets/${datanetId}/versions${qs(q)}`),
    getVersion: (datanetId: bigint, version: number) =>
      request<VersionDetail>("GET", `/v1/datanets/${datanetId}/versions/${version}`),
    /** Publishes every accepted contribution as the next version (operator; node key, the node must be a curator). */
    publishVersion: (datanetId: bigint) =>
      request<Publication>("POST", `/v1/datanets/${datanetId}/versions`, {}),
    exportVersion: (datanetId: bigint, version: number) =>
      request<VersionExportView>("GET", `/v1/datanets/${datanetId}/versions/${version}/export`),
    /** span-v1 attribution of any text against a published version. */
    attribute: (p: {
      datanetId: bigint;
      version: number;
      text: string;
      minTokens?: number;
      maxCount?: number;
    }) =>
      request<AttributionResponse>("POST", "/v1/attribution", { ...p, datanetId: p.datanetId.toString() }),

    // ---- epochs, earnings, proofs, claims, payers, receipts (docs/api-epochs.md)
    listEpochs: (q: PageQuery = {}) => request<Page<EpochView>>("GET", `/v1/epochs${qs(q)}`),
    getEpoch: (epoch: number) => request<EpochView>("GET", `/v1/epochs/${epoch}`),
    /**
     * Closes an epoch (operator): cut, bundle, sign (+ co-signatures), submit. 409 `NOTHING_TO_CLOSE` when no
     * receipt waits, unless `allowEmpty` (an empty report, e.g. for a payer waiting to withdraw).
     */
    closeEpoch: (options: { allowEmpty?: boolean } = {}) =>
      request<EpochView>("POST", "/v1/epochs/close", options.allowEmpty ? { allowEmpty: true } : {}),
    finalizeEpoch: (epoch: number) => request<EpochView>("POST", `/v1/epochs/${epoch}/finalize`, {}),
    /** Recomputes the epoch from its bundle and compares it with the chain. */
    verifyEpoch: (epoch: number, nodeURL?: string) =>
      request<EpochVerification>("POST", `/v1/epochs/${epoch}/verify`, nodeURL ? { nodeURL } : {}),
    /**
     * Asks this node, an attestor, to co-sign a report: the body comes from `cosignRequestBody(report,
     * await signCosignRequest(…))`, signed by an attestor key whose `nodeURL` is one of this node's peers.
     */
    requestCosign: (body: CosignRequestBody) =>
      request<CosignAnswer>("POST", `/v1/epochs/${body.report.epoch}/cosign`, body),
    getEarnings: (account: Address) => request<Earnings>("GET", `/v1/accounts/${account}/earnings`),
    /** Merkle proof of `account` in the latest finalized `tree` (rewards: claims; charges: withdrawals). */
    getProof: (account: Address, tree: "rewards" | "charges" = "rewards") =>
      request<MerkleProof>("GET", `/v1/accounts/${account}/proof?tree=${tree}`),
    /** The node relays one `claimMany` for `accounts` (it pays the gas; funds go to each account). */
    relayClaims: (accounts: readonly Address[]) => request<ClaimResult>("POST", "/v1/claims", { accounts }),
    getPayer: (payer: Address) => request<PayerView>("GET", `/v1/payers/${payer}`),
    getReceipt: (id: Hex) => request<ReceiptView>("GET", `/v1/receipts/${id}`),
    listReceipts: (q: PageQuery & { payer?: Address; model?: bigint; epoch?: number } = {}) =>
      request<Page<ReceiptView>>("GET", `/v1/receipts${qs(q)}`),
  };
}

/** An epoch as the node reports it. */
export type EpochView = z.infer<typeof s.EpochView>;
/** Answer of `POST /v1/epochs/:epoch/cosign`: the co-signer's signature of the report. */
export type CosignAnswer = { signer: Address; signature: Hex; receiptCount: number };
/** A verification of an epoch's bundle against the chain. */
export type EpochVerification = z.infer<typeof s.Verification>;
/** What an account earned. */
export type Earnings = z.infer<typeof s.Earnings>;
/** A Merkle proof of one leaf of the latest finalized tree. */
export type MerkleProof = z.infer<typeof s.Proof>;
/** What a relayed `claimMany` paid. */
export type ClaimResult = z.infer<typeof s.ClaimResult>;
/** A payer's credit. */
export type PayerView = z.infer<typeof s.Payer>;
/** A stored receipt. */
export type ReceiptView = z.infer<typeof s.Receipt>;

/** The client {@link createNodeClient} returns. */
export type NodeClient = ReturnType<typeof createNodeClient>;

/**
 * Signs every batch an upload asks for, in order, with the contributor's key (EIP-712
 * `ContributionBatch`). The node's JSON carries integers as decimal strings; they are turned back into
 * bigints before signing, so the signature matches what the contract hashes.
 */
export async function signUpload(
  upload: Pick<UploadView, "signing">,
  account: Pick<LocalAccount, "signTypedData">,
): Promise<Hex[]> {
  const batches = upload.signing?.batches ?? [];
  const out: Hex[] = [];
  for (const b of batches) {
    const td = b.typedData as { message: Record<string, unknown> } & Json;
    const m = td.message;
    const message = {
      ...m,
      datanetId: BigInt(m.datanetId as string),
      sizes: (m.sizes as string[]).map(BigInt),
      stake: BigInt(m.stake as string),
      nonce: BigInt(m.nonce as string),
      deadline: BigInt(m.deadline as string),
    };
    out.push(await account.signTypedData({ ...td, message } as unknown as TypedDataDefinition));
  }
  return out;
}
