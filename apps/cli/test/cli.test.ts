import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadMobyDick } from "../src/demo/corpus.ts";
import { runCli } from "./runCli.ts";

const bin = fileURLToPath(new URL("../bin/tributary.mjs", import.meta.url));
// anvil's public test key of account 8 (the demo payer): local chains only.
const PAYER_KEY = "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97";
const PAYER = "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f";
// anvil's public test key of account 9: a contributor outside the demo.
/** Anvil's account 0: the local network's deployer and the demo node's key (so the demo model's owner). */
const NODE_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const CONTRIBUTOR_KEY = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";

const cli = runCli;

type UpJson = {
  rpcUrl: string;
  nodeUrl: string;
  webUrl: string;
  operatorToken: string;
  demo: {
    apiKey: string;
    datanetId: string;
    version: number;
    model: string;
    documents: number;
    payer: string;
  };
  contributor: { address: string; privateKey: `0x${string}` };
  portsTaken: { rpc?: number; http?: number };
};

/** A TCP server on a free loopback port: something squatting on a port `up` wants. */
function listenAnywhere(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

/** Starts `tributary up` and resolves with its one-line JSON description once it is ready. */
function startUp(
  cwd: string,
  args: string[],
): Promise<{ proc: ChildProcess; info: UpJson; stderr: () => string }> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("TRIBUTARY_")),
  ) as Record<string, string>;
  const proc = spawn(process.execPath, [bin, "up", "--port", "0", "--http-port", "0", "--json", ...args], {
    cwd,
    env: { ...base, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tributary up did not get ready:\n${err}`)), 150_000);
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line && out.includes("\n")) {
        clearTimeout(timer);
        resolve({ proc, info: JSON.parse(line) as UpJson, stderr: () => err });
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`tributary up exited with ${code}:\n${err}`));
    });
  });
}

function stop(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve(proc.exitCode);
    proc.once("exit", (code) => resolve(code));
    proc.kill("SIGINT");
  });
}

describe("tributary up → seeded demo → every kind of command, against a real local network", () => {
  const dir = mkdtempSync(join(tmpdir(), "tributary-cli-"));
  let up: Awaited<ReturnType<typeof startUp>> | undefined;
  let info: UpJson;
  let seedSeconds = 0;

  beforeAll(async () => {
    const started = Date.now();
    up = await startUp(dir, ["--fresh"]);
    info = up.info;
    seedSeconds = (Date.now() - started) / 1000;
  }, 160_000);

  afterAll(async () => {
    if (up) await stop(up.proc);
    rmSync(dir, { recursive: true, force: true });
  });

  it("seeds the demo: Moby-Dick datanet, ∞-gram model, funded payer with an API key, operator token", () => {
    expect(info.demo.apiKey).toMatch(/^trib_[0-9a-f]{64}$/);
    expect(info.demo.documents).toBeGreaterThan(300);
    expect(info.operatorToken).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(dir, ".tributary", "node", "operator-token"), "utf8").trim()).toBe(
      info.operatorToken,
    );
    expect(JSON.parse(readFileSync(join(dir, ".tributary", "demo.json"), "utf8")).apiKey).toBe(
      info.demo.apiKey,
    );
    expect(up!.stderr()).toMatch(/contributor 0x[0-9a-fA-F]{40} signed and uploaded \d+ chunks/);
    console.info(`up --fresh with the seeded demo: ${seedSeconds.toFixed(1)} s`);
  });

  it("infer: the printed API key buys a chat completion, with attributed spans and a receipt", async () => {
    const [human, json] = await Promise.all([
      cli(dir, ["infer", "--model", info.demo.model, "Call me Ishmael. Some years ago"], {
        TRIBUTARY_API_KEY: info.demo.apiKey,
      }),
      cli(dir, ["infer", "--json", "--model", info.demo.model, "--api-key", info.demo.apiKey, "the whale"]),
    ]);
    expect(human.stderr).toBe("");
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/receipt 0x[0-9a-f]{64}/);
    expect(human.stdout).toMatch(/charged [\d.,]+ TRIB \(price [\d.,]+ TRIB\)/);
    expect(human.stdout).toMatch(
      /split +protocol [\d.,]+ TRIB · owner [\d.,]+ TRIB · contributor [\d.,]+ TRIB/,
    );
    expect(json.code).toBe(0);
    const r = JSON.parse(json.stdout) as {
      response: {
        choices: { message: { content: string } }[];
        tributary: { receipt: { id: string; parts: { amount: string }[]; charged: string } };
      };
      attribution: { datanetId: string; spans: unknown[] }[];
    };
    const receipt = r.response.tributary.receipt;
    expect(receipt.parts.reduce((s, p) => s + BigInt(p.amount), 0n)).toBe(BigInt(receipt.charged));
    expect(r.attribution[0]!.datanetId).toBe(info.demo.datanetId);
  });

  it("datanet list/show, model list with --json", async () => {
    const [listed, show, modelList] = await Promise.all([
      cli(dir, ["datanet", "list", "--json"]),
      cli(dir, ["datanet", "show", info.demo.datanetId, "--json"]),
      cli(dir, ["model", "list", "--json"]),
    ]);
    const list = JSON.parse(listed.stdout) as { items: { id: unknown }[] };
    expect(list.items.map((d) => String(d.id))).toEqual([info.demo.datanetId]);
    expect(show.code).toBe(0);
    const d = JSON.parse(show.stdout) as {
      contributions: Record<string, number>;
      versions: { version: unknown }[];
    };
    expect(d.contributions.Accepted).toBe(info.demo.documents);
    expect(d.versions.map((v) => Number(v.version))).toEqual([1]);
    const models = JSON.parse(modelList.stdout) as {
      items: { id: string }[];
    };
    expect(models.items.map((m) => m.id)).toEqual([info.demo.model]);
    // Humans read amounts in the token with its symbol, never base units or "tokens".
    const [showHuman, modelsHuman] = await Promise.all([
      cli(dir, ["datanet", "show", info.demo.datanetId]),
      cli(dir, ["model", "list"]),
    ]);
    expect(showHuman.stdout).toMatch(/policy +curated, min stake 0 TRIB/);
    expect(modelsHuman.stdout).toContain(
      "0.001 TRIB/call + 0.01 TRIB/1k output tokens + 0.001 TRIB/1k input tokens",
    );
  });

  it("datanet create → contribute (signed by the contributor) → review with near-duplicate flags → publish → export", async () => {
    const created = await cli(dir, ["datanet", "create", "--metadata-uri", "ipfs://whaling-notes", "--json"]);
    expect(created.code, created.stderr).toBe(0);
    const datanetId = (JSON.parse(created.stdout) as { datanetId: string }).datanetId;
    // A demo chunk with one word changed: a near-duplicate of a demo contribution (in another datanet).
    const chunk = loadMobyDick()[3]!.chunks[0]!.text;
    writeFileSync(join(dir, "near.txt"), chunk.replace(/ the /, " a "));
    writeFileSync(
      join(dir, "notes.md"),
      "# Notes\n\nHarpoons were forged from soft iron so they would bend, not break, in a running whale.\n",
    );
    const contributed = await cli(dir, ["datanet", "contribute", datanetId, "near.txt", "notes.md"], {
      TRIBUTARY_PRIVATE_KEY: CONTRIBUTOR_KEY,
    });
    expect(contributed.code, contributed.stderr).toBe(0);
    expect(contributed.stderr).toMatch(/\[1\/2\] near\.txt [\d.]+ kB read\n\[2\/2\] notes\.md [\d.]+ B read/);
    expect(contributed.stderr).toMatch(/signed 1 batch\(es\) as 0xa0Ee7A142d267C1f36714E4a8F75612F20a79720/);
    expect(contributed.stdout).toMatch(/2 contribution\(s\) registered \(#\d+, #\d+\)/);

    const pending = await cli(dir, ["datanet", "review", datanetId]);
    expect(pending.code, pending.stderr).toBe(0);
    expect(pending.stdout).toMatch(/2 pending contribution\(s\)/);
    expect(pending.stdout).toMatch(/⚠ near-duplicate of #\d+ \(\d+%\)/);
    const ids = [...pending.stdout.matchAll(/^ {2}#(\d+)/gm)].map((m) => m[1]!);
    const nearId = ids.find((id) => new RegExp(`#${id} .*near-duplicate`).test(pending.stdout))!;
    const otherId = ids.find((id) => id !== nearId)!;
    const reviewed = await cli(dir, ["datanet", "review", datanetId, "--accept", "all", "--reject", nearId]);
    expect(reviewed.code, reviewed.stderr).toBe(0);
    expect(reviewed.stdout).toMatch(/1 accepted, 1 rejected/);

    const published = await cli(dir, ["datanet", "publish", datanetId, "--json"]);
    expect(published.code, published.stderr).toBe(0);
    expect(Number((JSON.parse(published.stdout) as { version: unknown }).version)).toBe(1);
    const out = join(dir, "export");
    const exported = await cli(dir, ["datanet", "export", datanetId, "1", "--out", out, "--json"]);
    expect(exported.code, exported.stderr).toBe(0);
    const lines = readFileSync(join(out, "data.jsonl"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("Harpoons were forged");
    expect(otherId).toBeDefined();

    // An ∞-gram model over both datanets' versions, served at once.
    const registered = await cli(dir, [
      "model",
      "register",
      "--name",
      "whaling-ig",
      "--trained-on",
      `${info.demo.datanetId}:1,${datanetId}:1`,
      "--json",
    ]);
    expect(registered.code, registered.stderr).toBe(0);
    expect(JSON.parse(registered.stdout).tributary.datanetVersions).toEqual([
      { datanetId: info.demo.datanetId, version: 1 },
      { datanetId, version: 1 },
    ]);
    // The one-version form (`--version` is the model's, not the program's).
    const one = await cli(dir, [
      "model",
      "register",
      "--name",
      "notes-ig",
      "--datanet",
      datanetId,
      "--version",
      "1",
      "--json",
    ]);
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout).tributary.datanetVersions).toEqual([{ datanetId, version: 1 }]);
    const inferred = await cli(
      dir,
      ["infer", "--json", "--model", "whaling-ig", "--api-key", info.demo.apiKey, "Harpoons were forged"],
      {},
    );
    expect(inferred.code, inferred.stderr).toBe(0);
    const receipt = (
      JSON.parse(inferred.stdout) as {
        response: { tributary: { receipt: { datanetVersions: { datanetId: string }[] } } };
      }
    ).response.tributary.receipt;
    expect(receipt.datanetVersions.map((v) => v.datanetId)).toEqual([info.demo.datanetId, datanetId]);
  }, 120_000);

  it("datanet contribute --self-pay: the contributor's own transaction registers the upload (the node pays nothing)", async () => {
    const created = await cli(dir, ["datanet", "create", "--metadata-uri", "ipfs://self-pay", "--json"]);
    expect(created.code, created.stderr).toBe(0);
    const datanetId = (JSON.parse(created.stdout) as { datanetId: string }).datanetId;
    writeFileSync(
      join(dir, "own.txt"),
      "A log entry the contributor registers with its own gas, self-paid.\n",
    );
    const done = await cli(dir, ["datanet", "contribute", datanetId, "own.txt", "--self-pay"], {
      TRIBUTARY_PRIVATE_KEY: CONTRIBUTOR_KEY,
    });
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toMatch(
      /sending contributeBatch \(batch 0\) from 0xa0Ee7A142d267C1f36714E4a8F75612F20a79720/,
    );
    expect(done.stdout).toMatch(/1 contribution\(s\) registered from your wallet \(#\d+\)/);

    // Publishing a second version says that models stay on the versions they were trained on, and how to
    // serve the new one (the README walkthrough's last step).
    const publish = async () => {
      expect((await cli(dir, ["datanet", "review", datanetId, "--accept", "all"])).code).toBe(0);
      const r = await cli(dir, ["datanet", "publish", datanetId]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    const v1 = await publish();
    expect(v1).toMatch(/version 1 published/);
    expect(v1).not.toMatch(/keep serving/);
    writeFileSync(join(dir, "more.txt"), "A second entry, for a second version of the self-paid log.\n");
    const more = await cli(dir, ["datanet", "contribute", datanetId, "more.txt"], {
      TRIBUTARY_PRIVATE_KEY: CONTRIBUTOR_KEY,
    });
    expect(more.code, more.stderr).toBe(0);
    const v2 = await publish();
    expect(v2).toMatch(/version 2 published/);
    expect(v2).toContain(
      `models trained on earlier versions keep serving them; to serve v2, register a model on it: tributary model register --name <name>-v2 --datanet ${datanetId} --version 2`,
    );
  });

  it("deposit parses decimal tokens exactly and deposits with the payer's key; agent register/list with the user's key", async () => {
    const [r, agent] = await Promise.all([
      cli(dir, ["deposit", "12.5", "--json"], { TRIBUTARY_PRIVATE_KEY: PAYER_KEY }),
      cli(
        dir,
        [
          "agent",
          "register",
          "--card",
          "ipfs://ishmael-agent",
          "--models",
          "1",
          "--fee-bps",
          "250",
          "--json",
        ],
        {
          TRIBUTARY_PRIVATE_KEY: CONTRIBUTOR_KEY,
        },
      ),
    ]);
    expect(agent.code, agent.stderr).toBe(0);
    expect(JSON.parse(agent.stdout)).toMatchObject({
      agentId: "1",
      operator: "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
    });
    const agents = await cli(dir, ["agent", "list", "--json"]);
    expect(JSON.parse(agents.stdout).items).toMatchObject([
      { agentId: "1", feeBps: 250, agentCardURI: "ipfs://ishmael-agent", allowedModels: ["1"] },
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { payer: string; amount: string; deposited: string };
    expect(out).toMatchObject({
      payer: PAYER,
      amount: "12500000000000000000",
      deposited: "112500000000000000000",
    });
  });

  it("keys create: a key for a payer, shown once", async () => {
    const r = await cli(dir, ["keys", "create", "--payer", PAYER, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const k = JSON.parse(r.stdout) as { id: string; key: string; payer: string };
    expect(k.key).toMatch(/^trib_/);
    expect(k.payer.toLowerCase()).toBe(PAYER.toLowerCase());
  });

  it("epoch close, list and verify; earnings show what the epoch settled", async () => {
    const closed = await cli(dir, ["epoch", "close", "--json"]);
    expect(closed.code, closed.stderr).toBe(0);
    const e = JSON.parse(closed.stdout) as { epoch: number; status: string; receiptCount: number };
    expect(e).toMatchObject({ epoch: 1, status: "submitted" });
    expect(e.receiptCount).toBeGreaterThan(0);
    const list = await cli(dir, ["epoch", "list", "--json"]);
    expect(JSON.parse(list.stdout).items.map((x: { epoch: number }) => x.epoch)).toEqual([1]);
    const verified = await cli(dir, ["epoch", "verify", "1", "--json"]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, receiptCount: e.receiptCount });
    expect(JSON.parse(verified.stdout)).toMatchObject({ verifiedBy: "local" });
    const again = await cli(dir, ["epoch", "close"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /no receipt is waiting for an epoch; epoch 1 is submitted, its challenge window ends .* \(tributary epoch finalize 1\)/,
    );
    expect(again.stderr).toMatch(/--allow-empty/);
    const empty = await cli(dir, ["epoch", "close", "--allow-empty"]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/epoch 1 is in its challenge window until/);
    const earnings = await cli(dir, ["earnings", PAYER, "--json"]);
    expect(earnings.code, earnings.stderr).toBe(0);
    expect(JSON.parse(earnings.stdout)).toMatchObject({ claimable: "0" });
  });

  it("model terms: the owner reprices the demo model and the gateway charges it; others are refused", async () => {
    const notOwner = await cli(dir, ["model", "terms", info.demo.model, "--per-call", "0.002"], {
      TRIBUTARY_PRIVATE_KEY: CONTRIBUTOR_KEY,
    });
    expect(notOwner.code).toBe(1);
    expect(notOwner.stderr).toMatch(/ModelRegistryNotModelOwner|not the model'?s owner/i);
    const changed = await cli(dir, ["model", "terms", info.demo.model, "--per-call", "0.002", "--json"], {
      TRIBUTARY_PRIVATE_KEY: NODE_KEY,
    });
    expect(changed.code, changed.stderr).toBe(0);
    expect(JSON.parse(changed.stdout).pricing.perCall).toBe("2000000000000000");
    const end = Date.now() + 15_000;
    let perCall = "";
    while (Date.now() < end) {
      const inferred = await cli(dir, [
        "infer",
        "--json",
        "--model",
        info.demo.model,
        "--api-key",
        info.demo.apiKey,
        "whale",
      ]);
      expect(inferred.code, inferred.stderr).toBe(0);
      perCall = (
        JSON.parse(inferred.stdout) as {
          response: { tributary: { receipt: { pricing: { perCall: string } } } };
        }
      ).response.tributary.receipt.pricing.perCall;
      if (perCall === "2000000000000000") break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(perCall).toBe("2000000000000000");
  }, 60_000);

  it("model train-base → model train --wait (LoRA) → jobs → cancel: training jobs of the node", async () => {
    const trainedOn = `${info.demo.datanetId}:${info.demo.version}`;
    const base = await cli(
      dir,
      ["model", "train-base", "--trained-on", trainedOn, "--steps", "20", "--out", "tiny.gguf", "--json"],
      {},
      170_000,
    );
    expect(base.code, base.stderr).toBe(0);
    const baseJob = JSON.parse(base.stdout) as {
      id: string;
      state: string;
      modelId: string;
      artifact: { cid: string; sha256: string };
      progress: { step: number; steps: number };
    };
    expect(baseJob).toMatchObject({ state: "done", progress: { step: 20, steps: 20 } });
    expect(readFileSync(join(dir, "tiny.gguf")).subarray(0, 4).toString()).toBe("GGUF");
    const lora = await cli(
      dir,
      [
        "model",
        "train",
        "--base",
        baseJob.artifact.cid,
        "--trained-on",
        trainedOn,
        "--rank",
        "4",
        "--max-steps",
        "6",
        "--wait",
        "--out",
        "lora.gguf",
      ],
      {},
      170_000,
    );
    expect(lora.code, lora.stderr).toBe(0);
    expect(lora.stderr).toMatch(/step \d+\/6 loss \d+\.\d{3} \d+ tok\/s/);
    expect(lora.stdout).toMatch(
      /training job tj_[0-9a-f]{16} done: loss .* model \d+ registered with its lineage/,
    );
    expect(lora.stdout).toContain("saved lora.gguf");
    // The node serves the adapter at once: the printed name answers through the metered gateway, with a receipt
    // that attributes over the version it was trained on.
    const servedAs = /served by this node as (\S+): tributary infer --model \1/.exec(lora.stdout)?.[1];
    expect(servedAs, lora.stdout).toBeTruthy();
    const answered = await cli(dir, [
      "infer",
      "--json",
      "--model",
      servedAs!,
      "--api-key",
      info.demo.apiKey,
      "The whale",
    ]);
    expect(answered.code, answered.stderr).toBe(0);
    const adapterReceipt = (
      JSON.parse(answered.stdout) as {
        response: {
          tributary: { receipt: { datanetVersions: { datanetId: string }[] } };
        };
      }
    ).response.tributary.receipt;
    expect(adapterReceipt.datanetVersions.map((v) => v.datanetId)).toEqual([info.demo.datanetId]);
    const jobs = await cli(dir, ["model", "jobs", "--json"]);
    expect((JSON.parse(jobs.stdout) as { items: unknown[] }).items).toHaveLength(2);
    const long = await cli(dir, [
      "model",
      "train",
      "--base",
      baseJob.artifact.cid,
      "--trained-on",
      trainedOn,
      "--epochs",
      "100",
      "--json",
    ]);
    expect(long.code, long.stderr).toBe(0);
    const id = (JSON.parse(long.stdout) as { id: string }).id;
    const cancelled = await cli(dir, ["model", "cancel", id]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toContain(`training job ${id} cancelled`);
    const shown = await cli(dir, ["model", "jobs", id, "--json"]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id, state: "cancelled" });
    const bad = await cli(dir, ["model", "train", "--base", "missing.gguf", "--trained-on", trainedOn]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error: the base model .*missing.gguf does not exist/);
    expect(bad.stderr).toMatch(/hint: /);
    const badRank = await cli(dir, [
      "model",
      "train",
      "--base",
      "x.gguf",
      "--trained-on",
      trainedOn,
      "--rank",
      "0",
    ]);
    expect(badRank.code).toBe(2);
    expect(badRank.stderr).toContain("--rank must be an integer from 1 to 128");
  }, 400_000);

  it("bad input fails with a non-zero exit code and a clear message (with a hint)", async () => {
    const cases: [string[], Record<string, string>, number, RegExp][] = [
      [["datanet", "show", "999"], {}, 1, /datanet 999 does not exist/],
      [["datanet", "show", "one"], {}, 2, /datanet id must be a whole number, got "one"/],
      [
        ["keys", "create", "--payer", "0x123"],
        {},
        2,
        /--payer must be an address \(0x followed by 40 hex digits\), got "0x123"/,
      ],
      [["earnings", "nobody"], {}, 2, /address must be an address/],
      [
        ["deposit", "1,5"],
        { TRIBUTARY_PRIVATE_KEY: PAYER_KEY },
        2,
        /amount must be a decimal amount of the payment token, got "1,5"/,
      ],
      [
        ["deposit", "0.0000000000000000001"],
        { TRIBUTARY_PRIVATE_KEY: PAYER_KEY },
        2,
        /has 19 decimals; the payment token has 18/,
      ],
      [
        ["deposit", "5"],
        {},
        1,
        /no key: set TRIBUTARY_PRIVATE_KEY[\s\S]*hint: This command signs with your key/,
      ],
      [["infer", "--model", "moby-dick-ig", "hi"], {}, 1, /no API key\nhint: Pass --api-key/],
      [["infer", "--model", "nope", "hi"], { TRIBUTARY_API_KEY: "trib_x" }, 1, /invalid API key/],
      [["datanet", "frobnicate"], {}, 2, /unknown command 'frobnicate'/],
      [["model", "deprecate", "1"], {}, 2, /deprecation cannot be undone\nhint: Run it again with --yes/],
      [["model", "terms", "1", "--owner-bps", "100"], {}, 2, /--owner-bps and --data-bps go together/],
      [
        ["model", "register", "--name", "x-ig", "--datanet", "1", "--version", "1", "--trained-on", "1:1"],
        {},
        2,
        /give --trained-on, or --datanet and --version, not both/,
      ],
      [
        ["model", "register", "--name", "x-ig", "--trained-on", "1:1:1"],
        {},
        2,
        /datanet:version pairs, got "1:1:1"/,
      ],
      [["deposit"], {}, 2, /missing required argument 'amount'/],
    ];
    const results = await Promise.all(cases.map(([args, env]) => cli(dir, args, env)));
    results.forEach((r, i) => {
      const [args, , code, message] = cases[i]!;
      expect({ args, code: r.code }).toEqual({ args, code });
      expect(r.stderr, args.join(" ")).toMatch(message);
    });
  });

  it("Ctrl-C stops everything; a second `up` resumes without re-seeding and the same API key still works", async () => {
    expect(await stop(up!.proc)).toBe(0);
    // Both wanted ports are taken this time: `up` takes free ones and says so loudly.
    const squatters = await Promise.all([listenAnywhere(), listenAnywhere()]);
    const [rpcBusy, httpBusy] = squatters.map((s) => (s.address() as AddressInfo).port) as [number, number];
    const started = Date.now();
    try {
      up = await startUp(dir, ["--port", String(rpcBusy), "--http-port", String(httpBusy)]);
    } finally {
      for (const s of squatters) s.close();
    }
    const resumeSeconds = (Date.now() - started) / 1000;
    expect(up.info.portsTaken).toEqual({ rpc: rpcBusy, http: httpBusy });
    expect(up.stderr()).toContain(`port ${rpcBusy} is taken`);
    expect(up.stderr()).toContain(`port ${httpBusy} is taken`);
    expect(new URL(up.info.rpcUrl).port).not.toBe(String(rpcBusy));
    expect(new URL(up.info.nodeUrl).port).not.toBe(String(httpBusy));
    // The printed contributor key is a real key of the printed address (the walkthrough's contribute step).
    expect(privateKeyToAccount(up.info.contributor.privateKey).address).toBe(up.info.contributor.address);
    expect(up.info.contributor.privateKey).toBe(CONTRIBUTOR_KEY); // the key the contribute step above signed with
    expect(up.info.demo.apiKey).toBe(info.demo.apiKey);
    expect(up.stderr()).toMatch(/demo already seeded/);
    expect(up.stderr()).not.toMatch(/seeding the demo/);
    const r = await cli(dir, ["infer", "--json", "--model", info.demo.model, "whale"], {
      TRIBUTARY_API_KEY: info.demo.apiKey,
    });
    expect(r.code).toBe(0);
    const list = JSON.parse((await cli(dir, ["datanet", "list", "--json"])).stdout) as { items: unknown[] };
    expect(list.items).toHaveLength(3); // the demo datanet and the two created above (relayed, self-pay)
    console.info(`second up (resume): ${resumeSeconds.toFixed(1)} s`);
  }, 120_000);
});
