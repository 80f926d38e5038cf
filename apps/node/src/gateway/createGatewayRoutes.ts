import type { InfiniGramGeneration } from "@tributary/core";
import type { Context } from "hono";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Address, Hex } from "viem";
import { z } from "zod";
import { ApiError } from "../api/ApiError.ts";
import type { NodeContext } from "../context/NodeContext.ts";
import {
  createGatewayService,
  type GatewayModel,
  type GatewayService,
  type SignedReceipt,
} from "./createGatewayService.ts";

/** Options of {@link createGatewayRoutes}. */
export type CreateGatewayRoutesOptions = {
  /** Service to use (one is created from `ctx` when absent). */
  service?: GatewayService;
  /** Pause between streamed tokens, in ms (0 by default; tests use it to disconnect mid-stream). */
  streamDelayMs?: number;
};

/** The OpenAI error body, with Tributary's `hint`. */
export type OpenAiErrorBody = { error: { message: string; type: string; code: string; hint: string } };

const DEFAULT_MAX_TOKENS = 64;

const common = {
  model: z.string().min(1),
  max_tokens: z.number().int().min(1).max(4096).optional(),
  max_completion_tokens: z.number().int().min(1).max(4096).optional(),
  temperature: z.number().min(0).max(2).optional(),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  stream: z.boolean().optional(),
};

const content = z.union([z.string(), z.array(z.object({ type: z.literal("text"), text: z.string() }))]);

const chatBody = z.object({
  ...common,
  messages: z
    .array(
      z.object({
        role: z.enum(["system", "developer", "user", "assistant", "tool"]),
        content: z.union([content, z.null()]),
      }),
    )
    .min(1),
});

const completionBody = z.object({
  ...common,
  prompt: z.union([z.string(), z.array(z.string()).length(1)]),
});

function errorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 402) return "insufficient_quota";
  if (status === 404) return "not_found_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/** Renders chat messages as the ∞-gram's plain-text context (`"User: …\nAssistant:"`). */
export function renderChatPrompt(messages: z.infer<typeof chatBody>["messages"]): string {
  const lines = messages.map((m) => {
    const text =
      m.content === null
        ? ""
        : typeof m.content === "string"
          ? m.content
          : m.content.map((p) => p.text).join("");
    const role = m.role === "developer" ? "System" : m.role[0]?.toUpperCase() + m.role.slice(1);
    return `${role}: ${text}`;
  });
  return `${lines.join("\n")}\nAssistant:`;
}

async function parseBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch (cause) {
    throw new ApiError(400, "INVALID_JSON", "the request body is not JSON", "Send a JSON object body.", {
      cause,
    });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(
      400,
      "INVALID_BODY",
      `invalid request body: ${issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "malformed"}`,
      "Check the body against OpenAI's API reference (model, messages or prompt, max_tokens 1..4096, temperature 0..2).",
    );
  }
  return parsed.data;
}

/**
 * The OpenAI-compatible, payable gateway: `GET /v1/models`, `POST /v1/chat/completions`, `POST /v1/completions`
 * (with `stream`). Every served response carries its signed receipt (`tributary.receipt`, header
 * `X-Tributary-Receipt`), durable in the database before the response (or the stream's final event) is sent;
 * a stream the client drops is charged for the tokens already sent.
 *
 * @example
 * createNode({ ..., routes: [(ctx) => createGatewayRoutes(ctx)] });
 */
export function createGatewayRoutes(ctx: NodeContext, options: CreateGatewayRoutesOptions = {}): Hono {
  const service = options.service ?? createGatewayService(ctx);
  const delay = options.streamDelayMs ?? 0;
  const app = new Hono();

  app.onError((error, c) => {
    const e =
      error instanceof ApiError
        ? error
        : new ApiError(
            500,
            "INTERNAL",
            "the gateway failed to handle this request",
            "Retry; if it persists, check the node's logs.",
          );
    if (!(error instanceof ApiError)) ctx.log("error", "gateway request failed", { error: String(error) });
    return c.json<OpenAiErrorBody>(
      { error: { message: e.message, type: errorType(e.status), code: e.code, hint: e.hint } },
      e.status as ContentfulStatusCode,
    );
  });

  async function payerOf(c: Context): Promise<Address> {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const payer = match?.[1] ? await service.authenticate(match[1]) : undefined;
    if (!payer) {
      throw new ApiError(
        401,
        "INVALID_API_KEY",
        "missing or invalid API key",
        "Send `Authorization: Bearer trib_…` with a key the node operator created for your payer account.",
      );
    }
    return payer;
  }

  app.get("/v1/models", async (c) => {
    const models = await service.listModels();
    return c.json({
      object: "list",
      data: models.map((m) => ({
        id: m.name,
        object: "model",
        created: Math.floor(Date.parse(m.createdAt) / 1000),
        owned_by: m.owner,
        tributary: {
          modelId: m.modelId.toString(),
          kind: m.kind,
          datanetVersions: [{ datanetId: m.datanetId.toString(), version: m.version }],
          pricing: {
            perCall: m.pricing.perCall.toString(),
            per1kOutputTokens: m.pricing.per1kOutputTokens.toString(),
          },
          split: m.split,
        },
      })),
    });
  });

  type Kind = "chat" | "completion";

  async function serve(c: Context, kind: Kind) {
    const payer = await payerOf(c);
    const body = kind === "chat" ? await parseBody(c, chatBody) : await parseBody(c, completionBody);
    const prompt =
      "messages" in body
        ? renderChatPrompt(body.messages)
        : typeof body.prompt === "string"
          ? body.prompt
          : (body.prompt[0] as string);
    const model = await service.getModel(body.model);
    const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_MAX_TOKENS;
    const reservation = await service.admit(payer, model, maxTokens);
    const params = {
      prompt,
      maxTokens,
      temperature: body.temperature ?? 1,
      seed: BigInt(body.seed ?? 0),
    };
    let generation: InfiniGramGeneration;
    try {
      generation = await service.generate(model, params);
    } catch (error) {
      reservation.release();
      throw error;
    }
    const id = service.newReceiptId();
    const created = Math.floor(Date.now() / 1000);
    const responseId = `${kind === "chat" ? "chatcmpl" : "cmpl"}-${id.slice(2, 26)}`;
    const finishReason = generation.stopReason === "maxTokens" ? "length" : "stop";
    const usage = (n: number) => ({
      prompt_tokens: generation.promptTokens,
      completion_tokens: n,
      total_tokens: generation.promptTokens + n,
    });
    const tributary = (s: SignedReceipt) => ({
      receipt: s.json,
      receiptHash: s.hash,
      signature: s.signature,
    });

    if (!body.stream) {
      let signed: SignedReceipt;
      try {
        signed = await service.settle({ id, payer, model, prompt, generation });
      } finally {
        reservation.release();
      }
      c.header("X-Tributary-Receipt", id);
      const n = generation.tokens.length;
      return c.json(
        kind === "chat"
          ? {
              id: responseId,
              object: "chat.completion",
              created,
              model: model.name,
              choices: [
                {
                  index: 0,
                  message: { role: "assistant", content: generation.text, refusal: null },
                  logprobs: null,
                  finish_reason: finishReason,
                },
              ],
              usage: usage(n),
              tributary: tributary(signed),
            }
          : {
              id: responseId,
              object: "text_completion",
              created,
              model: model.name,
              choices: [{ index: 0, text: generation.text, logprobs: null, finish_reason: finishReason }],
              usage: usage(n),
              tributary: tributary(signed),
            },
      );
    }

    return streamResponse({
      service,
      kind,
      id,
      responseId,
      created,
      model,
      payer,
      prompt,
      params,
      generation,
      finishReason,
      usage,
      tributary,
      release: () => reservation.release(),
      delay,
      log: ctx.log,
    });
  }

  app.post("/v1/chat/completions", (c) => serve(c, "chat"));
  app.post("/v1/completions", (c) => serve(c, "completion"));
  return app;
}

type StreamParameters = {
  service: GatewayService;
  kind: "chat" | "completion";
  id: Hex;
  responseId: string;
  created: number;
  model: GatewayModel;
  payer: Address;
  prompt: string;
  params: { prompt: string; maxTokens: number; temperature: number; seed: bigint };
  generation: InfiniGramGeneration;
  finishReason: "stop" | "length";
  usage: (n: number) => Record<string, number>;
  tributary: (s: SignedReceipt) => Record<string, unknown>;
  release: () => void;
  delay: number;
  log: NodeContext["log"];
};

/**
 * Streams the generation as OpenAI chunks (SSE), one token per event. The receipt is written before the final
 * event; if the client goes away first, the tokens sent so far are charged (the prefix is regenerated with the
 * same seed and `maxTokens` = tokens sent, which reproduces it and its exact attribution).
 */
function streamResponse(s: StreamParameters): Response {
  const encoder = new TextEncoder();
  const total = s.generation.tokens.length;
  let sent = 0;
  let step = 0;
  let settling: Promise<SignedReceipt> | undefined;

  const settleFor = (n: number): Promise<SignedReceipt> => {
    settling ??= (async () => {
      try {
        let generation = s.generation;
        if (n < total) {
          generation =
            n === 0
              ? { ...s.generation, text: "", tokens: [], contributions: [], stopReason: "maxTokens" }
              : await s.service.generate(s.model, { ...s.params, maxTokens: n });
        }
        return await s.service.settle({
          id: s.id,
          payer: s.payer,
          model: s.model,
          prompt: s.prompt,
          generation,
        });
      } finally {
        s.release();
      }
    })();
    return settling;
  };

  const event = (data: unknown) => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);
  const chunk = (
    delta: { text?: string; role?: boolean },
    finish: string | null,
    extra: Record<string, unknown> = {},
  ) =>
    s.kind === "chat"
      ? {
          id: s.responseId,
          object: "chat.completion.chunk",
          created: s.created,
          model: s.model.name,
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
          model: s.model.name,
          choices: [{ index: 0, text: delta.text ?? "", logprobs: null, finish_reason: finish }],
          ...extra,
        };

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (step === 0 && s.kind === "chat") {
          step++;
          controller.enqueue(event(chunk({ role: true, text: "" }, null)));
          return;
        }
        if (step === 0) step++;
        if (sent < total) {
          if (s.delay > 0 && sent > 0) await new Promise((r) => setTimeout(r, s.delay));
          if (settling) return; // cancelled while waiting
          const token = s.generation.tokens[sent];
          sent++;
          controller.enqueue(event(chunk({ text: token?.text ?? "" }, null)));
          return;
        }
        const signed = await settleFor(sent);
        controller.enqueue(
          event(
            chunk(s.kind === "chat" ? {} : { text: "" }, s.finishReason, {
              usage: s.usage(sent),
              tributary: s.tributary(signed),
            }),
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
      try {
        await settleFor(sent);
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
