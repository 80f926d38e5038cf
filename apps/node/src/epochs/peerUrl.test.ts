import { describe, expect, it } from "vitest";
import { ApiError } from "../api/ApiError.ts";
import { normalizeNodeUrl, requirePeerUrl } from "./peerUrl.ts";

describe("peer URLs", () => {
  it("spells a node URL one way", () => {
    expect(normalizeNodeUrl("HTTP://Node-B.example:80/")).toBe("http://node-b.example");
    expect(normalizeNodeUrl("https://node-b.example:443/tributary//")).toBe(
      "https://node-b.example/tributary",
    );
    expect(normalizeNodeUrl("http://127.0.0.1:8787")).toBe("http://127.0.0.1:8787");
    for (const bad of [
      "data:text/plain,x",
      "file:///etc/passwd",
      "javascript:alert(1)",
      "http://user:pw@node-b.example",
      "http://node-b.example/?a=1",
      "http://node-b.example/#x",
      "not a url",
    ]) {
      expect(normalizeNodeUrl(bad), bad).toBeUndefined();
    }
  });

  it("accepts only a configured peer, in any spelling of it", () => {
    const peers = ["http://127.0.0.1:8787/", "https://node-c.example"];
    expect(requirePeerUrl("http://127.0.0.1:8787", peers)).toBe("http://127.0.0.1:8787/");
    expect(requirePeerUrl("HTTPS://NODE-C.example:443/", peers)).toBe("https://node-c.example");
    const refused = (url: string) => {
      try {
        requirePeerUrl(url, peers);
      } catch (error) {
        return error as ApiError;
      }
      throw new Error(`${url} was accepted`);
    };
    expect(refused("http://127.0.0.1:8788")).toMatchObject({ status: 403, code: "NODE_URL_NOT_A_PEER" });
    expect(refused("http://localhost:8787")).toMatchObject({ status: 403, code: "NODE_URL_NOT_A_PEER" });
    expect(refused("https://127.0.0.1:8787")).toMatchObject({ status: 403 });
    expect(refused("data:application/json,{}")).toMatchObject({ status: 400, code: "INVALID_NODE_URL" });
    expect(refused("data:application/json,{}")).toBeInstanceOf(ApiError);
  });
});
