/** The node's HTTP API as the web app uses it (same origin, relative `/v1/...` URLs). */
import { TributaryError } from "@tributary/core/errors";

import type { UploadView, VersionDetail } from "@tributary/sdk";

/** An error answered by the node (`{ error: { code, message, hint } }`) or a network failure. */
export class ApiError extends TributaryError {
  override name = "ApiError";
  readonly status: number;
  declare readonly hint: string;
  constructor(status: number, code: string, message: string, hint: string) {
    super(message, { code, hint, retryable: status === 429 || status >= 502 });
    this.status = status;
  }
}

const OPERATOR_KEY = "tributary.operatorToken";
const API_KEY = "tributary.apiKey";

/** The operator token: taken once from `#operator=<token>`, then kept in localStorage. */
export function operatorToken(): string {
  return localStorage.getItem(OPERATOR_KEY) ?? "";
}
/** Stores (or clears, with "") the operator token. */
export function setOperatorToken(token: string): void {
  if (token) localStorage.setItem(OPERATOR_KEY, token.trim());
  else localStorage.removeItem(OPERATOR_KEY);
}
/** The gateway API key used by the playground. */
export function apiKey(): string {
  return localStorage.getItem(API_KEY) ?? "";
}
/** Stores (or clears, with "") the API key. */
export function setApiKey(key: string): void {
  if (key) localStorage.setItem(API_KEY, key.trim());
  else localStorage.removeItem(API_KEY);
}

/** Moves `#operator=<token>` from the URL into localStorage and removes it from the address bar. */
export function captureOperatorFragment(): boolean {
  const m = /(?:^#|&)operator=([^&]+)/.exec(location.hash);
  if (!m?.[1]) return false;
  setOperatorToken(decodeURIComponent(m[1]));
  history.replaceState(history.state, "", location.pathname + location.search);
  return true;
}

/** Turns a failed response into an {@link ApiError} with the node's code, message and hint. */
export function errorFrom(status: number, text: string, what: string): ApiError {
  // The gateway's routes answer in OpenAI's shape, with the node's own code as `tributary_code`.
  let body:
    | { error?: { code?: string; tributary_code?: string; message?: string; hint?: string } }
    | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const e = body?.error;
  if (e?.message)
    return new ApiError(status, e.tributary_code ?? e.code ?? `HTTP_${status}`, e.message, e.hint ?? "");
  if (status === 404)
    return new ApiError(
      404,
      "NOT_FOUND",
      `${what}: this node does not serve that route`,
      "The node may be older than the web app, or the feature is not enabled on it.",
    );
  return new ApiError(status, `HTTP_${status}`, `${what} failed with HTTP ${status}`, text.slice(0, 200));
}

type RequestOptions = { operator?: boolean; bearer?: string; signal?: AbortSignal };

/**
 * Calls the node: JSON in, JSON out; errors become {@link ApiError}. `operator` sends the operator token.
 *
 * @example
 * const page = await api<Page<Datanet>>("GET", "/v1/datanets?limit=20");
 */
export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  opts: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  const token = opts.bearer ?? (opts.operator ? operatorToken() : "");
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(
      0,
      "NODE_UNREACHABLE",
      "cannot reach the node",
      "Check that the node runs (tributary up).",
    );
  }
  const text = await res.text();
  if (!res.ok) {
    const err = errorFrom(res.status, text, `${method} ${path}`);
    if (res.status === 401 && opts.operator && !operatorToken())
      throw new ApiError(
        401,
        err.code,
        err.message,
        "This is an operator action: open Settings and paste the operator token (printed by `tributary up`).",
      );
    throw err;
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A page of a list route. */
export type Page<T> = { items: T[]; nextCursor: string | null };

// The node's answers, typed by the schemas the node validates them with (packages/sdk/src/node/schemas).
export type {
  ContributionItem as Contribution,
  ContributionView,
  DatanetDetail as Datanet,
  DatanetItem,
  Earnings,
  EpochVerification as Verification,
  EpochView as Epoch,
  PendingContribution,
  UploadView as Upload,
  VersionSummary,
} from "@tributary/sdk";

/** A near-duplicate flag on a staged document or a pending contribution. */
export type NearDuplicate = {
  kind: "contribution" | "upload";
  contributionId?: string;
  datanetId?: string;
  position?: number;
  similarity: number;
};

/**
 * `GET /v1/datanets/:id/versions/:v`: the sdk's `VersionDetail`, its manifest (an open record there) read
 * as what `buildManifest` writes: the contributions of the version.
 */
export type Version = Omit<VersionDetail, "manifest"> & {
  manifest: { contributions?: { id: string; contributor: string; tokens: number; size: number }[] } | null;
};

/** EIP-712 typed data as JSON (uints as decimal strings). */
export type TypedDataJson = {
  domain: Record<string, unknown>;
  types: Record<string, { name: string; type: string }[]>;
  primaryType: string;
  message: Record<string, unknown>;
};

/** `GET /v1/models` item (OpenAI shape plus `tributary`). */
export type Model = {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
  tributary?: {
    modelId: string;
    kind: string;
    datanetVersions: { datanetId: string; version: number }[];
    pricing: { perCall: string; per1kOutputTokens: string; per1kInputTokens?: string };
    split: { ownerBps: number; dataBps: number };
  };
};

/** A receipt part: who gets what. */
export type ReceiptPart = { role: string; account: string; amount: string; contributionId?: string };

/** The signed receipt's JSON (docs/settlement-core.md). */
export type Receipt = {
  id: string;
  payer: string;
  price: string;
  charged: string;
  agentFee: string;
  outputTokens: number;
  inputTokens: number;
  parts: ReceiptPart[];
  attribution: { algorithm: string; contributions: { contributionId: string; ppm: number }[] };
  datanetVersions: { datanetId: string; version: string }[];
};

/** `POST /v1/attribution` answer (span-v1). */
export type SpanAttribution = {
  datanetId: string;
  version: number;
  attribution: {
    algorithm: string;
    outputTokens: number;
    attributedTokens: number;
    contributions: { contributionId: string; ppm: number }[];
    spans: {
      charStart: number;
      charEnd: number;
      text: string;
      occurrences: number;
      sources: { contributionId: string; document: number; documentOffset: number }[];
    }[];
  };
};

/**
 * Uploads one file as its own upload with XMLHttpRequest, reporting upload progress (0..1).
 *
 * @example
 * const upload = await uploadFile("1", file, "0xabc…", (p) => setProgress(p));
 */
export function uploadFile(
  datanetId: string,
  file: File,
  contributor: string,
  onProgress: (fraction: number) => void,
): Promise<UploadView> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/v1/datanets/${encodeURIComponent(datanetId)}/uploads`);
    const token = operatorToken();
    if (token) xhr.setRequestHeader("authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(JSON.parse(xhr.responseText) as UploadView);
      } else reject(errorFrom(xhr.status, xhr.responseText, `uploading ${file.name}`));
    };
    xhr.onerror = () =>
      reject(new ApiError(0, "NODE_UNREACHABLE", `cannot send ${file.name}`, "Check that the node runs."));
    const form = new FormData();
    form.append("contributor", contributor);
    form.append("files", file, file.name);
    xhr.send(form);
  });
}
