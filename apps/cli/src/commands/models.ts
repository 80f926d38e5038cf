import type { Command } from "commander";
import { formatAmount, parseAmount } from "../amounts.ts";
import { type CommonOptions, parseId, withCommonOptions } from "../args.ts";
import { bold, dim, emit, green, progress, run, UsageError } from "../output.ts";
import { registerTrainingCommands } from "./training.ts";

/** The command context, loaded on demand (chain and HTTP libraries stay out of `--help`). */
const context = async (opts: CommonOptions) => (await import("../config.ts")).createCliContext(opts);

type ModelJson = {
  id: string;
  owned_by: string;
  tributary?: {
    modelId: string;
    kind: string;
    datanetVersions: { datanetId: string; version: number }[];
    pricing: { perCall: string; per1kOutputTokens: string; per1kInputTokens?: string };
    limits?: { maxInputTokens: number; maxPromptBytes: number; maxOutputTokens: number };
    split: { ownerBps: number; dataBps: number };
    owner?: string;
    deprecated?: boolean;
  };
};

type RegisterOptions = CommonOptions & {
  name: string;
  kind: string;
  datanet?: string;
  version?: string;
  upstreamUrl?: string;
  upstreamModel?: string;
  upstreamApiKeyEnv?: string;
  trainedOn?: string;
  perCall: string;
  per1k: string;
  per1kInput: string;
  maxInputTokens?: string;
  maxPromptBytes?: string;
  maxOutputTokens?: string;
  ownerBps: string;
  dataBps: string;
};

/** A positive integer flag (a limit). */
const count = (name: string, v: string): number => {
  if (!/^[1-9][0-9]{0,8}$/.test(v)) throw new UsageError(`--${name} must be a positive integer, got "${v}"`);
  return Number(v);
};

const bps = (name: string, v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) > 10_000)
    throw new UsageError(`--${name} must be basis points 0..10000, got "${v}"`);
  return Number(v);
};

/** `tributary model register|list`: models served by the node's gateway. */
export function registerModel(program: Command): void {
  const model = program
    .command("model")
    .description(
      "models the gateway serves (∞-gram over one or more datanet versions, or an external upstream)",
    );
  withCommonOptions(
    model
      .command("register")
      .description("register a model on chain and in the gateway (operator)")
      .requiredOption("--name <name>", "name clients pass as `model`")
      .option("--kind <kind>", "infinigram | external", "infinigram")
      .option("--datanet <id>", "infinigram: datanet id")
      .option("--version <n>", "infinigram: published version")
      .option("--upstream-url <url>", "external: OpenAI-compatible base URL")
      .option("--upstream-model <model>", "external: upstream model name")
      .option("--upstream-api-key-env <var>", "external: environment variable holding the upstream API key")
      .option(
        "--trained-on <id:version,...>",
        "datanet versions the model was trained on, e.g. 1:1,2:3 (external: required; infinigram: instead of --datanet/--version)",
      )
      .option("--per-call <amount>", "price per call, in the payment token (TRIB locally)", "0.001")
      .option("--per-1k <amount>", "price per 1000 output tokens, in the payment token", "0.01")
      .option(
        "--per-1k-input <amount>",
        "price per 1000 input (prompt) tokens, in the payment token",
        "0.001",
      )
      .option(
        "--max-input-tokens <n>",
        "this node's limit on a prompt's input tokens (default: the node's, 8192)",
      )
      .option(
        "--max-prompt-bytes <n>",
        "this node's limit on a prompt's UTF-8 bytes, checked before tokenizing (default: the node's, 262144)",
      )
      .option("--max-output-tokens <n>", "this node's limit on max_tokens (default: the node's, 4096)")
      .option("--owner-bps <bps>", "model owner's share, basis points", "3000")
      .option("--data-bps <bps>", "contributors' share, basis points", "7000"),
  ).action(
    run(async (opts: RegisterOptions) => {
      // Amounts are in the payment token, whose decimals the node or chain tells (below); the form is checked now.
      const prices = [
        ["perCall", opts.perCall, "--per-call"],
        ["per1kOutputTokens", opts.per1k, "--per-1k"],
        ["per1kInputTokens", opts.per1kInput, "--per-1k-input"],
      ] as const;
      for (const [, text, flag] of prices) parseAmount(text, 255, flag);
      const limits = {
        ...(opts.maxInputTokens ? { maxInputTokens: count("max-input-tokens", opts.maxInputTokens) } : {}),
        ...(opts.maxPromptBytes ? { maxPromptBytes: count("max-prompt-bytes", opts.maxPromptBytes) } : {}),
        ...(opts.maxOutputTokens
          ? { maxOutputTokens: count("max-output-tokens", opts.maxOutputTokens) }
          : {}),
      };
      const withLimits = Object.keys(limits).length > 0 ? { limits } : {};
      const split = { ownerBps: bps("owner-bps", opts.ownerBps), dataBps: bps("data-bps", opts.dataBps) };
      if (split.ownerBps + split.dataBps !== 10_000)
        throw new UsageError(
          `--owner-bps + --data-bps must be 10000, got ${split.ownerBps + split.dataBps}`,
          "The protocol fee comes out first; the rest is split between owner and data.",
        );
      let body: Record<string, unknown>;
      const trainedOn = opts.trainedOn
        ? opts.trainedOn.split(",").map((pair) => {
            const [d, v, extra] = pair.split(":");
            if (d === undefined || v === undefined || extra !== undefined)
              throw new UsageError(`--trained-on takes datanet:version pairs, got "${pair}"`);
            return {
              datanetId: parseId("--trained-on datanet", d).toString(),
              version: Number(parseId("--trained-on version", v)),
            };
          })
        : undefined;
      if (opts.kind === "infinigram") {
        if (trainedOn && (opts.datanet !== undefined || opts.version !== undefined))
          throw new UsageError("give --trained-on, or --datanet and --version, not both");
        if (!trainedOn && (opts.datanet === undefined || opts.version === undefined))
          throw new UsageError(
            "an infinigram model needs --datanet <id> and --version <n>, or --trained-on <datanet:version,...>",
          );
        body = {
          name: opts.name,
          kind: "infinigram",
          ...(trainedOn
            ? { trainedOn }
            : {
                datanetId: parseId("--datanet", opts.datanet as string).toString(),
                version: Number(parseId("--version", opts.version as string)),
              }),
          split,
          ...withLimits,
        };
      } else if (opts.kind === "external") {
        if (!opts.upstreamUrl || !opts.upstreamModel || !trainedOn)
          throw new UsageError(
            "an external model needs --upstream-url, --upstream-model and --trained-on <datanet:version,...>",
          );
        const apiKey = opts.upstreamApiKeyEnv ? process.env[opts.upstreamApiKeyEnv] : undefined;
        if (opts.upstreamApiKeyEnv && !apiKey)
          throw new UsageError(`environment variable ${opts.upstreamApiKeyEnv} is empty`);
        body = {
          name: opts.name,
          kind: "external",
          upstream: { baseURL: opts.upstreamUrl, model: opts.upstreamModel, ...(apiKey ? { apiKey } : {}) },
          trainedOn,
          split,
          ...withLimits,
        };
      } else throw new UsageError(`--kind must be infinigram or external, got "${opts.kind}"`);
      const cli = await context(opts);
      const { decimals } = await cli.token();
      body.pricing = Object.fromEntries(
        prices.map(([key, text, flag]) => [key, parseAmount(text, decimals, flag).toString()]),
      );
      if (!opts.json) progress(`${dim("…")} registering ${opts.name} on chain`);
      const created = await cli.request<Record<string, unknown>>("POST", "/v1/models", body);
      emit(opts.json, created, () => [
        `${green("✓")} model ${bold(opts.name)} registered${created.modelId ? ` (id ${String(created.modelId)})` : ""}`,
        dim(`try it: tributary infer --model ${opts.name} "…"`),
      ]);
    }),
  );
  withCommonOptions(
    model
      .command("list")
      .description("models the gateway serves, with their current prices, splits and owners"),
  ).action(
    run(async (opts: CommonOptions) => {
      const cli = await context(opts);
      const res = await cli.request<{ data: ModelJson[] }>("GET", "/v1/models", undefined, "none");
      const token = await cli.token();
      emit(opts.json, { items: res.data }, () =>
        res.data.length === 0
          ? ["no models yet", dim("register one: tributary model register --name … --datanet 1 --version 1")]
          : res.data.map((m) => {
              const t = m.tributary;
              const dv =
                t?.datanetVersions.map((d) => `datanet ${d.datanetId} v${d.version}`).join(", ") ?? "";
              const price = t
                ? `${formatAmount(t.pricing.perCall, token)}/call + ${formatAmount(t.pricing.per1kOutputTokens, token)}/1k output tokens + ${formatAmount(t.pricing.per1kInputTokens ?? "0", token)}/1k input tokens, owner ${t.split.ownerBps / 100}% data ${t.split.dataBps / 100}%`
                : "";
              const limits = t?.limits
                ? dim(
                    `\n  prompts up to ${t.limits.maxInputTokens} tokens / ${t.limits.maxPromptBytes} bytes, answers up to ${t.limits.maxOutputTokens} tokens`,
                  )
                : "";
              const state = t?.deprecated ? ` ${dim("deprecated")}` : "";
              return `${bold(m.id)} ${dim(`#${t?.modelId ?? "?"} ${t?.kind ?? ""}`)}${state} ${dv}\n  ${price}${t?.owner ? dim(`, owned by ${t.owner}`) : ""}${limits}`;
            }),
      );
    }),
  );
  registerModelOwnerCommands(model);
  registerTrainingCommands(model);
}

/** A model by decimal id, or by the name the node serves it under. */
async function resolveModelId(opts: CommonOptions, model: string): Promise<bigint> {
  if (/^[0-9]{1,20}$/.test(model)) return parseId("model id", model);
  const cli = await context(opts);
  const res = await cli.request<{ data: ModelJson[] }>("GET", "/v1/models", undefined, "none");
  const found = res.data.find((m) => m.id === model)?.tributary?.modelId;
  if (!found)
    throw new UsageError(
      `the node serves no model named "${model}"`,
      "Pass the model's id or a name from `tributary model list`.",
    );
  return BigInt(found);
}

/** `tributary model terms|deprecate`: the model owner's changes on chain (ModelRegistry), with the user's key. */
function registerModelOwnerCommands(model: Command): void {
  withCommonOptions(
    model
      .command("terms")
      .description(
        "change a model's price, split or owner on chain (the owner's key: TRIBUTARY_PRIVATE_KEY or keystore); gateways charge the new terms once their indexer sees them",
      )
      .argument("<model>", "model id or name")
      .option("--per-call <amount>", "new price per call, in the payment token")
      .option("--per-1k <amount>", "new price per 1000 output tokens, in the payment token")
      .option("--per-1k-input <amount>", "new price per 1000 input (prompt) tokens, in the payment token")
      .option("--owner-bps <bps>", "new owner share, basis points (with --data-bps)")
      .option("--data-bps <bps>", "new contributors' share, basis points (with --owner-bps)")
      .option("--owner <address>", "transfer the model to this address (last, after the other changes)"),
  ).action(
    run(
      async (
        name: string,
        opts: CommonOptions & {
          perCall?: string;
          per1k?: string;
          per1kInput?: string;
          ownerBps?: string;
          dataBps?: string;
          owner?: string;
        },
      ) => {
        const pricingGiven =
          opts.perCall !== undefined || opts.per1k !== undefined || opts.per1kInput !== undefined;
        const splitGiven = opts.ownerBps !== undefined || opts.dataBps !== undefined;
        if (!pricingGiven && !splitGiven && opts.owner === undefined)
          throw new UsageError(
            "nothing to change",
            "Pass --per-call, --per-1k and/or --per-1k-input, --owner-bps with --data-bps, or --owner <address>.",
          );
        let split: { ownerBps: number; dataBps: number } | undefined;
        if (splitGiven) {
          if (opts.ownerBps === undefined || opts.dataBps === undefined)
            throw new UsageError("--owner-bps and --data-bps go together");
          split = { ownerBps: bps("owner-bps", opts.ownerBps), dataBps: bps("data-bps", opts.dataBps) };
          if (split.ownerBps + split.dataBps !== 10_000)
            throw new UsageError(
              `--owner-bps + --data-bps must be 10000, got ${split.ownerBps + split.dataBps}`,
              "The protocol fee comes out first; the rest is split between owner and data.",
            );
        }
        const { isAddress, getAddress } = await import("viem");
        if (opts.owner !== undefined && !isAddress(opts.owner))
          throw new UsageError(`--owner must be an address, got "${opts.owner}"`);
        for (const [text, flag] of [
          [opts.perCall, "--per-call"],
          [opts.per1k, "--per-1k"],
          [opts.per1kInput, "--per-1k-input"],
        ] as const)
          if (text !== undefined) parseAmount(text, 255, flag); // the form; the token's decimals below
        const modelId = await resolveModelId(opts, name);
        const cli = await context(opts);
        const { decimals } = await cli.token();
        const price = (text: string | undefined, flag: string) =>
          text === undefined ? undefined : parseAmount(text, decimals, flag);
        const perCall = price(opts.perCall, "--per-call");
        const per1k = price(opts.per1k, "--per-1k");
        const per1kInput = price(opts.per1kInput, "--per-1k-input");
        const client = await cli.chain(true);
        const sdk = await import("@tributary/sdk");
        const current = await sdk.getModel(client, { modelId });
        const txs: Record<string, string> = {};
        if (pricingGiven) {
          const pricing = {
            perCall: perCall ?? current.pricing.perCall,
            per1kOutputTokens: per1k ?? current.pricing.per1kOutputTokens,
            per1kInputTokens: per1kInput ?? current.pricing.per1kInputTokens,
          };
          if (!opts.json) progress(`${dim("…")} setting the price of model ${modelId}`);
          txs.pricing = (await sdk.setModelPricing(client, { modelId, pricing })).hash;
        }
        if (split) {
          if (!opts.json) progress(`${dim("…")} setting the split of model ${modelId}`);
          txs.split = (await sdk.setModelSplit(client, { modelId, split })).hash;
        }
        if (opts.owner !== undefined) {
          if (!opts.json) progress(`${dim("…")} transferring model ${modelId} to ${opts.owner}`);
          txs.owner = (
            await sdk.transferModelOwnership(client, { modelId, newOwner: getAddress(opts.owner) })
          ).hash;
        }
        const after = await sdk.getModel(client, { modelId });
        const view = {
          modelId: modelId.toString(),
          owner: after.owner,
          pricing: {
            perCall: after.pricing.perCall.toString(),
            per1kOutputTokens: after.pricing.per1kOutputTokens.toString(),
            per1kInputTokens: after.pricing.per1kInputTokens.toString(),
          },
          split: { ownerBps: Number(after.split.ownerBps), dataBps: Number(after.split.dataBps) },
          txs,
        };
        const token = await cli.token();
        emit(opts.json, view, () => [
          `${green("✓")} model ${bold(modelId.toString())}: ${formatAmount(after.pricing.perCall, token)}/call + ${formatAmount(after.pricing.per1kOutputTokens, token)}/1k output tokens + ${formatAmount(after.pricing.per1kInputTokens, token)}/1k input tokens, owner ${Number(after.split.ownerBps) / 100}% data ${Number(after.split.dataBps) / 100}%, owner ${after.owner}`,
        ]);
      },
    ),
  );
  withCommonOptions(
    model
      .command("deprecate")
      .description(
        "deprecate a model on chain for good (the owner's key): gateways stop serving it; it can no longer change",
      )
      .argument("<model>", "model id or name")
      .option("--yes", "confirm: deprecation cannot be undone"),
  ).action(
    run(async (name: string, opts: CommonOptions & { yes?: boolean }) => {
      if (!opts.yes)
        throw new UsageError(
          "deprecation cannot be undone",
          "Run it again with --yes to deprecate the model for good.",
        );
      const modelId = await resolveModelId(opts, name);
      const cli = await context(opts);
      const client = await cli.chain(true);
      const { deprecateModel } = await import("@tributary/sdk");
      const { hash } = await deprecateModel(client, { modelId });
      emit(opts.json, { modelId: modelId.toString(), deprecated: true, tx: hash }, () => [
        `${green("✓")} model ${bold(modelId.toString())} deprecated (tx ${hash})`,
      ]);
    }),
  );
}

/** `tributary agent register|list`: AgentRegistry, with the user's key. */
export function registerAgentCommands(program: Command): void {
  const agent = program.command("agent").description("agents: operators that call models and add a fee");
  withCommonOptions(
    agent
      .command("register")
      .description("register an agent operated by your key (TRIBUTARY_PRIVATE_KEY or keystore)")
      .requiredOption("--card <uri>", "agent card URI (name, description, endpoints)")
      .requiredOption("--models <ids>", "comma-separated model ids it may call")
      .option("--fee-bps <bps>", "agent fee on top of the model price, basis points", "0"),
  ).action(
    run(async (opts: CommonOptions & { card: string; models: string; feeBps: string }) => {
      const allowedModels = opts.models.split(",").map((m) => parseId("--models model id", m.trim()));
      const feeBps = bps("fee-bps", opts.feeBps);
      const cli = await context(opts);
      const client = await cli.chain(true);
      const { registerAgent } = await import("@tributary/sdk");
      const r = await registerAgent(client, { agentCardURI: opts.card, allowedModels, feeBps });
      emit(
        opts.json,
        { agentId: r.agentId.toString(), tx: r.hash, operator: client.account!.address },
        () => [
          `${green("✓")} agent ${bold(r.agentId.toString())} registered by ${client.account!.address} (tx ${r.hash})`,
        ],
      );
    }),
  );
  withCommonOptions(agent.command("list").description("every registered agent (read from the chain)")).action(
    run(async (opts: CommonOptions) => {
      const cli = await context(opts);
      const client = await cli.chain(false);
      const { getAgent, getAgentCount } = await import("@tributary/sdk");
      const count = await getAgentCount(client);
      const items: Record<string, unknown>[] = [];
      for (let id = 1n; id <= count; id++) {
        const a = (await getAgent(client, { agentId: id })) as unknown as Record<string, unknown>;
        items.push({ agentId: id.toString(), ...a });
      }
      emit(opts.json, { items }, () =>
        items.length === 0
          ? ["no agents yet"]
          : items.map(
              (a) =>
                `#${a.agentId} ${String(a.operator)} fee ${Number(a.feeBps) / 100}% ${a.active ? green("active") : dim("inactive")} ${dim(String(a.agentCardURI ?? ""))} models ${((a.allowedModels as bigint[]) ?? []).join(",")}`,
            ),
      );
    }),
  );
}
