import { z } from "zod";
import { Address, Bytes32, DecimalString, HexString } from "./common.ts";

/** Path of `/v1/uploads/:id`. */
export const UploadIdParams = z.object({
  id: z.string().min(1).max(64).meta({ description: "The upload id (32 hex digits)." }),
});

/** The multipart form of `POST /v1/datanets/:id/uploads` (documentation; the route reads the form itself). */
export const StageUploadForm = z
  .object({
    contributor: Address,
    mode: z.enum(["relayed", "direct"]).optional().meta({
      description: "relayed (default): sign, the node pays gas; direct: send contributeBatch yourself.",
    }),
    files: z.array(z.file()).meta({
      description: "One or more files; the name decides the format (.txt .md .jsonl .csv .pdf .docx).",
    }),
  })
  .meta({ id: "StageUploadForm" });

/** A near-duplicate flag: an earlier contribution with similar text. */
export const NearDuplicate = z
  .object({
    contributionId: DecimalString,
    datanetId: DecimalString,
    contentHash: Bytes32,
    similarity: z
      .number()
      .min(0)
      .max(1)
      .meta({ description: "Estimated Jaccard similarity (MinHash), 0..1." }),
  })
  .meta({ id: "NearDuplicate" });

/** A near duplicate of a staged document: an earlier contribution, or another document of the same upload. */
export const StagedNearDuplicate = z
  .discriminatedUnion("kind", [
    NearDuplicate.extend({ kind: z.literal("contribution") }),
    z.object({ kind: z.literal("upload"), position: z.number().int(), similarity: z.number().min(0).max(1) }),
  ])
  .meta({ id: "StagedNearDuplicate" });

/** One document of an upload. */
export const UploadDocument = z
  .object({
    position: z.number().int(),
    batch: z.number().int(),
    contentHash: Bytes32,
    contentCid: z.string(),
    metadataUri: z.string(),
    size: z.number().int(),
    sourceName: z.string(),
    locator: z.string(),
    format: z.string(),
    nearDuplicates: z.array(StagedNearDuplicate),
    contributionId: DecimalString.nullable(),
  })
  .meta({ id: "UploadDocument" });

/** One batch (one signature, one transaction) of a relayed upload. */
export const UploadBatch = z
  .object({
    batch: z.number().int(),
    status: z.string().meta({ description: "unsigned → signed → sent → mined (or failed)." }),
    contributorNonce: DecimalString.nullable(),
    txHash: Bytes32.nullable(),
    blockNumber: z.number().int().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: "UploadBatch" });

/** An upload (`POST /v1/datanets/:id/uploads`, `GET /v1/uploads/:id`, `POST /v1/uploads/:id/submit`). */
export const UploadView = z
  .object({
    id: z.string(),
    datanetId: DecimalString,
    contributor: Address,
    mode: z.enum(["relayed", "direct"]),
    status: z.string(),
    deadline: DecimalString.meta({ description: "Unix seconds: the signed deadline." }),
    error: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    documents: z.array(UploadDocument),
    batches: z.array(UploadBatch),
    signing: z
      .object({
        batches: z.array(
          z.object({
            batch: z.number().int(),
            typedData: z.record(z.string(), z.unknown()).meta({
              description: "EIP-712 typed data of ContributionBatch: sign it with the contributor's key.",
            }),
          }),
        ),
      })
      .optional(),
    direct: z
      .object({
        batches: z.array(
          z.object({
            batch: z.number().int(),
            contentHashes: z.array(Bytes32),
            sizes: z.array(DecimalString),
            metadataURIs: z.array(z.string()),
          }),
        ),
      })
      .optional(),
  })
  .meta({ id: "UploadView" });

/** Body of `POST /v1/uploads/:id/submit`: one signature per `signing.batches` entry, in order. */
export const SubmitUploadBody = z
  .union([
    z.strictObject({ signatures: z.array(HexString).max(1000) }),
    z.strictObject({ signature: HexString }),
  ])
  .meta({ id: "SubmitUploadBody", example: { signatures: ["0x…"] } });
