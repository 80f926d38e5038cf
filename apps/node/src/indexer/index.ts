export {
  type CreateIndexerParameters,
  createIndexer,
  type Indexer,
  type SyncResult,
} from "./createIndexer.ts";
export { contributionStatusNames, datanetHandlers } from "./handlers/datanets.ts";
export {
  currentModelTerms,
  type ModelTerms,
  modelHandlers,
  modelTermsHistory,
} from "./handlers/models.ts";
export {
  getPayerState,
  listPayers,
  type PayerState,
  settlementHandlers,
} from "./handlers/settlement.ts";
export { argsFromJson, argsToJson } from "./jsonArgs.ts";
export type { IndexedContract, IndexedLog, LogHandler } from "./types.ts";
