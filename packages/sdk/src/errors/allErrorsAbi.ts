import {
  agentRegistryAbi,
  datanetRegistryAbi,
  modelRegistryAbi,
  settlementAbi,
  tributaryTokenAbi,
} from "@tributary/abi";
import type { Abi } from "viem";

/**
 * Every custom error any Tributary contract can raise, once each. A revert that bubbles up from
 * another contract (the token inside a stake transfer, say) is decoded with this when the called
 * contract's own ABI does not know the selector.
 */
export const allErrorsAbi: Abi = (() => {
  const seen = new Set<string>();
  const out: Abi[number][] = [];
  for (const abi of [
    settlementAbi,
    datanetRegistryAbi,
    modelRegistryAbi,
    agentRegistryAbi,
    tributaryTokenAbi,
  ] as Abi[]) {
    for (const item of abi) {
      if (item.type !== "error") continue;
      const key = `${item.name}(${item.inputs.map((i) => i.type).join(",")})`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(item);
    }
  }
  return out;
})();
