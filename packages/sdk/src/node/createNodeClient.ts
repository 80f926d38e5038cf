import type { Address, Hex, LocalAccount, TypedDataDefinition } from "viem";
import { TributaryError } from "../errors/TributaryError.ts";

/** JSON as the node sends it: ids and amounts are decimal strings. */
export type Json = Record<string, unknown>;

/** A page of a list route. */
export type Page<T> = { items: T[]; nextCursor: string | null };

/** A file to upload: its name decides the format (.txt, .md, .jsonl, .csv, .pdf, .docx). */
export type UploadFile = { name: string; content: Uint8Array | string };

/** An upload as the node reports it (`GET /v1/uploads/:id`). */
export type UploadView = Json & {
  id: string;
  status: string;
  documents: (Json & { contentHash: Hex; contributionId?: string | null; nearDuplicates?: Json[] })[];
  signing?: { batches: { typedData: Json }[] };
};

/** Options of {@link createNodeClient}. */
export type CreateNodeClientParameters = {
  /** The node's base URL, e.g. `http://127.0.0.1:8787`. */
  baseUrl: string;
  /** A fetch implementation (default: the global one; pass one with auth headers if a proxy needs it). */
  fetch?: typeof fetch;
};

/**
 * Typed client of a node's HTTP API: datanets, uploads (stage, sign, submit), curation, versions
 * (publish, export) and attribution audits. Works in Node and browsers. Every error response becomes a
 * {@link TributaryError} with the node's `code` and `hint`.
 *
 * @example
 * const node = createNodeClient({ baseUrl: "http://127.0.0.1:8787" });
 * const upload = await node.stageUpload({ datanetId: 1n, contributor: account.address, files: [{ name: "a.txt", content: "..." }] });
 * await node.submitUpload(upload.id, await signUpload(upload, account));
 */
export function createNodeClient(params: CreateNodeClientParameters) {
  const base = params.baseUrl.replace(/\/$/, "");
  const doFetch = params.fetch ?? fetch;

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    const init: RequestInit = { method };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
      init.headers = { "content-type": "application/json" };
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
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string; hint?: string } } | undefined)?.error;
      throw new TributaryError(e?.message ?? `${method} ${path} failed with HTTP ${res.status}`, {
        code: e?.code ?? `HTTP_${res.status}`,
        ...(e?.hint ? { hint: e.hint } : {}),
        retryable: res.status >= 500,
        details: { status: res.status, method, path },
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
    health: () => request<Json>("GET", "/health"),
    listDatanets: (q: PageQuery = {}) => request<Page<Json>>("GET", `/v1/datanets${qs(q)}`),
    getDatanet: (datanetId: bigint) => request<Json>("GET", `/v1/datanets/${datanetId}`),
    /** Creates a datanet with the node's key (the node becomes its owner and curator). */
    createDatanet: (body: {
      metadataURI: string;
      policy: {
        curated: boolean;
        minStake: bigint | string;
        license?: string;
        refundStakeOnAccept?: boolean;
      };
      nearDuplicatePolicy?: "flag" | "refuse";
      nearDuplicateThreshold?: number;
    }) => request<{ datanetId: string; txHash: Hex; owner: Address }>("POST", "/v1/datanets", body),
    listContributions: (datanetId: bigint, q: PageQuery & { status?: string } = {}) =>
      request<Page<Json>>("GET", `/v1/datanets/${datanetId}/contributions${qs(q)}`),
    getContribution: (contributionId: bigint) => request<Json>("GET", `/v1/contributions/${contributionId}`),
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
      request<Page<Json>>("GET", `/v1/datanets/${datanetId}/curation${qs(q)}`),
    review: (
      datanetId: bigint,
      reviews: { contributionId: bigint; verdict: "accept" | "reject" | "rejectAndSlash" }[],
    ) => request<Json>("POST", `/v1/datanets/${datanetId}/review`, { reviews }),
    listVersions: (datanetId: bigint, q: PageQuery = {}) =>
      request<Page<Json>>("GET", `/v1/datanets/${datanetId}/versions${qs(q)}`),
    getVersion: (datanetId: bigint, version: number) =>
      request<Json>("GET", `/v1/datanets/${datanetId}/versions/${version}`),
    /** Publishes every accepted contribution as the next version (node key; the node must be a curator). */
    publishVersion: (datanetId: bigint) => request<Json>("POST", `/v1/datanets/${datanetId}/versions`, {}),
    exportVersion: (datanetId: bigint, version: number) =>
      request<
        Json & { contributionsRoot: Hex; files: Record<"data.jsonl" | "README.md" | "manifest.json", string> }
      >("GET", `/v1/datanets/${datanetId}/versions/${version}/export`),
    /** span-v1 attribution of any text against a published version. */
    attribute: (p: {
      datanetId: bigint;
      version: number;
      text: string;
      minTokens?: number;
      maxCount?: number;
    }) =>
      request<{ attribution: Json & { contributions: { contributionId: string; ppm: number }[] } }>(
        "POST",
        "/v1/attribution",
        { ...p, datanetId: p.datanetId.toString() },
      ),
  };
}

/** The client {@link createNodeClient} returns. */
export type NodeClient = ReturnType<typeof createNodeClient>;

/**
 * Signs every batch an upload asks for, in order, with the contributor's key (EIP-712
 * `ContributionBatch`). The node's JSON carries integers as decimal strings; they are turned back into
 * bigints before signing, so the signature matches what the contract hashes.
 */
export async function signUpload(
  upload: UploadView,
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
