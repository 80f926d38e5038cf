// The one place this folder reaches into @tributary/core's attribution and tokenizer modules. They are not
// yet exported from the package index (packages/core/src/index.ts); once they are, this file becomes
// `export * from "@tributary/core";`.
export * from "../../../../packages/core/src/attribution/index.ts";
export * from "../../../../packages/core/src/tokenizer/index.ts";
