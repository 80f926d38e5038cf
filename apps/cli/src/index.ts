export { registerDeploy } from "./commands/deploy.ts";
export { registerUp } from "./commands/up.ts";
