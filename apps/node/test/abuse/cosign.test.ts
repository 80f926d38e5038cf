import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type CosignRequestBody,
  cosignRequestBody,
  type EpochReport,
  signCosignRequest,
} from "@tributary/sdk";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PaidNetwork, type PaidNode, setupPaidNetwork } from "../../src/epochs/testing/paidNetwork.ts";
import { cidForSha256 } from "../../src/store/cid.ts";

type Json = Record<string, unknown>;
const MiB = 1024 * 1024;
/** B's bundle limits in this test: small, so each attack hits them quickly. */
const BUNDLE = {
  headersTimeoutMs: 1_000,
  idleTimeoutMs: 1_000,
  totalTimeoutMs: 5_000,
  maxBytes: 2 * MiB,
  maxLineBytes: 256 * 1024,
  maxLines: 1_000_000,
};

/** A loopback HTTP server that counts what it is asked. */
type Fake = { url: string; hits: number; sent: number; server: Server };
async function fake(handler: (req: IncomingMessage, res: ServerResponse, self: Fake) => void): Promise<Fake> {
  const self: Fake = { url: "", hits: 0, sent: 0, server: undefined as unknown as Server };
  self.server = createServer((req, res) => {
    self.hits++;
    handler(req, res, self);
  });
  await new Promise<void>((resolve) => self.server.listen(0, "127.0.0.1", resolve));
  self.url = `http://127.0.0.1:${(self.server.address() as AddressInfo).port}`;
  return self;
}

const cidOf = (bytes: Uint8Array | string) => cidForSha256(createHash("sha256").update(bytes).digest());

/**
 * Attacks on `POST /v1/epochs/:epoch/cosign` (and the downloads it makes) against node B of a two-node network
 * on anvil (quorum 2): B answers only attestors, fetches only from its configured peers, under time and size
 * limits, and stores a bundle only after it verified it.
 */
describe("abuse: co-sign requests and the bundle downloads they cause", () => {
  let net: PaidNetwork;
  let a: PaidNode;
  let b: PaidNode;
  let outsider: Fake; // not a peer of B: must never be asked anything
  let slow: Fake; // a peer that never answers
  let endless: Fake; // a peer whose bundle never ends
  let crafted: Fake; // a peer that serves crafted bundles by CID
  const craftedBundles = new Map<string, string>();

  beforeAll(async () => {
    outsider = await fake((_req, res) => res.end("internal secret"));
    slow = await fake(() => {});
    endless = await fake((_req, res, self) => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      const line = Buffer.from(`${"x".repeat(1023)}\n`);
      const pump = () => {
        while (!res.destroyed && res.write(line)) self.sent += line.length;
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
    });
    crafted = await fake((req, res) => {
      const body = craftedBundles.get(req.url?.split("/").pop() ?? "");
      res.writeHead(body === undefined ? 404 : 200).end(body ?? "");
    });
    net = await setupPaidNetwork({
      nodeCount: 2,
      quorum: 2,
      extraPeers: () => [slow.url, endless.url, crafted.url],
      outbound: { bundle: BUNDLE },
    });
    [a, b] = net.nodes as [PaidNode, PaidNode];
  }, 180_000);
  afterAll(async () => {
    for (const f of [outsider, slow, endless, crafted]) {
      f?.server.closeAllConnections();
      f?.server.close();
    }
    await net?.stop();
  });

  const settlement = () => net.chain.deployment.contracts.settlement;
  const report = (cid: string, fill = "11"): EpochReport => ({
    epoch: 1n,
    chargesRoot: `0x${fill.repeat(32)}` as Hex,
    rewardsRoot: `0x${fill.repeat(32)}` as Hex,
    cumulativeCharged: 0n,
    cumulativeRewards: 0n,
    receiptsRoot: `0x${fill.repeat(32)}` as Hex,
    bundleURI: `tributary://bundle/${cid}`,
  });
  /** A co-sign request signed by anvil account `index` (3 = node A's attestor key, 9 = a payer). */
  const signed = async (
    index: number,
    r: EpochReport,
    nodeURL: string,
    extra: { issuedAt?: bigint; receiptCount?: bigint } = {},
  ): Promise<CosignRequestBody> =>
    cosignRequestBody(
      r,
      await signCosignRequest(net.chain.accounts[index] as never, {
        chainId: net.chain.deployment.chainId,
        settlement: settlement(),
        report: r,
        receiptCount: extra.receiptCount ?? 0n,
        nodeURL,
        ...(extra.issuedAt !== undefined ? { issuedAt: extra.issuedAt } : {}),
      }),
    );
  const cosign = async (body: unknown) => {
    const res = await fetch(`${b.url}/v1/epochs/1/cosign`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, error: ((await res.json()) as { error?: Json }).error ?? {} };
  };
  /** What B holds: content store, its temporary folder, epochs. */
  const snapshot = async () => {
    const cids: string[] = [];
    for await (const cid of b.node.ctx.store.list()) cids.push(cid);
    const tmp = b.node.ctx.store.tmpDir;
    const epochs = await b.node.db.selectFrom("epochs").select("epoch").execute();
    return JSON.stringify({
      cids: cids.sort(),
      tmp: existsSync(tmp) ? readdirSync(tmp).sort() : [],
      epochs,
    });
  };
  const healthy = async () => {
    const started = Date.now();
    const res = await fetch(`${b.url}/health`, { signal: AbortSignal.timeout(2_000) });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
  };
  const expectClear = (error: Json, code: string) => {
    expect(error.code).toBe(code);
    expect(String(error.message).length).toBeGreaterThan(0);
    expect(String(error.hint).length).toBeGreaterThan(0);
  };

  it("an unsigned request gets 401 with a hint, and nothing is fetched or written", async () => {
    const before = await snapshot();
    const { signer: _s, signature: _sig, ...unsigned } = await signed(3, report(cidOf("x")), a.url);
    for (const nodeURL of [a.url, outsider.url, "data:text/plain,hello"]) {
      const { status, error } = await cosign({ ...unsigned, nodeURL });
      expect(status).toBe(401);
      expectClear(error, "COSIGN_UNSIGNED");
      expect(String(error.hint)).toMatch(/attestor/);
    }
    expect(outsider.hits).toBe(0);
    expect(await snapshot()).toBe(before);
    await healthy();
  });

  it("a request signed by a key that is not an attestor gets 403; a forged or stale one 401", async () => {
    const before = await snapshot();
    const r = report(cidOf("y"));
    const stranger = await cosign(await signed(9, r, outsider.url));
    expect(stranger.status).toBe(403);
    expectClear(stranger.error, "COSIGN_NOT_ATTESTOR");
    // Claims to be A, signed by someone else.
    const forged = await cosign({ ...(await signed(9, r, a.url)), signer: a.account });
    expect(forged.status).toBe(401);
    expectClear(forged.error, "COSIGN_BAD_SIGNATURE");
    // Signed by A, but the report was changed after signing.
    const altered = await signed(3, r, a.url);
    const changed = await cosign({ ...altered, report: { ...altered.report, cumulativeCharged: "5" } });
    expect(changed.status).toBe(401);
    expectClear(changed.error, "COSIGN_BAD_SIGNATURE");
    const now = BigInt(Math.floor(Date.now() / 1000));
    for (const issuedAt of [now - 301n, now + 600n]) {
      const stale = await cosign(await signed(3, r, a.url, { issuedAt }));
      expect(stale.status).toBe(401);
      expectClear(stale.error, "COSIGN_STALE");
    }
    expect(outsider.hits).toBe(0);
    expect(await snapshot()).toBe(before);
    await healthy();
  });

  it("an attestor cannot point this node at a URL that is not a configured peer: refused before any request", async () => {
    const before = await snapshot();
    const r = report(cidOf("z"));
    const cases: [string, number, string][] = [
      ["data:application/x-ndjson;base64,e30K", 400, "INVALID_NODE_URL"],
      ["file:///etc/passwd", 400, "INVALID_NODE_URL"],
      [outsider.url, 403, "NODE_URL_NOT_A_PEER"],
      [`${outsider.url}/`, 403, "NODE_URL_NOT_A_PEER"],
      [`http://localhost:${new URL(outsider.url).port}`, 403, "NODE_URL_NOT_A_PEER"],
    ];
    for (const [nodeURL, status, code] of cases) {
      const res = await cosign(await signed(3, r, nodeURL));
      expect(res.status, nodeURL).toBe(status);
      expectClear(res.error, code);
    }
    // The public verify route takes a nodeURL too.
    const verify = await fetch(`${b.url}/v1/epochs/1/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ nodeURL: outsider.url }),
    });
    expect(verify.status).toBe(403);
    expectClear(((await verify.json()) as { error: Json }).error, "NODE_URL_NOT_A_PEER");
    expect(outsider.hits).toBe(0);
    expect(await snapshot()).toBe(before);
    await healthy();
  });

  it("a replayed request gets 409 and causes no second download", async () => {
    const before = await snapshot();
    const body = await signed(3, report(cidOf("not served")), crafted.url);
    const hits = crafted.hits;
    const first = await cosign(body);
    expect(first.status).toBe(502); // the peer does not serve that bundle
    expectClear(first.error, "BUNDLE_UNAVAILABLE");
    expect(crafted.hits).toBe(hits + 1);
    const again = await cosign(body);
    expect(again.status).toBe(409);
    expectClear(again.error, "COSIGN_REPLAYED");
    expect(crafted.hits).toBe(hits + 1);
    expect(await snapshot()).toBe(before);
  });

  it("a peer that never answers is given up within the limit, and /health answers meanwhile", async () => {
    const before = await snapshot();
    const started = Date.now();
    const pending = cosign(await signed(3, report(cidOf("slow")), slow.url));
    await new Promise((r) => setTimeout(r, 200));
    await healthy();
    const { status, error } = await pending;
    expect(status).toBe(502);
    expectClear(error, "BUNDLE_UNAVAILABLE");
    expect(String(error.message)).toContain(slow.url);
    expect(String(error.message)).toMatch(/no answer within 1000 ms/);
    expect(Date.now() - started).toBeLessThan(BUNDLE.headersTimeoutMs + 2_000);
    expect(slow.hits).toBe(1);
    expect(await snapshot()).toBe(before);
  });

  it("a bundle that never ends is cut at the size cap while it streams; the temporary file is gone", async () => {
    const before = await snapshot();
    const rss = process.memoryUsage().rss;
    const { status, error } = await cosign(await signed(3, report(cidOf("endless")), endless.url));
    expect(status).toBe(502);
    expectClear(error, "BUNDLE_UNAVAILABLE");
    expect(String(error.message)).toMatch(/more than the limit of 2097152 bytes/);
    await new Promise((r) => setTimeout(r, 200));
    // The connection was closed at the cap: the peer could not push much more than socket buffers.
    expect(endless.sent).toBeLessThan(BUNDLE.maxBytes + 16 * MiB);
    expect(process.memoryUsage().rss - rss).toBeLessThan(100 * MiB);
    expect(await snapshot()).toBe(before);
    await healthy();
  });

  it("a bundle with a line longer than the cap is refused while it streams", async () => {
    const before = await snapshot();
    const body = `${"y".repeat(BUNDLE.maxLineBytes + 10)}\n`;
    const cid = cidOf(body);
    craftedBundles.set(cid, body);
    const { status, error } = await cosign(await signed(3, report(cid), crafted.url));
    expect(status).toBe(502);
    expect(String(error.message)).toMatch(/a line longer than 262144 bytes/);
    expect(await snapshot()).toBe(before);
  });

  it("a bundle whose bytes hash to its CID but whose content does not verify is not stored nor served", async () => {
    const before = await snapshot();
    const chain = b.node.ctx.chain!;
    const header = `{"chainId":${chain.chainId},"epoch":"1","format":"tributary-epoch-bundle","payersBlock":1,"previousBundleCid":"","previousEpoch":"0","settlement":"${settlement().toLowerCase()}","type":"header","version":1}`;
    const line = `{"chargesRoot":"0x${"22".repeat(32)}","cumulativeCharged":"0","cumulativeRewards":"0","epoch":"1","epochCharged":"0","receiptCount":0,"receiptsRoot":"0x${"22".repeat(32)}","rewardsRoot":"0x${"22".repeat(32)}","type":"report"}`;
    const body = `${header}\n${line}\n`;
    const cid = cidOf(body);
    craftedBundles.set(cid, body);
    const { status, error } = await cosign(await signed(3, report(cid), crafted.url));
    expect(status).toBe(422);
    expectClear(error, "BUNDLE_MISMATCH");
    expect(await b.node.ctx.store.has(cid)).toBe(false);
    const served = await fetch(`${b.url}/v1/bundles/${cid}`);
    expect(served.status).toBe(404);
    expect(await snapshot()).toBe(before);
    await healthy();
  });

  it("GET /v1/bundles/:cid serves bundles only, not any file of the content store", async () => {
    const { cid } = await b.node.ctx.store.put(new TextEncoder().encode("a private upload"));
    const res = await fetch(`${b.url}/v1/bundles/${cid}`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: Json }).error.code).toBe("BUNDLE_NOT_FOUND");
  });
});
