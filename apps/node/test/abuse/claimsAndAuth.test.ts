import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { receiptFromJson, receiptSignatureProblem, verifyReceiptSignature } from "@tributary/core";
import { getClaimed, getTokenBalance } from "@tributary/sdk";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNode, type TributaryNode } from "../../src/createNode.ts";
import { onChainReport } from "../../src/epochs/chainReads.ts";
import { type PaidNetwork, setupPaidNetwork } from "../../src/epochs/testing/paidNetwork.ts";
import { verifyBundle } from "../../src/epochs/verifyBundle.ts";
import { createGatewayRoutes } from "../../src/gateway/createGatewayRoutes.ts";

type Json = Record<string, unknown>;
type ErrorBody = { error: { code: string; message: string; hint: string; tributary_code?: string } };

// secp256k1's group order, written out here so the test does not trust the code under test for it.
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const sOf = (signature: Hex) => BigInt(`0x${signature.slice(66, 130)}`);

/** The other valid signature of the same digest: (r, n - s, v ^ 1). Recovers the same address. */
function malleate(signature: Hex): Hex {
  const s = sOf(signature);
  const v = Number.parseInt(signature.slice(130, 132), 16);
  return `${signature.slice(0, 66)}${(N - s).toString(16).padStart(64, "0")}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
}

async function* linesOf<T>(lines: readonly T[]): AsyncGenerator<T> {
  for (const l of lines) yield l;
}

async function healthy(url: string): Promise<void> {
  const started = performance.now();
  const res = await fetch(`${url}/health`);
  expect(res.status).toBe(200);
  expect(performance.now() - started).toBeLessThan(1000);
}

describe("abuse: concurrent claims, operator token forms, high-s receipt signatures (anvil, node over HTTP)", () => {
  let net: PaidNetwork;
  let url: string;
  let guarded: TributaryNode | undefined;
  let guardedUrl = "";
  const TOKEN = "op-token-0123456789abcdef";
  const post = async (base: string, path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json & ErrorBody };
  };

  beforeAll(async () => {
    net = await setupPaidNetwork();
    url = net.nodes[0]!.url;
    for (const [i, prompt] of ["Tell me about the whale.", "Call me Ishmael.", "The whale rose"].entries()) {
      const res = await net.chat(net.payers[i % 2]!.key, prompt, { temperature: 0 });
      expect(res.status, await res.clone().text()).toBe(200);
    }
    expect((await post(url, "/v1/epochs/close", {})).status).toBe(201);
    await net.advance(61);
    expect((await post(url, "/v1/epochs/1/finalize", {})).status).toBe(200);
    // A second node on the same chain with an operator token (operator routes: POST /v1/keys).
    guarded = await createNode({
      dataDir: mkdtempSync(join(tmpdir(), "abuse-auth-")),
      http: { port: 0 },
      chain: {
        rpcUrl: net.chain.anvil.rpcUrl,
        deployment: net.chain.deployment,
        account: net.chain.accounts[5]!,
        pollIntervalMs: 0,
      },
      operatorToken: TOKEN,
      routes: [(ctx) => createGatewayRoutes(ctx)],
    });
    guardedUrl = (await guarded.listen()).url;
  }, 180_000);
  afterAll(async () => {
    await guarded?.stop();
    await net?.stop();
  });

  it("N parallel POST /v1/claims for one account: one pays, the others get 409 with the reason, never 500", async () => {
    const sdk = net.sdkOf(0);
    const claimable = BigInt(
      ((await (await fetch(`${url}/v1/accounts/${net.contributor}/earnings`)).json()) as Json)
        .claimable as string,
    );
    expect(claimable).toBeGreaterThan(0n);
    const before = await getTokenBalance(sdk, { account: net.contributor });
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => post(url, "/v1/claims", { accounts: [net.contributor] })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses, JSON.stringify(answers.map((a) => a.body))).not.toContain(500);
    const paid = answers.filter((a) => a.status === 200 && (a.body.paid as unknown[]).length > 0);
    expect(paid).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) {
      expect(a.status).toBe(409);
      expect(["CLAIM_IN_FLIGHT", "ALREADY_CLAIMED"]).toContain(a.body.error.code);
      expect(a.body.error.message).toContain(net.contributor);
      expect(a.body.error.hint.length).toBeGreaterThan(10);
    }
    expect(statuses.filter((s) => s === 409).length).toBeGreaterThan(0);
    // Paid exactly once.
    expect(await getTokenBalance(sdk, { account: net.contributor })).toBe(before + claimable);
    expect(await getClaimed(sdk, { account: net.contributor })).toBe(claimable);
    await healthy(url);
  });

  it("operator routes accept only `Authorization: Bearer <token>`; other forms are 401 with a hint and write nothing", async () => {
    const keys = () => guarded!.db.selectFrom("api_keys").select("id").execute();
    const count = (await keys()).length;
    const body = { payer: net.payers[0]!.address };
    for (const headers of [
      { authorization: TOKEN },
      { "x-tributary-operator": TOKEN },
      { authorization: `Token ${TOKEN}` },
      { authorization: `Basic ${TOKEN}` },
      { authorization: `Bearer ${TOKEN} ${TOKEN}` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      {},
    ] as Record<string, string>[]) {
      const res = await post(guardedUrl, "/v1/keys", body, headers);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      // POST /v1/keys is the gateway's: OpenAI's shape, our code in `tributary_code`.
      expect(res.body.error.tributary_code).toBe("OPERATOR_TOKEN_REQUIRED");
      expect(res.body.error.code).toBe("operator_token_required");
      expect(res.body.error.hint).toContain("Authorization: Bearer");
    }
    expect(await keys()).toHaveLength(count);
    const ok = await post(guardedUrl, "/v1/keys", body, { authorization: `Bearer ${TOKEN}` });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(await keys()).toHaveLength(count + 1);
    await healthy(guardedUrl);
  });

  it("receipts are signed low-s; a malleated (high-s) receipt signature is refused by the verifier by name", async () => {
    const node = net.nodes[0]!.node;
    const rows = await node.db.selectFrom("receipts").select(["signature"]).execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(sOf(r.signature as Hex) <= N / 2n).toBe(true);

    const chain = node.ctx.chain!;
    const report = (await onChainReport(chain, 1n))!.report;
    const text = await (await fetch(`${url}/v1/epochs/1/bundle`)).text();
    const parse = () =>
      text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Json);
    const verify = (lines: Json[]) =>
      verifyBundle(node.ctx, chain, {
        report,
        lines: linesOf(lines) as never,
        openBundle: async () => linesOf([]) as never,
      });
    expect((await verify(parse())).ok).toBe(true);

    const lines = parse();
    const line = lines.find((l) => l.type === "receipt")!;
    const original = line.signature as Hex;
    const high = malleate(original);
    const receipt = receiptFromJson(line.receipt as never);
    expect(sOf(high) > N / 2n).toBe(true);
    line.signature = high;
    const result = await verify(lines);
    expect(result.ok).toBe(false);
    expect(result.differences).toContainEqual(
      expect.objectContaining({
        receiptId: receipt.id,
        field: "signature",
        actual: `HIGH_S_SIGNATURE: ${high}`,
      }),
    );
    // Same signer recovers from both forms: only the s check tells them apart.
    expect(await verifyReceiptSignature(receipt, original, receipt.node)).toBe(true);
    expect(await verifyReceiptSignature(receipt, high, receipt.node)).toBe(false);
    expect(await receiptSignatureProblem(receipt, high, receipt.node)).toBe("HIGH_S_SIGNATURE");
  });
});
