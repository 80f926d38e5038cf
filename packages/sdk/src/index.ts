export * from "./actions/registries.ts";
export * from "./actions/settlement.ts";
export {
  createTributaryClient,
  readContract,
  type TributaryAddresses,
  type TributaryClient,
  type WriteResult,
  writeContractAndWait,
} from "./client.ts";
export { ContractRevertError, toTributaryError } from "./errors/ContractRevertError.ts";
export { type RevertHint, revertHints } from "./errors/hints/index.ts";
export { TributaryError, type TributaryErrorParameters } from "./errors/TributaryError.ts";
export * from "./node/index.ts";
