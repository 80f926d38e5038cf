import type { TokenUnit } from "@tributary/core";
import type { Command } from "commander";
import type { Hex } from "viem";
import { formatAmount } from "../amounts.ts";
import { type CommonOptions, parseAddress, withCommonOptions } from "../args.ts";
import { bold, CliError, emit, green, run, UsageError, yellow } from "../output.ts";

const context = async (opts: CommonOptions) => (await import("../config.ts")).createCliContext(opts);

/** An account the relayed claim left out, and why (older nodes sent bare addresses). */
type Skipped = string | { account: string; reason: string; claimed?: string };

/** One line per skipped account: the account and why nothing was paid to it. */
export function skippedLines(skipped: readonly Skipped[], token: TokenUnit): string[] {
  return skipped.map((s) => {
    if (typeof s === "string") return `  ${s}: nothing to claim`;
    const why =
      s.claimed !== undefined
        ? `already claimed ${formatAmount(s.claimed, token)}, all its finalized rewards`
        : s.reason;
    return `  ${s.account}: ${why}`;
  });
}

/** `tributary claim [addresses...] [--self]`. */
export function registerClaim(program: Command): void {
  withCommonOptions(
    program
      .command("claim")
      .description(
        "pay accounts their finalized rewards: relayed by the node (it pays the gas; funds only go to each account), or --self to send the claim with your own key",
      )
      .option("--self", "send `claim` yourself with TRIBUTARY_PRIVATE_KEY/keystore, using the node's proof"),
  )
    .argument("[addresses...]", "accounts to pay (default: your own, from your key)")
    .action(
      run(async (addresses: string[], opts: CommonOptions & { self?: boolean }) => {
        const parsed = await Promise.all(addresses.map((a) => parseAddress("address", a)));
        if (parsed.length > 100) throw new UsageError("at most 100 accounts per claim");
        const cli = await context(opts);
        const token = await cli.token();
        if (opts.self) {
          const { claim } = await import("@tributary/sdk");
          const client = await cli.chain(true);
          const targets = parsed.length ? parsed : [client.account!.address];
          const results: { account: string; amount: string; tx: string; epoch: number }[] = [];
          for (const account of targets) {
            const p = await cli.request<{ cumulativeAmount: string; proof: Hex[]; epoch: number }>(
              "GET",
              `/v1/accounts/${account}/proof?tree=rewards`,
              undefined,
              "none",
            );
            const r = await claim(client, {
              account,
              cumulativeAmount: BigInt(p.cumulativeAmount),
              proof: p.proof,
            });
            results.push({ account, amount: r.amount.toString(), tx: r.hash, epoch: p.epoch });
          }
          emit(opts.json, { paid: results }, () =>
            results.map(
              (r) => `${green("✓")} paid ${bold(formatAmount(r.amount, token))} to ${r.account} (tx ${r.tx})`,
            ),
          );
          return;
        }
        const accounts = parsed.length ? parsed : [(await cli.account()).address];
        const r = await cli.request<{
          txHash: string;
          total: string;
          paid: { account: string; amount: string }[];
          skipped?: Skipped[];
        }>("POST", "/v1/claims", { accounts }, "none");
        if (r.paid.length === 0 && (r.skipped?.length ?? 0) > 0)
          throw new CliError(
            `nothing to claim for ${r.skipped!.length === 1 ? "this account" : "these accounts"}:\n${skippedLines(r.skipped!, token).join("\n")}`,
            "Earnings become claimable once an epoch is finalized (`tributary earnings <address>`, `tributary epoch finalize`).",
            "NOTHING_TO_CLAIM",
          );
        emit(opts.json, r, () => [
          `${green("✓")} claimed ${bold(formatAmount(r.total, token))} in tx ${r.txHash}`,
          ...r.paid.map((p) => `  ${p.account} ${formatAmount(p.amount, token)}`),
          ...(r.skipped?.length ? [yellow("skipped:"), ...skippedLines(r.skipped, token).map(yellow)] : []),
        ]);
      }),
    );
}
