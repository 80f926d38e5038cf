import type { JsonValue } from "./types.ts";

/** The result of {@link renderJsonlRow}: the text and which fields it consumed, or why the row has no known shape. */
export type RenderJsonlRowResult =
  | { ok: true; shape: "text" | "instruction" | "messages"; text: string; consumed: readonly string[] }
  | { ok: false; reason: string };

function isRecord(v: unknown): v is Record<string, JsonValue> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Message content: a string, or OpenAI-style parts `[{ type: "text", text }]` joined with `\n`. */
function messageContent(content: unknown): string | undefined {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return undefined;
  const parts: string[] = [];
  for (const part of content) {
    if (!isRecord(part) || part.type !== "text" || typeof part.text !== "string") return undefined;
    parts.push(part.text);
  }
  return parts.join("\n");
}

/**
 * Renders one JSONL row to the canonical text of its document. The first matching shape wins:
 *
 * 1. `{ "text": string }` → the text as is.
 * 2. `{ "instruction": string, "input"?: string, "output" | "response": string }` →
 *    `"### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n{output}"`
 *    (the Input section is left out when `input` is absent or blank).
 * 3. `{ "messages": [{ "role": string, "content": string | [{type:"text",text}] }, …] }` → for each message
 *    `"### {role}:\n{content}"`, joined with `"\n\n"`; roles are single-line and non-empty.
 *
 * The caller normalizes the result; fields not consumed go to the document's metadata.
 *
 * @example
 * renderJsonlRow({ instruction: "Add", input: "2+2", output: "4" });
 * // { ok: true, shape: "instruction", text: "### Instruction:\nAdd\n\n### Input:\n2+2\n\n### Response:\n4", … }
 */
export function renderJsonlRow(row: unknown): RenderJsonlRowResult {
  if (!isRecord(row)) {
    const got = Array.isArray(row) ? "an array" : row === null ? "null" : `a ${typeof row}`;
    return { ok: false, reason: `the row is ${got}, not a JSON object` };
  }
  if ("text" in row) {
    if (typeof row.text !== "string")
      return { ok: false, reason: `"text" is ${typeof row.text}, not a string` };
    return { ok: true, shape: "text", text: row.text, consumed: ["text"] };
  }
  if ("instruction" in row) {
    const { instruction, input } = row;
    const outputKey = "output" in row ? "output" : "response" in row ? "response" : undefined;
    const output = outputKey === undefined ? undefined : row[outputKey];
    if (typeof instruction !== "string") return { ok: false, reason: '"instruction" is not a string' };
    if (typeof output !== "string")
      return { ok: false, reason: 'an instruction row needs a string "output" (or "response")' };
    if (input !== undefined && input !== null && typeof input !== "string") {
      return { ok: false, reason: '"input" is not a string' };
    }
    const sections = [`### Instruction:\n${instruction}`];
    if (typeof input === "string" && input.trim() !== "") sections.push(`### Input:\n${input}`);
    sections.push(`### Response:\n${output}`);
    const consumed = ["instruction", outputKey!];
    if ("input" in row) consumed.push("input");
    return { ok: true, shape: "instruction", text: sections.join("\n\n"), consumed };
  }
  if ("messages" in row) {
    const { messages } = row;
    if (!Array.isArray(messages) || messages.length === 0) {
      return { ok: false, reason: '"messages" must be a non-empty array of { role, content }' };
    }
    const rendered: string[] = [];
    for (const [i, m] of messages.entries()) {
      if (!isRecord(m)) return { ok: false, reason: `messages[${i}] is not an object` };
      if (typeof m.role !== "string" || m.role.trim() === "" || /[\r\n]/.test(m.role)) {
        return { ok: false, reason: `messages[${i}].role must be a non-empty single-line string` };
      }
      const content = messageContent(m.content);
      if (content === undefined) {
        return { ok: false, reason: `messages[${i}].content must be a string or an array of text parts` };
      }
      rendered.push(`### ${m.role.trim()}:\n${content}`);
    }
    return { ok: true, shape: "messages", text: rendered.join("\n\n"), consumed: ["messages"] };
  }
  const keys = Object.keys(row);
  return {
    ok: false,
    reason: `no "text", "instruction" or "messages" field (fields: ${keys.length === 0 ? "none" : keys.join(", ")})`,
  };
}
