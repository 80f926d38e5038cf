import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decryptKeystore, encryptKeystore, privateKeyFromEnv } from "./keystore.ts";

// The test vector of the Web3 Secret Storage definition (PBKDF2 variant), password "testpassword".
const specVector = `{"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},"ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2","kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},"mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},"id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}`;
const specKey = "0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";

describe("keystore", () => {
  it("decrypts the Web3 Secret Storage test vector", () => {
    expect(decryptKeystore(specVector, "testpassword")).toBe(specKey);
  });

  it("writes v3 keystores that it (and any v3 reader) decrypts back", () => {
    const { json, address } = encryptKeystore(specKey, "pw", { scryptN: 4096 });
    expect(address).toBe("0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b");
    expect(json).toMatchObject({ version: 3, crypto: { kdf: "scrypt", kdfparams: { n: 4096, r: 8, p: 1 } } });
    expect(decryptKeystore(JSON.stringify(json), "pw")).toBe(specKey);
    expect(() => decryptKeystore(JSON.stringify(json), "other")).toThrow(/wrong password/);
  });

  it("refuses a wrong password with a clear error", () => {
    expect(() => decryptKeystore(specVector, "nope")).toThrow(/wrong password/);
  });

  it("reads the key from TRIBUTARY_PRIVATE_KEY or an encrypted keystore file", () => {
    expect(privateKeyFromEnv({ TRIBUTARY_PRIVATE_KEY: specKey.slice(2) })).toBe(specKey);
    const dir = mkdtempSync(join(tmpdir(), "ks-"));
    writeFileSync(join(dir, "key.json"), specVector);
    expect(
      privateKeyFromEnv({
        TRIBUTARY_KEYSTORE: join(dir, "key.json"),
        TRIBUTARY_KEYSTORE_PASSWORD: "testpassword",
      }),
    ).toBe(specKey);
  });

  it("says what to set when no key is configured or the key is malformed", () => {
    expect(() => privateKeyFromEnv({})).toThrow(/set TRIBUTARY_PRIVATE_KEY, or TRIBUTARY_KEYSTORE/);
    expect(() => privateKeyFromEnv({ TRIBUTARY_PRIVATE_KEY: "0x1234" })).toThrow(/32 bytes of hex/);
    expect(() => privateKeyFromEnv({ TRIBUTARY_KEYSTORE: "/x.json" })).toThrow(/TRIBUTARY_KEYSTORE_PASSWORD/);
  });
});
