export {
  type FormatTokenAmountOptions,
  formatTokenAmount,
  groupThousands,
  TokenAmountError,
  type TokenUnit,
} from "./formatTokenAmount.ts";
export { parseTokenAmount } from "./parseTokenAmount.ts";
