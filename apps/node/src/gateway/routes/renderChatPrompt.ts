import type { ChatMessage } from "./schemas.ts";

/**
 * Renders chat messages as the ∞-gram's plain-text context (`"User: …\nAssistant:"`).
 *
 * @example
 * renderChatPrompt([{ role: "user", content: "Hi" }]); // "User: Hi\nAssistant:"
 */
export function renderChatPrompt(messages: readonly ChatMessage[]): string {
  const lines = messages.map((m) => {
    const text =
      m.content === null
        ? ""
        : typeof m.content === "string"
          ? m.content
          : m.content.map((p) => p.text).join("");
    const role = m.role === "developer" ? "System" : m.role[0]?.toUpperCase() + m.role.slice(1);
    return `${role}: ${text}`;
  });
  return `${lines.join("\n")}\nAssistant:`;
}
