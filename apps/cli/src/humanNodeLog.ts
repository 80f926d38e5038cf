import { red, yellow } from "./output.ts";

/**
 * One line of the node's log in `tributary up`'s human format, or undefined for lines it leaves out. A failed
 * request (4xx/5xx) prints its method, path, status, error code and message and its request id (the
 * `X-Request-Id` the client got), so the person at the terminal sees why a call failed and can find it in a
 * client's report; other errors print their message, the error's message and the request id when they have one.
 *
 * @example
 * formatHumanNodeLog("info", "http request", { method: "POST", path: "/v1/claims", status: 409, errorCode: "CLAIM_IN_FLIGHT", errorMessage: "…", requestId: "r1" });
 * // "node: POST /v1/claims → 409 CLAIM_IN_FLIGHT: … (request id r1)"
 */
export function formatHumanNodeLog(
  level: string,
  message: string,
  fields: Record<string, unknown> = {},
): string | undefined {
  const rid = typeof fields.requestId === "string" ? ` (request id ${fields.requestId})` : "";
  const status = typeof fields.status === "number" ? fields.status : undefined;
  if (message === "http request" && status !== undefined) {
    if (status < 400) return undefined;
    const error =
      typeof fields.errorCode === "string"
        ? ` ${fields.errorCode}: ${String(fields.errorMessage ?? "")}`
        : "";
    const tag = status >= 500 ? red("node:") : yellow("node:");
    return `${tag} ${String(fields.method)} ${String(fields.path)} → ${status}${error}${rid}`;
  }
  if (level !== "error") return undefined;
  const cause = fields.error as { message?: unknown } | string | undefined;
  const detail =
    typeof cause === "string" ? `: ${cause}` : typeof cause?.message === "string" ? `: ${cause.message}` : "";
  return `${red("node:")} ${message}${detail}${rid}`;
}
