import { ApiError } from "../api/ApiError.ts";

/**
 * A node URL in one spelling: `http(s)://host[:port][/path]`, host lower case, default port dropped, no trailing
 * slash; `undefined` for anything else (other schemes, credentials, a query or a fragment).
 */
export function normalizeNodeUrl(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return undefined;
  if (u.username || u.password || u.search || u.hash) return undefined;
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
}

/**
 * Checks that `nodeURL`, given by a caller, is one of this node's configured peers, before anything is fetched
 * from it: the only URLs a caller can make this node download from are those its operator listed.
 *
 * @throws {ApiError} 400 `INVALID_NODE_URL` (not an http(s) URL), 403 `NODE_URL_NOT_A_PEER`.
 * @returns The peer's URL as configured.
 */
export function requirePeerUrl(nodeURL: string, peers: readonly string[]): string {
  const wanted = normalizeNodeUrl(nodeURL);
  if (!wanted) {
    throw new ApiError(
      400,
      "INVALID_NODE_URL",
      "nodeURL is not an http(s) URL without credentials, query or fragment",
      "Pass the base URL of a fellow attestor's node, e.g. https://node-b.example.",
    );
  }
  const peer = peers.find((p) => normalizeNodeUrl(p) === wanted);
  if (!peer) {
    throw new ApiError(
      403,
      "NODE_URL_NOT_A_PEER",
      `${wanted} is not one of this node's peers`,
      "This node downloads only from the peers its operator configured (tributary node --peers); ask the operator to add it.",
    );
  }
  return peer;
}
