import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { TestChain } from "@tributary/contracts/test/fixture";
import type { NodeContext, TributaryNode } from "@tributary/node";
import type { Hono } from "hono";
import type { Page } from "playwright-core";
import { foundry } from "viem/chains";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "../../cli/src/demo/seedDemo.ts";
import { artifactsDir, ensureWebBuilt, launchChromium } from "./browser.ts";
import { startNetwork } from "./network.ts";

const OPERATOR = "operator-layout-token";
/** anvil's account 0, the node's key: the one attestor, so the node closes epochs alone. */
const ATTESTOR = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
/** Committed screenshots: every page at both widths, viewport-sized. */
const shotsDir = join(artifactsDir, "layout");
const WIDTHS = [
  { name: "390", width: 390, height: 844 },
  { name: "1280", width: 1280, height: 900 },
];

type Offender = { what: string; left: number; right: number; width: number; scroll?: number };

/**
 * What sticks out of the viewport: the document's own horizontal overflow, any element wider than the viewport
 * or past its edges (outside a horizontal scroller), and, at desktop width, any scroller whose content is cut
 * off (a table that only fits by scrolling at 1280 px is clipped).
 */
async function overflowOf(page: Page, desktop: boolean) {
  return await page.evaluate((desktop) => {
    const W = window.innerWidth;
    const name = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${
        typeof el.className === "string" && el.className
          ? `.${el.className.trim().split(/\s+/).join(".")}`
          : ""
      }${el.getAttribute("data-testid") ? `[${el.getAttribute("data-testid")}]` : ""}`;
    const scroller = (el: Element) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
    const offenders: Offender[] = [];
    for (const el of Array.from(document.querySelectorAll("body *"))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (r.right <= 0) continue; // parked off screen on purpose (the skip link until focused)
      if (el.closest(".visually-hidden")) continue;
      let inScroller = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement)
        if (scroller(p)) inScroller = true;
      const out = r.width > W + 1 || (!inScroller && (r.right > W + 1 || r.left < -1));
      if (out)
        offenders.push({
          what: name(el),
          left: Math.round(r.left),
          right: Math.round(r.right),
          width: r.width,
        });
      if (desktop && scroller(el) && el.scrollWidth > el.clientWidth + 1)
        offenders.push({
          what: `${name(el)} (scrolls: content cut off)`,
          left: Math.round(r.left),
          right: Math.round(r.right),
          width: el.clientWidth,
          scroll: el.scrollWidth,
        });
    }
    // An amount stays inside the box that holds it (a stat, a cell): never drawn over its neighbour.
    for (const el of Array.from(document.querySelectorAll(".money"))) {
      let box = el.parentElement;
      while (box && getComputedStyle(box).display.startsWith("inline")) box = box.parentElement;
      if (!box) continue;
      const r = el.getBoundingClientRect();
      const b = box.getBoundingClientRect();
      if (r.width > 0 && (r.right > b.right + 1 || r.left < b.left - 1))
        offenders.push({
          what: `${name(el)} "${el.textContent}" (sticks out of ${name(box)})`,
          left: Math.round(r.left),
          right: Math.round(r.right),
          width: r.width,
        });
    }
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: W,
      offenders: offenders.slice(0, 12),
    };
  }, desktop);
}

/**
 * Layout of every page at a phone (390 px) and a desktop (1280 px) width, full of the seeded demo (Moby-Dick:
 * 600+ contributions by five contributors, a model, answers paid for and an epoch closed): nothing overflows
 * sideways, and a screenshot of each page at each width goes to test-artifacts/layout/ (committed).
 */
describe("layout of every page at 390 px and 1280 px, with the seeded demo", () => {
  let chain: TestChain;
  let node: TributaryNode;
  let url: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let demo: Awaited<ReturnType<typeof seedDemo>>;
  let firstContribution: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    const epochsModule = "../../node/src/epochs/index.ts";
    const { createEpochRoutes } = (await import(/* @vite-ignore */ epochsModule)) as {
      createEpochRoutes: (ctx: NodeContext) => Hono;
    };
    const [, net] = await Promise.all([
      ensureWebBuilt(),
      startNetwork({
        operatorToken: OPERATOR,
        extraRoutes: [(ctx) => createEpochRoutes(ctx)],
        chain: { attestors: [ATTESTOR], quorum: 1, challengeWindow: 60n },
      }),
    ]);
    ({ chain, node, url } = net);
    demo = await seedDemo({
      node,
      nodeUrl: url,
      operatorToken: OPERATOR,
      rpcUrl: chain.anvil.rpcUrl,
      chain: { ...foundry, id: chain.deployment.chainId },
      deployment: chain.deployment,
      accounts: chain.accounts as never,
      onProgress: () => {},
    });
    // Answers paid for, then an epoch closed: receipts, earnings and epochs have something to show.
    for (const seed of [0, 1, 2]) {
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${demo.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: demo.model,
          messages: [{ role: "user", content: "Call me Ishmael. Some years ago" }],
          seed,
        }),
      });
      expect(res.status).toBe(200);
    }
    const closed = await fetch(`${url}/v1/epochs/close`, {
      method: "POST",
      headers: { authorization: `Bearer ${OPERATOR}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(closed.status).toBe(201);
    const list = (await (
      await fetch(`${url}/v1/datanets/${demo.datanetId}/contributions?limit=1`)
    ).json()) as { items: { id: string }[] };
    firstContribution = list.items[0]!.id;

    mkdirSync(shotsDir, { recursive: true });
    browser = await launchChromium();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(20_000);
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
    page.on("response", (r) => {
      if (r.status() >= 400) consoleErrors.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${url}/#operator=${OPERATOR}`);
    await page.waitForURL(`${url}/datanets`);
    await page.evaluate((key) => localStorage.setItem("tributary.apiKey", key), demo.apiKey);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await node?.stop();
    await chain?.stop();
  });

  it("the datanet page counts every contributor and contribution (627 > the 500 of one page)", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${url}/datanets/${demo.datanetId}`);
    const section = page.getByTestId("contributors");
    const totals = section.getByTestId("contributor-totals");
    await totals.waitFor();
    expect(await totals.textContent()).toContain(`5 contributors · ${demo.documents} contributions`);
    expect(await section.locator("tbody tr").count()).toBe(5);
    expect(demo.documents).toBeGreaterThan(500);
  });

  /** Each page: its path, and what to wait for so it is full before measuring. */
  const pages: { name: string; path: () => string; ready: (p: Page) => Promise<unknown> }[] = [
    { name: "datanets", path: () => "/datanets", ready: (p) => p.getByText("moby-dick").first().waitFor() },
    {
      name: "datanet",
      path: () => `/datanets/${demo.datanetId}`,
      ready: (p) => p.getByTestId("contributor-totals").waitFor(),
    },
    {
      name: "upload",
      path: () => `/datanets/${demo.datanetId}/upload`,
      ready: (p) => p.getByRole("heading", { level: 1 }).waitFor(),
    },
    {
      name: "curation",
      path: () => `/datanets/${demo.datanetId}/curation`,
      ready: (p) => p.getByRole("heading", { level: 1 }).waitFor(),
    },
    {
      name: "contribution",
      path: () => `/contributions/${firstContribution}`,
      ready: (p) => p.locator("blockquote, pre, .preview").first().waitFor(),
    },
    {
      name: "models",
      path: () => "/models",
      ready: (p) => p.getByTestId("lineage-summary").first().waitFor(),
    },
    {
      name: "playground",
      path: () => `/playground?model=${demo.model}`,
      ready: async (p) => {
        await p.getByLabel("Message").fill("Call me Ishmael. Some years ago");
        await p.getByRole("button", { name: "Send" }).click();
        await p.getByTestId("receipt").getByText("Split by role").waitFor({ timeout: 60_000 });
      },
    },
    {
      name: "earnings",
      path: () => `/earnings/${demo.contributors[0]!.address}`,
      ready: (p) => p.locator("figure.chart svg circle").first().waitFor(),
    },
    { name: "epochs", path: () => "/epochs", ready: (p) => p.getByTestId("epoch").first().waitFor() },
    {
      name: "settings",
      path: () => "/settings",
      ready: (p) => p.getByRole("heading", { level: 1 }).waitFor(),
    },
    { name: "api-docs", path: () => "/docs", ready: (p) => p.getByText("/v1/datanets").first().waitFor() },
  ];

  for (const size of WIDTHS)
    for (const pg of pages)
      it(`${pg.name} at ${size.width} px: nothing wider than the screen`, async () => {
        await page.setViewportSize({ width: size.width, height: size.height });
        await page.goto(`${url}${pg.path()}`);
        await pg.ready(page);
        await page.waitForLoadState("networkidle");
        const o = await overflowOf(page, size.width >= 1000);
        await page.screenshot({ path: join(shotsDir, `${pg.name}-${size.name}.png`) });
        expect(o.offenders, JSON.stringify(o.offenders, null, 1)).toEqual([]);
        expect(o.scrollWidth).toBeLessThanOrEqual(o.innerWidth);
      }, 90_000);

  it("the models page summarizes a version's 627 contributions instead of listing them all", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${url}/models`);
    const summary = page.getByTestId("lineage-summary");
    await summary.waitFor();
    expect(await summary.textContent()).toContain(`${demo.documents} contributions from 5 contributors`);
    expect(await page.getByRole("link", { name: /contribution #/ }).count()).toBe(0); // folded away
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(2500);
    await page.getByText(`Contributions (${demo.documents})`).click();
    expect(await page.getByRole("link", { name: /contribution #/ }).count()).toBe(20); // one page
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByText("page 2 of").waitFor();
  });

  it("the earnings chart's scale label stays inside the chart", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${url}/earnings/${demo.contributors[0]!.address}`);
    const label = page.getByTestId("chart-max");
    await label.waitFor();
    expect(await label.textContent()).toMatch(/^[\d,]+(\.\d+)? TRIB$/);
    const [svg, text] = await Promise.all([
      page.locator("figure.chart svg").boundingBox(),
      label.boundingBox(),
    ]);
    expect(text!.x).toBeGreaterThanOrEqual(svg!.x);
    expect(text!.x + text!.width).toBeLessThanOrEqual(svg!.x + svg!.width);
  });

  it("amounts never wrap mid-number, and the page logged no JavaScript error", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${url}/earnings/${demo.contributors[0]!.address}`);
    await page.locator(".money").first().waitFor();
    expect(await page.locator(".money-num").count()).toBeGreaterThan(3);
    const wrapped = await page.evaluate(() =>
      Array.from(document.querySelectorAll(".money-num"))
        .filter((el) => el.getClientRects().length > 1)
        .map((el) => el.textContent),
    );
    expect(wrapped).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
