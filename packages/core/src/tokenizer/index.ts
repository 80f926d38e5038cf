export type { Tokenizer } from "./createTokenizer.ts";
export { createTokenizer, TOKENIZER_NAME, TOKENIZER_VOCAB_SIZE } from "./createTokenizer.ts";
