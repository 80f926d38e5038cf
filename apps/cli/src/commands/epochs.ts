import type { TokenUnit } from "@tributary/core";
import type { Command } from "commander";
import type { Hex } from "viem";
import { formatAmount } from "../amounts.ts";
import { type CommonOptions, parseAddress, parseId, withCommonOptions } from "../args.ts";
import { bold, CliError, dim, emit, green, progress, red, run, UsageError, yellow } from "../output.ts";

/** The command context, loaded on demand (chain and HTTP libraries stay out of `--help`). */
const context = async (opts: CommonOptions) => (await import("../config.ts")).createCliContext(opts);

type EpochView = {
  epoch: number;
  status: string;
  receiptCount: number;
  epochCharged: string;
  cumulativeCharged: string;
  rewardsRoot?: string;
  submitTx?: string | null;
  challengeEndsAt?: number | null;
  finalizeTx?: string | null;
  createdAt?: string;
};

const epochLine = (e: EpochView, token: TokenUnit) =>
  `epoch ${bold(String(e.epoch))} ${e.status.padEnd(10)} ${String(e.receiptCount).padStart(5)} receipts  charged ${formatAmount(e.epochCharged, token)}${
    e.challengeEndsAt && e.status === "submitted"
      ? dim(`  challenge window ends ${new Date(e.challengeEndsAt * 1000).toISOString()}`)
      : ""
  }`;

/** `tributary epoch close|list|verify`, `tributary earnings`, `tributary claim` (docs/api-epochs.md). */
export function registerEpochs(program: Command): void {
  const epoch = program.command("epoch").description("settlement epochs: close (operator), list, verify");
  withCommonOptions(
    epoch
      .command("close")
      .description(
        "cut the receipts not yet in an epoch, build the trees and bundle, sign and submit the report (operator); finalizes the previous report first when its window passed",
      ),
  ).action(
    run(async (opts: CommonOptions) => {
      const cli = await context(opts);
      if (!opts.json) progress(`${dim("…")} closing an epoch (cut, trees, bundle, sign, submit)`);
      const e = await cli.request<EpochView>("POST", "/v1/epochs/close", {});
      const token = await cli.token();
      emit(opts.json, e, () => [
        `${green("✓")} ${epochLine(e, token)}`,
        ...(e.submitTx ? [`  submitted in tx ${e.submitTx}`] : []),
        dim(`verify it: tributary epoch verify ${e.epoch}`),
      ]);
    }),
  );
  withCommonOptions(epoch.command("list").description("epochs, newest first")).action(
    run(async (opts: CommonOptions) => {
      const cli = await context(opts);
      const page = await cli.request<{ items: EpochView[] }>(
        "GET",
        "/v1/epochs?limit=500",
        undefined,
        "none",
      );
      const token = await cli.token();
      emit(opts.json, page, () =>
        page.items.length === 0
          ? ["no epochs yet", dim("close one: tributary epoch close")]
          : page.items.map((e) => epochLine(e, token)),
      );
    }),
  );
  withCommonOptions(
    epoch
      .command("verify")
      .description("download the epoch's bundle, recompute prices, splits and trees, compare with the chain"),
  )
    .argument("<n>", "epoch number")
    .action(
      run(async (n: string, opts: CommonOptions) => {
        const epochNo = parseId("epoch", n);
        const cli = await context(opts);
        if (!opts.json) progress(`${dim("…")} verifying epoch ${epochNo}`);
        const r = await cli.request<{
          ok: boolean;
          receiptCount: number;
          differences: { receiptId?: string; field: string; expected: unknown; actual: unknown }[];
        }>("POST", `/v1/epochs/${epochNo}/verify`, {}, "none");
        emit(opts.json, r, () =>
          r.ok
            ? [
                `${green("✓")} epoch ${epochNo} verifies: ${r.receiptCount} receipts recomputed, roots match the chain`,
              ]
            : [
                `${red("✗")} epoch ${epochNo} does not verify (${r.differences.length} difference(s))`,
                ...r.differences
                  .slice(0, 20)
                  .map(
                    (d) =>
                      `  ${d.receiptId ? `receipt ${d.receiptId} ` : ""}${d.field}: expected ${JSON.stringify(d.expected)}, got ${JSON.stringify(d.actual)}`,
                  ),
              ],
        );
        if (!r.ok) process.exitCode = 1;
      }),
    );

  withCommonOptions(
    program
      .command("earnings")
      .description("what an account earned: claimable, pending, by datanet and model"),
  )
    .argument("<address>", "contributor, model owner, agent or treasury account")
    .action(
      run(async (address: string, opts: CommonOptions) => {
        const account = await parseAddress("address", address);
        const cli = await context(opts);
        const e = await cli.request<{
          claimed: string;
          finalized: string;
          claimable: string;
          submitted: string;
          unsettled: string;
          byDatanet: { datanetId: string; amount: string }[];
          byModel: { modelId: string; name?: string; amount: string }[];
        }>("GET", `/v1/accounts/${account}/earnings`, undefined, "none");
        const token = await cli.token();
        emit(opts.json, e, () => [
          bold(`earnings of ${account}`),
          `  claimable  ${bold(formatAmount(e.claimable, token))}  ${dim("(finalized − claimed)")}`,
          `  claimed    ${formatAmount(e.claimed, token)}`,
          `  submitted  ${formatAmount(e.submitted, token)}  ${dim("(in a report still in its challenge window)")}`,
          `  unsettled  ${formatAmount(e.unsettled, token)}  ${dim("(receipts not yet in an epoch)")}`,
          ...e.byDatanet.map((d) => `  datanet ${d.datanetId}: ${formatAmount(d.amount, token)}`),
          ...e.byModel.map((m) => `  model ${m.name ?? m.modelId}: ${formatAmount(m.amount, token)}`),
          ...(BigInt(e.claimable) > 0n ? [dim(`claim: tributary claim ${account}`)] : []),
        ]);
      }),
    );

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
          const token = await cli.token();
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
          skipped?: string[];
        }>("POST", "/v1/claims", { accounts }, "none");
        if (r.paid.length === 0 && (r.skipped?.length ?? 0) > 0)
          throw new CliError(
            "nothing to claim for these accounts",
            "Earnings become claimable once an epoch is finalized (`tributary earnings <address>`).",
            "NOTHING_TO_CLAIM",
          );
        const token = await cli.token();
        emit(opts.json, r, () => [
          `${green("✓")} claimed ${bold(formatAmount(r.total, token))} in tx ${r.txHash}`,
          ...r.paid.map((p) => `  ${p.account} ${formatAmount(p.amount, token)}`),
          ...(r.skipped?.length ? [yellow(`  skipped (nothing to claim): ${r.skipped.join(", ")}`)] : []),
        ]);
      }),
    );
}
