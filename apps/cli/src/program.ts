import { Command } from "commander";
import { registerAccount } from "./commands/account.ts";
import { registerDatanet } from "./commands/datanet.ts";
import { registerDeploy } from "./commands/deploy.ts";
import { registerEpochs } from "./commands/epochs.ts";
import { registerInfer } from "./commands/infer.ts";
import { registerAgentCommands, registerModel } from "./commands/models.ts";
import { registerNode } from "./commands/node.ts";
import { registerKeys, registerPayer } from "./commands/payer.ts";
import { registerUp } from "./commands/up.ts";

/**
 * The `tributary` command with every subcommand. Usage errors (unknown option, missing argument) exit
 * with code 2, failures with 1, success with 0.
 *
 * @example
 * await createProgram().parseAsync(process.argv);
 */
export function createProgram(): Command {
  const program = new Command()
    .name("tributary")
    .description(
      "Tributary: open, verifiable Payable AI. Datanets, proof of attribution, on-chain fee split.",
    )
    .version("0.1.0")
    // Program options only before the subcommand: `model register --version 1` is the model's version, not
    // the program's `--version`.
    .enablePositionalOptions()
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride((err) => {
      const ok = err.code === "commander.helpDisplayed" || err.code === "commander.version";
      process.exit(ok ? 0 : 2);
    });
  registerUp(program);
  registerDeploy(program);
  registerNode(program);
  registerDatanet(program);
  registerModel(program);
  registerAgentCommands(program);
  registerInfer(program);
  registerEpochs(program);
  registerPayer(program);
  registerKeys(program);
  registerAccount(program);
  return program;
}
