import { TributaryError } from "@tributary/core";
/**
 * Limits of one outbound HTTP exchange. Every request this node makes to a URL it did not write itself (a
 * peer's bundle, another node's version export, a model upstream) runs under them, so no answer can hang a
 * route or fill the memory or the disk.
 */
export type OutboundLimits = {
  /** Time until the response headers arrive (connection, TLS and the server's think time), in ms. */
  headersTimeoutMs: number;
  /** Time allowed without a single body byte once the headers came, in ms. */
  idleTimeoutMs: number;
  /** Time for the whole exchange, body included, in ms. */
  totalTimeoutMs: number;
  /** Body size at most, in bytes, counted while it streams (the answer is cut at the cap, never read whole). */
  maxBytes: number;
};

const MiB = 1024 * 1024;

/** Limits for small JSON answers of other nodes. */
export const JSON_LIMITS: OutboundLimits = {
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 10_000,
  totalTimeoutMs: 30_000,
  maxBytes: 4 * MiB,
};

/** Why an outbound request failed. */
export type OutboundFetchErrorCode =
  | "URL_NOT_ALLOWED"
  | "UNREACHABLE"
  | "TIMEOUT"
  | "TOO_LARGE"
  | "REDIRECT_REFUSED"
  | "NOT_JSON";

/**
 * An outbound request that failed, said in this node's words: the URL (without credentials or query) and the
 * reason. Never carries what the remote answered, so an internal address cannot be read through an error.
 */
export class OutboundFetchError extends TributaryError {
  override name = "OutboundFetchError";
  declare readonly code: OutboundFetchErrorCode;
  constructor(
    code: OutboundFetchErrorCode,
    readonly url: string,
    reason: string,
  ) {
    super(`${url}: ${reason}`, { code, retryable: code === "TIMEOUT" || code === "UNREACHABLE" });
  }
}

/** Parameters of {@link fetchLimited}. */
export type FetchLimitedParameters = {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Aborts the request (a client that went away). */
  signal?: AbortSignal;
  limits: OutboundLimits;
  /** The fetch to use (undici's by default). */
  fetch?: typeof fetch;
};

/** An answer whose body is read under the limits. */
export type LimitedResponse = {
  status: number;
  ok: boolean;
  headers: Headers;
  /** The body, cut with `TOO_LARGE` past `maxBytes` and `TIMEOUT` past the idle or total time. */
  body: ReadableStream<Uint8Array>;
  /** Reads the whole body (at most `maxBytes`). */
  bytes(): Promise<Uint8Array>;
  text(): Promise<string>;
  /** Parses the body; `NOT_JSON` (without the body) when it is not JSON. */
  json<T = unknown>(): Promise<T>;
  /** Drops the body and closes the connection. */
  cancel(): Promise<void>;
};

/** The URL as errors show it: no user info, no query (tokens live there), no fragment. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(an unparsable URL)";
  }
}

/**
 * Parses `url` and accepts only `http:` and `https:` (no `data:`, `file:`, `blob:`, …).
 *
 * @throws {OutboundFetchError} `URL_NOT_ALLOWED`.
 */
export function requireHttpUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OutboundFetchError("URL_NOT_ALLOWED", "(an unparsable URL)", "not a URL");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new OutboundFetchError(
      "URL_NOT_ALLOWED",
      `${parsed.protocol}…`,
      `the scheme ${parsed.protocol} is not allowed (only http: and https:)`,
    );
  }
  return parsed;
}

/**
 * `fetch` with the limits every outbound request of the node needs: only `http:`/`https:`, a time limit for the
 * headers, for silence in the body and for the whole exchange, a body size cap enforced while streaming, and
 * redirects refused (a node or an upstream never needs one, and following one could lead anywhere). Failures
 * are {@link OutboundFetchError}s naming the URL and the reason, never the body.
 *
 * A non-2xx answer is returned (`ok: false`), not thrown: callers say what it means; they should not echo it.
 *
 * @example
 * const res = await fetchLimited(`${peer}/v1/bundles/${cid}`, { limits: bundleLimits });
 * await pipeline(Readable.fromWeb(res.body), createWriteStream(path));
 */
export async function fetchLimited(url: string, params: FetchLimitedParameters): Promise<LimitedResponse> {
  const target = requireHttpUrl(url);
  const shown = displayUrl(target.href);
  const { limits } = params;
  const controller = new AbortController();
  let failure: OutboundFetchError | undefined;
  const fail = (code: OutboundFetchErrorCode, reason: string) => {
    failure ??= new OutboundFetchError(code, shown, reason);
    controller.abort(failure);
    return failure;
  };
  const timers: NodeJS.Timeout[] = [];
  const timer = (ms: number, reason: string) => {
    const t = setTimeout(() => fail("TIMEOUT", reason), ms);
    t.unref();
    timers.push(t);
    return t;
  };
  const done = () => {
    for (const t of timers) clearTimeout(t);
    timers.length = 0;
  };
  timer(limits.totalTimeoutMs, `no complete answer within ${limits.totalTimeoutMs} ms`);
  const headersTimer = timer(limits.headersTimeoutMs, `no answer within ${limits.headersTimeoutMs} ms`);
  const signal = params.signal ? AbortSignal.any([controller.signal, params.signal]) : controller.signal;

  let res: Response;
  try {
    res = await (params.fetch ?? fetch)(target.href, {
      method: params.method ?? "GET",
      ...(params.headers ? { headers: params.headers } : {}),
      ...(params.body !== undefined ? { body: params.body } : {}),
      redirect: "manual",
      signal,
    });
  } catch (cause) {
    done();
    if (failure) throw failure;
    if (params.signal?.aborted) throw cause;
    throw new OutboundFetchError("UNREACHABLE", shown, `could not be reached (${reasonOf(cause)})`);
  }
  clearTimeout(headersTimer);
  const drop = async () => {
    done();
    controller.abort();
    await res.body?.cancel().catch(() => {});
  };
  if (res.status >= 300 && res.status < 400) {
    await drop();
    throw new OutboundFetchError(
      "REDIRECT_REFUSED",
      shown,
      `answered with a redirect (HTTP ${res.status}), which is not followed`,
    );
  }
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    await drop();
    throw new OutboundFetchError(
      "TOO_LARGE",
      shown,
      `announced ${declared} bytes, more than the limit of ${limits.maxBytes}`,
    );
  }

  const reader = res.body?.getReader();
  let received = 0;
  let idle: NodeJS.Timeout | undefined;
  const arm = () => {
    if (idle) clearTimeout(idle);
    idle = timer(limits.idleTimeoutMs, `sent nothing for ${limits.idleTimeoutMs} ms`);
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start: () => arm(),
      async pull(out) {
        if (!reader) {
          done();
          out.close();
          return;
        }
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (cause) {
          done();
          out.error(
            failure ??
              new OutboundFetchError("UNREACHABLE", shown, `the answer broke off (${reasonOf(cause)})`),
          );
          return;
        }
        if (chunk.done) {
          done();
          out.close();
          return;
        }
        received += chunk.value.byteLength;
        if (received > limits.maxBytes) {
          const error = fail("TOO_LARGE", `sent more than the limit of ${limits.maxBytes} bytes`);
          done();
          reader.cancel().catch(() => {});
          out.error(error);
          return;
        }
        arm();
        out.enqueue(chunk.value);
      },
      async cancel() {
        done();
        controller.abort();
        await reader?.cancel().catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );

  const bytes = async (): Promise<Uint8Array> => {
    const parts: Uint8Array[] = [];
    let size = 0;
    const r = body.getReader();
    for (;;) {
      const { value, done: end } = await r.read();
      if (end) break;
      parts.push(value);
      size += value.byteLength;
    }
    const all = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.byteLength;
    }
    return all;
  };
  const text = async () => new TextDecoder().decode(await bytes());
  return {
    status: res.status,
    ok: res.ok,
    headers: res.headers,
    body,
    bytes,
    text,
    async json<T>() {
      const t = await text();
      try {
        return JSON.parse(t) as T;
      } catch {
        throw new OutboundFetchError("NOT_JSON", shown, "answered with a body that is not JSON");
      }
    },
    cancel: () => body.cancel().catch(() => {}),
  };
}

/** A network error's reason without anything the remote sent (undici puts the cause's code there). */
function reasonOf(cause: unknown): string {
  const inner = (cause as { cause?: { code?: unknown } } | undefined)?.cause;
  if (inner && typeof inner.code === "string") return inner.code;
  if (cause instanceof Error && cause.name === "AbortError") return "aborted";
  return "network error";
}
