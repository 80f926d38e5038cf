import { nodeSchemas as s } from "@tributary/sdk";
import { z } from "zod";
import type { RouteDoc } from "../defineRoute.ts";

// Documentation only, of the epochs / earnings / proofs / claims / payers / receipts routes
// (apps/node/src/epochs, contract in docs/api-epochs.md). `createApp` shows an entry only when a mounted route
// has its method and path. The schemas are loose: the routes' own code is the reference for extra fields.

const Decimal = s.DecimalString;
const EpochParams = z.object({
  epoch: z
    .string()
    .regex(/^\d{1,15}$/)
    .meta({ description: "The epoch number." }),
});
const AddressParams = z.object({ address: s.Address });

const EpochView = z
  .object({
    epoch: z.number().int(),
    status: z.enum(["cut", "bundled", "signed", "submitted", "finalized", "vetoed"]),
    receiptCount: z.number().int(),
    epochCharged: Decimal,
    cumulativeCharged: Decimal.nullable(),
    cumulativeRewards: Decimal.nullable(),
    chargesRoot: s.Bytes32.nullable(),
    rewardsRoot: s.Bytes32.nullable(),
    receiptsRoot: s.Bytes32.nullable(),
    bundleCid: z.string().nullable(),
    bundleURI: z.string().nullable(),
    signatures: z.array(z.string()),
    signers: z.array(s.Address),
    submitTx: s.Bytes32.nullable(),
    challengeEndsAt: z.number().int().nullable().meta({ description: "Unix seconds." }),
    finalizeTx: s.Bytes32.nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    verification: z.unknown(),
  })
  .loose()
  .meta({ id: "EpochView" });

const Verification = z
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

const Report = z.object({
  epoch: Decimal,
  chargesRoot: s.Bytes32,
  rewardsRoot: s.Bytes32,
  cumulativeCharged: Decimal,
  cumulativeRewards: Decimal,
  receiptsRoot: s.Bytes32,
  bundleURI: z.string().min(1).max(512),
});

const Earnings = z
  .object({
    account: s.Address,
    claimed: Decimal.meta({ description: "Settlement.claimed(account), on chain." }),
    finalized: Decimal.meta({ description: "Cumulative amount in the latest finalized rewards tree." }),
    claimable: Decimal.meta({ description: "finalized − claimed." }),
    submitted: Decimal.meta({ description: "Cumulative amount in the latest submitted (pending) report." }),
    unsettled: Decimal.meta({ description: "In receipts not yet in any epoch." }),
    byDatanet: z.array(z.object({ datanetId: Decimal, amount: Decimal })),
    byModel: z.array(z.object({ modelId: Decimal, name: z.string().nullable(), amount: Decimal })),
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

const Proof = z
  .object({
    account: s.Address,
    tree: z.enum(["rewards", "charges"]),
    epoch: z.union([z.number().int(), Decimal]),
    root: s.Bytes32,
    cumulativeAmount: Decimal,
    proof: z.array(s.Bytes32),
  })
  .loose()
  .meta({ id: "MerkleProof" });

const ClaimResult = z
  .object({
    txHash: s.Bytes32,
    total: Decimal,
    paid: z.array(z.object({ account: s.Address, amount: Decimal })),
    skipped: z.array(z.unknown()).optional(),
  })
  .loose()
  .meta({ id: "ClaimResult" });

const Payer = z
  .object({
    payer: s.Address,
    deposited: Decimal,
    withdrawn: Decimal,
    charged: Decimal.meta({ description: "Every receipt, settled or not." }),
    credit: Decimal,
    withdrawalRequestedAt: z.number().int().nullable(),
    withdrawalAvailableAt: z.number().int().nullable(),
  })
  .loose()
  .meta({ id: "PayerView" });

const Receipt = z
  .object({
    id: s.Bytes32,
    epoch: z.number().int().nullable(),
    receipt: z.record(z.string(), z.unknown()),
    receiptHash: s.Bytes32,
    signature: z.string(),
    output: z.unknown().optional(),
  })
  .loose()
  .meta({ id: "ReceiptView" });

const ReceiptsQuery = s.PageQuery.extend({
  payer: s.Address.optional(),
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

const tags = ["epochs"];

/** OpenAPI entries of the epochs routes (documentation only; shown when they are mounted). */
export const epochsRouteDocs: RouteDoc[] = [
  {
    method: "get",
    path: "/v1/epochs",
    summary: "List epochs, newest first",
    tags,
    query: s.PageQuery,
    responses: { 200: { description: "A page of epochs.", schema: s.pageOf(EpochView) } },
  },
  {
    method: "post",
    path: "/v1/epochs/close",
    summary: "Close an epoch: cut receipts, build trees and bundle, sign, submit",
    description:
      "Finalizes a previous report whose challenge window has passed first. 409 EPOCH_PENDING (the hint says when the window ends) while a report is in its challenge window.",
    tags,
    operator: true,
    responses: { 201: { description: "The epoch.", schema: EpochView } },
    errors: { 409: ["EPOCH_PENDING"] },
  },
  {
    method: "get",
    path: "/v1/epochs/:epoch",
    summary: "One epoch",
    tags,
    params: EpochParams,
    responses: { 200: { description: "The epoch.", schema: EpochView } },
    errors: { 404: ["EPOCH_NOT_FOUND"] },
  },
  {
    method: "get",
    path: "/v1/epochs/:epoch/bundle",
    summary: "The epoch's bundle (JSON lines)",
    tags,
    params: EpochParams,
    responses: { 200: { description: "The bundle.", alternatives: ["application/x-ndjson"] } },
    errors: { 404: ["EPOCH_NOT_FOUND", "BUNDLE_NOT_READY"] },
  },
  {
    method: "get",
    path: "/v1/bundles/:cid",
    summary: "A bundle by CID (what a report's bundleURI points at)",
    tags,
    params: z.object({ cid: z.string() }),
    responses: { 200: { description: "The bundle.", alternatives: ["application/x-ndjson"] } },
    errors: { 404: ["BUNDLE_NOT_FOUND"] },
  },
  {
    method: "post",
    path: "/v1/epochs/:epoch/finalize",
    summary: "Finalize a submitted epoch once its challenge window has passed",
    tags,
    params: EpochParams,
    responses: { 200: { description: "The finalized epoch.", schema: EpochView } },
    errors: { 409: ["CHALLENGE_WINDOW_OPEN"] },
  },
  {
    method: "post",
    path: "/v1/epochs/:epoch/verify",
    summary: "Download the bundle, recompute everything, compare with the chain",
    tags,
    params: EpochParams,
    body: z.object({ nodeURL: z.string().url().optional() }).optional(),
    responses: { 200: { description: "The verification.", schema: Verification } },
  },
  {
    method: "post",
    path: "/v1/epochs/:epoch/cosign",
    summary: "Co-sign a peer attestor's report after verifying its bundle",
    tags,
    params: EpochParams,
    body: z.object({ report: Report, nodeURL: z.string().url() }).meta({ id: "CosignRequest" }),
    responses: {
      200: {
        description: "This node's signature.",
        schema: z
          .object({ signer: s.Address, signature: z.string(), receiptCount: z.number().int() })
          .loose(),
      },
    },
    errors: { 400: ["EPOCH_MISMATCH"], 422: ["BUNDLE_MISMATCH"] },
  },
  {
    method: "get",
    path: "/v1/accounts/:address/earnings",
    summary: "What an account earned: claimed, claimable, pending, unsettled; by datanet and model",
    tags,
    params: AddressParams,
    responses: { 200: { description: "The earnings.", schema: Earnings } },
  },
  {
    method: "get",
    path: "/v1/accounts/:address/proof",
    summary: "Merkle proof of an account's leaf in the latest finalized report",
    tags,
    params: AddressParams,
    query: z.object({ tree: z.enum(["rewards", "charges"]).default("rewards") }),
    responses: { 200: { description: "The proof.", schema: Proof } },
    errors: { 404: ["NO_LEAF"] },
  },
  {
    method: "post",
    path: "/v1/claims",
    summary: "Relay claimMany for accounts (gas paid by the node; funds go to each account)",
    tags,
    body: z.object({ accounts: z.array(s.Address).min(1).max(100) }).meta({ id: "ClaimsRequest" }),
    responses: { 200: { description: "The claim transaction.", schema: ClaimResult } },
  },
  {
    method: "get",
    path: "/v1/payers/:address",
    summary: "A payer's deposit, charges and remaining credit",
    tags,
    params: AddressParams,
    responses: { 200: { description: "The payer.", schema: Payer } },
  },
  {
    method: "get",
    path: "/v1/receipts",
    summary: "List receipts, newest first",
    tags,
    query: ReceiptsQuery,
    responses: { 200: { description: "A page of receipts (without outputs).", schema: s.pageOf(Receipt) } },
  },
  {
    method: "get",
    path: "/v1/receipts/:id",
    summary: "One receipt with its output",
    tags,
    params: z.object({ id: s.Bytes32 }),
    responses: { 200: { description: "The receipt.", schema: Receipt } },
    errors: { 404: ["RECEIPT_NOT_FOUND"] },
  },
];
