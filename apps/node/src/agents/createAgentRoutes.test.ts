import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setupTestChain, type TestChain } from "@tributary/contracts/test/fixture";
import { createTributaryClient, registerAgent } from "@tributary/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNode, type TributaryNode } from "../createNode.ts";
import { createAgentRoutes } from "./createAgentRoutes.ts";

describe("GET /v1/agents: AgentRegistry over HTTP", () => {
  let chain: TestChain;
  let node: TributaryNode;
  let url: string;

  beforeAll(async () => {
    chain = await setupTestChain();
    node = await createNode({
      dataDir: mkdtempSync(join(tmpdir(), "agents-")),
      http: { port: 0 },
      chain: {
        rpcUrl: chain.anvil.rpcUrl,
        deployment: chain.deployment,
        account: chain.accounts[0]!,
        pollIntervalMs: 0,
      },
      routes: [(ctx) => createAgentRoutes(ctx)],
    });
    ({ url } = await node.listen());
    const operator = createTributaryClient({
      publicClient: chain.publicClient as never,
      walletClient: chain.wallets[6] as never,
      addresses: chain.deployment.contracts,
    });
    await registerAgent(operator, { agentCardURI: "ipfs://first", allowedModels: [], feeBps: 100 });
    await registerAgent(operator, { agentCardURI: "ipfs://second", allowedModels: [], feeBps: 250 });
  }, 60_000);
  afterAll(async () => {
    await node?.stop();
    await chain?.stop();
  });

  it("lists agents newest first with their operator, fee and allowed models, paginated", async () => {
    const first = (await (await fetch(`${url}/v1/agents?limit=1`)).json()) as {
      items: unknown[];
      nextCursor: string;
    };
    expect(first.items).toEqual([
      {
        agentId: "2",
        operator: chain.accounts[6]!.address,
        active: true,
        feeBps: 250,
        agentCardURI: "ipfs://second",
        allowedModels: [],
      },
    ]);
    expect(first.nextCursor).toBe("2");
    const rest = (await (await fetch(`${url}/v1/agents?cursor=2`)).json()) as {
      items: { agentId: string }[];
      nextCursor: null;
    };
    expect(rest.items.map((a) => a.agentId)).toEqual(["1"]);
    expect(rest.nextCursor).toBeNull();
    expect(await (await fetch(`${url}/v1/agents/1`)).json()).toMatchObject({
      agentCardURI: "ipfs://first",
      feeBps: 100,
    });
  });

  it("answers bad ids and pages with a clear error", async () => {
    expect(
      ((await (await fetch(`${url}/v1/agents/3`)).json()) as { error: { code: string } }).error.code,
    ).toBe("AGENT_NOT_FOUND");
    expect(
      ((await (await fetch(`${url}/v1/agents/x`)).json()) as { error: { code: string } }).error.code,
    ).toBe("INVALID_AGENT_ID");
    expect(
      ((await (await fetch(`${url}/v1/agents?limit=0`)).json()) as { error: { code: string } }).error.code,
    ).toBe("INVALID_LIMIT");
  });
});
