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
  // An explicit stack, not recursion: a deeply nested body cannot overflow the call stack. Paths are built only
  // for the string that fails (from parent links), so a large well-formed body costs one pass and no strings.
  type Item = { value: unknown; parent: Item | undefined; key: string | number | undefined };
  const pathOf = (item: Item): string => {
    const keys: (string | number)[] = [];
    for (let at: Item | undefined = item; at?.key !== undefined; at = at.parent) keys.push(at.key);
    let out = path;
    keys.reverse();
    // A path through a deeply nested body is cut short: the message names where, not every level.
    if (keys.length > MAX_PATH_KEYS) keys.splice(MAX_PATH_KEYS / 2, keys.length - MAX_PATH_KEYS, "…");
    for (const key of keys) {
      if (key === "…") out += "…";
      else if (typeof key === "number") out += `[${key}]`;
      else if (/^[A-Za-z_$][\w$]*$/.test(key)) out += `${out ? "." : ""}${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
    return out || "(value)";
  };
  const stack: Item[] = [{ value, parent: undefined, key: undefined }];
  while (stack.length > 0) {
    const item = stack.pop() as Item;
    const v = item.value;
    if (typeof v === "string") {
      if (!isWellFormedText(v)) return pathOf(item);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], parent: item, key: i });
    } else if (v !== null && typeof v === "object") {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        if (!isWellFormedText(key)) return `${pathOf(item)} (a key)`;
        stack.push({ value: (v as Record<string, unknown>)[key], parent: item, key });
      }
    }
  }
  return undefined;
}

/** Keys of a JSON path shown at most (the first and last half). */
const MAX_PATH_KEYS = 32;

/** A JSON escape of a UTF-16 surrogate (`\ud800`..`\udfff`, any case). */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * Refuses a request value holding ill-formed Unicode text: 400 `INVALID_TEXT` naming the JSON path. Every
 * string a node hashes or stores comes from a caller through one of the body readers (`defineRoute`, the
 * gateway's and the epochs' JSON readers, `readMultipart`), which all call this, so no route can forget.
 *
 * @param where what the value is (`body`, `query`, `path`, `form`), for the message.
 * @param jsonText the JSON text `value` was parsed from, when it was: decoded from UTF-8 it is well-formed
 *   itself, so a lone surrogate can only come from a `\uD800`-`\uDFFF` escape; without one, the walk is skipped
 *   (one regex scan instead of a pass over every value).
 * @throws {ApiError} 400 `INVALID_TEXT`.
 * @example
 * requireWellFormed(JSON.parse(raw), "body", raw);
 */
export function requireWellFormed(value: unknown, where: string, jsonText?: string): void {
  if (jsonText !== undefined && isWellFormedText(jsonText) && !SURROGATE_ESCAPE.test(jsonText)) return;
  const path = findIllFormedText(value);
  if (path === undefined) return;
  throw new ApiError(
    400,
    "INVALID_TEXT",
    `the request ${where} holds text that is not well-formed Unicode at ${path} (a lone UTF-16 surrogate such as "\\udc00")`,
    "Send well-formed UTF-8 (in JSON, a \\uD800-\\uDFFF escape only as half of a surrogate pair); nothing was changed.",
  );
}
