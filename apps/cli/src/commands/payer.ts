import type { Command } from "commander";
import type { Address, Hex } from "viem";
import { formatAmount, parseAmount, parseBaseUnits } from "../amounts.ts";
import { type CommonOptions, parseAddress, withCommonOptions } from "../args.ts";
import { bold, CliError, dim, emit, green, progress, run, UsageError } from "../output.ts";

/** The command context, loaded on demand (chain and HTTP libraries stay out of `--help`). */
const context = async (opts: CommonOptions) => (await import("../config.ts")).createCliContext(opts);

type DepositOptions = CommonOptions & { for?: string; baseUnits?: boolean };
type WithdrawOptions = CommonOptions & { request?: boolean; cancel?: boolean };

/** `tributary deposit` and `tributary withdraw`: a payer's credit in Settlement, with the payer's key. */
export function registerPayer(program: Command): void {
  withCommonOptions(
    program
      .command("deposit")
      .description(
        "deposit the payment token (TRIB locally) as credit for the gateway (approve + deposit with your key: TRIBUTARY_PRIVATE_KEY or keystore)",
      )
      .option("--for <address>", "credit another payer (default: yourself)")
      .option("--base-units", "the amount is in base units (wei-like), not a decimal amount of the token"),
  )
    .argument(
      "<amount>",
      "amount of the payment token (TRIB locally), as a decimal (12.5); exact, up to the token's decimals",
    )
    .action(
      run(async (amountText: string, opts: DepositOptions) => {
        if (opts.baseUnits) parseBaseUnits(amountText);
        else parseAmount(amountText, 255); // the form now; the token's decimals once read from the chain
        const payer = opts.for ? await parseAddress("--for", opts.for) : undefined;
        const cli = await context(opts);
        const client = await cli.chain(true);
        const token = await cli.token();
        const amount = opts.baseUnits ? parseBaseUnits(amountText) : parseAmount(amountText, token.decimals);
        if (amount === 0n) throw new UsageError("amount must be more than 0");
        const { approveAndDeposit, getDeposited, getTokenBalance } = await import("@tributary/sdk");
        const me = client.account!.address;
        const balance = await getTokenBalance(client, { account: me });
        if (balance < amount)
          throw new CliError(
            `${me} holds ${formatAmount(balance, token)}, less than ${formatAmount(amount, token)}`,
            "Get some of the payment token first (on the local network the owner can mint: the demo payer already has some).",
            "INSUFFICIENT_BALANCE",
          );
        if (!opts.json)
          progress(`${dim("…")} approving and depositing ${formatAmount(amount, token)} from ${me}`);
        const result = await approveAndDeposit(client, { amount, ...(payer ? { payer } : {}) });
        const credited = payer ?? me;
        const deposited = await getDeposited(client, { payer: credited });
        const out = {
          payer: credited,
          amount: amount.toString(),
          deposited: deposited.toString(),
          approveTx: result.approval?.hash ?? null,
          depositTx: result.deposit.hash,
        };
        emit(opts.json, out, () => [
          `${green("✓")} deposited ${bold(formatAmount(amount, token))} for ${credited} (tx ${result.deposit.hash})`,
          `  total deposited ${formatAmount(deposited, token)}`,
        ]);
      }),
    );

  withCommonOptions(
    program
      .command("withdraw")
      .description(
        "take unspent credit back: --request starts the delay (the gateway stops serving you), --cancel undoes it; without flags, withdraws once the delay passed and an epoch report submitted after the request is finalized",
      )
      .option("--request", "request a withdrawal (starts the withdrawal delay)")
      .option("--cancel", "cancel a pending withdrawal request"),
  ).action(
    run(async (opts: WithdrawOptions) => {
      if (opts.request && opts.cancel) throw new UsageError("use --request or --cancel, not both");
      const cli = await context(opts);
      const client = await cli.chain(true);
      const { cancelWithdrawal, getWithdrawalDelay, getWithdrawalRequestedAt, requestWithdrawal, withdraw } =
        await import("@tributary/sdk");
      const { NodeHttpError } = await import("../config.ts");
      const me = client.account!.address;
      if (opts.request) {
        const r = await requestWithdrawal(client, {});
        const delay = await getWithdrawalDelay(client);
        emit(opts.json, { payer: me, requestTx: r.hash, delaySeconds: delay.toString() }, () => [
          `${green("✓")} withdrawal requested for ${me} (tx ${r.hash})`,
          `  the gateway stops serving this payer now; run \`tributary withdraw\` after ${delay} s, once an epoch report submitted after this request is finalized`,
        ]);
        return;
      }
      if (opts.cancel) {
        const r = await cancelWithdrawal(client, {});
        emit(opts.json, { payer: me, cancelTx: r.hash }, () => [
          `${green("✓")} withdrawal request cancelled (tx ${r.hash}); the gateway serves ${me} again`,
        ]);
        return;
      }
      const requestedAt = await getWithdrawalRequestedAt(client, { payer: me });
      if (requestedAt === 0n)
        throw new CliError(
          `${me} has no withdrawal request`,
          "Run `tributary withdraw --request` first; withdrawing waits for the delay and a finalized report after it.",
          "WITHDRAWAL_NOT_REQUESTED",
        );
      const delay = await getWithdrawalDelay(client);
      const block = await client.publicClient.getBlock();
      const availableAt = requestedAt + delay;
      if (block.timestamp < availableAt)
        throw new CliError(
          `the withdrawal delay has not passed: ${availableAt - block.timestamp} s left (requested at ${requestedAt}, delay ${delay} s)`,
          "Wait, then run `tributary withdraw` again. It also needs an epoch report submitted after the request to be finalized (`tributary epoch close`).",
          "WITHDRAWAL_DELAY",
        );
      // Charges proof against the latest finalized report (none when this payer was never charged).
      let cumulativeCharged = 0n;
      let proof: Hex[] = [];
      try {
        const p = await cli.request<{ cumulativeAmount: string; proof: Hex[] }>(
          "GET",
          `/v1/accounts/${me}/proof?tree=charges`,
          undefined,
          "none",
        );
        cumulativeCharged = BigInt(p.cumulativeAmount);
        proof = p.proof;
      } catch (e) {
        if (!(e instanceof NodeHttpError && e.code === "NO_LEAF")) throw e;
      }
      const r = await withdraw(client, { cumulativeCharged, proof });
      const token = await cli.token();
      emit(
        opts.json,
        { payer: me, amount: r.amount.toString(), epoch: r.epoch.toString(), tx: r.hash },
        () => [
          `${green("✓")} withdrew ${bold(formatAmount(r.amount, token))} to ${me} (proven against epoch ${r.epoch}, tx ${r.hash})`,
        ],
      );
    }),
  );
}

/** `tributary keys create|list|revoke`: the gateway's API keys (operator routes). */
export function registerKeys(program: Command): void {
  const keys = program.command("keys").description("gateway API keys of payers (operator)");
  withCommonOptions(
    keys
      .command("create")
      .description("create an API key charging <payer>'s deposit; the key is shown once")
      .requiredOption("--payer <address>", "account whose deposit pays for the key's requests"),
  ).action(
    run(async (opts: CommonOptions & { payer: string }) => {
      const payer: Address = await parseAddress("--payer", opts.payer);
      const cli = await context(opts);
      const created = await cli.request<{ id: string; key: string; payer: string }>("POST", "/v1/keys", {
        payer,
      });
      emit(opts.json, created, () => [
        `${green("✓")} API key ${created.id} for payer ${created.payer}`,
        `  ${bold(created.key)}`,
        dim("  shown once: only its hash is stored. Use it: export TRIBUTARY_API_KEY=<key>"),
      ]);
    }),
  );
  withCommonOptions(
    keys.command("list").description("API keys (ids, payers, status; never the keys)"),
  ).action(
    run(async (opts: CommonOptions) => {
      const cli = await context(opts);
      const res = await cli.request<{ items?: Record<string, unknown>[] } | Record<string, unknown>[]>(
        "GET",
        "/v1/keys",
      );
      const items = Array.isArray(res) ? res : (res.items ?? []);
      emit(opts.json, { items }, () =>
        items.length === 0
          ? ["no API keys"]
          : items.map(
              (k) =>
                `${String(k.id).padEnd(12)} ${String(k.payer)} ${k.revokedAt ? dim(`revoked ${String(k.revokedAt)}`) : green("active")}`,
            ),
      );
    }),
  );
  withCommonOptions(keys.command("revoke").description("revoke an API key by id"))
    .argument("<id>", "key id (from keys list)")
    .action(
      run(async (id: string, opts: CommonOptions) => {
        if (!/^[\w-]{1,100}$/.test(id))
          throw new UsageError(`key id must be an id from \`keys list\`, got "${id}"`);
        const cli = await context(opts);
        await cli.request("DELETE", `/v1/keys/${encodeURIComponent(id)}`);
        emit(opts.json, { id, revoked: true }, () => [`${green("✓")} key ${id} revoked`]);
      }),
    );
}
