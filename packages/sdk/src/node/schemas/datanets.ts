import { z } from "zod";
import { Address, Bytes32, DecimalIdParam, DecimalString, hexOf, PageQuery, pageOf, Uint } from "./common.ts";

/** Path of the routes under `/v1/datanets/:id`. */
export const DatanetIdParams = z.object({ id: DecimalIdParam.meta({ description: "The datanet id." }) });

/** Path of `/v1/contributions/:id`. */
export const ContributionIdParams = z.object({
  id: DecimalIdParam.meta({ description: "The contribution id." }),
});

/** A datanet's curation and staking policy, as the node reports it. */
export const DatanetPolicy = z
  .object({
    curated: z.boolean(),
    minStake: DecimalString,
    licenseId: Bytes32,
    refundStakeOnAccept: z.boolean(),
  })
  .meta({ id: "DatanetPolicy" });

/** The upload settings this node keeps for a datanet. */
export const DatanetSettings = z
  .object({
    nearDuplicatePolicy: z.enum(["flag", "refuse"]),
    nearDuplicateThreshold: z.number().min(0).max(1),
    relayEnabled: z.boolean().meta({
      description:
        "Whether the node relays signed uploads (pays their gas); off: only direct uploads (403 RELAY_DISABLED).",
    }),
  })
  .meta({
    id: "DatanetSettings",
    example: { nearDuplicatePolicy: "flag", nearDuplicateThreshold: 0.8, relayEnabled: true },
  });

/** A datanet as indexed from the chain (`GET /v1/datanets` items). */
export const Datanet = z
  .object({
    id: DecimalString,
    owner: Address,
    metadataURI: z.string(),
    policy: DatanetPolicy,
    versionCount: z.number().int(),
    createdBlock: z.number().int(),
  })
  .meta({
    id: "Datanet",
    example: {
      id: "1",
      owner: "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
      metadataURI: "ipfs://bafy…",
      policy: {
        curated: true,
        minStake: "0",
        licenseId: `0x${"00".repeat(32)}`,
        refundStakeOnAccept: true,
      },
      versionCount: 0,
      createdBlock: 12,
    },
  });

/** `GET /v1/datanets/:id`: the indexed datanet with curators and counts, or the chain's view when not indexed yet. */
export const DatanetDetail = z
  .object({
    id: DecimalString,
    owner: Address,
    metadataURI: z.string(),
    policy: z
      .object({
        curated: z.boolean(),
        minStake: DecimalString,
        licenseId: Bytes32,
        refundStakeOnAccept: z.boolean(),
      })
      .loose(),
    versionCount: z.number().int(),
    createdBlock: z.number().int().optional(),
    indexed: z
      .boolean()
      .meta({ description: "false when read from the chain before the indexer caught up." }),
    curators: z.array(Address).optional(),
    contributions: z
      .record(z.string(), z.number().int())
      .optional()
      .meta({ description: "Contribution counts by status." }),
    settings: DatanetSettings,
  })
  .meta({ id: "DatanetDetail" });

/** Body of `POST /v1/datanets`. */
export const CreateDatanetBody = z
  .strictObject({
    metadataURI: z.string().min(1).max(2048),
    policy: z.strictObject({
      curated: z.boolean(),
      minStake: Uint.default(0),
      license: z
        .string()
        .min(1)
        .max(32)
        .optional()
        .meta({ description: "An SPDX id such as CC-BY-4.0 (hashed into licenseId)." }),
      licenseId: hexOf(32).optional(),
      refundStakeOnAccept: z.boolean().default(true),
    }),
    nearDuplicatePolicy: z.enum(["flag", "refuse"]).default("flag"),
    nearDuplicateThreshold: z.number().min(0).max(1).optional(),
    relayEnabled: z.boolean().optional().meta({
      description:
        "Relay signed uploads (the node pays their gas; default true); false: only direct uploads.",
    }),
  })
  .meta({
    id: "CreateDatanetBody",
    example: {
      metadataURI: "ipfs://bafy…",
      policy: { curated: true, minStake: "0", license: "CC-BY-4.0" },
    },
  });

/** Answer of `POST /v1/datanets`. */
export const CreateDatanetResult = z
  .object({ datanetId: DecimalString, txHash: Bytes32, owner: Address })
  .meta({ id: "CreateDatanetResult" });

/** Body of `PUT /v1/datanets/:id/settings`. */
export const DatanetSettingsBody = z
  .strictObject({
    nearDuplicatePolicy: z.enum(["flag", "refuse"]),
    nearDuplicateThreshold: z.number().min(0).max(1).optional(),
    relayEnabled: z.boolean().optional().meta({
      description:
        "Relay signed uploads (pay their gas). Omitted: unchanged (on for a datanet without settings).",
    }),
  })
  .meta({
    id: "DatanetSettingsBody",
    example: { nearDuplicatePolicy: "refuse", nearDuplicateThreshold: 0.8, relayEnabled: false },
  });

/** Statuses of a contribution. */
export const contributionStatuses = ["Pending", "Accepted", "Rejected", "Slashed", "Withdrawn"] as const;

/** Query of `GET /v1/datanets/:id/contributions`. */
export const ContributionsQuery = PageQuery.extend({ status: z.enum(contributionStatuses).optional() });

/** A contribution as listed (`GET /v1/datanets/:id/contributions` items). */
export const Contribution = z
  .object({
    id: DecimalString,
    datanetId: DecimalString,
    contributor: Address,
    contentHash: Bytes32,
    size: z.number().int(),
    status: z.enum(contributionStatuses),
    stake: DecimalString,
    metadataUri: z.string(),
    registeredBlock: z.number().int(),
    updatedBlock: z.number().int(),
  })
  .meta({ id: "Contribution" });

/** A text preview of a contribution's content, from its blob on this node. */
export const ContentPreview = z.object({
  contentCid: z.string(),
  available: z.boolean().meta({ description: "Whether this node has the blob." }),
  preview: z.string().nullable(),
  truncated: z.boolean(),
});

/** `GET /v1/contributions/:id`: the contribution with its preview, metadata and upload. */
export const ContributionView = ContentPreview.extend({
  contributionId: DecimalString,
  datanetId: DecimalString,
  contributor: Address,
  contentHash: Bytes32,
  size: z.number().int(),
  status: z.string(),
  stake: DecimalString,
  metadataUri: z.string(),
  metadata: z.unknown().meta({ description: "The parsed metadata blob, or null when this node lacks it." }),
  registeredBlock: z.number().int(),
  updatedBlock: z.number().int(),
  uploadId: z.string().nullable(),
}).meta({ id: "ContributionView" });

/** One contributor of a datanet with their counts (`GET /v1/datanets/:id/contributors` items). */
export const Contributor = z
  .object({
    contributor: Address,
    contributions: z.number().int().meta({ description: "Contributions in any status." }),
    accepted: z.number().int(),
    pending: z.number().int(),
    rejected: z.number().int().meta({ description: "Rejected or slashed." }),
    bytes: z.number().int().meta({ description: "Bytes of all their contributions." }),
  })
  .meta({ id: "Contributor" });

/** `GET /v1/datanets/:id/contributors`: a page of contributors (most accepted first) and the datanet's totals. */
export const ContributorPage = pageOf(Contributor)
  .extend({
    totals: z.object({
      contributors: z.number().int(),
      contributions: z.number().int(),
      accepted: z.number().int(),
      bytes: z.number().int(),
    }),
  })
  .meta({
    id: "ContributorPage",
    example: {
      items: [
        {
          contributor: "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
          contributions: 130,
          accepted: 130,
          pending: 0,
          rejected: 0,
          bytes: 184_233,
        },
      ],
      nextCursor: "1",
      totals: { contributors: 5, contributions: 627, accepted: 627, bytes: 905_112 },
    },
  });

/** Page of datanets. */
export const DatanetPage = pageOf(Datanet);
/** Page of contributions. */
export const ContributionPage = pageOf(Contribution);
