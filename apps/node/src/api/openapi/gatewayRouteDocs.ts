import { z } from "zod";
import type { RouteDoc } from "../defineRoute.ts";

// Documentation only: the gateway (apps/node/src/gateway) validates its own bodies. These describe the
// OpenAI-compatible shapes the node accepts and answers, with the Tributary fields (receipt, attribution).

const Message = z
  .object({
    role: z.enum(["system", "user", "assistant", "developer", "tool"]),
    content: z.union([
      z.string(),
      z.array(z.object({ type: z.literal("text"), text: z.string() })),
      z.null(),
    ]),
  })
  .loose()
  .meta({ id: "ChatMessage" });

const Usage = z
  .object({
    prompt_tokens: z.number().int(),
    completion_tokens: z.number().int(),
    total_tokens: z.number().int(),
  })
  .loose()
  .meta({ id: "Usage" });

const Sampling = {
  max_tokens: z.number().int().min(1).max(4096).optional(),
  max_completion_tokens: z.number().int().min(1).max(4096).optional(),
  temperature: z.number().min(0).max(2).optional(),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  stream: z.boolean().optional().meta({ description: "Server-sent events, as OpenAI streams them." }),
};

const ChatCompletionRequest = z
  .object({
    model: z.string().meta({ description: "A model id from GET /v1/models." }),
    messages: z.array(Message).min(1),
    ...Sampling,
  })
  .loose()
  .meta({
    id: "ChatCompletionRequest",
    example: { model: "moby-ig", messages: [{ role: "user", content: "Call me Ishmael." }], max_tokens: 32 },
  });

const CompletionRequest = z
  .object({ model: z.string(), prompt: z.union([z.string(), z.array(z.string()).length(1)]), ...Sampling })
  .loose()
  .meta({
    id: "CompletionRequest",
    example: { model: "moby-ig", prompt: "Call me Ishmael.", max_tokens: 32 },
  });

const Tributary = z.record(z.string(), z.unknown()).optional().meta({
  description: "Tributary extension: the signed receipt of the charge and the attribution of the output.",
});

const ChatCompletion = z
  .object({
    id: z.string(),
    object: z.literal("chat.completion"),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.object({ index: z.number().int(), message: Message, finish_reason: z.string().nullable() }).loose(),
    ),
    usage: Usage,
    tributary: Tributary,
  })
  .loose()
  .meta({ id: "ChatCompletion" });

const Completion = z
  .object({
    id: z.string(),
    object: z.literal("text_completion"),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.object({ index: z.number().int(), text: z.string(), finish_reason: z.string().nullable() }).loose(),
    ),
    usage: Usage,
    tributary: Tributary,
  })
  .loose()
  .meta({ id: "Completion" });

const ModelList = z
  .object({
    object: z.literal("list"),
    data: z.array(
      z
        .object({
          id: z.string(),
          object: z.literal("model"),
          created: z.number().int(),
          owned_by: z.string(),
        })
        .loose(),
    ),
  })
  .loose()
  .meta({ id: "ModelList" });

const gatewayErrors = {
  400: ["INVALID_JSON", "INVALID_BODY"],
  401: ["INVALID_API_KEY"],
  402: ["INSUFFICIENT_CREDIT", "WITHDRAWAL_PENDING"],
  404: ["MODEL_NOT_FOUND"],
};

const auth =
  "Authenticate with `Authorization: Bearer <API key>` (an OpenAI client's `apiKey`); each call is charged to the key's payer deposit and answered with a signed receipt. See docs/gateway.md.";

/** OpenAPI entries of the OpenAI-compatible gateway routes (documentation only; shown when they are mounted). */
export const gatewayRouteDocs: RouteDoc[] = [
  {
    method: "get",
    path: "/v1/models",
    summary: "List the models served by the gateway",
    tags: ["gateway"],
    responses: { 200: { description: "The models (OpenAI list shape).", schema: ModelList } },
  },
  {
    method: "post",
    path: "/v1/chat/completions",
    summary: "Chat completion (OpenAI-compatible, payable)",
    description: auth,
    tags: ["gateway"],
    body: ChatCompletionRequest,
    responses: {
      200: {
        description: "The completion; `text/event-stream` chunks when `stream` is true.",
        schema: ChatCompletion,
        alternatives: ["text/event-stream"],
      },
    },
    errors: gatewayErrors,
  },
  {
    method: "post",
    path: "/v1/completions",
    summary: "Text completion (OpenAI-compatible, payable)",
    description: auth,
    tags: ["gateway"],
    body: CompletionRequest,
    responses: {
      200: {
        description: "The completion; `text/event-stream` chunks when `stream` is true.",
        schema: Completion,
        alternatives: ["text/event-stream"],
      },
    },
    errors: gatewayErrors,
  },
];
