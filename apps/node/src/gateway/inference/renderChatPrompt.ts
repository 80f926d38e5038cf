/** A chat message as the chat route accepts it (OpenAI's text content: a string, text parts, or null). */
export type ChatMessage = {
  role: "system" | "developer" | "user" | "assistant" | "tool";
  content: string | readonly { type: "text"; text: string }[] | null;
};

/** The text of a message's content (text parts joined; "" for null). */
export function messageText(m: ChatMessage): string {
  return m.content === null
    ? ""
    : typeof m.content === "string"
      ? m.content
      : m.content.map((p) => p.text).join("");
}

/**
 * Renders chat messages as plain text (`"User: …\nAssistant:"`): the receipt's input of a chat request to an
 * external model, and the start of the ∞-gram's input (see `chatPrompt`).
 *
 * @example
 * renderChatPrompt([{ role: "user", content: "Hi" }]); // "User: Hi\nAssistant:"
 */
export function renderChatPrompt(messages: readonly ChatMessage[]): string {
  const lines = messages.map((m) => {
    const role = m.role === "developer" ? "System" : m.role[0]?.toUpperCase() + m.role.slice(1);
    return `${role}: ${messageText(m)}`;
  });
  return `${lines.join("\n")}\nAssistant:`;
}
