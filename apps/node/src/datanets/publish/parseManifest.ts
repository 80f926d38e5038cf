import { z } from "zod";
import { MANIFEST_SCHEMA, type VersionManifest } from "./buildManifest.ts";
import { VersionError } from "./errors.ts";

const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/, "0x + 64 lowercase hex digits");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an address");
const count = z.number().int().nonnegative();

const manifestSchema = z.strictObject({
  schema: z.literal(MANIFEST_SCHEMA),
  chainId: count,
  datanetRegistry: address,
  datanetId: z.string().regex(/^\d{1,78}$/),
  version: count,
  contributionsRoot: hex32,
  count,
  leafEncoding: z.array(z.string()),
  tokenizer: z.string().min(1),
  licenseId: hex32,
  license: z.string().nullable(),
  index: z.strictObject({ id: z.string().regex(/^[0-9a-f]{64}$/), formatVersion: count, tokens: count }),
  totals: z.strictObject({ bytes: count, tokens: count, contributors: count }),
  contributions: z.array(
    z.strictObject({
      id: z.string().regex(/^\d{1,78}$/),
      contentHash: hex32,
      cid: z.string().regex(/^b[a-z2-7]{58}$/),
      contributor: address,
      payout: address,
      size: count,
      tokens: count,
    }),
  ),
});

/** Parameters of {@link parseManifest}. */
export type ParseManifestParameters = { bytes: Uint8Array; source?: string };

/** Errors of {@link parseManifest}: `VersionError` with code `MANIFEST_INVALID`. */
export type ParseManifestErrorType = VersionError;

/**
 * Decodes and validates a version manifest (the bytes `buildManifest` produced). Throws `MANIFEST_INVALID`
 * naming the first bad field when the bytes are not a manifest of this schema.
 *
 * @example
 * const manifest = parseManifest({ bytes: await ctx.store.get(cid), source: cid });
 */
export function parseManifest(params: ParseManifestParameters): VersionManifest {
  const where = params.source ?? "manifest";
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(params.bytes));
  } catch (cause) {
    throw new VersionError(
      "MANIFEST_INVALID",
      `${where} is not UTF-8 JSON`,
      "The manifest URI must point to a Tributary version manifest.",
      { cause },
    );
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new VersionError(
      "MANIFEST_INVALID",
      `${where} is not a ${MANIFEST_SCHEMA} manifest: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim(),
      "The manifest URI must point to a Tributary version manifest.",
      { cause: parsed.error },
    );
  }
  return parsed.data as VersionManifest;
}

/**
 * The CID in a manifest URI `ipfs://<cid>`, or undefined for any other form.
 *
 * @example
 * manifestCidOf("ipfs://bafkrei…"); // "bafkrei…"
 */
export function manifestCidOf(uri: string): string | undefined {
  const m = /^ipfs:\/\/(b[a-z2-7]{58})\/?$/.exec(uri);
  return m?.[1];
}
