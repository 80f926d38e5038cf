export { formatAmount, parseAmount, TOKEN_DECIMALS } from "./amounts.ts";
export { registerDeploy } from "./commands/deploy.ts";
export { registerUp } from "./commands/up.ts";
export { ConfigFile, createCliContext, resolveConfig } from "./config.ts";
export { createProgram } from "./program.ts";
