import type { Context } from "hono";
import { ApiError } from "../../api/ApiError.ts";
import { llamaRuntimeOf } from "../llama/llamaRuntimeOf.ts";
import { streamGeneration } from "../llama/streamGeneration.ts";
import type { LlamaFiles } from "../llama/types.ts";
import type { GatewayModel } from "../models/types.ts";
import type { SettleParameters, SignedReceipt } from "../receipts/settle.ts";
import type { GatewayRouteDeps } from "./routeDeps.ts";
import { type StreamBilledParameters, streamBilled } from "./streamBilled.ts";

/** What `serveCompletion` has settled before a local llama model runs. */
export type LlamaCompletionParameters = {
  model: GatewayModel;
  prompt: string;
  maxTokens: number;
  temperature: number;
  seed: number;
  stream: boolean;
  /** The receipt's fields but its output. */
  settleBase: Omit<SettleParameters, "output">;
  /** The stream's fields but its source, settlement and finish reason. */
  streamBase: Omit<StreamBilledParameters, "open" | "settle" | "finishReason">;
  release: () => void;
  answer: (text: string, finishReason: string, signed: SignedReceipt, generateMs: number) => Response;
};

/** The model's files; a llama row without them is a broken row. */
export function llamaFilesOf(model: GatewayModel): LlamaFiles {
  if (!model.llama) throw new Error(`llama model ${model.name} has no files`);
  return model.llama;
}

/**
 * Serves a completion of a local llama model (base GGUF + LoRA adapter): generates in a pooled context, charges
 * the text sent with the model's own token counts, and attributes it with span-v1 over the trained-on versions'
 * index, like an external model's text (`output.kind` external). Streamed, the generation stops when the client
 * leaves and what was sent is charged; not streamed, a client that leaves stops it and nothing is charged.
 *
 * @example
 * return serveLlamaCompletion(deps, c, { model, prompt, maxTokens, temperature, seed, stream, settleBase, streamBase, release, answer });
 */
export async function serveLlamaCompletion(
  { ctx, service }: GatewayRouteDeps,
  c: Context,
  p: LlamaCompletionParameters,
): Promise<Response> {
  const runtime = llamaRuntimeOf(ctx);
  const files = llamaFilesOf(p.model);
  const gen = {
    model: p.model.name,
    prompt: p.prompt,
    maxTokens: p.maxTokens,
    temperature: p.temperature,
    seed: p.seed,
  };
  const charge = (text: string, outputTokens: number) =>
    service.settle({
      ...p.settleBase,
      output: { kind: "external", text, maxTokens: p.maxTokens, outputTokens },
    });

  if (p.stream) {
    let generation: ReturnType<typeof streamGeneration> | undefined;
    return streamBilled({
      ...p.streamBase,
      open: (signal) => {
        generation = streamGeneration(runtime, files, { ...gen, signal });
        return generation.iterator;
      },
      finishReason: () => generation?.finishReason() ?? "stop",
      settle: ({ count, text }) => charge(text, generation?.tokensAt(count) ?? 0),
    });
  }

  let signed: SignedReceipt;
  let generateMs: number;
  let text: string;
  let finishReason: string;
  try {
    const g = await runtime.generate(files, { ...gen, signal: c.req.raw.signal });
    if (g.finishReason === "aborted") {
      // Nobody reads this answer: the client is gone, and nothing is charged for text it never received.
      throw new ApiError(400, "CLIENT_CLOSED", "the client closed the request", "Nothing was charged.");
    }
    generateMs = g.generateMs;
    text = g.text;
    finishReason = g.finishReason;
    signed = await charge(g.text, g.outputTokens);
  } finally {
    p.release();
  }
  return p.answer(text, finishReason, signed, generateMs);
}
