import { z } from "zod";
import type { RouteDoc } from "../defineRoute.ts";

// Documentation only: the gateway (apps/node/src/gateway) validates its own bodies. These describe the
// OpenAI-compatible shapes the node accepts and answers, with the Tributary fields (receipt, attribution), and
// the gateway's errors in OpenAI's shape (`OpenAiError`; the codes listed per status are its `tributary_code`).

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
  400: ["INVALID_JSON", "INVALID_BODY", "MAX_TOKENS_TOO_LARGE"],
  401: ["INVALID_API_KEY"],
  402: ["INSUFFICIENT_CREDIT", "WITHDRAWAL_PENDING"],
  404: ["MODEL_NOT_FOUND"],
  410: ["MODEL_DEPRECATED"],
  413: ["PROMPT_TOO_LARGE"],
  429: ["RATE_LIMITED"],
  502: ["UPSTREAM_ERROR", "UPSTREAM_UNREACHABLE", "UPSTREAM_TOO_LARGE"],
  504: ["UPSTREAM_TIMEOUT"],
};

const auth =
  "Authenticate with `Authorization: Bearer <API key>` (an OpenAI client's `apiKey`); each call is charged to the key's payer deposit and answered with a signed receipt. See docs/gateway.md.";

const Amount = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/)
  .meta({ description: "Base units, decimal string." });
const Model = z
  .object({
    id: z.string().meta({ description: "The model's name on this node (what `model` takes)." }),
    object: z.literal("model"),
    created: z.number().int(),
    owned_by: z.string(),
    tributary: z
      .object({
        modelId: Amount,
        kind: z.enum(["infinigram", "external"]),
        datanetVersions: z.array(z.object({ datanetId: Amount, version: z.number().int() })),
        pricing: z.object({ perCall: Amount, per1kOutputTokens: Amount, per1kInputTokens: Amount }),
        limits: z.object({
          maxInputTokens: z.number().int(),
          maxPromptBytes: z.number().int(),
          maxOutputTokens: z.number().int(),
        }),
        split: z.object({ ownerBps: z.number().int(), dataBps: z.number().int() }),
        owner: z.string(),
        deprecated: z.boolean(),
        upstream: z.object({ baseURL: z.string(), model: z.string() }).optional(),
      })
      .loose()
      .meta({ description: "Tributary's terms of the model (as GET /v1/models lists them)." }),
  })
  .loose()
  .meta({ id: "Model" });

/** The gateway's error body: OpenAI's, plus what to do (`hint`) and our code (`tributary_code`). */
const OpenAiError = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string().meta({
        description:
          "`invalid_request_error`; `insufficient_quota` (402), `requests` (429), `server_error` (5xx).",
      }),
      param: z
        .string()
        .nullable()
        .meta({ description: "The request field at fault (`model`, `messages`, …) or null." }),
      code: z.string().meta({
        description:
          "OpenAI's code where there is one (`invalid_api_key`, `model_not_found`, `insufficient_quota`, `rate_limit_exceeded`, `context_length_exceeded`, `invalid_value`), else the Tributary code in lowercase.",
      }),
      hint: z.string().meta({ description: "What to do about it." }),
      tributary_code: z.string().meta({ description: "Tributary's stable code (listed per status below)." }),
    }),
  })
  .meta({
    id: "OpenAiError",
    example: {
      error: {
        message: "the model 'nope' does not exist",
        type: "invalid_request_error",
        param: "model",
        code: "model_not_found",
        hint: "List the models this node serves with GET /v1/models.",
        tributary_code: "MODEL_NOT_FOUND",
      },
    },
  });

const Pricing = z.object({
  perCall: Amount,
  per1kOutputTokens: Amount,
  per1kInputTokens: Amount.optional().meta({ description: "Price per 1000 prompt tokens; absent = 0." }),
});
const Limits = z
  .object({
    maxInputTokens: z.number().int().min(1).max(1_000_000).optional(),
    maxPromptBytes: z
      .number()
      .int()
      .min(1)
      .max(16 * 1024 * 1024)
      .optional(),
    maxOutputTokens: z.number().int().min(1).max(4096).optional(),
  })
  .meta({
    description:
      "This node's limits on the model's requests (a prompt over them is refused with 413 PROMPT_TOO_LARGE, max_tokens over maxOutputTokens with 400 MAX_TOKENS_TOO_LARGE, nothing charged); each absent one is the node's default (8192 tokens, 262144 bytes, 4096 tokens).",
  });
const Split = z.object({ ownerBps: z.number().int(), dataBps: z.number().int() });
const RegisterModelRequest = z
  .union([
    z
      .object({
        name: z.string(),
        kind: z.literal("infinigram"),
        datanetId: Amount.optional(),
        version: z.number().int().min(1).optional(),
        trainedOn: z
          .array(z.object({ datanetId: Amount, version: z.number().int().min(1) }))
          .min(1)
          .max(32)
          .optional(),
        pricing: Pricing,
        split: Split,
        limits: Limits.optional(),
      })
      .meta({
        description:
          "One version (`datanetId` and `version`) or several (`trainedOn`), not both; several versions are served over the union of their documents.",
      }),
    z.object({
      name: z.string(),
      kind: z.literal("external"),
      upstream: z.object({ baseURL: z.string().url(), model: z.string(), apiKey: z.string().optional() }),
      trainedOn: z.array(z.object({ datanetId: Amount, version: z.number().int().min(1) })).min(1),
      pricing: Pricing,
      split: Split,
      limits: Limits.optional(),
    }),
  ])
  .meta({
    id: "RegisterModelRequest",
    example: {
      name: "moby-ig",
      kind: "infinigram",
      datanetId: "1",
      version: 1,
      pricing: { perCall: "1000", per1kOutputTokens: "5000", per1kInputTokens: "1000" },
      limits: { maxInputTokens: 4096 },
      split: { ownerBps: 3000, dataBps: 7000 },
    },
  });
const AgentView = z
  .object({
    agentId: Amount,
    operator: z.string(),
    active: z.boolean(),
    feeBps: z.number().int(),
    agentCardURI: z.string(),
    allowedModels: z.array(Amount),
  })
  .meta({ id: "Agent" });
const ApiKeyView = z
  .object({
    id: z.string(),
    payer: z.string(),
    name: z.string().nullable().optional(),
    rateLimitPerMinute: z.number().int().nullable().optional(),
    createdAt: z.string(),
  })
  .loose()
  .meta({ id: "ApiKey" });

/**
 * Largest body of `POST /v1/chat/completions` and `POST /v1/completions` (1 MiB): prompts are text, and a model
 * caps its own prompt size below this; an operator raises it with `http.routeBodyLimits`.
 */
export const DEFAULT_GATEWAY_BODY_BYTES = 1024 * 1024;

/** OpenAPI entries of the OpenAI-compatible gateway routes (documentation only; shown when they are mounted). */
export const gatewayRouteDocs: RouteDoc[] = [
  {
    method: "get",
    path: "/v1/models",
    summary: "List the models served by the gateway",
    tags: ["gateway"],
    responses: { 200: { description: "The models (OpenAI list shape).", schema: ModelList } },
    errorSchema: OpenAiError,
  },
  {
    method: "get",
    path: "/v1/models/:id",
    summary: "One model (OpenAI's model object, with its Tributary terms); deprecated models too",
    description:
      "`id` is the model's name (as GET /v1/models lists it; a name with '/' is sent as %2F, as OpenAI clients do) or its decimal on-chain id.",
    tags: ["gateway"],
    params: z.object({ id: z.string() }),
    responses: { 200: { description: "The model.", schema: Model } },
    errors: { 404: ["MODEL_NOT_FOUND"] },
    errorSchema: OpenAiError,
  },
  {
    method: "post",
    path: "/v1/chat/completions",
    summary: "Chat completion (OpenAI-compatible, payable)",
    description: auth,
    tags: ["gateway"],
    body: ChatCompletionRequest,
    maxBodyBytes: DEFAULT_GATEWAY_BODY_BYTES,
    responses: {
      200: {
        description: "The completion; `text/event-stream` chunks when `stream` is true.",
        schema: ChatCompletion,
        alternatives: ["text/event-stream"],
      },
    },
    errors: gatewayErrors,
    errorSchema: OpenAiError,
  },
  {
    method: "post",
    path: "/v1/completions",
    summary: "Text completion (OpenAI-compatible, payable)",
    description: auth,
    tags: ["gateway"],
    body: CompletionRequest,
    maxBodyBytes: DEFAULT_GATEWAY_BODY_BYTES,
    responses: {
      200: {
        description: "The completion; `text/event-stream` chunks when `stream` is true.",
        schema: Completion,
        alternatives: ["text/event-stream"],
      },
    },
    errors: gatewayErrors,
    errorSchema: OpenAiError,
  },
  {
    method: "post",
    path: "/v1/models",
    summary: "Register a model on chain and serve it (built-in ∞-gram or an OpenAI-compatible upstream)",
    tags: ["gateway"],
    operator: true,
    body: RegisterModelRequest,
    responses: {
      201: { description: "The model as GET /v1/models lists it.", schema: z.object({}).loose() },
    },
    errors: { 400: ["INVALID_BODY"], 404: ["UNKNOWN_DATANET_VERSION"], 409: ["MODEL_NAME_TAKEN"] },
    errorSchema: OpenAiError,
  },
  {
    method: "get",
    path: "/v1/agents",
    summary: "Agents of AgentRegistry (operator, fee, allowed models), newest first",
    tags: ["gateway"],
    query: z.object({ limit: z.number().int().optional(), cursor: z.string().optional() }),
    responses: {
      200: {
        description: "A page of agents.",
        schema: z.object({ items: z.array(AgentView), nextCursor: z.string().nullable() }),
      },
    },
    errors: { 400: ["INVALID_LIMIT", "INVALID_CURSOR"] },
  },
  {
    method: "get",
    path: "/v1/agents/:id",
    summary: "One agent",
    tags: ["gateway"],
    params: z.object({ id: z.string() }),
    responses: { 200: { description: "The agent.", schema: AgentView } },
    errors: { 400: ["INVALID_AGENT_ID"], 404: ["AGENT_NOT_FOUND"] },
  },
  {
    method: "post",
    path: "/v1/keys",
    summary: "Create an API key for a payer (the key is shown once; only its hash is stored)",
    tags: ["gateway"],
    operator: true,
    body: z.object({
      payer: z.string(),
      name: z.string().optional(),
      rateLimitPerMinute: z.number().int().min(0).optional(),
    }),
    responses: {
      201: {
        description: "The key.",
        schema: ApiKeyView.extend({ key: z.string() }).meta({ id: "NewApiKey" }),
      },
    },
    errors: { 400: ["INVALID_ADDRESS", "INVALID_BODY"] },
    errorSchema: OpenAiError,
  },
  {
    method: "get",
    path: "/v1/keys",
    summary: "List API keys (never the key or its hash)",
    tags: ["gateway"],
    operator: true,
    query: z.object({
      payer: z.string().optional(),
      limit: z.number().int().optional(),
      cursor: z.string().optional(),
    }),
    responses: {
      200: {
        description: "A page of keys.",
        schema: z.object({ items: z.array(ApiKeyView), nextCursor: z.string().nullable() }),
      },
    },
    errors: { 400: ["INVALID_ADDRESS", "INVALID_LIMIT", "INVALID_CURSOR"] },
    errorSchema: OpenAiError,
  },
  {
    method: "delete",
    path: "/v1/keys/:id",
    summary: "Revoke an API key",
    tags: ["gateway"],
    operator: true,
    params: z.object({ id: z.string() }),
    responses: {
      200: { description: "Revoked.", schema: z.object({ id: z.string(), revoked: z.literal(true) }) },
    },
    errors: { 404: ["KEY_NOT_FOUND"] },
    errorSchema: OpenAiError,
  },
];
