export {
  type CreateGatewayRoutesOptions,
  createGatewayRoutes,
  type GatewayTiming,
  type OpenAiErrorBody,
  renderChatPrompt,
} from "./createGatewayRoutes.ts";
export {
  type AgentTerms,
  API_KEY_PREFIX,
  type ApiKeyView,
  type AuthenticatedKey,
  createGatewayService,
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  type GatewayModel,
  type GatewayOutput,
  type GatewayService,
  type GatewayStats,
  type GenerateParameters,
  type RegisterExternalModelParameters,
  type RegisterInfinigramModelParameters,
  type RegisterLlamaModelParameters,
  type SettleParameters,
  type SignedReceipt,
  type TrainedOnVersion,
} from "./createGatewayService.ts";
export { createRateLimiter, type RateLimitDecision, type RateLimiter } from "./createRateLimiter.ts";
export { type ChatPromptParameters, type ChatPromptReturnType, chatPrompt } from "./inference/chatPrompt.ts";
export type { ChatMessage } from "./inference/renderChatPrompt.ts";
export * from "./llama/index.ts";
export { callUpstream, streamUpstream, type Upstream, type UpstreamAnswer } from "./upstream.ts";
