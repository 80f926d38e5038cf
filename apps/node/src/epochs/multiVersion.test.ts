import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  fallbackContributions,
  INFINIGRAM_ALGORITHM,
  receiptFromJson,
  SPAN_ALGORITHM,
  splitFee,
} from "@tributary/core";
import { createNodeClient, getModel, getModelVersion, getSettlementTreasury } from "@tributary/sdk";
import { concat, getAddress, type Hex, keccak256 } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchVersionIndex } from "../datanets/publish/fetchVersionIndex.ts";
import { cidForSha256 } from "../store/cid.ts";
import { contributeAndPublish } from "../testing/contributeAndPublish.ts";
import { type PaidNetwork, setupPaidNetwork } from "./testing/paidNetwork.ts";

type Json = Record<string, unknown>;

// Datanet A: version 1 is the paid network's three texts; version 2 adds one (so it holds version 1's three).
const A_V2_EXTRA =
  "Far to the north the ice groaned all night, and the lookout counted seven icebergs before the bell rang twice.";
// Datanet B, another community's texts.
const B_DOCUMENTS = [
  "The lighthouse keeper trimmed the lamp at dusk and wrote the names of passing ships into his ledger by hand.",
  "Every winter the harbour froze, and the fishermen mended their nets by the stove until the thaw came in March.",
];

describe("models over several datanet versions: ∞-gram and external, served, closed, co-signed and verified", () => {
  let net: PaidNetwork;
  let url: string;
  const indexIds = { a1: "", a2: "", b1: "" };
  let datanetB = 0n;
  const post = async (base: string, path: string, body: unknown = {}) => {
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  /** A text completion (the prompt is continued as it is); returns the stored receipt. */
  const complete = async (model: string, key: string, prompt: string, maxTokens = 24) => {
    const res = await fetch(`${url}/v1/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model, prompt, max_tokens: maxTokens, temperature: 0 }),
    });
    const body = (await res.json()) as Json;
    expect(res.status, JSON.stringify(body)).toBe(200);
    const id = (body.tributary as { receipt: { id: string } }).receipt.id;
    const row = await net.nodes[0]!.node.db.selectFrom("receipts")
      .select("receipt_json")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    return receiptFromJson(row.receipt_json);
  };
  const pricing = { perCall: "1000", per1kOutputTokens: "5000" };
  const split = { ownerBps: 3000, dataBps: 7000 };

  beforeAll(async () => {
    net = await setupPaidNetwork({ nodeCount: 2, quorum: 2 });
    const [main] = net.nodes;
    url = main!.url;
    const a = net.datanetId;
    indexIds.a1 = (
      await main!.node.db
        .selectFrom("version_indexes")
        .select("index_id")
        .where("datanet_id", "=", Number(a))
        .where("version", "=", 1)
        .executeTakeFirstOrThrow()
    ).index_id;
    const a2 = await contributeAndPublish({
      url: main!.url,
      datanetId: a,
      contributor: net.chain.accounts[1]!,
      documents: [A_V2_EXTRA],
    });
    expect(a2.version).toBe(2);
    indexIds.a2 = a2.indexId;
    const created = await createNodeClient({ baseUrl: url }).createDatanet({
      metadataURI: "ipfs://harbour-card",
      policy: { curated: true, minStake: 0n, license: "CC-BY-4.0" },
    });
    datanetB = BigInt(created.datanetId);
    const b1 = await contributeAndPublish({
      url: main!.url,
      datanetId: datanetB,
      contributor: net.chain.accounts[2]!,
      documents: B_DOCUMENTS,
    });
    indexIds.b1 = b1.indexId;
    const want = 3 + 1 + B_DOCUMENTS.length;
    for (const n of net.nodes) {
      const end = Date.now() + 20_000;
      while ((await n.node.db.selectFrom("contributions").select("id").execute()).length < want) {
        if (Date.now() > end) throw new Error("contributions not indexed");
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }, 180_000);
  afterAll(async () => {
    await net?.stop();
  });

  it("registers an ∞-gram model over two datanets' versions; the chain has their versions and index hashes", async () => {
    const res = await post(url, "/v1/models", {
      name: "harbour-whale-ig",
      kind: "infinigram",
      trainedOn: [
        { datanetId: net.datanetId.toString(), version: 2 },
        { datanetId: datanetB.toString(), version: 1 },
      ],
      pricing,
      split,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const view = res.body.tributary as { modelId: string; datanetVersions: unknown };
    expect(view.datanetVersions).toEqual([
      { datanetId: net.datanetId.toString(), version: 2 },
      { datanetId: datanetB.toString(), version: 1 },
    ]);
    const sdk = net.sdkOf(0);
    const modelId = BigInt(view.modelId);
    const onChain = await getModel(sdk, { modelId });
    expect(onChain.baseModel).toBe("infinigram");
    expect(onChain.artifactHash).toBe(keccak256(concat([`0x${indexIds.a2}`, `0x${indexIds.b1}`] as Hex[])));
    const version = await getModelVersion(sdk, { modelId, version: 1n });
    expect(version.trainedOn.map((t) => [t.datanetId, BigInt(t.version)])).toEqual([
      [net.datanetId, 2n],
      [datanetB, 1n],
    ]);

    const external = await post(url, "/v1/models", {
      name: "harbour-whale-ext",
      kind: "external",
      upstream: { baseURL: `${url}/v1`, model: "harbour-whale-ig", apiKey: net.payers[2]!.key },
      trainedOn: [
        { datanetId: net.datanetId.toString(), version: 1 },
        { datanetId: net.datanetId.toString(), version: 2 },
        { datanetId: datanetB.toString(), version: 1 },
      ],
      pricing,
      split,
    });
    expect(external.status, JSON.stringify(external.body)).toBe(201);
  });

  it("refuses bad registrations with a clear error and registers nothing", async () => {
    const before = ((await (await fetch(`${url}/v1/models`)).json()) as { data: unknown[] }).data.length;
    const refuse = async (body: Json, status: number, code: string) => {
      const res = await post(url, "/v1/models", {
        name: "bad-ig",
        kind: "infinigram",
        pricing,
        split,
        ...body,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      // The gateway answers in OpenAI's shape: our code is `tributary_code`.
      const error = res.body.error as { tributary_code: string; message: string };
      expect(error.tributary_code).toBe(code);
      return error.message;
    };
    const a1 = { datanetId: net.datanetId.toString(), version: 1 };
    expect(await refuse({ trainedOn: [a1, a1] }, 400, "DUPLICATE_TRAINED_ON")).toContain("listed twice");
    expect(
      await refuse(
        { trainedOn: [a1, { datanetId: datanetB.toString(), version: 9 }] },
        404,
        "UNKNOWN_DATANET_VERSION",
      ),
    ).toContain(`datanet ${datanetB} version 9`);
    expect(await refuse({ trainedOn: [a1], datanetId: "1", version: 1 }, 400, "INVALID_BODY")).toMatch(
      /either/,
    );
    expect(await refuse({ datanetId: "1" }, 400, "INVALID_BODY")).toMatch(/together/);
    expect(await refuse({ trainedOn: [] }, 400, "INVALID_BODY")).toBeTruthy();
    const after = ((await (await fetch(`${url}/v1/models`)).json()) as { data: unknown[] }).data.length;
    expect(after).toBe(before);
  });

  it("the ∞-gram generates from both datanets and its receipts name every version", async () => {
    const payer = net.payers[0]!.key;
    const harbour = await complete("harbour-whale-ig", payer, "The lighthouse keeper trimmed the lamp");
    const whale = await complete("harbour-whale-ig", payer, "Far to the north the ice");
    for (const r of [harbour, whale]) {
      expect(r.attribution.algorithm).toBe(INFINIGRAM_ALGORITHM);
      expect(r.datanetVersions).toEqual([
        { datanetId: net.datanetId, version: 2n },
        { datanetId: datanetB, version: 1n },
      ]);
      expect(r.parts.reduce((s, p) => s + p.amount, 0n)).toBe(r.price);
    }
    const contributorsOf = (r: typeof harbour) =>
      new Set(r.parts.filter((p) => p.role === "contributor").map((p) => getAddress(p.account)));
    expect(contributorsOf(harbour).has(getAddress(net.chain.accounts[2]!.address))).toBe(true);
    expect(contributorsOf(whale).has(getAddress(net.chain.accounts[1]!.address))).toBe(true);
  });

  it("the external model is attributed with span-v1 over the union, and its fallback counts shared documents once", async () => {
    const payer = net.payers[1]!.key;
    const spans = await complete("harbour-whale-ext", payer, "The lighthouse keeper trimmed the lamp", 32);
    expect(spans.attribution.algorithm).toBe(SPAN_ALGORITHM);
    expect(spans.attribution.contributions.length).toBeGreaterThan(0);
    // Three tokens are below span-v1's 8-token minimum: no attribution, so the data share goes pro rata to
    // every document of the versions. A's version 1 is inside its version 2, so the expected split is the one
    // over A v2 and B v1 alone (each document once), computed here without the union.
    const short = await complete("harbour-whale-ext", payer, "Far to the north", 3);
    expect(short.attribution.contributions).toEqual([]);
    const node = net.nodes[0]!.node;
    const fallback = fallbackContributions(
      (await node.indexes.read(indexIds.a2))!,
      (await node.indexes.read(indexIds.b1))!,
    );
    expect(fallback).toHaveLength(6);
    const payouts = new Map(
      (await node.db.selectFrom("contributions").select(["id", "contributor"]).execute()).map((r) => [
        BigInt(r.id),
        { payout: getAddress(r.contributor) },
      ]),
    );
    const expected = splitFee({
      price: short.price,
      protocolFeeBps: short.protocolFeeBps,
      split: short.split,
      attribution: [],
      contributions: payouts,
      fallback,
      treasury: getAddress(await getSettlementTreasury(net.sdkOf(0))),
      owner: net.nodes[0]!.account,
    });
    expect(short.parts).toEqual(expected.parts);
  });

  it("a node lacking a version indexes it from another node's export, keeping only what the chain commits to", async () => {
    const [main, peer] = net.nodes;
    // Another node that serves datanet B's export with one text changed (a real HTTP server on loopback).
    const evil = createServer(async (req, res) => {
      const upstream = await fetch(`${main!.url}${req.url}`);
      let body = await upstream.text();
      if (req.url?.includes("data.jsonl")) body = body.replace("lighthouse keeper", "lighthouse robber");
      res.writeHead(upstream.status, { "content-type": "text/plain" });
      res.end(body);
    });
    await new Promise<void>((r) => evil.listen(0, "127.0.0.1", r));
    const evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
    try {
      const refused = fetchVersionIndex(peer!.node.ctx, {
        datanetId: datanetB,
        version: 1,
        sources: [evilUrl],
      });
      await expect(refused).rejects.toThrow(
        /could not index version 1 of datanet \d+ from other nodes: .*is not in the store/,
      );
      const row = await peer!.node.db
        .selectFrom("version_indexes")
        .selectAll()
        .where("datanet_id", "=", Number(datanetB))
        .executeTakeFirst();
      expect(row).toBeUndefined();
      const forged = new TextEncoder().encode(
        B_DOCUMENTS[0]!.replace("lighthouse keeper", "lighthouse robber"),
      );
      expect(await peer!.node.ctx.store.has(cidForSha256(createHash("sha256").update(forged).digest()))).toBe(
        false,
      );
      // With an honest source after the dishonest one, the same call indexes it: the same index as main's.
      const { indexId } = await fetchVersionIndex(peer!.node.ctx, {
        datanetId: datanetB,
        version: 1,
        sources: [evilUrl, main!.url],
      });
      expect(indexId).toBe(indexIds.b1);
    } finally {
      evil.close();
    }
  });

  it("closes the epoch: the peer re-runs every multi-version generation and attribution before co-signing", async () => {
    const [main, peer] = net.nodes;
    const indexOf = async (datanetId: bigint, version: number) =>
      (
        await peer!.node.db
          .selectFrom("version_indexes")
          .select("index_id")
          .where("datanet_id", "=", Number(datanetId))
          .where("version", "=", version)
          .executeTakeFirst()
      )?.index_id;
    expect(await indexOf(net.datanetId, 2)).toBeUndefined(); // the peer fetches it to verify
    const closed = await post(main!.url, "/v1/epochs/close");
    expect(closed.status, JSON.stringify(closed.body)).toBe(201);
    // 2 ∞-gram + 2 external (each with its upstream ∞-gram call charged to payer 3).
    expect(closed.body).toMatchObject({ status: "submitted", receiptCount: 6 });
    expect(closed.body.signers).toEqual([main!.account, peer!.account]);
    expect(await indexOf(net.datanetId, 2)).toBe(indexIds.a2);
    for (const n of [main!, peer!]) {
      const verified = await post(n.url, "/v1/epochs/1/verify", { nodeURL: main!.url });
      expect(verified.body, JSON.stringify(verified.body)).toMatchObject({
        ok: true,
        receiptCount: 6,
        differences: [],
      });
    }
  });
});
