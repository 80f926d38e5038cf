import type { Hex } from "viem";
import type { NodeContext } from "../../context/NodeContext.ts";
import type { SignedReceipt } from "../receipts/settle.ts";

/** Which OpenAI route a response answers. */
export type CompletionKind = "chat" | "completion";

/** What a stream has sent so far: the deltas' count and their text. */
export type Sent = { count: number; text: string };

/** Parameters of {@link streamBilled}. */
export type StreamBilledParameters = {
  /** The receipt id (`X-Tributary-Receipt`). */
  id: Hex;
  kind: CompletionKind;
  responseId: string;
  created: number;
  model: string;
  /** Opens the source of text deltas; `signal` aborts when the client leaves. Its first delta is read before the response starts. */
  open: (signal: AbortSignal) => AsyncIterator<string>;
  /** Charges what was sent; called once, at the end of the source, when it fails midway, or on disconnect. */
  settle: (sent: Sent) => Promise<SignedReceipt>;
  /** Releases the request's reserved credit (after the receipt is written, or it failed). */
  release: () => void;
  /** `finish_reason` of the final chunk when the source ends (a function: known only then). */
  finishReason: "stop" | "length" | (() => "stop" | "length");
  /** A failure of the source midway, as the final chunk's `error` (the stream still ends with its receipt). */
  describeFailure?: (error: unknown) => Record<string, unknown>;
  log: NodeContext["log"];
};

const encoder = new TextEncoder();
const sse = (data: unknown) => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);

/** One OpenAI streaming chunk (`chat.completion.chunk` or `text_completion`). */
function chunkOf(
  s: Pick<StreamBilledParameters, "kind" | "responseId" | "created" | "model">,
  delta: { text?: string; role?: boolean },
  finish: string | null,
  extra: Record<string, unknown> = {},
) {
  return s.kind === "chat"
    ? {
        id: s.responseId,
        object: "chat.completion.chunk",
        created: s.created,
        model: s.model,
        choices: [
          {
            index: 0,
            delta: {
              ...(delta.role ? { role: "assistant" } : {}),
              ...(delta.text !== undefined ? { content: delta.text } : {}),
            },
            logprobs: null,
            finish_reason: finish,
          },
        ],
        ...extra,
      }
    : {
        id: s.responseId,
        object: "text_completion",
        created: s.created,
        model: s.model,
        choices: [{ index: 0, text: delta.text ?? "", logprobs: null, finish_reason: finish }],
        ...extra,
      };
}

/**
 * Streams text deltas as OpenAI chunks (SSE) and bills exactly what was sent, for chat and completions, for the
 * ∞-gram and for external models alike. The source is opened (and its first delta read) before the response
 * starts, so a source that refuses becomes an error response. Each delta counts as sent once enqueued; the
 * receipt is written once, before the final event (which carries `usage` and `tributary`): at the end of the
 * source, when it fails midway, or when the client disconnects (which also aborts the source).
 *
 * @example
 * return streamBilled({ id, kind: "chat", responseId, created, model: model.name, open, settle, release, finishReason: "stop", log: ctx.log });
 */
export async function streamBilled(s: StreamBilledParameters): Promise<Response> {
  const abort = new AbortController();
  const source = s.open(abort.signal);
  let first: IteratorResult<string>;
  try {
    first = await source.next();
  } catch (error) {
    s.release();
    throw error;
  }
  const sent: Sent = { count: 0, text: "" };
  let started = false;
  let cancelled = false;
  let settling: Promise<SignedReceipt> | undefined;
  const settleOnce = () => {
    settling ??= (async () => {
      try {
        return await s.settle({ ...sent });
      } finally {
        s.release();
      }
    })();
    return settling;
  };
  const send = (controller: ReadableStreamDefaultController<Uint8Array>, text: string) => {
    sent.count++;
    sent.text += text;
    controller.enqueue(sse(chunkOf(s, { text }, null)));
  };

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!started) {
          started = true;
          if (s.kind === "chat") controller.enqueue(sse(chunkOf(s, { role: true, text: "" }, null)));
          if (!first.done) {
            send(controller, first.value);
            return;
          }
        }
        let next: IteratorResult<string> | undefined = first.done ? first : undefined;
        let failure: unknown;
        if (!next) {
          try {
            next = await source.next();
          } catch (error) {
            failure = error;
          }
        }
        if (settling) return; // the client went away meanwhile
        if (next && !next.done) {
          send(controller, next.value);
          return;
        }
        const signed = await settleOnce();
        if (cancelled) return; // the client left while the receipt was written: it is stored all the same
        const r = signed.receipt;
        controller.enqueue(
          sse(
            chunkOf(
              s,
              s.kind === "chat" ? {} : { text: "" },
              failure ? "stop" : typeof s.finishReason === "function" ? s.finishReason() : s.finishReason,
              {
                usage: {
                  prompt_tokens: r.inputTokens,
                  completion_tokens: r.outputTokens,
                  total_tokens: r.inputTokens + r.outputTokens,
                },
                tributary: { receipt: signed.json, receiptHash: signed.hash, signature: signed.signature },
                ...(failure && s.describeFailure ? { error: s.describeFailure(failure) } : {}),
              },
            ),
          ),
        );
        controller.enqueue(encoder.encode("data: [DONE]\n\n"));
        controller.close();
      } catch (error) {
        s.log("error", "gateway stream failed", { error: String(error) });
        controller.error(error);
      }
    },
    async cancel() {
      cancelled = true;
      abort.abort();
      try {
        await settleOnce();
      } catch (error) {
        s.log("error", "gateway could not settle a cancelled stream", { error: String(error) });
      }
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
      "X-Tributary-Receipt": s.id,
    },
  });
}
