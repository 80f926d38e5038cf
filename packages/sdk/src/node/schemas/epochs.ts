import { z } from "zod";
import { Address, Bytes32, DecimalString, PageQuery } from "./common.ts";

// Epochs, earnings, proofs, claims, payers and receipts (apps/node/src/epochs; docs/api-epochs.md). The
// node documents its routes with these and `createNodeClient` is typed by them.

const Decimal = DecimalString;
export const EpochParams = z.object({
  epoch: z
    .string()
    .regex(/^\d{1,15}$/)
    .meta({ description: "The epoch number." }),
});
export const AddressParams = z.object({ address: Address });

export const EpochView = z
  .object({
    epoch: z.number().int(),
    status: z.enum(["cut", "bundled", "signed", "submitted", "finalized", "vetoed"]),
    receiptCount: z.number().int(),
    epochCharged: Decimal,
    cumulativeCharged: Decimal.nullable(),
    cumulativeRewards: Decimal.nullable(),
    chargesRoot: Bytes32.nullable(),
    rewardsRoot: Bytes32.nullable(),
    receiptsRoot: Bytes32.nullable(),
    bundleCid: z.string().nullable(),
    bundleURI: z.string().nullable(),
    signatures: z.array(z.string()),
    signers: z.array(Address),
    submitTx: Bytes32.nullable(),
    challengeEndsAt: z.number().int().nullable().meta({ description: "Unix seconds." }),
    finalizeTx: Bytes32.nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    verification: z.unknown(),
    quarantined: z
      .array(z.object({ receiptId: Bytes32, reason: z.string(), quarantinedAt: z.string() }))
      .optional()
      .meta({
        description:
          "Receipts left out of this epoch because they fail verification (GET /v1/epochs/:epoch): the payer is not charged for them, nobody is paid.",
      }),
  })
  .loose()
  .meta({ id: "EpochView" });

export const Verification = z
  .object({
    ok: z.boolean(),
    receiptCount: z.number().int(),
    differences: z.array(
      z
        .object({
          receiptId: z.string().optional(),
          field: z.string(),
          expected: z.unknown(),
          actual: z.unknown(),
        })
        .loose(),
    ),
  })
  .loose()
  .meta({ id: "EpochVerification" });

export const Report = z.object({
  epoch: Decimal,
  chargesRoot: Bytes32,
  rewardsRoot: Bytes32,
  cumulativeCharged: Decimal,
  cumulativeRewards: Decimal,
  receiptsRoot: Bytes32,
  bundleURI: z.string().min(1).max(512),
});

export const Earnings = z
  .object({
    account: Address,
    claimed: Decimal.meta({ description: "Settlement.claimed(account), on chain." }),
    finalized: Decimal.meta({ description: "Cumulative amount in the latest finalized rewards tree." }),
    claimable: Decimal.meta({ description: "Claimable now: finalized − claimed." }),
    submitted: Decimal.meta({
      description: "Cumulative amount through the latest submitted report (finalized or not).",
    }),
    pending: Decimal.meta({ description: "submitted − finalized: in a report not finalized yet." }),
    pendingEpoch: z
      .object({
        epoch: z.number().int(),
        challengeEndsAt: z.number().int().nullable(),
        windowOver: z
          .boolean()
          .meta({ description: "The window has passed: only a finalization is missing." }),
      })
      .nullable(),
    unsettled: Decimal.meta({ description: "In receipts not yet in any epoch." }),
    byDatanet: z.array(z.object({ datanetId: Decimal, amount: Decimal })),
    byModel: z.array(z.object({ modelId: Decimal, name: z.string().nullable(), amount: Decimal })),
    byRole: z.array(z.object({ role: z.string(), amount: Decimal })),
    history: z.array(
      z.object({
        epoch: z.number().int(),
        amount: Decimal,
        cumulative: Decimal,
        status: z.string(),
        at: z.string(),
      }),
    ),
  })
  .loose()
  .meta({ id: "Earnings" });

export const Proof = z
  .object({
    account: Address,
    tree: z.enum(["rewards", "charges"]),
    epoch: z.union([z.number().int(), Decimal]),
    root: Bytes32,
    cumulativeAmount: Decimal,
    proof: z.array(Bytes32),
  })
  .loose()
  .meta({ id: "MerkleProof" });

export const ClaimResult = z
  .object({
    txHash: Bytes32.nullable(),
    total: Decimal,
    paid: z.array(z.object({ account: Address, amount: Decimal })),
    skipped: z
      .array(z.object({ account: Address, reason: z.string(), claimed: Decimal.optional() }))
      .optional(),
  })
  .loose()
  .meta({ id: "ClaimResult" });

export const Payer = z
  .object({
    payer: Address,
    deposited: Decimal,
    withdrawn: Decimal,
    charged: Decimal.meta({ description: "Every receipt, settled or not." }),
    credit: Decimal,
    withdrawalRequestedAt: z.number().int().nullable(),
    withdrawalAvailableAt: z.number().int().nullable(),
  })
  .loose()
  .meta({ id: "PayerView" });

export const Receipt = z
  .object({
    id: Bytes32,
    epoch: z.number().int().nullable(),
    receipt: z.record(z.string(), z.unknown()),
    receiptHash: Bytes32,
    signature: z.string(),
    input: z.string().nullable().optional(),
    output: z.string().optional(),
  })
  .loose()
  .meta({ id: "ReceiptView" });

export const ReceiptsQuery = PageQuery.extend({
  payer: Address.optional(),
  model: z
    .string()
    .regex(/^\d{1,15}$/)
    .optional()
    .meta({ description: "A model id." }),
  epoch: z
    .string()
    .regex(/^\d{1,15}$/)
    .optional(),
});
