import {
  type AttributionIndex,
  documentOf,
  findSuffixRange,
  longestPrefixMatch,
  saAt,
  type Tokenizer,
} from "@tributary/core";
import { type ChatMessage, messageText, renderChatPrompt } from "./renderChatPrompt.ts";

/** Tokens of the last user message searched for a focus (its end: questions put the topic last). */
const MAX_QUESTION_TOKENS = 256;
/** Tokens of corpus text before the answer's start given to the ∞-gram as the passage. */
const PASSAGE_TOKENS = 32;
/** The answer starts at the focus's sentence, at most this many tokens before the focus. */
const LEAD_TOKENS = 16;
/** Longest context the ∞-gram looks at (its `MAX_CONTEXT`). */
const MAX_CONTEXT = 1024;
/** The end of every rendered chat. */
const TEMPLATE_TAIL = "\nAssistant:";
const WORD = /[\p{L}\p{N}]/u;
const WORD_END = /[\p{L}\p{N}]$/u;
const WORD_START = /^[\p{L}\p{N}]/u;
const LONG_WORD = /[\p{L}\p{N}]{3}/u;
const SENTENCE_END = /[.!?]["')\]]*\s*$/;

/** Parameters of {@link chatPrompt}. */
export type ChatPromptParameters = {
  /** The index the ∞-gram generates from (the model's trained-on versions). */
  index: AttributionIndex;
  tokenizer: Tokenizer;
  messages: readonly ChatMessage[];
};

/** The ∞-gram's input for a chat and the rule that made it. */
export type ChatPromptReturnType = {
  prompt: string;
  /** `template`: the rendered chat as is; `passage`: followed by the corpus text before the focus; `focus`: followed by the focus. */
  rule: "template" | "passage" | "focus";
  /** The run of the last user message the answer is about (not for `template`). */
  focus?: string;
};

type Span = { start: number; end: number };

/** Whether the corpus holds the end of the rendered chat reaching into the words of its last message. */
function templateReachesQuestion(
  index: AttributionIndex,
  tokens: Uint16Array,
  tokenizer: Tokenizer,
): boolean {
  const n = tokens.length;
  const occurs = (d: number) => {
    const r = findSuffixRange(index, { pattern: tokens, from: n - d, to: n });
    return r.end > r.start;
  };
  let lo = 0;
  let hi = Math.min(n, MAX_CONTEXT);
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (occurs(mid)) lo = mid;
    else hi = mid - 1;
  }
  const suffix = tokenizer.decode(tokens.subarray(n - lo));
  return suffix.endsWith(TEMPLATE_TAIL) && WORD.test(suffix.slice(0, -TEMPLATE_TAIL.length));
}

/** Token texts, decoded once per id. */
function textsOf(tokenizer: Tokenizer): (token: number) => string {
  const texts = new Map<number, string>();
  return (token) => {
    let text = texts.get(token);
    if (text === undefined) {
      text = tokenizer.decode([token]);
      texts.set(token, text);
    }
    return text;
  };
}

/** Whether a word boundary lies before `tokens[at]` (or the slice ends there). */
function boundaryAt(
  tokens: ArrayLike<number>,
  at: number,
  from: number,
  to: number,
  text: (t: number) => string,
) {
  if (at <= from || at >= to) return true;
  return !(WORD_END.test(text(tokens[at - 1] as number)) && WORD_START.test(text(tokens[at] as number)));
}

/**
 * The run of whole words of `tokens` found in the corpus with the most content tokens (ties: longer, then
 * later), holding a word of 3 letters or digits at least (a stray syllable is no topic).
 */
function focusOf(index: AttributionIndex, tokens: Uint16Array, tokenizer: Tokenizer): Span | undefined {
  const content = tokenizer.contentTokens();
  const text = textsOf(tokenizer);
  const n = tokens.length;
  let best: (Span & { words: number }) | undefined;
  for (let start = 0; start < n; start++) {
    if (content[tokens[start] as number] !== 1 || !boundaryAt(tokens, start, 0, n, text)) continue;
    let end = start + longestPrefixMatch(index, { pattern: tokens, from: start, to: n });
    while (end > start && (content[tokens[end - 1] as number] !== 1 || !boundaryAt(tokens, end, 0, n, text)))
      end--;
    let words = 0;
    for (let i = start; i < end; i++) words += content[tokens[i] as number] as number;
    if (words === 0 || !LONG_WORD.test(tokenizer.decode(tokens.subarray(start, end)))) continue;
    // Starts ascend: an equal run later wins.
    if (!best || words > best.words || (words === best.words && end - start >= best.end - best.start))
      best = { start, end, words };
  }
  return best;
}

/**
 * The corpus text before the focus's first occurrence (lowest position) that has text before it in its
 * document: the answer starts at the focus's sentence (at most `LEAD_TOKENS` before the focus), and the
 * passage is up to `PASSAGE_TOKENS` tokens before that start.
 */
function passageBefore(index: AttributionIndex, focus: Uint16Array, tokenizer: Tokenizer): Span | undefined {
  const range = findSuffixRange(index, { pattern: focus, from: 0, to: focus.length });
  const text = textsOf(tokenizer);
  const endsSentence = (token: number) => SENTENCE_END.test(text(token));
  let best: Span | undefined;
  for (let i = range.start; i < range.end; i++) {
    const pos = saAt(index.suffixArray, i);
    const docStart = index.docStarts[documentOf(index, pos)] as number;
    let start = pos;
    while (start > docStart && pos - start < LEAD_TOKENS && !endsSentence(index.tokens[start - 1] as number))
      start--;
    // The answer starts on a word (not inside the word the lead stopped in).
    while (start < pos && !boundaryAt(index.tokens, start, docStart, pos, text)) start++;
    if (start === docStart) continue; // nothing before it to condition on
    if (!best || start < best.end) best = { start: Math.max(docStart, start - PASSAGE_TOKENS), end: start };
  }
  return best;
}

/**
 * The ∞-gram's input for a chat request. The ∞-gram continues the longest suffix of its input found in the
 * corpus, so the plain template (`"User: …\nAssistant:"`) over a corpus of prose leaves it only the final `:`
 * and every question gets the same answer. The rule, deterministic (a function of the messages and the index):
 *
 * 1. `template`: the corpus holds the end of the rendered chat reaching into the words of the last message (a
 *    corpus of dialogues): the rendered chat as is, the ∞-gram continues the conversation.
 * 2. Otherwise the **focus**: the run of whole words of the last user message found in the corpus with the
 *    most content tokens (letters or digits), starting and ending on one and holding a word of 3 letters or
 *    digits at least; ties go to the longer run, then the later.
 * 3. `passage`: the focus's first occurrence in the corpus with text before it in its document; the input is
 *    the rendered chat, a newline and the up to 32 tokens of corpus text before the answer's start: the focus's
 *    sentence, or the first word boundary at most 16 tokens before the focus. The ∞-gram continues that passage: the answer is the corpus sentence that
 *    holds the focus, every token still drawn from the index with its exact attribution.
 * 4. `focus`: no such occurrence: the rendered chat followed by the focus; the ∞-gram continues it.
 * 5. No user message, or none of its words in the corpus: `template`.
 *
 * The input is the receipt's (hashed, priced, stored), so the verifier re-runs the same generation from it.
 *
 * @example
 * chatPrompt({ index, tokenizer, messages: [{ role: "user", content: "Who is Queequeg?" }] });
 * // { rule: "passage", focus: " Queequeg", prompt: "User: Who is Queequeg?\nAssistant:\n…text before the sentence" }
 */
export function chatPrompt({ index, tokenizer, messages }: ChatPromptParameters): ChatPromptReturnType {
  const rendered = renderChatPrompt(messages);
  const template = { prompt: rendered, rule: "template" as const };
  const last = [...messages].reverse().find((m) => m.role === "user");
  if (!last) return template;
  if (templateReachesQuestion(index, tokenizer.encode(rendered), tokenizer)) return template;
  const all = tokenizer.encode(messageText(last));
  const question = all.subarray(Math.max(0, all.length - MAX_QUESTION_TOKENS));
  const span = focusOf(index, question, tokenizer);
  if (!span) return template;
  const focusTokens = question.subarray(span.start, span.end);
  const focus = tokenizer.decode(focusTokens);
  const passage = passageBefore(index, focusTokens, tokenizer);
  if (passage) {
    const text = tokenizer.decode(index.tokens.subarray(passage.start, passage.end));
    return { prompt: `${rendered}\n${text}`, rule: "passage", focus };
  }
  // Appended as is: the input then ends with the focus's own tokens (the tokenizer splits the template's ":"
  // from the words that follow, and the focus keeps its leading space if it has one).
  return { prompt: `${rendered}${focus}`, rule: "focus", focus };
}
