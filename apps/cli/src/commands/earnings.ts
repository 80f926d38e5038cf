import type { TokenUnit } from "@tributary/core";
import type { Command } from "commander";
import { formatAmount } from "../amounts.ts";
import { type CommonOptions, parseAddress, withCommonOptions } from "../args.ts";
import { bold, dim, emit, run } from "../output.ts";

const context = async (opts: CommonOptions) => (await import("../config.ts")).createCliContext(opts);

type Earnings = {
  claimed: string;
  finalized: string;
  claimable: string;
  submitted: string;
  pending?: string;
  pendingEpoch?: { epoch: number; challengeEndsAt: number | null; windowOver: boolean } | null;
  unsettled: string;
  byDatanet: { datanetId: string; amount: string }[];
  byModel: { modelId: string; name?: string | null; amount: string }[];
};

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** What the pending amount waits for: the window's end, or (once it passed) a finalization. */
function pendingNote(p: NonNullable<Earnings["pendingEpoch"]>): string {
  if (p.windowOver)
    return `(epoch ${p.epoch}: its challenge window ended ${p.challengeEndsAt ? iso(p.challengeEndsAt) : ""}; claimable once finalized: tributary epoch finalize ${p.epoch})`;
  return `(epoch ${p.epoch}, submitted: claimable after its challenge window ends ${p.challengeEndsAt ? iso(p.challengeEndsAt) : ""} and it is finalized)`;
}

/** The lines of `tributary earnings`: claimable now, pending (and on what), claimed, unsettled, breakdowns. */
export function earningsLines(account: string, e: Earnings, token: TokenUnit): string[] {
  const pending = BigInt(e.pending ?? "0");
  return [
    bold(`earnings of ${account}`),
    `  claimable now  ${bold(formatAmount(e.claimable, token))}  ${dim("(finalized − claimed)")}`,
    `  pending        ${formatAmount(pending, token)}  ${dim(pending > 0n && e.pendingEpoch ? pendingNote(e.pendingEpoch) : "(in no report waiting to be finalized)")}`,
    `  claimed        ${formatAmount(e.claimed, token)}`,
    `  unsettled      ${formatAmount(e.unsettled, token)}  ${dim("(receipts not yet in an epoch)")}`,
    ...e.byDatanet.map((d) => `  datanet ${d.datanetId}: ${formatAmount(d.amount, token)}`),
    ...e.byModel.map((m) => `  model ${m.name ?? m.modelId}: ${formatAmount(m.amount, token)}`),
    ...(BigInt(e.claimable) > 0n ? [dim(`claim: tributary claim ${account}`)] : []),
  ];
}

/** `tributary earnings <address>`. */
export function registerEarnings(program: Command): void {
  withCommonOptions(
    program
      .command("earnings")
      .description(
        "what an account earned: claimable now, pending in a report not finalized yet, claimed, unsettled; by datanet and model",
      ),
  )
    .argument("<address>", "contributor, model owner, agent or treasury account")
    .action(
      run(async (address: string, opts: CommonOptions) => {
        const account = await parseAddress("address", address);
        const cli = await context(opts);
        const token = await cli.token();
        const e = await cli.request<Earnings>("GET", `/v1/accounts/${account}/earnings`, undefined, "none");
        emit(opts.json, e, () => earningsLines(account, e, token));
      }),
    );
}
