import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TokenUnit } from "@tributary/core";
import { type PaidNetwork, setupPaidNetwork } from "@tributary/node/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatAmount } from "../src/amounts.ts";
import { runCli } from "./runCli.ts";

const NOBODY = "0x000000000000000000000000000000000000dEaD";
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/;

const cli = runCli;

describe("epoch close/finalize, earnings and claim from the terminal (anvil, a real node)", () => {
  let net: PaidNetwork;
  const dir = mkdtempSync(join(tmpdir(), "tributary-epoch-cli-"));
  const earnings = async () => {
    const r = await cli(dir, ["earnings", net.contributor, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { claimable: string; pending: string; claimed: string };
  };

  /** The payment token as the node names it (`/health`): what the CLI formats amounts with. */
  let token: TokenUnit;

  beforeAll(async () => {
    net = await setupPaidNetwork({ nodeCount: 1 });
    token = ((await (await fetch(`${net.nodes[0]!.url}/health`)).json()) as { token: TokenUnit }).token;
    expect(token).toMatchObject({ symbol: expect.any(String), decimals: expect.any(Number) });
    writeFileSync(join(dir, "deployment.json"), JSON.stringify(net.chain.deployment));
    writeFileSync(
      join(dir, "tributary.config.json"),
      JSON.stringify({
        rpcUrl: net.chain.anvil.rpcUrl,
        nodeUrl: net.nodes[0]!.url,
        deployment: "deployment.json",
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await net?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("every new command has --help", async () => {
    const finalize = await cli(dir, ["epoch", "finalize", "--help"]);
    expect(finalize.code).toBe(0);
    expect(finalize.stdout).toMatch(/challenge window/);
    expect((await cli(dir, ["epoch", "close", "--help"])).stdout).toMatch(/--allow-empty/);
    expect((await cli(dir, ["epoch", "verify", "--help"])).stdout).toMatch(/--ask-node/);
  });

  it("close submits no empty epoch unless --allow-empty; finalize with nothing closed says so", async () => {
    const empty = await cli(dir, ["epoch", "close"]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/error: no receipt is waiting for an epoch/);
    expect(empty.stderr).toMatch(/hint: .*tributary epoch close --allow-empty/);
    const list = await cli(dir, ["epoch", "list", "--json"]);
    expect(JSON.parse(list.stdout).items).toEqual([]);

    const nothing = await cli(dir, ["epoch", "finalize"]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/no epoch has been closed yet/);
    expect(nothing.stderr).toMatch(/hint: Close one first/);
  });

  it("earnings: pending (with the window's end) then, once it ended, what is missing; finalize says when it can run", async () => {
    expect((await net.chat(net.payers[0]!.key, "Tell me about the whale.", { temperature: 0 })).status).toBe(
      200,
    );
    const closed = await cli(dir, ["epoch", "close", "--json"]);
    expect(closed.code, closed.stderr).toBe(0);
    expect(JSON.parse(closed.stdout)).toMatchObject({ epoch: 1, status: "submitted", receiptCount: 1 });

    const e = await earnings();
    expect(e.claimable).toBe("0");
    expect(BigInt(e.pending)).toBeGreaterThan(0n);
    const text = (await cli(dir, ["earnings", net.contributor])).stdout;
    expect(text).toContain(`claimable now  ${formatAmount(0n, token)}  `);
    expect(text).toContain(`pending        ${formatAmount(e.pending, token)}`);
    expect(text).toMatch(
      new RegExp(`epoch 1, submitted: claimable after its challenge window ends ${ISO.source}`),
    );
    expect(text).not.toMatch(/ended/);

    const early = await cli(dir, ["epoch", "finalize"]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(
      new RegExp(`error: epoch 1 is in its challenge window until ${ISO.source} \\(\\d+ more seconds?\\)`),
    );
    expect(early.stderr).toMatch(/hint: .*tributary epoch finalize 1/);

    await net.advance(61);
    const after = (await cli(dir, ["earnings", net.contributor])).stdout;
    expect(after).toMatch(
      new RegExp(
        `epoch 1: its challenge window ended ${ISO.source}; claimable once finalized: tributary epoch finalize 1`,
      ),
    );
    expect(after).not.toMatch(/window ends/);

    const fin = await cli(dir, ["epoch", "finalize"]);
    expect(fin.code, fin.stderr).toBe(0);
    expect(fin.stdout).toMatch(/✓ epoch 1 finalized/);
    expect(fin.stdout).toMatch(/finalized in tx 0x[0-9a-f]{64}/);
    expect(fin.stderr).toMatch(/finalizing epoch 1/);

    const final = await earnings();
    expect(final).toMatchObject({ claimable: e.pending, pending: "0" });
    const finalText = (await cli(dir, ["earnings", net.contributor])).stdout;
    expect(finalText).toContain(`claimable now  ${formatAmount(e.pending, token)}`);
    expect(finalText).toContain(
      `pending        ${formatAmount(0n, token)}  (in no report waiting to be finalized)`,
    );
  });

  it("claim names each skipped account and why; claiming again says it was already claimed", async () => {
    const owed = (await earnings()).claimable;
    const r = await cli(dir, ["claim", net.contributor, NOBODY]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`claimed ${formatAmount(owed, token)}`);
    expect(r.stdout).not.toContain("[object Object]");
    expect(r.stdout).toMatch(
      /skipped:\n {2}0x000000000000000000000000000000000000dEaD: no rewards in the latest finalized epoch/,
    );

    const again = await cli(dir, ["claim", net.contributor]);
    expect(again.code).toBe(1);
    expect(again.stderr).not.toContain("[object Object]");
    expect(again.stderr).toContain(
      `nothing to claim for this account:\n  ${net.contributor}: already claimed ${formatAmount(owed, token)}, all its finalized rewards`,
    );
  });
});
