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

/** Time allowed for an upstream to answer (headers), in ms. */
export const UPSTREAM_TIMEOUT_MS = 120_000;

function endpoint(upstream: Upstream, kind: "chat" | "completion"): string {
  return `${upstream.baseURL.replace(/\/+$/, "")}/${kind === "chat" ? "chat/completions" : "completions"}`;
}

async function post(
  upstream: Upstream,
  kind: "chat" | "completion",
  body: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<Response> {
  const url = endpoint(upstream, kind);
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(upstream.apiKey ? { authorization: `Bearer ${upstream.apiKey}` } : {}),
      },
      body: JSON.stringify({ ...body, model: upstream.model }),
      signal: signal
        ? AbortSignal.any([signal, AbortSignal.timeout(UPSTREAM_TIMEOUT_MS)])
        : AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
    });
  } catch (cause) {
    throw new UpstreamError("UPSTREAM_UNREACHABLE", { detail: `${redactUrl(url)}: ${String(cause)}`, cause });
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
): Promise<UpstreamAnswer> {
  const res = await post(upstream, kind, { ...body, stream: false }, signal);
  let json: { choices?: unknown[]; usage?: UpstreamAnswer["usage"] };
  try {
    json = (await res.json()) as typeof json;
  } catch (cause) {
    throw new UpstreamError("UPSTREAM_ERROR", {
      detail: `${redactUrl(endpoint(upstream, kind))}: a body that is not JSON`,
      cause,
    });
  }
  const choice = json.choices?.[0] as { finish_reason?: string } | undefined;
  if (!choice) {
    throw new UpstreamError("UPSTREAM_ERROR", {
      detail: `${redactUrl(endpoint(upstream, kind))}: no choices`,
    });
  }
  return {
    text: textOf(choice, kind, false),
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
): AsyncGenerator<string> {
  const res = await post(upstream, kind, { ...body, stream: true }, signal);
  if (!res.body) return;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      for (let cut = buffer.indexOf("\n\n"); cut >= 0; cut = buffer.indexOf("\n\n")) {
        const event = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        for (const line of event.split("\n")) {
          if (!line.startsWith("data:")) continue;
          const data = line.slice(5).trim();
          if (data === "[DONE]") return;
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
          const delta = textOf(parsed.choices?.[0], kind, true);
          if (delta) yield delta;
        }
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
