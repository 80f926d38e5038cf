export {
  AttributionRequest,
  type CreateAttributionRoutesParameters,
  createAttributionRoutes,
  type LoadIndex,
} from "./createAttributionRoutes.ts";
export {
  type CreateIndexFileStoreParameters,
  createIndexFileStore,
  type IndexFileStore,
} from "./createIndexFileStore.ts";
