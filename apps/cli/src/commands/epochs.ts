import type { TokenUnit } from "@tributary/core";
import type { Command } from "commander";
import { formatAmount } from "../amounts.ts";
import { type CommonOptions, parseId, withCommonOptions } from "../args.ts";
import { bold, CliError, dim, emit, green, progress, run } from "../output.ts";
import { registerClaim } from "./claim.ts";
import { registerEarnings } from "./earnings.ts";
import { registerEpochVerify } from "./epochVerify.ts";

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

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** Where a submitted report stands: in its window (until when), or due for `tributary epoch finalize`. */
export const windowNote = (epoch: number, challengeEndsAt: number, now = Date.now() / 1000) =>
  now < challengeEndsAt
    ? `challenge window ends ${iso(challengeEndsAt)}`
    : `challenge window ended ${iso(challengeEndsAt)}; finalize: tributary epoch finalize ${epoch}`;

const epochLine = (e: EpochView, token: TokenUnit) =>
  `epoch ${bold(String(e.epoch))} ${e.status.padEnd(10)} ${String(e.receiptCount).padStart(5)} receipts  charged ${formatAmount(e.epochCharged, token)}${
    e.challengeEndsAt && e.status === "submitted" ? dim(`  ${windowNote(e.epoch, e.challengeEndsAt)}`) : ""
  }`;

/**
 * `tributary epoch close|list|finalize|verify`, `tributary earnings`, `tributary claim` (docs/api-epochs.md).
 */
export function registerEpochs(program: Command): void {
  const epoch = program
    .command("epoch")
    .description("settlement epochs: close (operator), list, finalize, verify");
  withCommonOptions(
    epoch
      .command("close")
      .description(
        "cut the receipts not yet in an epoch, build the trees and bundle, sign and submit the report (operator); finalizes the previous report first when its window passed. Refuses when no receipt waits, unless --allow-empty",
      )
      .option(
        "--allow-empty",
        "submit a report even when no receipt waits (a payer that requested a withdrawal needs a report finalized after its request)",
      ),
  ).action(
    run(async (opts: CommonOptions & { allowEmpty?: boolean }) => {
      const cli = await context(opts);
      const token = await cli.token();
      if (!opts.json) progress(`${dim("…")} closing an epoch (cut, trees, bundle, sign, submit)`);
      const { NodeHttpError } = await import("../config.ts");
      let e: EpochView;
      try {
        e = await cli.request<EpochView>(
          "POST",
          "/v1/epochs/close",
          opts.allowEmpty ? { allowEmpty: true } : {},
        );
      } catch (error) {
        if (error instanceof NodeHttpError && error.code === "NOTHING_TO_CLOSE") {
          throw new CliError(
            error.message.replace(/\(POST \/v1\/epochs\/(\d+)\/finalize\)/, "(tributary epoch finalize $1)"),
            "Nothing was submitted. Serve some requests first, or submit an empty report with `tributary epoch close --allow-empty` (needed when a payer waits to withdraw).",
            "NOTHING_TO_CLOSE",
          );
        }
        throw error;
      }
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
      const token = await cli.token();
      const page = await cli.request<{ items: EpochView[] }>(
        "GET",
        "/v1/epochs?limit=500",
        undefined,
        "none",
      );
      emit(opts.json, page, () =>
        page.items.length === 0
          ? ["no epochs yet", dim("close one: tributary epoch close")]
          : page.items.map((e) => epochLine(e, token)),
      );
    }),
  );
  withCommonOptions(
    epoch
      .command("finalize")
      .description(
        "finalize a submitted report once its challenge window has passed (anyone may); its rewards become claimable and its charges provable",
      ),
  )
    .argument("[n]", "epoch number (default: the latest submitted one)")
    .action(
      run(async (n: string | undefined, opts: CommonOptions) => {
        const cli = await context(opts);
        const token = await cli.token();
        let epochNo: bigint | number | undefined = n === undefined ? undefined : parseId("epoch", n);
        if (epochNo === undefined) {
          const page = await cli.request<{ items: EpochView[] }>(
            "GET",
            "/v1/epochs?limit=500",
            undefined,
            "none",
          );
          const waiting = page.items.find((e) => e.status === "submitted");
          if (!waiting) {
            const last = page.items[0];
            throw new CliError(
              last
                ? `no report waits to be finalized: epoch ${last.epoch}, the latest, is ${last.status}`
                : "no epoch has been closed yet",
              "Close one first: tributary epoch close (operator). `tributary epoch list` shows every epoch.",
              "NOTHING_TO_FINALIZE",
            );
          }
          epochNo = waiting.epoch;
        }
        if (!opts.json) progress(`${dim("…")} finalizing epoch ${epochNo}`);
        const { NodeHttpError } = await import("../config.ts");
        let e: EpochView;
        try {
          e = await cli.request<EpochView>("POST", `/v1/epochs/${epochNo}/finalize`, {}, "none");
        } catch (error) {
          if (error instanceof NodeHttpError && error.code === "CHALLENGE_WINDOW_OPEN") {
            throw new CliError(
              error.message,
              `The guardian may veto the report until then. Run \`tributary epoch finalize ${epochNo}\` again after it.`,
              "CHALLENGE_WINDOW_OPEN",
            );
          }
          if (error instanceof NodeHttpError && error.code === "EPOCH_NOT_SUBMITTED") {
            throw new CliError(
              `epoch ${epochNo} was not submitted yet (${error.message})`,
              "Close it first: tributary epoch close (operator).",
              "EPOCH_NOT_SUBMITTED",
            );
          }
          throw error;
        }
        emit(opts.json, e, () => [
          `${green("✓")} ${epochLine(e, token)}`,
          ...(e.finalizeTx ? [`  finalized in tx ${e.finalizeTx}`] : []),
          dim("its rewards are claimable now: tributary earnings <address>, tributary claim <address>"),
        ]);
      }),
    );
  registerEpochVerify(epoch);
  registerEarnings(program);
  registerClaim(program);
}
