import { AttributionError } from "./errors.ts";

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, bigints as decimal strings, `undefined`
 * members omitted. The same value always gives the same bytes, which is what makes attribution results
 * comparable across machines and processes.
 *
 * @example
 * canonicalJson({ b: 1n, a: [2, "x"] }); // '{"a":[2,"x"],"b":"1"}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "bigint":
      return `"${value.toString()}"`;
    case "number":
      if (!Number.isFinite(value)) {
        throw new AttributionError("INVALID_PARAMETER", `cannot serialize ${value}`, "Use finite numbers.");
      }
      return JSON.stringify(value);
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(",")}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    default:
      throw new AttributionError(
        "INVALID_PARAMETER",
        `cannot serialize a ${typeof value}`,
        "Pass plain data.",
      );
  }
}
