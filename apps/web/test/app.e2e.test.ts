import { join } from "node:path";
import type { TestChain } from "@tributary/contracts/test/fixture";
import { formatTokenAmount } from "@tributary/core";
import type { TributaryNode } from "@tributary/node";
import { createTributaryClient, registerAgent } from "@tributary/sdk";
import type { Page } from "playwright-core";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactsDir, ensureWebBuilt, launchChromium } from "./browser.ts";
import { serveModel, startNetwork, TEXTS } from "./network.ts";

const WHALE = TEXTS.whale;
const CHAT = TEXTS.chat;
/** whale.txt shouted: another content hash, the same words (near duplicates ignore case and punctuation). */
const NEAR_COPY = WHALE.toUpperCase().replace(".", "!");
const OPERATOR = "operator-secret-token";

/**
 * The web app end to end: a real local network (anvil, contracts, a node serving the API and the built app) and
 * Debian's Chromium driving the UI: create a datanet, upload (drag and drop and file input), curate, publish,
 * chat in the playground with attributed spans, open a contribution from a span.
 */
describe("web app in Chromium against a local network", () => {
  let chain: TestChain;
  let node: TributaryNode;
  let url: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let datanetId: string;
  const contributorKey = generatePrivateKey();
  const contributor = privateKeyToAccount(contributorKey).address;
  const consoleErrors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    const [, net] = await Promise.all([ensureWebBuilt(), startNetwork({ operatorToken: OPERATOR })]);
    ({ chain, node, url } = net);
    browser = await launchChromium();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(20_000);
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await node?.stop();
    await chain?.stop();
  });

  it("serves the app for client routes and takes the operator token from the URL fragment", async () => {
    const res = await page.goto(`${url}/#operator=${OPERATOR}`);
    expect(res?.status()).toBe(200);
    await page.waitForURL(`${url}/datanets`);
    expect(await page.evaluate(() => localStorage.getItem("tributary.operatorToken"))).toBe(OPERATOR);
    expect(page.url()).not.toContain("operator=");
    await expect.poll(() => page.getByText("Operator", { exact: true }).isVisible()).toBe(true);
    await page.getByText("No datanets yet").waitFor();
    // A deep link loads the app too (SPA fallback), and unknown API paths stay JSON.
    await page.goto(`${url}/settings`);
    await page.getByRole("heading", { name: "Settings" }).waitFor();
    const api404 = await page.request.get(`${url}/v1/nope`);
    expect(api404.status()).toBe(404);
    expect((await api404.json()).error.code).toBe("NOT_FOUND");
  }, 60_000);

  it("creates a datanet in the UI", async () => {
    await page.getByLabel("Development signing key (local networks only)").fill(contributorKey);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText(`Development key signs as ${contributor}`).waitFor();

    await page.getByRole("link", { name: "Datanets" }).click();
    await page.getByRole("button", { name: "Create a datanet" }).click();
    await page.getByLabel("Name").fill("Whaling logs");
    await page.getByLabel("Description").fill("Ship logs and conversations about whales.");
    await shot("01-create-datanet");
    await page.getByRole("button", { name: "Create datanet" }).click();
    await page.getByRole("heading", { name: "Whaling logs", level: 1 }).waitFor();
    datanetId = /\/datanets\/(\d+)$/.exec(page.url())![1]!;
    await page.getByText("CC-BY-4.0").first().waitFor();
  }, 60_000);

  it("uploads files by drag and drop and the file input, with per-file progress and errors", async () => {
    await page.getByRole("link", { name: "Upload files" }).first().click();
    await page.getByText(`Signing as ${contributor}`).waitFor();
    // Drag and drop: a real DataTransfer with a File, dropped on the zone.
    const dataTransfer = await page.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], "whale.txt", { type: "text/plain" }));
      return dt;
    }, WHALE);
    await page.getByTestId("dropzone").dispatchEvent("dragover", { dataTransfer });
    await page.getByTestId("dropzone").dispatchEvent("drop", { dataTransfer });
    // The file input: a good file and one that is not UTF-8.
    await page.locator('input[type="file"]').setInputFiles([
      { name: "chat.txt", mimeType: "text/plain", buffer: Buffer.from(CHAT) },
      { name: "whale-copy.txt", mimeType: "text/plain", buffer: Buffer.from(NEAR_COPY) },
      { name: "broken.txt", mimeType: "text/plain", buffer: Buffer.from([0x66, 0xff, 0xfe, 0x6f]) },
    ]);
    const files = page.getByTestId("upload-file");
    await expect.poll(() => files.count()).toBe(4);
    await files
      .filter({ hasText: "whale.txt" })
      .getByText(/staged: 1 document/)
      .waitFor();
    await files
      .filter({ hasText: "chat.txt" })
      .getByText(/staged: 1 document/)
      .waitFor();
    const broken = files.filter({ hasText: "broken.txt" });
    await broken.getByText("refused", { exact: true }).waitFor();
    await broken.getByRole("alert").getByText("broken.txt was refused").waitFor();
    expect(await broken.getByRole("alert").textContent()).toMatch(/INVALID_UTF8/);
    expect(await files.filter({ hasText: "whale.txt" }).locator("progress").getAttribute("value")).toBe("1");
    await shot("02-upload-staged");

    await page.getByRole("button", { name: /Sign and submit 3 files/ }).click();
    await files.filter({ hasText: "whale.txt" }).getByText("registered").waitFor();
    await files.filter({ hasText: "chat.txt" }).getByText("registered").waitFor();
    await files.filter({ hasText: "whale-copy.txt" }).getByText("registered").waitFor();
    await files
      .filter({ hasText: "chat.txt" })
      .getByRole("link", { name: /contribution #\d+/ })
      .waitFor();
    await shot("03-upload-registered");
  }, 60_000);

  it("accepts the contributions in the curation queue and publishes a version", async () => {
    await page.getByRole("link", { name: "Open the curation queue" }).click();
    const pending = page.getByTestId("pending");
    // The indexer polls every 100 ms; refresh until both registrations are in the queue.
    await expect
      .poll(
        async () => {
          if ((await pending.count()) < 2) await page.getByRole("button", { name: "Refresh" }).click();
          return pending.count();
        },
        { timeout: 20_000, interval: 300 },
      )
      .toBe(3);
    await pending.filter({ hasText: "great white whale" }).waitFor();
    // The copy is flagged against the older text; the curator rejects it.
    const copy = pending.filter({ hasText: /PEQUOD/ });
    await copy.getByText(/near duplicate of #\d+ in datanet/).waitFor();
    await shot("04-curation");
    await copy.getByRole("button", { name: /^Reject #/ }).click();
    await page.getByText("Rejected 1 contribution(s).").waitFor();
    await expect.poll(() => pending.count()).toBe(2);
    await page.getByLabel("Select all").check();
    await page.getByRole("button", { name: "Accept selected (2)" }).click();
    await page.getByText("Accepted 2 contribution(s).").waitFor();
    await page.getByText("Nothing to review").waitFor();
    await page.getByRole("button", { name: "Publish version" }).click();
    await page.getByText(/Published version 1 with 2 contribution\(s\)/).waitFor({ timeout: 30_000 });

    await page.getByRole("link", { name: "See the datanet" }).click();
    await page.getByRole("cell", { name: "v1" }).waitFor();
    await page.getByRole("heading", { name: "Contributors" }).waitFor();
    await shot("05-datanet-detail");
  }, 90_000);

  it("chats in the playground: attributed spans, the receipt's split, and a contribution opened from a span", async () => {
    // What the UI does not do: register the model (node key), fund a payer, create its API key.
    const key = await serveModel(
      { chain, node },
      { datanetId: BigInt(datanetId), payerIndex: 7, name: "whale-ig" },
    );

    // An agent on chain (AgentRegistry), registered by its operator's own wallet.
    await registerAgent(
      createTributaryClient({
        publicClient: chain.publicClient as never,
        walletClient: chain.wallets[5] as never,
        addresses: chain.deployment.contracts,
      }),
      { agentCardURI: "ipfs://ishmael-agent", allowedModels: [1n], feeBps: 250 },
    );

    await page.getByRole("link", { name: "Models" }).click();
    const model = page.getByTestId("model");
    await model.getByRole("heading", { name: "whale-ig" }).waitFor();
    const agent = page.getByTestId("agent");
    await agent.getByText("ipfs://ishmael-agent").waitFor();
    await agent.getByText("whale-ig").waitFor(); // allowed models by name
    expect(await agent.textContent()).toMatch(/2\.50%.*whale-ig.*active/);
    await model
      .getByRole("link", { name: /contribution #/ })
      .first()
      .waitFor();
    expect(await model.getByRole("link", { name: /contribution #/ }).count()).toBe(2);
    await shot("06-models");

    await model.getByRole("link", { name: "Try in the playground" }).click();
    // A wrong key first: the API's error and hint are shown.
    await page.getByLabel("API key").fill("trib_wrong");
    await page.getByLabel("Message").fill("Tell me about the whale.");
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByRole("alert").getByText("missing or invalid API key").waitFor();
    await page
      .getByRole("alert")
      .getByText(/Authorization: Bearer trib_/)
      .waitFor();

    await page.getByLabel("API key").fill(key);
    expect(await page.getByLabel("Message").inputValue()).toBe("Tell me about the whale.");
    await page.getByRole("button", { name: "Send" }).click();
    const answer = page.getByTestId("attributed-answer");
    await answer.waitFor();
    expect(await answer.textContent()).toContain("whale swam north");
    const spans = answer.locator("a.span");
    expect(await spans.count()).toBeGreaterThan(0);
    const receipt = page.getByTestId("receipt");
    await receipt.getByText("Split by role").waitFor();
    // The price in the token (exact, from base units), the base units on hover.
    const priceEl = receipt.getByTestId("receipt-price").locator(".money");
    const price = BigInt((await priceEl.getAttribute("data-base-units"))!);
    expect(price).toBeGreaterThan(1000n);
    expect(await priceEl.getAttribute("title")).toBe(`${price} base units`);
    expect(await priceEl.textContent()).toBe(formatTokenAmount(price, { symbol: "TRIB", decimals: 18 }));
    expect(await priceEl.textContent()).toMatch(/^0\.\d+ TRIB$/);
    for (const role of ["protocol", "owner", "contributor"])
      await receipt.getByRole("cell", { name: role, exact: true }).first().waitFor();
    await shot("07-playground");

    expect(await page.locator(".message.user").count()).toBe(1);
    // Keyboard: focus the first span and open its source with Enter.
    const source = await spans.first().getAttribute("data-contribution");
    await spans.first().focus();
    await page.keyboard.press("Enter");
    const panel = page.getByTestId("span-source");
    await panel.getByRole("heading", { name: new RegExp(`Contribution #${source}`) }).waitFor();
    await panel
      .getByText(/great white whale/)
      .first()
      .waitFor();
    await shot("08-span-source");
    await panel.getByRole("link", { name: `Open contribution #${source}` }).click();
    await page.waitForURL(`${url}/contributions/${source}`);
    const view = page.getByTestId("contribution");
    await view.getByText("Accepted").waitFor();
    await view.getByText("chat.txt").waitFor();
    await view.getByText(contributor.slice(0, 6), { exact: false }).first().waitFor();
    await shot("09-contribution");
  }, 90_000);

  it("shows clear empty and error states, and fits a narrow screen", async () => {
    await page.goto(`${url}/epochs`);
    // Without the epoch routes on this node, the page says so instead of breaking.
    await page.getByRole("alert").getByText("Could not list the epochs").waitFor();
    await shot("10-epochs-unavailable");
    await page.goto(`${url}/datanets/999`);
    await page
      .getByRole("alert")
      .getByText(/datanet 999 does not exist/)
      .waitFor();

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${url}/datanets`);
    await page.getByRole("link", { name: "Whaling logs" }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot("11-narrow-datanets");
    await page.goto(`${url}/playground`);
    await page.getByRole("heading", { name: "Playground" }).waitFor();
    await shot("12-narrow-playground");
    await page.setViewportSize({ width: 1280, height: 900 });
    // No JavaScript error on the way, apart from the failed requests the tests caused on purpose.
    expect(consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  }, 60_000);
});
