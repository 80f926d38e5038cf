/**
 * Generated `as const` ABIs and creation bytecode of the Tributary contracts.
 * Regenerate with `npm run build:contracts`; never edit by hand.
 */
export * from "./generated/index.ts";
