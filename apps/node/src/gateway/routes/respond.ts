import type { Context } from "hono";
import type { SignedReceipt } from "../receipts/settle.ts";
import type { CompletionKind } from "./streamBilled.ts";

/** A finished, non-streamed answer. */
export type Answer = {
  responseId: string;
  created: number;
  model: string;
  text: string;
  finishReason: string;
  usage: Record<string, number>;
  signed: SignedReceipt;
};

/**
 * A non-streaming completion in OpenAI's shape, with the receipt headers. The stored canonical receipt text is
 * spliced into the body as is (`tributary` is the last field), rather than parsed and serialized again.
 *
 * @example
 * return respond(c, "chat", { responseId, created, model: model.name, text, finishReason: "stop", usage, signed });
 */
export function respond(c: Context, kind: CompletionKind, a: Answer): Response {
  const body =
    kind === "chat"
      ? {
          id: a.responseId,
          object: "chat.completion",
          created: a.created,
          model: a.model,
          choices: [
            {
              index: 0,
              message: { role: "assistant", content: a.text, refusal: null },
              logprobs: null,
              finish_reason: a.finishReason,
            },
          ],
          usage: a.usage,
          tributary: null,
        }
      : {
          id: a.responseId,
          object: "text_completion",
          created: a.created,
          model: a.model,
          choices: [{ index: 0, text: a.text, logprobs: null, finish_reason: a.finishReason }],
          usage: a.usage,
          tributary: null,
        };
  const head = JSON.stringify(body);
  const text = `${head.slice(0, -"null}".length)}{"receipt":${a.signed.canonical},"receiptHash":"${a.signed.hash}","signature":"${a.signed.signature}"}}`;
  return c.body(text, 200, {
    "Content-Type": "application/json",
    "X-Tributary-Receipt": a.signed.receipt.id,
    "X-Tributary-Receipt-Hash": a.signed.hash,
  });
}
