import { join } from "node:path";
import type { TestChain } from "@tributary/contracts/test/fixture";
import { formatTokenAmount } from "@tributary/core";
import type { NodeContext, TributaryNode } from "@tributary/node";
import type { Hono } from "hono";
import type { Page } from "playwright-core";
import { erc20Abi } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactsDir, ensureWebBuilt, launchChromium } from "./browser.ts";
import { publishDatanet, serveModel, startNetwork } from "./network.ts";

const OPERATOR = "operator-secret-token";
const CHALLENGE_WINDOW = 60n;
const ATTESTOR = privateKeyToAccount(
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", // anvil's account 0, the node's key
).address;

/**
 * Earnings end to end in the browser: answers served → the operator closes an epoch on the Epochs page → anyone
 * verifies it → after the challenge window it is finalized → the contributor's dashboard shows the claimable
 * amount → the claim (relayed by the node) moves tokens to the contributor.
 */
describe("earnings in Chromium: close an epoch, verify, finalize, claim", () => {
  let chain: TestChain;
  let node: TributaryNode;
  let url: string;
  let stop: () => Promise<void>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const contributor = privateKeyToAccount(generatePrivateKey());

  const shot = (name: string) => page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
  const balance = () =>
    chain.publicClient.readContract({
      address: chain.deployment.contracts.token,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [contributor.address],
    });

  beforeAll(async () => {
    // Loaded at run time: the epoch routes come with the lead's branch (docs/api-epochs.md).
    const epochsModule = "../../node/src/epochs/index.ts";
    const { createEpochRoutes } = (await import(/* @vite-ignore */ epochsModule)) as {
      createEpochRoutes: (ctx: NodeContext) => Hono;
    };
    const [, net] = await Promise.all([
      ensureWebBuilt(),
      startNetwork({
        operatorToken: OPERATOR,
        extraRoutes: [(ctx) => createEpochRoutes(ctx)],
        // The node's key (anvil account 0) is the one attestor; quorum 1, so it signs reports alone.
        chain: { attestors: [ATTESTOR], quorum: 1, challengeWindow: CHALLENGE_WINDOW },
      }),
    ]);
    ({ chain, node, url, stop } = net);
    const datanetId = await publishDatanet(url, contributor, OPERATOR);
    const key = await serveModel({ chain, node }, { datanetId, payerIndex: 7, name: "whale-ig" });
    for (const seed of [0, 1]) {
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: "whale-ig",
          messages: [{ role: "user", content: "Tell me about the whale." }],
          seed,
        }),
      });
      expect(res.status).toBe(200);
    }
    browser = await launchChromium();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(20_000);
    await page.goto(`${url}/#operator=${OPERATOR}`);
    await page.waitForURL(`${url}/datanets`);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stop?.();
  });

  it("shows unsettled earnings before any epoch", async () => {
    await page.goto(`${url}/earnings/${contributor.address}`);
    const dash = page.getByTestId("earnings");
    await dash.waitFor();
    const unsettled = dash.locator(".stat", { hasText: "Unsettled" }).locator(".money");
    expect(BigInt((await unsettled.getAttribute("data-base-units"))!)).toBeGreaterThan(0n);
    await expect.poll(() => unsettled.textContent()).toMatch(/^0\.\d+ TRIB$/);
    await dash.getByText("No epoch yet").waitFor();
    await shot("20-earnings-unsettled");
  });

  it("closes an epoch, verifies it, and finalizes it after the challenge window", async () => {
    await page.getByRole("link", { name: "Epochs" }).click();
    await page.getByText("No epoch yet").waitFor();
    await page.getByRole("button", { name: "Close epoch" }).click();
    await page.getByText(/Closed epoch 1 with 2 receipt\(s\)/).waitFor({ timeout: 60_000 });
    const card = page.getByTestId("epoch").filter({ hasText: "Epoch 1" });
    await card.getByText("submitted").waitFor();
    await card.getByText(/ends in/).waitFor();
    await card.getByRole("button", { name: "Verify" }).click();
    await card.getByText(/Verified: 2 receipt\(s\) recomputed/).waitFor({ timeout: 60_000 });
    await shot("21-epochs-submitted");

    // Submitted, not final: the earnings page shows it as pending (with its epoch), nothing claimable yet.
    await page.goto(`${url}/earnings/${contributor.address}`);
    const dash = page.getByTestId("earnings");
    const pending = dash.locator(".stat", { hasText: "Pending" });
    await expect
      .poll(async () => BigInt((await pending.locator(".money").getAttribute("data-base-units")) ?? "0"))
      .toBeGreaterThan(0n);
    await pending.getByText(/epoch 1: claimable after its challenge window ends/).waitFor();
    const claimableEarly = dash.locator(".stat", { hasText: "Claimable now" }).locator(".money");
    expect(await claimableEarly.getAttribute("data-base-units")).toBe("0");
    await page.getByRole("link", { name: "Epochs" }).click();

    // Too early: the node's error and hint are shown.
    await card.getByRole("button", { name: "Finalize" }).click();
    await card.getByRole("alert").waitFor();

    await chain.testClient.increaseTime({ seconds: Number(CHALLENGE_WINDOW) + 1 });
    await chain.testClient.mine({ blocks: 1 });
    await card.getByRole("button", { name: "Finalize" }).click();
    await page.getByRole("button", { name: "Refresh" }).click();
    await card.getByText("finalized").waitFor({ timeout: 30_000 });
    await shot("22-epochs-finalized");
  }, 120_000);

  it("claims the finalized earnings through the node and the balance moves", async () => {
    const before = await balance();
    await page.goto(`${url}/earnings/${contributor.address}`);
    const dash = page.getByTestId("earnings");
    const claimable = dash.locator(".stat", { hasText: "Claimable" }).locator(".money");
    await expect
      .poll(async () => BigInt((await claimable.getAttribute("data-base-units")) ?? "0"))
      .toBeGreaterThan(0n);
    const amount = BigInt((await claimable.getAttribute("data-base-units"))!);
    // Shown in the token, exactly: "0.000000000000xxx TRIB", the base units on hover.
    await expect
      .poll(() => claimable.textContent())
      .toBe(formatTokenAmount(amount, { symbol: "TRIB", decimals: 18 }));
    expect(await claimable.getAttribute("title")).toBe(`${amount} base units`);
    await dash.locator("figure.chart svg circle").first().waitFor();
    await shot("23-earnings-claimable");
    await dash.getByRole("button", { name: /Claim .* \(node relays\)/ }).click();
    await dash.getByText(/Claimed .* in transaction/).waitFor({ timeout: 30_000 });
    await expect.poll(() => balance()).toBe(before + amount);
    await expect
      .poll(
        async () =>
          (await dash.locator(".stat", { hasText: "Claimable" }).locator(".stat-value").textContent())!,
      )
      .toBe("0 TRIB");
    await shot("24-earnings-claimed");
  }, 90_000);
});
