import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { TributaryError } from "@tributary/core";

/** Prefix of a sealed value: AES-256-GCM, version 1. */
export const SEALED_PREFIX = "sealed:v1:";

/** File (in the node's data directory) holding the key that seals secrets at rest; mode 0600. */
export const SECRETS_KEY_FILE = "secrets.key";

/** A sealed value could not be opened (wrong key file, or the value was altered). */
export class SecretBoxError extends TributaryError {
  override name = "SecretBoxError";
  declare readonly code: "SECRET_UNREADABLE";
  declare readonly hint: string;
  constructor(message: string, hint: string, options?: { cause?: unknown }) {
    super(message, { code: "SECRET_UNREADABLE", hint, cause: options?.cause });
  }
}

/** Seals and opens the node's secrets at rest (upstream API keys and credentials). */
export type SecretBox = {
  /** `sealed:v1:<base64 iv ‖ tag ‖ ciphertext>`, bound to `purpose` (e.g. `models.upstream`). */
  seal(plaintext: string, purpose: string): string;
  /** The plaintext of a sealed value; throws {@link SecretBoxError} when it does not open. */
  open(sealed: string, purpose: string): string;
  /** True when `value` is sealed (rows written before secrets were sealed are not). */
  isSealed(value: string): boolean;
};

/**
 * The node's secret box: AES-256-GCM (random 96-bit IV, 128-bit tag, the purpose as associated data) with a
 * 32-byte key kept in `<dataDir>/secrets.key`, created on first start with mode 0600 (and put back to 0600
 * if it was opened up). The key never enters the database, so a copy of `node.db` (a backup, a shared
 * volume, a 0644 file) does not reveal an upstream's API key; losing the key file loses the sealed secrets.
 *
 * @example
 * const box = createSecretBox({ dataDir });
 * const stored = box.seal(JSON.stringify(upstream), "models.upstream");
 */
export function createSecretBox(params: { dataDir: string }): SecretBox {
  const path = join(params.dataDir, SECRETS_KEY_FILE);
  const key = loadOrCreateKey(path);
  return {
    seal(plaintext, purpose) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(purpose, "utf8"));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return `${SEALED_PREFIX}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
    },
    open(sealed, purpose) {
      if (!sealed.startsWith(SEALED_PREFIX)) {
        throw new SecretBoxError(
          `a ${purpose} secret is not sealed`,
          "Restart the node: it seals plaintext secrets on start.",
        );
      }
      try {
        const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), "base64");
        const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
        decipher.setAAD(Buffer.from(purpose, "utf8"));
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
      } catch (cause) {
        throw new SecretBoxError(
          `a ${purpose} secret does not open with ${path}`,
          `Restore the ${SECRETS_KEY_FILE} this database was written with, or register the model again with its API key.`,
          { cause },
        );
      }
    },
    isSealed: (value) => value.startsWith(SEALED_PREFIX),
  };
}

function loadOrCreateKey(path: string): Buffer {
  if (!existsSync(path)) {
    try {
      const fd = openSync(path, "wx", 0o600);
      try {
        writeSync(fd, `${randomBytes(32).toString("hex")}\n`);
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  const hex = readFileSync(path, "utf8").trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new SecretBoxError(
      `${path} is not a secrets key (64 hex digits)`,
      `Restore the node's ${SECRETS_KEY_FILE} from a backup; a new node creates one on first start.`,
    );
  }
  return Buffer.from(hex, "hex");
}
