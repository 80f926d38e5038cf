import { z } from "zod";
import { Address, Bytes32, DecimalString, pageOf, Uint } from "./common.ts";
import { ContentPreview } from "./datanets.ts";
import { NearDuplicate } from "./uploads.ts";

/** A contribution waiting for review (`GET /v1/datanets/:id/curation` items). */
export const PendingContribution = ContentPreview.extend({
  contributionId: DecimalString,
  contributor: Address,
  contentHash: Bytes32,
  size: z.number().int(),
  status: z
    .string()
    .meta({ description: "Pending, or Withdrawn while its stake still waits for a verdict." }),
  stake: DecimalString,
  metadataUri: z.string(),
  registeredBlock: z.number().int(),
  nearDuplicates: z.array(NearDuplicate),
  copyOf: DecimalString.nullable().meta({
    description:
      "Set when this is a copy: the same text registered under another address (e.g. by a front-runner that saw the hash); the contribution that counts is copyOf. A copy cannot be accepted and is left out of versions.",
  }),
}).meta({ id: "PendingContribution" });

/** Page of pending contributions. */
export const PendingContributionPage = pageOf(PendingContribution);

/** A curator's verdict. */
export const Verdict = z.enum(["accept", "reject", "rejectAndSlash"]);

/** Body of `POST /v1/datanets/:id/review`. */
export const ReviewBody = z
  .strictObject({
    reviews: z
      .array(z.strictObject({ contributionId: Uint, verdict: Verdict }))
      .min(1)
      .max(10_000),
  })
  .meta({ id: "ReviewBody", example: { reviews: [{ contributionId: "1", verdict: "accept" }] } });

/** Answer of `POST /v1/datanets/:id/review`: one entry per transaction sent. */
export const ReviewResult = z
  .object({
    transactions: z.array(
      z.object({
        hash: Bytes32,
        accepted: z.array(DecimalString),
        rejected: z.array(DecimalString),
        slashed: z.array(DecimalString),
      }),
    ),
  })
  .meta({ id: "ReviewResult" });
