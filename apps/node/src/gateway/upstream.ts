import { toWellFormedText } from "../api/requireWellFormed.ts";
import {
  fetchLimited,
  type LimitedResponse,
  OutboundFetchError,
  type OutboundLimits,
} from "../net/fetchLimited.ts";
import { DEFAULT_OUTBOUND } from "../net/outboundConfig.ts";
import { redactUrl } from "./redactUrl.ts";
import { UpstreamError } from "./upstreamError.ts";

/** An OpenAI-compatible server an external model forwards to (vLLM, llama.cpp server, Ollama, LoRAX, a node). */
export type Upstream = {
  /** Base URL including the API prefix, e.g. `http://127.0.0.1:8000/v1`. */
  baseURL: string;
  /** Model name the upstream serves. */
  model: string;
  /** Sent as `Authorization: Bearer <apiKey>` when set. */
  apiKey?: string;
};

/** What a non-streaming upstream call returned. */
export type UpstreamAnswer = {
  text: string;
  finishReason: string | null;
  /** The upstream's `usage`, when it reports one. */
  usage?: { prompt_tokens?: number; completion_tokens?: number };
};

/** Time allowed for an upstream to answer (headers), in ms (the default of `NodeConfig.outbound.upstream`). */
export const UPSTREAM_TIMEOUT_MS = DEFAULT_OUTBOUND.upstream.headersTimeoutMs;

function endpoint(upstream: Upstream, kind: "chat" | "completion"): string {
  return `${upstream.baseURL.replace(/\/+$/, "")}/${kind === "chat" ? "chat/completions" : "completions"}`;
}

/**
 * An outbound failure as an {@link UpstreamError}: the payer gets the code only (timeout 504, too large,
 * unreachable), the node's log gets the redacted URL and the reason, never a body.
 */
function upstreamFailure(error: unknown, url: string): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const detail = `${redactUrl(url)}: ${error instanceof Error ? error.message : String(error)}`;
  if (error instanceof OutboundFetchError) {
    if (error.code === "TIMEOUT") return new UpstreamError("UPSTREAM_TIMEOUT", { detail, cause: error });
    if (error.code === "TOO_LARGE") return new UpstreamError("UPSTREAM_TOO_LARGE", { detail, cause: error });
    if (error.code === "NOT_JSON") return new UpstreamError("UPSTREAM_ERROR", { detail, cause: error });
  }
  return new UpstreamError("UPSTREAM_UNREACHABLE", { detail, cause: error });
}

async function post(
  upstream: Upstream,
  kind: "chat" | "completion",
  body: Record<string, unknown>,
  signal: AbortSignal | undefined,
  limits: OutboundLimits,
): Promise<LimitedResponse> {
  const url = endpoint(upstream, kind);
  let res: LimitedResponse;
  try {
    res = await fetchLimited(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(upstream.apiKey ? { authorization: `Bearer ${upstream.apiKey}` } : {}),
      },
      body: JSON.stringify({ ...body, model: upstream.model }),
      ...(signal ? { signal } : {}),
      limits,
    });
  } catch (cause) {
    throw upstreamFailure(cause, url);
  }
  if (!res.ok) {
    let detail = "";
    try {
      const text = await res.text();
      try {
        const parsed = JSON.parse(text) as { error?: { message?: string; code?: string } | string };
        detail =
          typeof parsed.error === "string"
            ? parsed.error
            : `${parsed.error?.code ? `${parsed.error.code}: ` : ""}${parsed.error?.message ?? text}`;
      } catch {
        detail = text.slice(0, 300);
      }
    } catch {}
    throw new UpstreamError("UPSTREAM_ERROR", { status: res.status, detail: `${redactUrl(url)}: ${detail}` });
  }
  return res;
}

function textOf(choice: unknown, kind: "chat" | "completion", delta: boolean): string {
  const c = choice as
    | { message?: { content?: unknown }; delta?: { content?: unknown }; text?: unknown }
    | undefined;
  const v = kind === "completion" ? c?.text : delta ? c?.delta?.content : c?.message?.content;
  return typeof v === "string" ? v : "";
}

/**
 * One non-streaming completion from an OpenAI-compatible upstream (`/chat/completions` or `/completions`);
 * `model` is replaced by the upstream's. Network failures, non-2xx answers and malformed bodies become 502
 * `UPSTREAM_UNREACHABLE` / `UPSTREAM_ERROR` ({@link UpstreamError}: our own message, the detail for the log).
 *
 * @example
 * const { text } = await callUpstream({ baseURL: "http://127.0.0.1:8000/v1", model: "llama" }, "chat", { messages });
 */
export async function callUpstream(
  upstream: Upstream,
  kind: "chat" | "completion",
  body: Record<string, unknown>,
  signal?: AbortSignal,
  limits: OutboundLimits = DEFAULT_OUTBOUND.upstream,
): Promise<UpstreamAnswer> {
  const res = await post(upstream, kind, { ...body, stream: false }, signal, limits);
  let json: { choices?: unknown[]; usage?: UpstreamAnswer["usage"] };
  try {
    json = await res.json<typeof json>();
  } catch (cause) {
    throw upstreamFailure(cause, endpoint(upstream, kind));
  }
  const choice = json.choices?.[0] as { finish_reason?: string } | undefined;
  if (!choice) {
    throw new UpstreamError("UPSTREAM_ERROR", {
      detail: `${redactUrl(endpoint(upstream, kind))}: no choices`,
    });
  }
  return {
    text: toWellFormedText(textOf(choice, kind, false)),
    finishReason: choice.finish_reason ?? null,
    ...(json.usage ? { usage: json.usage } : {}),
  };
}

/**
 * Streams a completion from an OpenAI-compatible upstream (SSE), yielding each text delta; ends at
 * `data: [DONE]` or the end of the body. Aborting `signal` closes the upstream connection.
 *
 * @example
 * for await (const delta of streamUpstream(upstream, "chat", { messages }, signal)) process.stdout.write(delta);
 */
export async function* streamUpstream(
  upstream: Upstream,
  kind: "chat" | "completion",
  body: Record<string, unknown>,
  signal?: AbortSignal,
  limits: OutboundLimits = DEFAULT_OUTBOUND.upstream,
): AsyncGenerator<string> {
  const res = await post(upstream, kind, { ...body, stream: true }, signal, limits);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  // A surrogate pair may be split over two deltas (`"\ud83d"` then `"\udc33"`): a trailing high surrogate
  // waits for the next delta; whatever stays unpaired becomes U+FFFD (see `toWellFormed`).
  let held = "";
  const wellFormed = (delta: string): string => {
    let text = held + delta;
    held = "";
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      held = text.slice(-1);
      text = text.slice(0, -1);
    }
    return toWellFormedText(text);
  };
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (cause) {
        if (signal?.aborted) throw cause;
        throw upstreamFailure(cause, endpoint(upstream, kind));
      }
      const { value, done } = chunk;
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      for (let cut = buffer.indexOf("\n\n"); cut >= 0; cut = buffer.indexOf("\n\n")) {
        const event = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        for (const line of event.split("\n")) {
          if (!line.startsWith("data:")) continue;
          const data = line.slice(5).trim();
          if (data === "[DONE]") {
            if (held) yield "\ufffd";
            return;
          }
          let parsed: { choices?: unknown[]; error?: { message?: string } };
          try {
            parsed = JSON.parse(data) as typeof parsed;
          } catch {
            continue;
          }
          if (parsed.error) {
            throw new UpstreamError("UPSTREAM_ERROR", {
              detail: `stream error: ${parsed.error.message ?? "error"}`,
            });
          }
          const delta = wellFormed(textOf(parsed.choices?.[0], kind, true));
          if (delta) yield delta;
        }
      }
    }
    if (held) yield "\ufffd";
  } finally {
    await reader.cancel().catch(() => {});
  }
}
