import type { InfiniGramGeneration } from "@tributary/core";
import type { Context, Hono } from "hono";
import { renderChatPrompt } from "../inference/renderChatPrompt.ts";
import { llamaRuntimeOf } from "../llama/llamaRuntimeOf.ts";
import { checkMaxTokens, checkPrompt } from "../promptLimits.ts";
import type { SignedReceipt } from "../receipts/settle.ts";
import { callUpstream, streamUpstream } from "../upstream.ts";
import { agentOf } from "./agentOf.ts";
import { authenticateRequest } from "./authenticateRequest.ts";
import { requestIdOf, upstreamFailure } from "./errors.ts";
import { llamaFilesOf, serveLlamaCompletion } from "./llamaCompletion.ts";
import { parseBody } from "./parseBody.ts";
import { respond } from "./respond.ts";
import type { GatewayRouteDeps } from "./routeDeps.ts";
import { chatBody, completionBody, OPENAI_HINT } from "./schemas.ts";
import { type CompletionKind, streamBilled } from "./streamBilled.ts";

const DEFAULT_MAX_TOKENS = 64;

/** The ∞-gram's tokens as a stream source, `delayMs` apart. */
async function* tokensOf(generation: InfiniGramGeneration, delayMs: number): AsyncGenerator<string> {
  for (let i = 0; i < generation.tokens.length; i++) {
    if (delayMs > 0 && i > 0) await new Promise((r) => setTimeout(r, delayMs));
    yield generation.tokens[i]?.text ?? "";
  }
}

/**
 * Serves one OpenAI completion (chat or text) for a paying API key: validate, size-check the prompt, resolve the
 * agent, reserve the maximum charge, run the ∞-gram or call the upstream, settle the receipt (durable before
 * the answer) and answer in OpenAI's shape, streamed or not.
 *
 * @example
 * app.post("/v1/chat/completions", (c) => serveCompletion(deps, c, "chat"));
 */
export async function serveCompletion(
  deps: GatewayRouteDeps,
  c: Context,
  kind: CompletionKind,
): Promise<Response> {
  const { ctx, service } = deps;
  const t0 = performance.now();
  const key = await authenticateRequest(deps, c);
  const payer = key.payer;
  const body =
    kind === "chat"
      ? await parseBody(c, chatBody, OPENAI_HINT)
      : await parseBody(c, completionBody, OPENAI_HINT);
  const rendered =
    "messages" in body
      ? renderChatPrompt(body.messages)
      : typeof body.prompt === "string"
        ? body.prompt
        : (body.prompt[0] as string);
  const model = await service.getModel(body.model);
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_MAX_TOKENS;
  // Size before anything is reserved or charged: bytes, then the receipt's tokenizer count (what is priced):
  // a local llama model's own tokenizer, else the node's.
  checkMaxTokens(maxTokens, model.name, model.limits);
  let inputTokens = checkPrompt({
    prompt: rendered,
    model: model.name,
    limits: model.limits,
    tokenizer:
      model.kind === "llama" ? await llamaRuntimeOf(ctx).tokenizerOf(llamaFilesOf(model)) : ctx.tokenizer,
  });
  // A chat to the ∞-gram conditions on the last user message (`chatPrompt`: the rendered chat, then the corpus
  // passage before its focus, or the focus): that input is the receipt's, priced and reserved for.
  let prompt = rendered;
  if ("messages" in body && model.kind === "infinigram") {
    prompt = await service.chatPrompt(model, body.messages);
    inputTokens = ctx.tokenizer.encode(prompt).length;
  }
  const agent = await agentOf(service, c, body, model);
  const reservation = await service.admit(payer, model, {
    maxTokens,
    inputTokens,
    agentFeeBps: agent?.feeBps ?? 0,
  });
  const id = service.newReceiptId();
  const created = Math.floor(Date.now() / 1000);
  const responseId = `${kind === "chat" ? "chatcmpl" : "cmpl"}-${id.slice(2, 26)}`;
  const settleBase = { id, payer, model, prompt, inputTokens, ...(agent ? { agent } : {}) };
  const stream = {
    id,
    kind,
    responseId,
    created,
    model: model.name,
    release: () => reservation.release(),
    log: ctx.log,
  };
  const answer = (text: string, finishReason: string, signed: SignedReceipt, generateMs: number) => {
    const r = signed.receipt;
    const res = respond(c, kind, {
      responseId,
      created,
      model: model.name,
      text,
      finishReason,
      usage: {
        prompt_tokens: r.inputTokens,
        completion_tokens: r.outputTokens,
        total_tokens: r.inputTokens + r.outputTokens,
      },
      signed,
    });
    deps.onTiming?.({ totalMs: performance.now() - t0, generateMs, writeMs: signed.writeMs ?? 0 });
    return res;
  };

  if (model.kind === "llama") {
    return serveLlamaCompletion(deps, c, {
      model,
      prompt,
      maxTokens,
      temperature: body.temperature ?? 1,
      seed: body.seed ?? 0,
      stream: body.stream === true,
      settleBase,
      streamBase: stream,
      release: () => reservation.release(),
      answer,
    });
  }

  if (model.kind === "external") {
    const upstream = model.upstream;
    if (!upstream) throw new Error(`external model ${model.name} has no upstream`);
    const forward: Record<string, unknown> = {
      ...("messages" in body ? { messages: body.messages } : { prompt }),
      max_tokens: maxTokens,
      ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
      ...(body.seed !== undefined ? { seed: body.seed } : {}),
    };
    if (body.stream) {
      const requestId = requestIdOf(c);
      return streamBilled({
        ...stream,
        finishReason: "stop",
        open: (signal) => streamUpstream(upstream, kind, forward, signal, deps.upstreamLimits),
        settle: ({ text }) =>
          service.settle({ ...settleBase, output: { kind: "external", text, maxTokens } }),
        describeFailure: (error) => upstreamFailure(ctx, error, requestId),
      });
    }
    let reply: Awaited<ReturnType<typeof callUpstream>>;
    let signed: SignedReceipt;
    const g0 = performance.now();
    let g1: number;
    try {
      reply = await callUpstream(upstream, kind, forward, undefined, deps.upstreamLimits);
      g1 = performance.now();
      signed = await service.settle({
        ...settleBase,
        output: { kind: "external", text: reply.text, maxTokens },
      });
    } finally {
      reservation.release();
    }
    return answer(reply.text, reply.finishReason === "length" ? "length" : "stop", signed, g1 - g0);
  }

  const params = { prompt, maxTokens, temperature: body.temperature ?? 1, seed: BigInt(body.seed ?? 0) };
  let generation: InfiniGramGeneration;
  const g0 = performance.now();
  try {
    generation = await service.generate(model, params);
  } catch (error) {
    reservation.release();
    throw error;
  }
  const g1 = performance.now();
  const finishReason = generation.stopReason === "maxTokens" ? "length" : "stop";

  if (body.stream) {
    const full = generation;
    return streamBilled({
      ...stream,
      finishReason,
      open: () => tokensOf(full, deps.streamDelayMs),
      // The tokens sent so far are charged: the prefix is regenerated with the same seed and `maxTokens` =
      // tokens sent, which reproduces it and its exact attribution.
      settle: async ({ count }) => {
        const sent =
          count >= full.tokens.length
            ? full
            : count === 0
              ? { ...full, text: "", tokens: [], contributions: [], stopReason: "maxTokens" as const }
              : await service.generate(model, { ...params, maxTokens: count });
        return service.settle({ ...settleBase, output: { kind: "infinigram", generation: sent } });
      },
    });
  }

  let signed: SignedReceipt;
  try {
    signed = await service.settle({ ...settleBase, output: { kind: "infinigram", generation } });
  } finally {
    reservation.release();
  }
  return answer(generation.text, finishReason, signed, g1 - g0);
}

/**
 * The OpenAI-compatible completion routes: `POST /v1/chat/completions` and `POST /v1/completions`.
 *
 * @example
 * addCompletionRoutes(app, deps);
 */
export function addCompletionRoutes(app: Hono, deps: GatewayRouteDeps): void {
  app.post("/v1/chat/completions", (c) => serveCompletion(deps, c, "chat"));
  app.post("/v1/completions", (c) => serveCompletion(deps, c, "completion"));
}
