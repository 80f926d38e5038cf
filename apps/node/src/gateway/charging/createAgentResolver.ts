import { type ContractRevertError, getAgent, TributaryError } from "@tributary/sdk";
import type { Address } from "viem";
import { ApiError } from "../../api/ApiError.ts";
import type { NodeContext } from "../../context/NodeContext.ts";
import type { GatewayModel } from "../models/types.ts";
import { requireChain } from "../requireChain.ts";

/** The agent a request goes through, as AgentRegistry says. */
export type AgentTerms = { agentId: bigint; operator: Address; feeBps: number };

const AGENT_TTL_MS = 5_000;

/**
 * Creates the agent resolver: the agent's terms for `model` from AgentRegistry (cached 5 s); 400
 * `UNKNOWN_AGENT`, 403 `AGENT_INACTIVE` / `AGENT_MODEL_NOT_ALLOWED`.
 *
 * @example
 * const resolveAgent = createAgentResolver(ctx);
 * const agent = await resolveAgent(1n, model);
 */
export function createAgentResolver(
  ctx: NodeContext,
): (agentId: bigint, model: GatewayModel) => Promise<AgentTerms> {
  const agents = new Map<bigint, { agent: Awaited<ReturnType<typeof getAgent>>; at: number }>();
  return async (agentId, model) => {
    const { sdk } = requireChain(ctx);
    let hit = agents.get(agentId);
    if (!hit || Date.now() - hit.at >= AGENT_TTL_MS) {
      try {
        hit = { agent: await getAgent(sdk, { agentId }), at: Date.now() };
      } catch (error) {
        if (
          error instanceof TributaryError &&
          (error as ContractRevertError).errorName === "AgentRegistryAgentNotFound"
        ) {
          throw new ApiError(
            400,
            "UNKNOWN_AGENT",
            `agent ${agentId} is not registered in AgentRegistry`,
            "Send the id of a registered agent in X-Tributary-Agent (or body tributary.agentId), or drop it.",
          );
        }
        throw error;
      }
      agents.set(agentId, hit);
    }
    const { agent } = hit;
    if (!agent.active) {
      throw new ApiError(
        403,
        "AGENT_INACTIVE",
        `agent ${agentId} is deactivated`,
        "Call without this agent, or through an active one.",
      );
    }
    if (!agent.allowedModels.some((m) => m === model.modelId)) {
      throw new ApiError(
        403,
        "AGENT_MODEL_NOT_ALLOWED",
        `agent ${agentId} may not call model ${model.name} (id ${model.modelId})`,
        "The agent's operator can allow it with AgentRegistry.setAllowedModels; or call a model the agent allows.",
      );
    }
    return { agentId, operator: agent.operator as Address, feeBps: Number(agent.feeBps) };
  };
}
