/**
 * Polls `read` every 100 ms until `ok` holds, for at most `timeoutMs` (default 20 s); throws naming `what`.
 *
 * @example
 * await eventually(() => api.listContributions(id, { status: "Pending" }), (p) => p.items.length === 2, "pending");
 */
export async function eventually<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
