import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getDatanetCount } from "@tributary/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PaidNetwork, setupPaidNetwork } from "../../src/epochs/testing/paidNetwork.ts";

type Json = Record<string, unknown>;
type ErrorBody = { error: { code: string; message: string; hint: string } };

/** A lone low surrogate: `JSON.stringify` writes it as the escape `"\udc00"`, which `JSON.parse` lets through. */
const LONE = "\udc00";

/**
 * Ill-formed UTF-16 from callers (issue 11, item 2). A string with a lone surrogate is hashed as UTF-8 with
 * U+FFFD but stored by SQLite as the surrogate's own three bytes, read back as other text: a receipt over such a
 * prompt never verifies, and with quorum > 1 its epoch is never co-signed. Every text a node hashes or stores is
 * refused at the edge with 400 INVALID_TEXT naming the JSON path, and nothing is written.
 */
describe("abuse: ill-formed Unicode text (lone UTF-16 surrogates) in request bodies", () => {
  let net: PaidNetwork;
  let url: string;

  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const counts = async () => {
    const db = net.nodes[0]!.node.db;
    const n = async (
      table: "receipts" | "models" | "api_keys" | "uploads" | "upload_documents" | "datanets",
    ) =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      receipts: await n("receipts"),
      models: await n("models"),
      apiKeys: await n("api_keys"),
      uploads: await n("uploads"),
      uploadDocuments: await n("upload_documents"),
      datanets: await n("datanets"),
      onChainDatanets: await getDatanetCount(net.sdkOf(0)),
      stored: await storedCount(),
    };
  };
  const storedCount = async () => {
    let n = 0;
    for await (const _ of net.nodes[0]!.node.ctx.store.list()) n++;
    return n;
  };
  const expectInvalidText = (res: { status: number; body: Json }, path: string) => {
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    const { error } = res.body as ErrorBody;
    // The gateway's routes answer in OpenAI's shape, our code in `tributary_code`; the others in the API's.
    expect((error as { tributary_code?: string }).tributary_code ?? error.code).toBe("INVALID_TEXT");
    expect(error.message).toContain(path);
    expect(error.hint).toMatch(/well-formed UTF-8/);
  };
  const expectHealthy = async () => {
    const started = performance.now();
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1000);
  };

  beforeAll(async () => {
    net = await setupPaidNetwork();
    url = net.nodes[0]!.url;
  }, 180_000);
  afterAll(async () => {
    await net?.stop();
  });

  it("a chat prompt with a lone surrogate is refused before it is served, charged or stored", async () => {
    const before = await counts();
    const key = net.payers[0]!.key;
    const auth = { authorization: `Bearer ${key}` };
    expectInvalidText(
      await post(
        "/v1/chat/completions",
        { model: net.model, messages: [{ role: "user", content: `Tell me about the whale.${LONE}` }] },
        auth,
      ),
      "messages[0].content",
    );
    // In a content part, in a second message, and as a key of the body.
    expectInvalidText(
      await post(
        "/v1/chat/completions",
        {
          model: net.model,
          messages: [
            { role: "system", content: "Be brief." },
            { role: "user", content: [{ type: "text", text: `whale ${LONE}` }] },
          ],
        },
        auth,
      ),
      "messages[1].content[0].text",
    );
    expectInvalidText(
      await post(
        "/v1/chat/completions",
        { model: net.model, messages: [{ role: "user", content: "hi" }], [`x${LONE}`]: 1 },
        auth,
      ),
      "(a key)",
    );
    expectInvalidText(
      await post("/v1/completions", { model: net.model, prompt: `Call me Ishmael.${LONE}` }, auth),
      "prompt",
    );
    // A high surrogate alone is as bad as a low one; a well-formed pair (an emoji) is fine.
    expectInvalidText(
      await post(
        "/v1/chat/completions",
        { model: net.model, messages: [{ role: "user", content: "\ud83d whale" }] },
        auth,
      ),
      "messages[0].content",
    );
    expect(await counts()).toEqual(before);
    const ok = await post(
      "/v1/chat/completions",
      { model: net.model, messages: [{ role: "user", content: "Tell me about the whale. \ud83d\udc33" }] },
      auth,
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    await expectHealthy();
  });

  it("a datanet's metadata, a model registration and an API key name with a lone surrogate are refused", async () => {
    const before = await counts();
    expectInvalidText(
      await post("/v1/datanets", {
        metadataURI: `ipfs://card${LONE}`,
        policy: { curated: true, minStake: "0", license: "CC-BY-4.0" },
      }),
      "metadataURI",
    );
    expectInvalidText(
      await post("/v1/datanets", {
        metadataURI: "ipfs://card",
        policy: { curated: true, minStake: "0", license: `CC-BY${LONE}` },
      }),
      "policy.license",
    );
    expectInvalidText(
      await post("/v1/models", {
        name: `whale${LONE}`,
        kind: "infinigram",
        datanetId: net.datanetId.toString(),
        version: 1,
        pricing: { perCall: "1000", per1kOutputTokens: "5000" },
        split: { ownerBps: 3000, dataBps: 7000 },
      }),
      "name",
    );
    expectInvalidText(
      await post("/v1/models", {
        name: "whale-2",
        kind: "infinigram",
        datanetId: net.datanetId.toString(),
        version: 1,
        metadataURI: `ipfs://model${LONE}`,
        pricing: { perCall: "1000", per1kOutputTokens: "5000" },
        split: { ownerBps: 3000, dataBps: 7000 },
      }),
      "metadataURI",
    );
    expectInvalidText(await post("/v1/keys", { payer: net.payers[0]!.address, name: `key${LONE}` }), "name");
    expect(await counts()).toEqual(before);
    await expectHealthy();
  });

  it("uploads: a submission body and a JSONL row with a lone surrogate are refused, nothing is staged", async () => {
    const before = await counts();
    expectInvalidText(
      await post(`/v1/uploads/${"a".repeat(32)}/submit`, { signatures: [`0x${LONE}`] }),
      "signatures[0]",
    );
    // A JSONL file's rows are JSON too: `"\udc00"` in a row is refused by the extractor (INVALID_UTF8).
    const form = new FormData();
    form.set("contributor", net.contributor);
    form.append(
      "files",
      new File([`{"text":"The whale ${"\\udc00"} rose."}\n`], "rows.jsonl", { type: "application/jsonl" }),
    );
    const res = await fetch(`${url}/v1/datanets/${net.datanetId}/uploads`, { method: "POST", body: form });
    const body = (await res.json()) as ErrorBody;
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(body.error.code).toBe("INVALID_UTF8");
    expect(await counts()).toEqual(before);
    await expectHealthy();
  });

  it("epochs and claims bodies are checked too", async () => {
    const before = await counts();
    expectInvalidText(await post("/v1/claims", { accounts: [`0x${LONE}`] }), "accounts[0]");
    expectInvalidText(await post("/v1/epochs/1/verify", { nodeURL: `http://a${LONE}.example` }), "nodeURL");
    expect(await counts()).toEqual(before);
    await expectHealthy();
  });

  it("an upstream model's ill-formed output becomes U+FFFD before it is hashed, stored or sent; the epoch verifies", async () => {
    // An OpenAI-compatible upstream on loopback that answers lone surrogates (JSON escapes), and in a stream a
    // well-formed pair split over two deltas.
    const deltas = ["The whale ", "\ud83d", "\udc33 and ", "\udc00", " rose."];
    const upstream: Server = createServer((req, res) => {
      let raw = "";
      req.on("data", (d) => {
        raw += String(d);
      });
      req.on("end", () => {
        const body = JSON.parse(raw) as { stream?: boolean };
        if (body.stream) {
          res.writeHead(200, { "content-type": "text/event-stream" });
          for (const d of deltas) {
            res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: d } }] })}\n\n`);
          }
          res.end("data: [DONE]\n\n");
          return;
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            choices: [
              {
                index: 0,
                message: { role: "assistant", content: `The whale${LONE} rose.` },
                finish_reason: "stop",
              },
            ],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    try {
      const port = (upstream.address() as AddressInfo).port;
      const registered = await post("/v1/models", {
        name: "whale-upstream",
        kind: "external",
        upstream: { baseURL: `http://127.0.0.1:${port}/v1`, model: "m" },
        trainedOn: [{ datanetId: net.datanetId.toString(), version: 1 }],
        pricing: { perCall: "1000", per1kOutputTokens: "5000" },
        split: { ownerBps: 3000, dataBps: 7000 },
      });
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      const auth = { authorization: `Bearer ${net.payers[1]!.key}` };
      const sha = (t: string) => `0x${createHash("sha256").update(t, "utf8").digest("hex")}`;
      const db = net.nodes[0]!.node.db;

      const plain = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...auth },
        body: JSON.stringify({
          model: "whale-upstream",
          messages: [{ role: "user", content: "The whale?" }],
        }),
      });
      expect(plain.status).toBe(200);
      const answer = (await plain.json()) as {
        choices: { message: { content: string } }[];
        tributary: { receipt: { id: string; outputHash: string } };
      };
      expect(answer.choices[0]!.message.content).toBe("The whale\ufffd rose.");
      expect(answer.tributary.receipt.outputHash).toBe(sha("The whale\ufffd rose."));
      const stored = await db
        .selectFrom("receipts")
        .select("output")
        .where("id", "=", answer.tributary.receipt.id)
        .executeTakeFirstOrThrow();
      expect(stored.output).toBe("The whale\ufffd rose.");

      const streamed = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...auth },
        body: JSON.stringify({
          model: "whale-upstream",
          stream: true,
          messages: [{ role: "user", content: "The whale?" }],
        }),
      });
      expect(streamed.status).toBe(200);
      const id = streamed.headers.get("x-tributary-receipt");
      const text = await streamed.text();
      const pieces = text
        .split("\n\n")
        .map((e) => e.replace(/^data: /, ""))
        .filter((e) => e.startsWith("{"))
        .map(
          (e) =>
            (JSON.parse(e) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content,
        )
        .filter((c): c is string => typeof c === "string");
      // Well-formed: UTF-8 round-trips it unchanged (a lone surrogate would come back as U+FFFD).
      for (const piece of pieces)
        expect(new TextDecoder().decode(new TextEncoder().encode(piece))).toBe(piece);
      expect(pieces.join("")).toBe("The whale \ud83d\udc33 and \ufffd rose.");
      const row = await db
        .selectFrom("receipts")
        .select(["output", "receipt_json"])
        .where("id", "=", id ?? "")
        .executeTakeFirstOrThrow();
      expect(row.output).toBe("The whale \ud83d\udc33 and \ufffd rose.");
      expect(JSON.parse(row.receipt_json).outputHash).toBe(sha(row.output));

      // Everything served in this file settles and verifies (prompts and outputs hashed as stored).
      const closed = await post("/v1/epochs/close", {});
      expect(closed.status, JSON.stringify(closed.body)).toBe(201);
      const verified = await post(`/v1/epochs/${closed.body.epoch}/verify`, {});
      expect(verified.body, JSON.stringify(verified.body)).toMatchObject({ ok: true });
    } finally {
      await new Promise((resolve) => upstream.close(resolve));
    }
  });
});
