import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { settlementAbi } from "@tributary/abi";
import { getFinalizedEpoch, getPendingEpoch } from "@tributary/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNode, type TributaryNode } from "../createNode.ts";
import { createGatewayRoutes } from "../gateway/createGatewayRoutes.ts";
import { createEpochService } from "./createEpochService.ts";
import type { EpochFailpoint } from "./failpoint.ts";
import { type PaidNetwork, setupPaidNetwork } from "./testing/paidNetwork.ts";
import { receiptsOf } from "./testing/receiptsOf.ts";

const child = fileURLToPath(new URL("./testing/closeChild.ts", import.meta.url));

const steps: EpochFailpoint[] = [
  "after-cut",
  "mid-bundle",
  "after-bundle-file",
  "after-bundle",
  "after-sign",
  "after-broadcast",
  "after-submit",
];

describe("epoch close crash safety (SIGKILL at each step, restart, resume)", () => {
  let net: PaidNetwork;
  let dataDir: string;
  let node: TributaryNode | undefined;
  let url: string;

  async function start(): Promise<void> {
    node = await createNode({
      dataDir,
      http: { port: 0 },
      chain: {
        rpcUrl: net.chain.anvil.rpcUrl,
        deployment: net.chain.deployment,
        account: net.chain.accounts[3]!,
        pollIntervalMs: 0,
      },
      routes: [(ctx) => createGatewayRoutes(ctx)],
    });
    ({ url } = await node.listen());
  }

  function closeInChild(failpoint: EpochFailpoint) {
    const proc = spawn(process.execPath, ["--import", "tsx", child], {
      env: {
        ...process.env,
        TRIBUTARY_FAILPOINT: failpoint,
        TRIBUTARY_BUNDLE_PAGE: "2",
        TRIBUTARY_TEST_CONFIG: JSON.stringify({
          dataDir,
          rpcUrl: net.chain.anvil.rpcUrl,
          deployment: net.chain.deployment,
          accountIndex: 3,
        }),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    proc.stderr.on("data", (d) => {
      stderr += String(d);
    });
    return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
      proc.on("exit", (code, signal) => resolve({ code, signal, stderr })),
    );
  }

  beforeAll(async () => {
    net = await setupPaidNetwork();
    dataDir = net.nodes[0]!.node.ctx.dataDir;
    await net.nodes[0]!.node.stop();
    net.nodes.splice(0);
  }, 120_000);
  afterAll(async () => {
    await node?.stop();
    await net?.chain.stop();
  });

  steps.forEach((step, i) => {
    const epoch = i + 1;
    it(`SIGKILL ${step}: restart ends with exactly one report for epoch ${epoch} and every receipt counted once`, async () => {
      await start();
      const served: string[] = [];
      for (let k = 0; k < 3; k++) {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${net.payers[k % 3]!.key}`, "content-type": "application/json" },
          body: JSON.stringify({
            model: net.model,
            messages: [{ role: "user", content: "Tell me about the whale." }],
            max_tokens: 12,
            seed: epoch * 10 + k,
          }),
        });
        expect(res.status).toBe(200);
        served.push(res.headers.get("x-tributary-receipt")!);
      }
      await node!.stop();
      node = undefined;

      const run = await closeInChild(step);
      expect(run.signal, run.stderr).toBe("SIGKILL");

      await start();
      const service = createEpochService(node!.ctx);
      const resumed = await service.resume(); // what a restarted node does first
      if (!resumed) throw new Error("nothing resumed");
      const row = resumed;
      expect(row).toMatchObject({ epoch, status: "submitted", receipt_count: 3 });
      const db = node!.db;
      const inEpoch = await receiptsOf(node!, epoch);
      expect(inEpoch.map((r) => r.id).sort()).toEqual([...served].sort());
      expect(await receiptsOf(node!)).toHaveLength(0);
      const all = await db.selectFrom("receipts").select("charged").execute();
      expect(BigInt(row.cumulative_charged!)).toBe(all.reduce((s, r) => s + BigInt(r.charged), 0n));

      const sdk = net.sdkOf(0);
      const pending = await getPendingEpoch(sdk);
      expect(pending.epoch).toBe(BigInt(epoch));
      expect(pending.digest).toBe(row.digest);
      const submitted = await net.chain.publicClient.getContractEvents({
        address: net.chain.deployment.contracts.settlement,
        abi: settlementAbi,
        eventName: "EpochSubmitted",
        args: { epoch: BigInt(epoch) },
        fromBlock: 0n,
      });
      expect(submitted).toHaveLength(1);
      // The bundle re-derives the report (a rebuilt bundle has the same bytes).
      expect((await service.verify(epoch)).ok).toBe(true);

      await net.advance(61);
      const finalized = await service.finalize(epoch);
      expect(finalized.status).toBe("finalized");
      expect((await getFinalizedEpoch(sdk)).epoch).toBe(BigInt(epoch));
      await node!.stop();
      node = undefined;
    }, 60_000);
  });
});
