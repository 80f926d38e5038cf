import type { Context } from "hono";
import { ApiError } from "../../api/ApiError.ts";
import type { AgentTerms } from "../charging/createAgentResolver.ts";
import type { GatewayService } from "../createGatewayService.ts";
import type { GatewayModel } from "../models/types.ts";

/**
 * The agent a request names (`X-Tributary-Agent` or body `tributary.agentId`, the same id if both), resolved
 * for `model`; undefined when it names none. 400 `INVALID_AGENT_ID` / `AGENT_MISMATCH`, and the resolver's errors.
 *
 * @example
 * const agent = await agentOf(service, c, body, model);
 */
export async function agentOf(
  service: GatewayService,
  c: Context,
  body: { tributary?: { agentId?: string | number | undefined } | undefined },
  model: GatewayModel,
): Promise<AgentTerms | undefined> {
  const header = c.req.header("x-tributary-agent");
  const fromBody = body.tributary?.agentId;
  if (header !== undefined && !/^[1-9][0-9]{0,19}$/.test(header.trim())) {
    throw new ApiError(
      400,
      "INVALID_AGENT_ID",
      `X-Tributary-Agent '${header}' is not an agent id`,
      "Send the agent's decimal id (AgentRegistry), e.g. `X-Tributary-Agent: 1`.",
    );
  }
  const ids = [header?.trim(), fromBody === undefined ? undefined : String(fromBody)].filter(
    (v): v is string => v !== undefined,
  );
  if (ids.length === 0) return undefined;
  if (ids.length === 2 && ids[0] !== ids[1]) {
    throw new ApiError(
      400,
      "AGENT_MISMATCH",
      `X-Tributary-Agent ${ids[0]} and tributary.agentId ${ids[1]} differ`,
      "Name the agent once (header or body), or the same id in both.",
    );
  }
  return service.resolveAgent(BigInt(ids[0] as string), model);
}
