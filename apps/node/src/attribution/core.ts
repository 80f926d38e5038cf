// The pure attribution engine and tokenizer, re-exported for the node's attribution routes and store.
export * from "@tributary/core";
