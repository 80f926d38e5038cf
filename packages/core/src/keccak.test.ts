import { keccak_256 } from "@noble/hashes/sha3";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keccak256 } from "./keccak.ts";

describe("keccak256", () => {
  it("equals @noble/hashes keccak_256 on random inputs of every length up to 300 bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(keccak256(data)).toEqual(keccak_256(data));
      }),
      { numRuns: 2000 },
    );
  });
  it("gives the known empty-input digest", () => {
    expect(Buffer.from(keccak256(new Uint8Array())).toString("hex")).toBe(
      "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    );
  });
});
