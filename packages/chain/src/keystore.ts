import {
  createCipheriv,
  createDecipheriv,
  pbkdf2Sync,
  randomBytes,
  randomUUID,
  scryptSync,
} from "node:crypto";
import { readFileSync } from "node:fs";
import { type Address, type Hex, keccak256 } from "viem";
import { privateKeyToAddress } from "viem/accounts";

/** Web3 Secret Storage (v3) keystore, as written by geth, foundry's `cast wallet` or MetaMask exports. */
type KeystoreV3 = {
  version: 3;
  crypto: {
    cipher: "aes-128-ctr";
    ciphertext: string;
    cipherparams: { iv: string };
    kdf: "scrypt" | "pbkdf2";
    kdfparams: { dklen: number; salt: string; n?: number; r?: number; p?: number; c?: number; prf?: string };
    mac: string;
  };
};

/**
 * Decrypts an encrypted keystore file into a private key. Throws a clear error on a wrong password
 * (MAC mismatch) or an unsupported format.
 */
export function decryptKeystore(json: string, password: string): Hex {
  const ks = JSON.parse(json) as KeystoreV3 & { Crypto?: KeystoreV3["crypto"] };
  const c = ks.crypto ?? ks.Crypto;
  if (ks.version !== 3 || !c) throw new Error("keystore: only version 3 keystores are supported");
  if (c.cipher !== "aes-128-ctr") throw new Error(`keystore: unsupported cipher ${c.cipher}`);
  const salt = Buffer.from(c.kdfparams.salt, "hex");
  let key: Buffer;
  if (c.kdf === "scrypt") {
    const { n = 262144, r = 8, p = 1, dklen } = c.kdfparams;
    key = scryptSync(password, salt, dklen, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 });
  } else if (c.kdf === "pbkdf2") {
    key = pbkdf2Sync(password, salt, c.kdfparams.c ?? 262144, c.kdfparams.dklen, "sha256");
  } else {
    throw new Error(`keystore: unsupported kdf ${String(c.kdf)}`);
  }
  const ciphertext = Buffer.from(c.ciphertext, "hex");
  const mac = keccak256(Buffer.concat([key.subarray(16, 32), ciphertext])).slice(2);
  if (mac !== c.mac.toLowerCase()) throw new Error("keystore: wrong password (MAC mismatch)");
  const decipher = createDecipheriv(
    "aes-128-ctr",
    key.subarray(0, 16),
    Buffer.from(c.cipherparams.iv, "hex"),
  );
  const pk = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  return `0x${pk.toString("hex")}`;
}

/** Options of {@link encryptKeystore}. */
export type EncryptKeystoreOptions = {
  /** scrypt cost N, a power of two (default 262144 as geth's "standard"; 4096 is geth's "light", fine for tests). */
  scryptN?: number;
};

/**
 * Encrypts a private key into a Web3 Secret Storage (v3) keystore (scrypt, aes-128-ctr), readable by
 * {@link decryptKeystore}, geth, `cast wallet` and MetaMask. Returns the JSON object and the address.
 *
 * @example
 * const { json, address } = encryptKeystore(privateKey, password, { scryptN: 4096 });
 */
export function encryptKeystore(
  privateKey: Hex,
  password: string,
  options: EncryptKeystoreOptions = {},
): { json: Record<string, unknown>; address: Address } {
  if (!/^0x[0-9a-fA-F]{64}$/.test(privateKey))
    throw new Error("keystore: the private key must be 32 bytes of hex");
  const n = options.scryptN ?? 262144;
  if (!Number.isInteger(n) || n < 2 || (n & (n - 1)) !== 0)
    throw new Error("keystore: scrypt N must be a power of two");
  const r = 8;
  const p = 1;
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const key = scryptSync(password, salt, 32, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 });
  const cipher = createCipheriv("aes-128-ctr", key.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(Buffer.from(privateKey.slice(2), "hex")), cipher.final()]);
  const mac = keccak256(Buffer.concat([key.subarray(16, 32), ciphertext])).slice(2);
  const address = privateKeyToAddress(privateKey);
  return {
    address,
    json: {
      version: 3,
      id: randomUUID(),
      address: address.slice(2).toLowerCase(),
      crypto: {
        cipher: "aes-128-ctr",
        ciphertext: ciphertext.toString("hex"),
        cipherparams: { iv: iv.toString("hex") },
        kdf: "scrypt",
        kdfparams: { dklen: 32, salt: salt.toString("hex"), n, r, p },
        mac,
      },
    },
  };
}

/**
 * Reads the deployer/attestor key from the environment: `TRIBUTARY_PRIVATE_KEY`, or
 * `TRIBUTARY_KEYSTORE` (a path) with `TRIBUTARY_KEYSTORE_PASSWORD`.
 */
export function privateKeyFromEnv(env: NodeJS.ProcessEnv = process.env): Hex {
  if (env.TRIBUTARY_PRIVATE_KEY) {
    const pk = env.TRIBUTARY_PRIVATE_KEY.startsWith("0x")
      ? env.TRIBUTARY_PRIVATE_KEY
      : `0x${env.TRIBUTARY_PRIVATE_KEY}`;
    if (!/^0x[0-9a-fA-F]{64}$/.test(pk)) throw new Error("TRIBUTARY_PRIVATE_KEY must be 32 bytes of hex");
    return pk as Hex;
  }
  if (env.TRIBUTARY_KEYSTORE) {
    if (env.TRIBUTARY_KEYSTORE_PASSWORD === undefined) {
      throw new Error(
        "TRIBUTARY_KEYSTORE is set but TRIBUTARY_KEYSTORE_PASSWORD is not: set the keystore password",
      );
    }
    return decryptKeystore(readFileSync(env.TRIBUTARY_KEYSTORE, "utf8"), env.TRIBUTARY_KEYSTORE_PASSWORD);
  }
  throw new Error(
    "no key: set TRIBUTARY_PRIVATE_KEY, or TRIBUTARY_KEYSTORE and TRIBUTARY_KEYSTORE_PASSWORD (an encrypted keystore file)",
  );
}
