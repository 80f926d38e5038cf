// Test-only child process: builds the Moby-Dick index, attributes one text, prints canonical JSON.
import { createTokenizer } from "../../tokenizer/createTokenizer.ts";
import { attributeSpans } from "../attributeSpans.ts";
import { buildIndex } from "../buildIndex.ts";
import { canonicalJson } from "../canonicalJson.ts";
import { decodeIndex } from "../decodeIndex.ts";
import { encodeIndex } from "../encodeIndex.ts";
import { mobyDickChapters } from "./mobyDick.ts";

const tokenizer = createTokenizer();
const built = buildIndex({ tokenizer, documents: mobyDickChapters() });
const { index } = await decodeIndex((await encodeIndex(built)).bytes);
const text = process.argv[2] as string;
process.stdout.write(canonicalJson(attributeSpans({ index, tokenizer, text, minTokens: 6, maxCount: 20 })));
