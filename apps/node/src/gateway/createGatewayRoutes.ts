import type { InfiniGramGeneration } from "@tributary/core";
import type { Context } from "hono";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type Address, getAddress, type Hex, isAddress } from "viem";
import { z } from "zod";
import { ApiError } from "../api/ApiError.ts";
import { parseJsonText } from "../api/json.ts";
import { REQUEST_ID } from "../api/logger.ts";
import { requireOperator } from "../api/requireOperator.ts";
import { requireWellFormed } from "../api/requireWellFormed.ts";
import type { NodeContext } from "../context/NodeContext.ts";
import { outboundLimits } from "../net/outboundConfig.ts";
import {
  type AgentTerms,
  createGatewayService,
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  type GatewayModel,
  type GatewayOutput,
  type GatewayService,
  type SignedReceipt,
} from "./createGatewayService.ts";
import { createRateLimiter } from "./createRateLimiter.ts";
import { checkMaxTokens, checkPrompt, LIMIT_BOUNDS } from "./promptLimits.ts";
import { redactUrl } from "./redactUrl.ts";
import { callUpstream, streamUpstream } from "./upstream.ts";
import { UPSTREAM_HINT, UpstreamError } from "./upstreamError.ts";

/** Time spent in one served request, measured inside the handler (for the benchmark). */
export type GatewayTiming = {
  /** Handler entry until the response object is built (receipt durable, body serialized). */
  totalMs: number;
  /** Model generation (∞-gram) or the upstream call, within `totalMs`. */
  generateMs: number;
  /** Waiting for the receipt's durable commit (writer thread: signature, insert, fsync), within `totalMs`. */
  writeMs: number;
};

/** Options of {@link createGatewayRoutes}. */
export type CreateGatewayRoutesOptions = {
  /** Service to use (one is created from `ctx` when absent). */
  service?: GatewayService;
  /** Pause between streamed tokens, in ms (0 by default; tests use it to disconnect mid-stream). */
  streamDelayMs?: number;
  /** Called after each non-streaming completion with its timings. */
  onTiming?: (timing: GatewayTiming) => void;
};

/** The OpenAI error body, with Tributary's `hint`. */
export type OpenAiErrorBody = { error: { message: string; type: string; code: string; hint: string } };

/** The request id the request log and the `X-Request-Id` header carry. */
function requestIdOf(c: Context): string {
  return String(c.get(REQUEST_ID as never) ?? "unknown");
}

/**
 * What a payer learns of an upstream failure: our code and message (the upstream's status class), the request
 * id and a hint. The upstream's own answer (truncated, its URL redacted) goes to the node's log under that id.
 */
function upstreamFailure(
  ctx: Pick<NodeContext, "log">,
  error: unknown,
  requestId: string,
): { code: string; message: string; hint: string } {
  const e =
    error instanceof UpstreamError
      ? error
      : new UpstreamError("UPSTREAM_ERROR", { detail: String(error), cause: error });
  ctx.log("warn", "gateway: upstream failed", {
    requestId,
    code: e.code,
    ...(e.upstreamStatus !== undefined ? { upstreamStatus: e.upstreamStatus } : {}),
    detail: e.detail,
  });
  return { code: e.code, message: `${e.message} (request id ${requestId})`, hint: UPSTREAM_HINT };
}

/** A 429 with the seconds to wait (sent as `Retry-After`). */
class RateLimitedError extends ApiError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number, limit: number) {
    super(
      429,
      "RATE_LIMITED",
      `this API key is limited to ${limit} requests per minute`,
      `Retry after ${retryAfterSeconds} s (Retry-After header), or ask the node operator for a higher limit on this key.`,
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

const DEFAULT_MAX_TOKENS = 64;

const agentId = z.union([
  z.string().regex(/^[1-9][0-9]{0,19}$/, "an agent id is a decimal integer ≥ 1"),
  z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
]);

const common = {
  model: z.string().min(1),
  max_tokens: z.number().int().min(1).max(4096).optional(),
  max_completion_tokens: z.number().int().min(1).max(4096).optional(),
  temperature: z.number().min(0).max(2).optional(),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  stream: z.boolean().optional(),
  tributary: z.object({ agentId: agentId.optional() }).optional(),
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

const amount = z.string().regex(/^(0|[1-9][0-9]{0,37})$/, "amounts are decimal strings (uint128)");
const datanetIdSchema = z.union([z.string().regex(/^[0-9]{1,15}$/), z.number().int().min(0)]);
/** `per1kInputTokens` absent = "0": prompts are free at this model (their size is still limited). */
const pricingSchema = z.object({
  perCall: amount,
  per1kOutputTokens: amount,
  per1kInputTokens: amount.optional(),
});
const limit = (k: keyof typeof LIMIT_BOUNDS) =>
  z.number().int().min(LIMIT_BOUNDS[k].min).max(LIMIT_BOUNDS[k].max).optional();
/** The node's limits on a model's requests; each absent one is the node's default. */
const limitsSchema = z
  .strictObject({
    maxInputTokens: limit("maxInputTokens"),
    maxPromptBytes: limit("maxPromptBytes"),
    maxOutputTokens: limit("maxOutputTokens"),
  })
  .optional();
const splitSchema = z
  .object({ ownerBps: z.number().int().min(0).max(10_000), dataBps: z.number().int().min(0).max(10_000) })
  .refine((s) => s.ownerBps + s.dataBps === 10_000, "ownerBps + dataBps must be 10000");
const modelName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/, "1-64 letters, digits, '.', '_', ':', '/', '-'")
  .refine((n) => !/^[0-9]+$/.test(n), "a name cannot be only digits (those address models by id)");
const versionRef = z.object({ datanetId: datanetIdSchema, version: z.number().int().min(1) });

const modelBody = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("infinigram"),
      name: modelName,
      datanetId: datanetIdSchema.optional(),
      version: z.number().int().min(1).optional(),
      trainedOn: z.array(versionRef).min(1).max(32).optional(),
      pricing: pricingSchema,
      split: splitSchema,
      metadataURI: z.string().min(1).max(2048).optional(),
      limits: limitsSchema,
    })
    .refine((b) => (b.trainedOn !== undefined) !== (b.datanetId !== undefined || b.version !== undefined), {
      message:
        "give either datanetId and version (one version) or trainedOn (one or more versions), not both",
    })
    .refine((b) => b.trainedOn !== undefined || (b.datanetId !== undefined && b.version !== undefined), {
      message: "datanetId and version go together",
    }),
  z.object({
    kind: z.literal("external"),
    name: modelName,
    upstream: z.object({
      baseURL: z.url({ protocol: /^https?$/ }),
      model: z.string().min(1).max(256),
      apiKey: z.string().min(1).max(4096).optional(),
    }),
    trainedOn: z.array(versionRef).min(1).max(32),
    pricing: pricingSchema,
    split: splitSchema,
    metadataURI: z.string().min(1).max(2048).optional(),
    limits: limitsSchema,
  }),
]);

const keyBody = z.object({
  payer: z.string(),
  name: z.string().min(1).max(200).optional(),
  rateLimitPerMinute: z.number().int().min(1).max(1_000_000).optional(),
});

function errorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 402) return "insufficient_quota";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
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

async function parseBody<T>(c: Context, schema: z.ZodType<T>, hint: string): Promise<T> {
  const text = await c.req.text();
  const raw = parseJsonText(text, { hint: "Send a JSON object body.", allowEmpty: false });
  requireWellFormed(raw, "body", text);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(
      400,
      "INVALID_BODY",
      `invalid request body: ${issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "malformed"}`,
      hint,
    );
  }
  return parsed.data;
}

const OPENAI_HINT =
  "Check the body against OpenAI's API reference (model, messages or prompt, max_tokens 1..4096, temperature 0..2); `tributary.agentId` is a decimal id.";

function checkAddress(value: string, field: string): Address {
  if (!isAddress(value, { strict: false })) {
    throw new ApiError(
      400,
      "INVALID_ADDRESS",
      `${field} '${value}' is not an address`,
      "Pass a 0x-prefixed 20-byte hex address (40 hex digits), e.g. 0x70997970C51812dc3A010C7d01b50e0d17dc79C8.",
    );
  }
  return getAddress(value);
}

/** The public description of a model (`GET /v1/models` item, `POST /v1/models` answer). */
function modelView(m: GatewayModel) {
  return {
    id: m.name,
    object: "model" as const,
    created: Math.floor(Date.parse(m.createdAt) / 1000),
    owned_by: m.owner,
    tributary: {
      modelId: m.modelId.toString(),
      kind: m.kind,
      datanetVersions: m.trainedOn.map((t) => ({ datanetId: t.datanetId.toString(), version: t.version })),
      pricing: {
        perCall: m.pricing.perCall.toString(),
        per1kOutputTokens: m.pricing.per1kOutputTokens.toString(),
        per1kInputTokens: m.pricing.per1kInputTokens.toString(),
      },
      limits: m.limits,
      split: m.split,
      owner: m.owner,
      deprecated: m.deprecated,
      // Scheme, host and path only: credentials in the URL (user:pass@, ?token=) are never served.
      ...(m.upstream
        ? { upstream: { baseURL: redactUrl(m.upstream.baseURL), model: m.upstream.model } }
        : {}),
    },
  };
}

/**
 * The OpenAI-compatible, payable gateway: `GET /v1/models`, `POST /v1/chat/completions`, `POST /v1/completions`
 * (with `stream`), and the operator routes `POST /v1/models` (∞-gram or external model), `POST|GET /v1/keys`,
 * `DELETE /v1/keys/:id`. Every served response carries its signed receipt (`tributary` field; headers
 * `X-Tributary-Receipt: <id>` and, when not streaming, `X-Tributary-Receipt-Hash`), durable in the database
 * before the response (or the stream's final event) is sent; a stream the client drops is charged for what was
 * already sent. Requests are rate limited per API key (token bucket) and may name an agent
 * (`X-Tributary-Agent` or body `tributary.agentId`), whose fee is added on top of the price.
 *
 * @example
 * createNode({ ..., routes: [(ctx) => createGatewayRoutes(ctx)] });
 */
export function createGatewayRoutes(ctx: NodeContext, options: CreateGatewayRoutesOptions = {}): Hono {
  const service = options.service ?? createGatewayService(ctx);
  const delay = options.streamDelayMs ?? 0;
  const defaultLimit = ctx.gateway?.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE;
  const limiter = createRateLimiter();
  const operator = requireOperator(ctx);
  const upstreamLimits = outboundLimits(ctx.outbound, "upstream");
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
    if (e instanceof UpstreamError) {
      const view = upstreamFailure(ctx, e, requestIdOf(c));
      return c.json<OpenAiErrorBody>(
        { error: { ...view, type: errorType(e.status) } },
        e.status as ContentfulStatusCode,
      );
    }
    if (e instanceof RateLimitedError) c.header("Retry-After", String(e.retryAfterSeconds));
    return c.json<OpenAiErrorBody>(
      { error: { message: e.message, type: errorType(e.status), code: e.code, hint: e.hint } },
      e.status as ContentfulStatusCode,
    );
  });

  async function keyOf(c: Context) {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const key = match?.[1] ? await service.authenticate(match[1]) : undefined;
    if (!key) {
      throw new ApiError(
        401,
        "INVALID_API_KEY",
        "missing or invalid API key",
        "Send `Authorization: Bearer trib_…` with a key the node operator created for your payer account.",
      );
    }
    const limit = key.rateLimitPerMinute ?? defaultLimit;
    const decision = limiter.take(key.id, limit);
    if (!decision.ok) throw new RateLimitedError(decision.retryAfterSeconds, limit);
    return key;
  }

  // ------------------------------------------------------------------ operator: keys and models

  app.post("/v1/keys", operator, async (c) => {
    const body = await parseBody(
      c,
      keyBody,
      "Send { payer: <address>, name?: string, rateLimitPerMinute?: 1..1000000 }.",
    );
    const payer = checkAddress(body.payer, "payer");
    const created = await service.createApiKey(payer, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.rateLimitPerMinute !== undefined ? { rateLimitPerMinute: body.rateLimitPerMinute } : {}),
    });
    return c.json(
      {
        id: created.id,
        key: created.key,
        payer: created.payer,
        name: created.name,
        rateLimitPerMinute: created.rateLimitPerMinute,
        createdAt: created.createdAt,
      },
      201,
    );
  });

  app.get("/v1/keys", operator, async (c) => {
    const payerParam = c.req.query("payer");
    const payer = payerParam !== undefined ? checkAddress(payerParam, "payer") : undefined;
    const limitParam = c.req.query("limit") ?? "100";
    const limit = Number(limitParam);
    if (!/^[0-9]{1,3}$/.test(limitParam) || limit < 1 || limit > 500) {
      throw new ApiError(
        400,
        "INVALID_LIMIT",
        `limit '${limitParam}' is not in 1..500`,
        "Pass ?limit=1..500.",
      );
    }
    const cursor = c.req.query("cursor");
    if (cursor !== undefined && !/^[0-9]{1,15}$/.test(cursor)) {
      throw new ApiError(
        400,
        "INVALID_CURSOR",
        `cursor '${cursor}' is not one this node gave`,
        "Pass the nextCursor of the previous page, or no cursor for the first page.",
      );
    }
    const page = await service.listApiKeys({
      limit,
      ...(payer ? { payer } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
    });
    return c.json(page);
  });

  app.delete("/v1/keys/:id", operator, async (c) => {
    const id = c.req.param("id");
    if (!(await service.revokeApiKey(id))) {
      throw new ApiError(404, "KEY_NOT_FOUND", `no API key has id ${id}`, "List keys with GET /v1/keys.");
    }
    limiter.reset(id);
    return c.json({ id, revoked: true });
  });

  app.post("/v1/models", operator, async (c) => {
    const body = await parseBody(
      c,
      modelBody,
      'Send { name, kind: "infinigram", datanetId, version (or trainedOn: [{ datanetId, version }, …]), pricing: { perCall, per1kOutputTokens, per1kInputTokens? }, split: { ownerBps, dataBps }, limits?: { maxInputTokens?, maxPromptBytes?, maxOutputTokens? } } or { name, kind: "external", upstream: { baseURL, model, apiKey? }, trainedOn: [{ datanetId, version }], pricing, split, limits? }; amounts are decimal strings.',
    );
    const pricing = {
      perCall: BigInt(body.pricing.perCall),
      per1kOutputTokens: BigInt(body.pricing.per1kOutputTokens),
      per1kInputTokens: BigInt(body.pricing.per1kInputTokens ?? "0"),
    };
    const limits = body.limits
      ? {
          limits: Object.fromEntries(Object.entries(body.limits).filter(([, v]) => v !== undefined)),
        }
      : {};
    const model =
      body.kind === "infinigram"
        ? await service.registerInfinigramModel({
            name: body.name,
            trainedOn: body.trainedOn
              ? body.trainedOn.map((t) => ({ datanetId: BigInt(t.datanetId), version: t.version }))
              : [{ datanetId: BigInt(body.datanetId as string | number), version: body.version as number }],
            pricing,
            split: body.split,
            ...(body.metadataURI ? { metadataURI: body.metadataURI } : {}),
            ...limits,
          })
        : await service.registerExternalModel({
            name: body.name,
            upstream: {
              baseURL: body.upstream.baseURL,
              model: body.upstream.model,
              ...(body.upstream.apiKey ? { apiKey: body.upstream.apiKey } : {}),
            },
            trainedOn: body.trainedOn.map((t) => ({ datanetId: BigInt(t.datanetId), version: t.version })),
            pricing,
            split: body.split,
            ...(body.metadataURI ? { metadataURI: body.metadataURI } : {}),
            ...limits,
          });
    return c.json(modelView(model), 201);
  });

  // ------------------------------------------------------------------ OpenAI-compatible

  app.get("/v1/models", async (c) => {
    const models = await service.listModels();
    return c.json({ object: "list", data: models.map(modelView) });
  });

  type Kind = "chat" | "completion";

  async function agentOf(
    c: Context,
    body: { tributary?: { agentId?: string | number | undefined } | undefined },
    model: GatewayModel,
  ): Promise<AgentTerms | undefined> {
    const header = c.req.header("x-tributary-agent");
    const fromBody = body.tributary?.agentId;
    if (header !== undefined && !/^[1-9][0-9]{0,19}$/.test(header.trim())) {
      throw new ApiError(
        400,
        "INVALID_AGENT_ID",
        `X-Tributary-Agent '${header}' is not an agent id`,
        "Send the agent's decimal id (AgentRegistry), e.g. `X-Tributary-Agent: 1`.",
      );
    }
    const ids = [header?.trim(), fromBody === undefined ? undefined : String(fromBody)].filter(
      (v): v is string => v !== undefined,
    );
    if (ids.length === 0) return undefined;
    if (ids.length === 2 && ids[0] !== ids[1]) {
      throw new ApiError(
        400,
        "AGENT_MISMATCH",
        `X-Tributary-Agent ${ids[0]} and tributary.agentId ${ids[1]} differ`,
        "Name the agent once (header or body), or the same id in both.",
      );
    }
    return service.resolveAgent(BigInt(ids[0] as string), model);
  }

  async function serve(c: Context, kind: Kind) {
    const t0 = performance.now();
    const key = await keyOf(c);
    const payer = key.payer;
    const body =
      kind === "chat"
        ? await parseBody(c, chatBody, OPENAI_HINT)
        : await parseBody(c, completionBody, OPENAI_HINT);
    const prompt =
      "messages" in body
        ? renderChatPrompt(body.messages)
        : typeof body.prompt === "string"
          ? body.prompt
          : (body.prompt[0] as string);
    const model = await service.getModel(body.model);
    const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_MAX_TOKENS;
    // Size before anything is reserved or charged: bytes, then the receipt's tokenizer count (what is priced).
    checkMaxTokens(maxTokens, model.name, model.limits);
    const inputTokens = checkPrompt({
      prompt,
      model: model.name,
      limits: model.limits,
      tokenizer: ctx.tokenizer,
    });
    const agent = await agentOf(c, body, model);
    const reservation = await service.admit(payer, model, {
      maxTokens,
      inputTokens,
      agentFeeBps: agent?.feeBps ?? 0,
    });
    const id = service.newReceiptId();
    const created = Math.floor(Date.now() / 1000);
    const responseId = `${kind === "chat" ? "chatcmpl" : "cmpl"}-${id.slice(2, 26)}`;
    const tributary = (s: SignedReceipt) => ({
      receipt: s.json,
      receiptHash: s.hash,
      signature: s.signature,
    });
    const settleBase = { id, payer, model, prompt, inputTokens, ...(agent ? { agent } : {}) };

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
        return streamExternal({
          id,
          kind,
          responseId,
          created,
          model,
          settle: (text) => service.settle({ ...settleBase, output: { kind: "external", text, maxTokens } }),
          release: () => reservation.release(),
          log: ctx.log,
          requestId: requestIdOf(c),
          open: (signal) => streamUpstream(upstream, kind, forward, signal, upstreamLimits),
        });
      }
      let answer: Awaited<ReturnType<typeof callUpstream>>;
      const g0 = performance.now();
      let signed: SignedReceipt;
      let g1: number;
      try {
        answer = await callUpstream(upstream, kind, forward, undefined, upstreamLimits);
        g1 = performance.now();
        signed = await service.settle({
          ...settleBase,
          output: { kind: "external", text: answer.text, maxTokens },
        });
      } finally {
        reservation.release();
      }
      const outputTokens = signed.receipt.outputTokens;
      const finish = answer.finishReason === "length" ? "length" : "stop";
      const res = respond(c, kind, {
        responseId,
        created,
        model: model.name,
        text: answer.text,
        finishReason: finish,
        usage: {
          prompt_tokens: signed.receipt.inputTokens,
          completion_tokens: outputTokens,
          total_tokens: signed.receipt.inputTokens + outputTokens,
        },
        signed,
      });
      options.onTiming?.({
        totalMs: performance.now() - t0,
        generateMs: g1 - g0,
        writeMs: signed.writeMs ?? 0,
      });
      return res;
    }

    const params = {
      prompt,
      maxTokens,
      temperature: body.temperature ?? 1,
      seed: BigInt(body.seed ?? 0),
    };
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
    const usage = (n: number) => ({
      prompt_tokens: generation.promptTokens,
      completion_tokens: n,
      total_tokens: generation.promptTokens + n,
    });

    if (!body.stream) {
      let signed: SignedReceipt;
      try {
        signed = await service.settle({ ...settleBase, output: { kind: "infinigram", generation } });
      } finally {
        reservation.release();
      }
      const res = respond(c, kind, {
        responseId,
        created,
        model: model.name,
        text: generation.text,
        finishReason,
        usage: usage(generation.tokens.length),
        signed,
      });
      options.onTiming?.({
        totalMs: performance.now() - t0,
        generateMs: g1 - g0,
        writeMs: signed.writeMs ?? 0,
      });
      return res;
    }

    return streamResponse({
      service,
      kind,
      id,
      responseId,
      created,
      model,
      params,
      generation,
      finishReason,
      usage,
      tributary,
      settle: (output) => service.settle({ ...settleBase, output }),
      release: () => reservation.release(),
      delay,
      log: ctx.log,
    });
  }

  app.post("/v1/chat/completions", (c) => serve(c, "chat"));
  app.post("/v1/completions", (c) => serve(c, "completion"));
  return app;
}

type Answer = {
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
 */
function respond(c: Context, kind: "chat" | "completion", a: Answer): Response {
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

const encoder = new TextEncoder();
const sse = (data: unknown) => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);

function chunkOf(
  kind: "chat" | "completion",
  responseId: string,
  created: number,
  model: string,
  delta: { text?: string; role?: boolean },
  finish: string | null,
  extra: Record<string, unknown> = {},
) {
  return kind === "chat"
    ? {
        id: responseId,
        object: "chat.completion.chunk",
        created,
        model,
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
        id: responseId,
        object: "text_completion",
        created,
        model,
        choices: [{ index: 0, text: delta.text ?? "", logprobs: null, finish_reason: finish }],
        ...extra,
      };
}

type StreamParameters = {
  service: GatewayService;
  kind: "chat" | "completion";
  id: Hex;
  responseId: string;
  created: number;
  model: GatewayModel;
  params: { prompt: string; maxTokens: number; temperature: number; seed: bigint };
  generation: InfiniGramGeneration;
  finishReason: "stop" | "length";
  usage: (n: number) => Record<string, number>;
  tributary: (s: SignedReceipt) => Record<string, unknown>;
  settle: (output: GatewayOutput) => Promise<SignedReceipt>;
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
        return await s.settle({ kind: "infinigram", generation });
      } finally {
        s.release();
      }
    })();
    return settling;
  };

  const chunk = (
    delta: { text?: string; role?: boolean },
    finish: string | null,
    extra: Record<string, unknown> = {},
  ) => chunkOf(s.kind, s.responseId, s.created, s.model.name, delta, finish, extra);

  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (step === 0 && s.kind === "chat") {
          step++;
          controller.enqueue(sse(chunk({ role: true, text: "" }, null)));
          return;
        }
        if (step === 0) step++;
        if (sent < total) {
          if (s.delay > 0 && sent > 0) await new Promise((r) => setTimeout(r, s.delay));
          if (settling) return; // cancelled while waiting
          const token = s.generation.tokens[sent];
          sent++;
          controller.enqueue(sse(chunk({ text: token?.text ?? "" }, null)));
          return;
        }
        const signed = await settleFor(sent);
        if (cancelled) return; // the client left while the receipt was written: it is stored all the same
        controller.enqueue(
          sse(
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
      cancelled = true;
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

type ExternalStreamParameters = {
  id: Hex;
  kind: "chat" | "completion";
  responseId: string;
  created: number;
  model: GatewayModel;
  /** Charges the text actually sent (once). */
  settle: (text: string) => Promise<SignedReceipt>;
  release: () => void;
  log: NodeContext["log"];
  /** The request's id, named in a mid-stream upstream failure (whose detail goes to the log only). */
  requestId: string;
  open: (signal: AbortSignal) => AsyncGenerator<string>;
};

/**
 * Forwards an upstream stream as our own OpenAI chunks. The upstream is opened (and its first delta read)
 * before the response starts, so an upstream that refuses becomes a 502. Each delta is counted as sent once
 * enqueued; the receipt charges the text sent: at the end of the upstream stream, when it fails midway, or when
 * the client disconnects (which also closes the upstream connection).
 */
async function streamExternal(s: ExternalStreamParameters): Promise<Response> {
  const abort = new AbortController();
  const upstream = s.open(abort.signal);
  let first: IteratorResult<string>;
  try {
    first = await upstream.next();
  } catch (error) {
    s.release();
    throw error;
  }
  let text = "";
  let started = false;
  let cancelled = false;
  let settling: Promise<SignedReceipt> | undefined;
  const settleOnce = () => {
    settling ??= (async () => {
      try {
        return await s.settle(text);
      } finally {
        s.release();
      }
    })();
    return settling;
  };
  const chunk = (
    delta: { text?: string; role?: boolean },
    finish: string | null,
    extra: Record<string, unknown> = {},
  ) => chunkOf(s.kind, s.responseId, s.created, s.model.name, delta, finish, extra);
  const usage = (signed: SignedReceipt) => ({
    prompt_tokens: signed.receipt.inputTokens,
    completion_tokens: signed.receipt.outputTokens,
    total_tokens: signed.receipt.inputTokens + signed.receipt.outputTokens,
  });
  const tributary = (signed: SignedReceipt) => ({
    receipt: signed.json,
    receiptHash: signed.hash,
    signature: signed.signature,
  });

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!started) {
          started = true;
          if (s.kind === "chat") controller.enqueue(sse(chunk({ role: true, text: "" }, null)));
          if (!first.done) {
            text += first.value;
            controller.enqueue(sse(chunk({ text: first.value }, null)));
            return;
          }
        }
        let next: IteratorResult<string> | undefined = first.done ? first : undefined;
        let failure: unknown;
        if (!next) {
          try {
            next = await upstream.next();
          } catch (error) {
            failure = error;
          }
        }
        if (settling) return; // the client went away meanwhile
        if (next && !next.done) {
          text += next.value;
          controller.enqueue(sse(chunk({ text: next.value }, null)));
          return;
        }
        const signed = await settleOnce();
        if (cancelled) return; // the client left while the receipt was written: it is stored all the same
        controller.enqueue(
          sse(
            chunk(s.kind === "chat" ? {} : { text: "" }, "stop", {
              usage: usage(signed),
              tributary: tributary(signed),
              ...(failure ? { error: upstreamFailure(s, failure, s.requestId) } : {}),
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
