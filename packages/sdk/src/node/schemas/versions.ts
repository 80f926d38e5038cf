import { z } from "zod";
import { Bytes32, DecimalIdParam, DecimalString, pageOf } from "./common.ts";

/** Path of `/v1/datanets/:id/versions/:version`. */
export const VersionParams = z.object({
  id: DecimalIdParam.meta({ description: "The datanet id." }),
  version: z
    .string()
    .regex(/^[1-9]\d{0,9}$/, "a version number from 1")
    .meta({ description: "The version number (from 1)." }),
});

/** A published version (`GET /v1/datanets/:id/versions` items). */
export const VersionSummary = z
  .object({
    datanetId: DecimalString,
    version: z.number().int(),
    contributionsRoot: Bytes32,
    count: z.number().int(),
    manifestURI: z.string(),
    publishedBlock: z.number().int(),
    indexId: z.string().nullable().meta({ description: "The attribution index serving it on this node." }),
    tokens: z.number().int().nullable(),
  })
  .meta({ id: "VersionSummary" });

/** Page of versions. */
export const VersionPage = pageOf(VersionSummary);

/** `GET /v1/datanets/:id/versions/:version`: the version and its provenance manifest. */
export const VersionDetail = VersionSummary.extend({
  manifest: z
    .record(z.string(), z.unknown())
    .nullable()
    .meta({ description: "The manifest, or null when this node has no copy." }),
}).meta({ id: "VersionDetail" });

/** Body of `POST /v1/datanets/:id/versions`: none, or `{}`. */
export const PublishVersionBody = z.strictObject({}).optional();

/** A publication (`POST /v1/datanets/:id/versions`). */
export const Publication = z
  .object({
    id: z.string(),
    datanetId: DecimalString,
    version: z.number().int(),
    plannedVersion: z.number().int(),
    contributionsRoot: Bytes32,
    count: z.number().int(),
    manifestCid: z.string(),
    manifestURI: z.string(),
    indexId: z.string(),
    tokens: z.number().int(),
    state: z.string(),
    txHash: Bytes32,
    blockNumber: z.number().int().nullable(),
  })
  .meta({ id: "Publication" });

/** Files of a version export. */
export const exportFiles = ["data.jsonl", "README.md", "manifest.json"] as const;

/** Query of `GET /v1/datanets/:id/versions/:version/export`. */
export const ExportQuery = z.strictObject({
  file: z
    .enum(exportFiles)
    .optional()
    .meta({ description: "Answer one file as is instead of the JSON with every file." }),
});

/** `GET /v1/datanets/:id/versions/:version/export` without `?file`. */
export const VersionExport = z
  .object({
    datanetId: DecimalString,
    version: z.number().int(),
    contributionsRoot: Bytes32,
    manifestURI: z.string(),
    files: z.object({ "data.jsonl": z.string(), "README.md": z.string(), "manifest.json": z.string() }),
  })
  .meta({ id: "VersionExport" });
