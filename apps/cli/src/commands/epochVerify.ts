import type { Command } from "commander";
import { formatAmount } from "../amounts.ts";
import { type CommonOptions, parseId, withCommonOptions } from "../args.ts";
import { bold, dim, emit, green, progress, red, run } from "../output.ts";

const context = async (opts: CommonOptions) => (await import("../config.ts")).createCliContext(opts);

type Difference = { receiptId?: string; field: string; expected: unknown; actual: unknown };

type VerifyOptions = CommonOptions & { askNode?: boolean; source?: string[]; keep?: string };

/** One difference as a line: where (receipt or field), what the recomputation expected, what was there. */
export const differenceLine = (d: Difference) =>
  `  ${d.receiptId ? `receipt ${d.receiptId} ` : ""}${bold(d.field)}: expected ${String(d.expected)}, found ${String(d.actual)}`;

/** Most differences printed before "… and N more" (every one is in --json). */
const SHOWN = 50;

/**
 * `tributary epoch verify <n>`: recomputes the epoch here, trusting no node. Reads the report Settlement
 * accepted and the registries from this CLI's own RPC, downloads the bundle and the version exports from the
 * node (each checked against the chain), and runs the node's verifier on them (`verifyEpochLocally`).
 * `--ask-node` asks the node to verify instead (its word, not a proof).
 */
export function registerEpochVerify(epoch: Command): void {
  withCommonOptions(
    epoch
      .command("verify")
      .description(
        "recompute an epoch on this machine: read its report from the chain (your RPC), download the bundle from the node, re-check every receipt (signature, price, split, attribution) and rebuild the trees; exit 1 on any difference",
      )
      .option("--ask-node", "ask the node to verify itself instead (trusts the node; the old behaviour)")
      .option(
        "--source <url...>",
        "more nodes to download the bundle and version exports from (after --node-url)",
      )
      .option("--keep <dir>", "keep the verifier's chain projection, bundles and indexes in <dir>"),
  )
    .argument("<n>", "epoch number")
    .action(
      run(async (n: string, opts: VerifyOptions) => {
        const epochNo = parseId("epoch", n);
        const cli = await context(opts);
        const token = await cli.token();
        const say = (line: string) => {
          if (!opts.json) progress(line);
        };
        if (opts.askNode) {
          say(`${dim("…")} asking the node at ${cli.nodeUrl()} to verify epoch ${epochNo}`);
          const r = await cli.request<{ ok: boolean; receiptCount: number; differences: Difference[] }>(
            "POST",
            `/v1/epochs/${epochNo}/verify`,
            {},
            "none",
          );
          emit(opts.json, { ...r, verifiedBy: "node" }, () =>
            r.ok
              ? [
                  `${green("✓")} the node says epoch ${epochNo} verifies (${r.receiptCount} receipts)`,
                  dim(`this is the node's word; check it yourself: tributary epoch verify ${epochNo}`),
                ]
              : [
                  `${red("✗")} the node finds epoch ${epochNo} does not verify (${r.differences.length} difference(s))`,
                  ...r.differences.slice(0, SHOWN).map(differenceLine),
                ],
          );
          if (!r.ok) process.exitCode = 1;
          return;
        }
        const chain = await cli.chain();
        const sources = [cli.nodeUrl(), ...(opts.source ?? [])];
        const { verifyEpochLocally } = await import("@tributary/node");
        const started = Date.now();
        const { onChain, verification: v } = await verifyEpochLocally({
          epoch: BigInt(epochNo),
          rpcUrl: chain.rpcUrl,
          chain: chain.chain,
          deployment: chain.deployment,
          sources,
          ...(opts.keep ? { workDir: opts.keep } : {}),
          onProgress: (e) => {
            if (e.step === "chain")
              say(`${dim("…")} reading the chain from ${chain.rpcUrl} (blocks ${e.fromBlock} to ${e.head})`);
            else if (e.step === "bundle") say(`${dim("…")} downloading bundle ${e.cid}`);
            else if (e.step === "version")
              say(`${dim("…")} fetching the index of datanet ${e.datanetId} version ${e.version}`);
            else say(`${dim("…")} ${e.count} receipts recomputed`);
          },
        });
        const r = onChain.report;
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        emit(
          opts.json,
          { ...v, verifiedBy: "local", report: r, finalized: onChain.finalized, signers: onChain.signers },
          () =>
            v.ok
              ? [
                  `${green("✓")} epoch ${epochNo} verifies: ${v.receiptCount} receipts recomputed here in ${seconds} s, every root matches the report on chain`,
                  `  chargesRoot   ${r.chargesRoot}`,
                  `  rewardsRoot   ${r.rewardsRoot}`,
                  `  receiptsRoot  ${r.receiptsRoot}`,
                  `  charged ${formatAmount(r.cumulativeCharged, token)}, rewards ${formatAmount(r.cumulativeRewards, token)} (cumulative)`,
                  dim(`  bundle ${r.bundleURI}; signed by ${onChain.signers.join(", ")}`),
                ]
              : [
                  `${red("✗")} epoch ${epochNo} does not verify: ${v.differences.length}${v.truncated ? "+" : ""} difference(s) between the report on chain and what the bundle recomputes to`,
                  ...v.differences.slice(0, SHOWN).map(differenceLine),
                  ...(v.differences.length > SHOWN
                    ? [dim(`  … and ${v.differences.length - SHOWN} more (--json lists them all)`)]
                    : []),
                  dim(
                    "The report was signed by the attestors named on chain; a guardian can veto it during its challenge window.",
                  ),
                ],
        );
        if (!v.ok) process.exitCode = 1;
      }),
    );
}
