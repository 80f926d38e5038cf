export {
  type CreateGatewayRoutesOptions,
  createGatewayRoutes,
  type OpenAiErrorBody,
  renderChatPrompt,
} from "./createGatewayRoutes.ts";
export {
  API_KEY_PREFIX,
  createGatewayService,
  type GatewayModel,
  type GatewayService,
  type GenerateParameters,
  type RegisterInfinigramModelParameters,
  type SettleParameters,
  type SignedReceipt,
} from "./createGatewayService.ts";
