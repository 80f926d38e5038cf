/**
 * The public form of an upstream URL: scheme, host (with port) and path only. User info (`user:pass@`), the
 * query (`?api_key=…`) and the fragment are dropped, since operators put credentials there; a string that
 * does not parse as a URL gives `"[redacted]"` rather than itself.
 *
 * @example
 * redactUrl("https://bob:s3cret@llm.example:8443/v1?token=abc"); // "https://llm.example:8443/v1"
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === "/" && !url.endsWith("/") ? "" : u.pathname}`;
  } catch {
    return "[redacted]";
  }
}
