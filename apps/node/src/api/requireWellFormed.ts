import { ApiError } from "./ApiError.ts";

/** ES2024's well-formed string methods (Node 20 has them; the TypeScript lib of this repo is ES2023). */
type WellFormedString = { isWellFormed(): boolean; toWellFormed(): string };

/**
 * Whether `text` is well-formed Unicode: no lone UTF-16 surrogate (`String.prototype.isWellFormed`).
 *
 * @example
 * isWellFormedText("\ud83d\udc33"); // true
 * isWellFormedText("\udc00"); // false
 */
export function isWellFormedText(text: string): boolean {
  return (text as unknown as WellFormedString).isWellFormed();
}

/**
 * `text` with every lone surrogate replaced by U+FFFD (`String.prototype.toWellFormed`): what upstream model
 * outputs become before they are hashed, stored or sent.
 *
 * @example
 * toWellFormedText("a\udc00"); // "a\ufffd"
 */
export function toWellFormedText(text: string): string {
  return (text as unknown as WellFormedString).toWellFormed();
}

/**
 * The JSON path (`messages[0].content`, `metadata["k"]`, or `(value)`) of the first string, or object key,
 * in `value` that is not well-formed Unicode (a lone UTF-16 surrogate, which `JSON.parse` lets through from a
 * `"\udc00"` escape); undefined when every string is well-formed.
 *
 * Such a string is hashed one way (UTF-8 with U+FFFD) and stored another way (SQLite keeps the surrogate's
 * three bytes, read back as replacement characters), so a receipt over it can never be verified.
 *
 * @example
 * findIllFormedText({ messages: [{ content: "hi\udc00" }] }); // "messages[0].content"
 */
export function findIllFormedText(value: unknown, path = ""): string | undefined {
  // An explicit stack, not recursion: a deeply nested body cannot overflow the call stack.
  const stack: { value: unknown; path: string }[] = [{ value, path }];
  while (stack.length > 0) {
    const item = stack.pop() as { value: unknown; path: string };
    const v = item.value;
    if (typeof v === "string") {
      if (!isWellFormedText(v)) return item.path || "(value)";
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push({ value: v[i], path: `${item.path}[${i}]` });
      }
    } else if (v !== null && typeof v === "object") {
      const entries = Object.entries(v as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i] as [string, unknown];
        const at = /^[A-Za-z_$][\w$]*$/.test(key)
          ? `${item.path ? `${item.path}.` : ""}${key}`
          : `${item.path}[${JSON.stringify(key)}]`;
        if (!isWellFormedText(key)) return `${item.path || "(value)"} (a key)`;
        stack.push({ value: child, path: at });
      }
    }
  }
  return undefined;
}

/**
 * Refuses a request value holding ill-formed Unicode text: 400 `INVALID_TEXT` naming the JSON path. Every
 * string a node hashes or stores comes from a caller through one of the body readers (`defineRoute`, the
 * gateway's and the epochs' JSON readers, `readMultipart`), which all call this, so no route can forget.
 *
 * @param where what the value is (`body`, `query`, `params`, `form field`), for the message.
 * @throws {ApiError} 400 `INVALID_TEXT`.
 * @example
 * requireWellFormed(JSON.parse(raw), "body");
 */
export function requireWellFormed(value: unknown, where: string): void {
  const path = findIllFormedText(value);
  if (path === undefined) return;
  throw new ApiError(
    400,
    "INVALID_TEXT",
    `the request ${where} holds text that is not well-formed Unicode at ${path} (a lone UTF-16 surrogate such as "\\udc00")`,
    "Send well-formed UTF-8 (in JSON, a \\uD800-\\uDFFF escape only as half of a surrogate pair); nothing was changed.",
  );
}
