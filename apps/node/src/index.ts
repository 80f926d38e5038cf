export { type AgentView, createAgentRoutes } from "./agents/createAgentRoutes.ts";
export { ApiError, type ApiErrorBody } from "./api/ApiError.ts";
export { type CreateAppParameters, createApp, type Readiness } from "./api/createApp.ts";
export {
  type CreateRouterOptions,
  createRouter,
  defineRoute,
  type HttpMethod,
  type ResponseDoc,
  type RouteDefinition,
  type RouteDoc,
  type RouteInput,
  type Router,
  registerOpenApi,
  routeDocsOf,
} from "./api/defineRoute.ts";
export {
  type CreateJsonLoggerOptions,
  createJsonLogger,
  type LogLevel,
  logRequest,
  type ObservedRequest,
  REQUEST_ID,
  requestObserver,
} from "./api/logger.ts";
export {
  type Counter,
  createMetrics,
  DEFAULT_BUCKETS,
  type Gauge,
  type Histogram,
  type Labels,
  type Metrics,
} from "./api/metrics.ts";
export {
  buildOpenApiDocument,
  type OpenApiDocument,
  type OpenApiInfo,
  openApiPath,
} from "./api/openapi/buildOpenApiDocument.ts";
export { epochsRouteDocs } from "./api/openapi/epochsRouteDocs.ts";
export { gatewayRouteDocs } from "./api/openapi/gatewayRouteDocs.ts";
export { renderDocsPage } from "./api/openapi/renderDocsPage.ts";
export { requireOperator } from "./api/requireOperator.ts";
export * from "./attribution/index.ts";
export type { ChainContext, GatewayConfig, Logger, NodeContext } from "./context/NodeContext.ts";
export { createNode, NODE_VERSION, type NodeConfig, type TributaryNode } from "./createNode.ts";
export * from "./datanets/index.ts";
export * from "./db/index.ts";
export * from "./epochs/index.ts";
export * from "./gateway/index.ts";
export * from "./indexer/index.ts";
export * from "./store/index.ts";
export * from "./training/index.ts";
export { type CreateWebRoutesOptions, createWebRoutes } from "./web/createWebRoutes.ts";
