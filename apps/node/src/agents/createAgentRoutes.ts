import { getAgent, getAgentCount } from "@tributary/sdk";
import { Hono } from "hono";
import { getAddress } from "viem";
import { ApiError } from "../api/ApiError.ts";
import type { NodeContext } from "../context/NodeContext.ts";

/** An agent as `GET /v1/agents` lists it (AgentRegistry, read from the chain). */
export type AgentView = {
  agentId: string;
  operator: string;
  active: boolean;
  feeBps: number;
  agentCardURI: string;
  /** Model ids the agent may call (empty: any model). */
  allowedModels: string[];
};

/**
 * `GET /v1/agents?limit=&cursor=` (newest first) and `GET /v1/agents/:id`: the agents of AgentRegistry with
 * their fee and allowed models, read from the chain (the registry is small and these reads are views).
 */
export function createAgentRoutes(ctx: NodeContext): Hono {
  const app = new Hono();
  const sdk = () => {
    if (!ctx.chain)
      throw new ApiError(503, "NO_CHAIN", "agents are read from the chain", "Start the node with a chain.");
    return ctx.chain.sdk;
  };
  const view = async (agentId: bigint): Promise<AgentView> => {
    const a = await getAgent(sdk(), { agentId });
    return {
      agentId: agentId.toString(),
      operator: getAddress(a.operator),
      active: a.active,
      feeBps: Number(a.feeBps),
      agentCardURI: a.agentCardURI,
      allowedModels: a.allowedModels.map((m) => m.toString()),
    };
  };
  app.get("/v1/agents", async (c) => {
    const limitRaw = c.req.query("limit") ?? "50";
    const cursorRaw = c.req.query("cursor");
    const limit = Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      throw new ApiError(400, "INVALID_LIMIT", `limit ${limitRaw} is not in 1..500`, "Use ?limit=50.");
    }
    if (cursorRaw !== undefined && !/^[1-9][0-9]{0,15}$/.test(cursorRaw)) {
      throw new ApiError(
        400,
        "INVALID_CURSOR",
        `cursor ${cursorRaw} is not one this API gave`,
        "Pass nextCursor unchanged.",
      );
    }
    const count = await getAgentCount(sdk());
    const top = cursorRaw === undefined ? count : BigInt(cursorRaw) - 1n;
    const items: AgentView[] = [];
    for (let id = top; id >= 1n && items.length < limit; id--) items.push(await view(id));
    const last = items.at(-1);
    return c.json({ items, nextCursor: last && BigInt(last.agentId) > 1n ? last.agentId : null });
  });
  app.get("/v1/agents/:id", async (c) => {
    const raw = c.req.param("id");
    if (!/^[1-9][0-9]{0,15}$/.test(raw)) {
      throw new ApiError(
        400,
        "INVALID_AGENT_ID",
        `'${raw}' is not an agent id`,
        "Agent ids are whole numbers from 1.",
      );
    }
    const id = BigInt(raw);
    if (id > (await getAgentCount(sdk()))) {
      throw new ApiError(
        404,
        "AGENT_NOT_FOUND",
        `agent ${raw} does not exist`,
        "List agents with GET /v1/agents.",
      );
    }
    return c.json(await view(id));
  });
  return app;
}
