/** Serializes decoded event args to JSON with bigints as `{"$n":"123"}`, and back, losslessly. */
export function argsToJson(args: unknown): string {
  return JSON.stringify(args, (_k, v) => (typeof v === "bigint" ? { $n: v.toString() } : v));
}

/** Inverse of {@link argsToJson}. */
export function argsFromJson(text: string): Record<string, unknown> {
  return JSON.parse(text, (_k, v) =>
    v !== null &&
    typeof v === "object" &&
    typeof (v as { $n?: unknown }).$n === "string" &&
    Object.keys(v).length === 1
      ? BigInt((v as { $n: string }).$n)
      : v,
  ) as Record<string, unknown>;
}
