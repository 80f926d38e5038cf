import {
  AttributionError,
  TributaryError as CoreError,
  HighSSignatureError,
  IngestError,
  SettlementError,
} from "@tributary/core";
import { TributaryError } from "@tributary/sdk";
import { describe, expect, it } from "vitest";
import { CliError, UsageError } from "../apps/cli/src/output.ts";
import { ApiError } from "../apps/node/src/api/ApiError.ts";
import { VersionError } from "../apps/node/src/datanets/publish/errors.ts";
import { DatanetError } from "../apps/node/src/datanets/upload/errors.ts";
import { UpstreamError } from "../apps/node/src/gateway/upstreamError.ts";
import { OutboundFetchError } from "../apps/node/src/net/fetchLimited.ts";
import { ContentStoreError } from "../apps/node/src/store/errors.ts";
import { ApiError as WebApiError } from "../apps/web/src/api.ts";

/** One error base class across the packages (issue 12, point 10): catch any of them the same way. */
describe("TributaryError: the one error base class", () => {
  const samples: [string, Error][] = [
    [
      "core IngestError",
      new IngestError("INVALID_UTF8", { file: "a.txt", message: "not UTF-8", hint: "Save as UTF-8." }),
    ],
    ["core SettlementError", new SettlementError("INVALID_SPLIT", "bps over 10000", "Lower the split.")],
    ["core AttributionError", new AttributionError("INVALID_PARAMETER", "k < 1", "Use k >= 1.")],
    ["core HighSSignatureError", new HighSSignatureError(2n ** 255n)],
    [
      "sdk TributaryError",
      new TributaryError("contract reverted", { code: "CONTRACT_REVERT", hint: "Check it." }),
    ],
    ["node ApiError", new ApiError(404, "NOT_FOUND", "no such datanet", "List them first.")],
    [
      "node DatanetError",
      new DatanetError(503, "EXTRACTION_BUSY", "busy", "Retry.", { details: { queued: 32 } }),
    ],
    ["node UpstreamError", new UpstreamError("UPSTREAM_TIMEOUT", { detail: "http://x: timeout" })],
    ["node VersionError", new VersionError("VERSION_NOT_FOUND", "no version 9", "Publish it first.")],
    ["node ContentStoreError", new ContentStoreError("STORE_IO", "disk full", "Free some space.")],
    ["node OutboundFetchError", new OutboundFetchError("TIMEOUT", "http://peer", "no answer in 15 s")],
    ["cli CliError", new CliError("no node configured", "Run tributary up.")],
    ["cli UsageError", new UsageError("missing --name", "Pass --name.")],
    ["web ApiError", new WebApiError(429, "RATE_LIMITED", "slow down", "Wait a minute.")],
  ];

  it.each(samples)(
    "%s is a TributaryError with a code, a message and (where it has one) a hint",
    (_, error) => {
      expect(error).toBeInstanceOf(CoreError);
      expect(error).toBeInstanceOf(TributaryError); // the sdk re-exports core's class: one class, not two
      expect(CoreError.is(error)).toBe(true);
      const e = error as CoreError;
      expect(e.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(e.message.length).toBeGreaterThan(0);
      expect(e.shortMessage).toBe(e.message);
      expect(typeof e.retryable).toBe("boolean");
    },
  );

  it("keeps each layer's own fields: retryable by code or status, details, status", () => {
    expect(new DatanetError(503, "EXTRACTION_BUSY", "busy", "Retry.").retryable).toBe(true);
    expect(new DatanetError(409, "DUPLICATE_CONTENT", "dup", "Skip it.").retryable).toBe(false);
    expect(new DatanetError(400, "NO_FILES", "none", "Add one.", { details: { n: 0 } }).details).toEqual({
      n: 0,
    });
    expect(new ContentStoreError("STORE_IO", "io", "x").retryable).toBe(true);
    expect(new UpstreamError("UPSTREAM_TIMEOUT", { detail: "d" }).status).toBe(504);
    expect(new IngestError("EMPTY_FILE", { file: "f", message: "m", hint: "h" }).toJSON()).toEqual({
      code: "EMPTY_FILE",
      message: "m",
      hint: "h",
      file: "f",
    });
  });

  it("`is` recognizes an error from another copy of the class (a worker, a bundle), and nothing else", () => {
    const foreign = Object.assign(new Error("x"), { code: "X" });
    Object.defineProperty(foreign, Symbol.for("tributary.error"), { value: true });
    expect(CoreError.is(foreign)).toBe(true);
    expect(CoreError.is(new Error("plain"))).toBe(false);
    expect(CoreError.is({ code: "X", message: "look-alike" })).toBe(false);
    expect(CoreError.is(null)).toBe(false);
  });
});
