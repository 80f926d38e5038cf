import { randomBytes } from "node:crypto";
import { isLowS, toLowS } from "@tributary/core";
import { bytesToHex, type Hex, recoverAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { createNativeSigner } from "./createNativeSigner.ts";

describe("createNativeSigner", () => {
  it("signs like viem's local account (low s, v 27/28) and the signature recovers the key's address", async () => {
    const key = bytesToHex(randomBytes(32));
    const account = privateKeyToAccount(key);
    const sign = createNativeSigner(key);
    expect(sign, "libsecp256k1's binding should load here").toBeDefined();
    for (let i = 0; i < 64; i++) {
      const digest = bytesToHex(randomBytes(32)) as Hex;
      const signature = sign!(digest);
      expect(isLowS(signature)).toBe(true);
      expect(signature).toBe(toLowS(await account.sign({ hash: digest })));
      expect(await recoverAddress({ hash: digest, signature })).toBe(account.address);
    }
  });
});
