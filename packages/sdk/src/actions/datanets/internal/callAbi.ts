import { datanetRegistryAbi, tributaryTokenAbi } from "@tributary/abi";

/**
 * DatanetRegistry's ABI plus the ERC20 errors of the stake token. Stake transfers revert inside the token
 * (`ERC20InsufficientAllowance`, `ERC20InsufficientBalance`) and the registry bubbles those errors up unchanged;
 * without their definitions the SDK could not decode them into a `ContractRevertError` with a hint.
 */
export const datanetRegistryCallAbi = [
  ...datanetRegistryAbi,
  ...tributaryTokenAbi.filter((item) => item.type === "error" && item.name.startsWith("ERC20")),
] as const;
