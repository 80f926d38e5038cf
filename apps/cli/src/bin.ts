import { Command } from "commander";
import { registerDeploy } from "./commands/deploy.ts";
import { registerUp } from "./commands/up.ts";

const program = new Command()
  .name("tributary")
  .description("Tributary: open, verifiable Payable AI. Datanets, proof of attribution, on-chain fee split.")
  .version("0.1.0")
  .showHelpAfterError("(run with --help for usage)");

registerUp(program);
registerDeploy(program);

await program.parseAsync(process.argv);
