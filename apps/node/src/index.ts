export { ApiError, type ApiErrorBody } from "./api/ApiError.ts";
export { type CreateAppParameters, createApp } from "./api/createApp.ts";
export * from "./attribution/index.ts";
export type { ChainContext, Logger, NodeContext } from "./context/NodeContext.ts";
export { createNode, type NodeConfig, type TributaryNode } from "./createNode.ts";
export * from "./datanets/index.ts";
export * from "./db/index.ts";
export * from "./indexer/index.ts";
export * from "./store/index.ts";
