import type { Command } from "commander";
import { formatAmount } from "../amounts.ts";
import type { CommonOptions } from "../args.ts";
import { bold, colorOn, cyan, dim, emit, run, UsageError, underline, yellow } from "../output.ts";

/** The command context, loaded on demand (chain and HTTP libraries stay out of `--help`). */
const context = async (opts: CommonOptions) => (await import("../config.ts")).createCliContext(opts);

type Span = {
  charStart: number;
  charEnd: number;
  text: string;
  occurrences: number;
  sources: { contributionId: string }[];
};
type Attribution = {
  attribution: {
    spans: Span[];
    contributions: { contributionId: string; ppm: number }[];
    attributedTokens: number;
    outputTokens: number;
  };
};
type ChatResponse = {
  id: string;
  model: string;
  choices: { message: { content: string | null }; finish_reason: string }[];
  usage?: { prompt_tokens: number; completion_tokens: number };
  tributary?: {
    receipt: {
      id: string;
      price: string;
      charged: string;
      agentFee: string;
      parts: { role: string; account: string; amount: string; contributionId?: string }[];
      attribution: { algorithm: string; contributions: { contributionId: string; ppm: number }[] };
    };
    receiptHash?: string;
    signature?: string;
  };
};

/**
 * Marks attributed character ranges of `text`: underlined in a terminal, `[[…]]` otherwise. Overlapping
 * spans are merged.
 */
export function markSpans(
  text: string,
  spans: readonly { charStart: number; charEnd: number }[],
  color = colorOn,
): string {
  const ranges = [...spans].sort((a, b) => a.charStart - b.charStart);
  const merged: [number, number][] = [];
  for (const s of ranges) {
    const last = merged[merged.length - 1];
    if (last && s.charStart <= last[1]) last[1] = Math.max(last[1], s.charEnd);
    else merged.push([s.charStart, s.charEnd]);
  }
  let out = "";
  let at = 0;
  for (const [a, b] of merged) {
    out += text.slice(at, a);
    const piece = text.slice(a, b);
    out += color ? underline(cyan(piece)) : `[[${piece}]]`;
    at = b;
  }
  return out + text.slice(at);
}

/** `tributary infer`: a paid chat completion, its attributed spans and receipt. */
export function registerInfer(program: Command): void {
  program
    .command("infer")
    .description(
      "ask a model through the payable gateway (API key from --api-key or TRIBUTARY_API_KEY); prints the answer with attributed spans marked and the receipt",
    )
    .requiredOption("--model <name>", "model name (see `tributary model list`)")
    .option("--api-key <key>", "gateway API key (env TRIBUTARY_API_KEY)")
    .option("--max-tokens <n>", "most output tokens", "48")
    .option("--temperature <t>", "0 (greedy) .. 2", "0")
    .option("--seed <n>", "sampling seed", "0")
    .option("--config <path>", "config file")
    .option("--node-url <url>", "node HTTP API (env TRIBUTARY_NODE_URL)")
    .option("--data-dir <dir>", "local network folder (env TRIBUTARY_DATA_DIR)")
    .option("--json", "print the full response (with the receipt) and the attribution as JSON")
    .argument("<prompt>", "what to ask")
    .action(
      run(
        async (
          prompt: string,
          opts: CommonOptions & {
            model: string;
            apiKey?: string;
            maxTokens: string;
            temperature: string;
            seed: string;
          },
        ) => {
          const maxTokens = Number(opts.maxTokens);
          if (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > 4096)
            throw new UsageError(`--max-tokens must be 1..4096, got "${opts.maxTokens}"`);
          const temperature = Number(opts.temperature);
          if (!Number.isFinite(temperature) || temperature < 0 || temperature > 2)
            throw new UsageError(`--temperature must be 0..2, got "${opts.temperature}"`);
          if (!/^\d{1,15}$/.test(opts.seed))
            throw new UsageError(`--seed must be a whole number, got "${opts.seed}"`);
          if (prompt.trim() === "") throw new UsageError("the prompt is empty");
          const cli = await context(opts);
          cli.apiKey(opts.apiKey); // fail early and clearly without a key
          const started = Date.now();
          const res = await cli.request<ChatResponse>(
            "POST",
            "/v1/chat/completions",
            {
              model: opts.model,
              messages: [{ role: "user", content: prompt }],
              max_tokens: maxTokens,
              temperature,
              seed: Number(opts.seed),
            },
            "apiKey",
            opts.apiKey,
          );
          const ms = Date.now() - started;
          const answer = res.choices[0]?.message.content ?? "";
          // Attribute the output against the model's datanet versions (public route).
          const models = await cli.request<{
            data: { id: string; tributary?: { datanetVersions: { datanetId: string; version: number }[] } }[];
          }>("GET", "/v1/models", undefined, "none");
          const dvs = models.data.find((m) => m.id === opts.model)?.tributary?.datanetVersions ?? [];
          const attributions: (Attribution["attribution"] & { datanetId: string; version: number })[] = [];
          for (const dv of dvs) {
            const a = await cli
              .request<Attribution>(
                "POST",
                "/v1/attribution",
                { datanetId: dv.datanetId, version: dv.version, text: answer },
                "none",
              )
              .catch(() => undefined);
            if (a) attributions.push({ ...a.attribution, ...dv });
          }
          const spans = attributions.flatMap((a) => a.spans);
          const receipt = res.tributary?.receipt;
          const token = await cli.token();
          emit(opts.json, { response: res, attribution: attributions }, () => {
            const byRole = new Map<string, bigint>();
            for (const p of receipt?.parts ?? [])
              byRole.set(p.role, (byRole.get(p.role) ?? 0n) + BigInt(p.amount));
            const contributors = new Set(
              (receipt?.parts ?? []).filter((p) => p.role === "contributor").map((p) => p.account),
            );
            return [
              markSpans(answer, spans),
              "",
              spans.length
                ? `${bold("attributed spans")} ${dim(colorOn ? "(underlined)" : "(in [[…]])")}: ${spans.length}, from contribution(s) ${[...new Set(spans.flatMap((s) => s.sources.map((x) => `#${x.contributionId}`)))].slice(0, 12).join(" ")}`
                : dim(
                    "no verbatim span of 8+ tokens from the datanet (the receipt still splits by ∞-gram attribution)",
                  ),
              ...(receipt
                ? [
                    `${bold("receipt")} ${receipt.id}  ${dim(`(${ms} ms)`)}`,
                    `  charged ${bold(formatAmount(receipt.charged, token))} (price ${formatAmount(receipt.price, token)}${BigInt(receipt.agentFee) > 0n ? `, agent fee ${formatAmount(receipt.agentFee, token)}` : ""})`,
                    `  split   ${[...byRole].map(([role, amount]) => `${role} ${formatAmount(amount, token)}`).join(" · ")}`,
                    `  data    ${receipt.attribution.contributions.length} contribution(s) from ${contributors.size} contributor(s) (${receipt.attribution.algorithm})`,
                  ]
                : [yellow("no receipt in the response")]),
            ];
          });
        },
      ),
    );
}
