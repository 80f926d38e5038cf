import { nodeSchemas as s } from "@tributary/sdk";
import { z } from "zod";
import type { RouteDoc } from "../defineRoute.ts";

// Documentation only, of the epochs / earnings / proofs / claims / payers / receipts routes
// (apps/node/src/epochs, contract in docs/api-epochs.md). `createApp` shows an entry only when a mounted route
// has its method and path. The schemas are loose: the routes' own code is the reference for extra fields.

const {
  EpochParams,
  AddressParams,
  EpochView,
  Verification,
  Report,
  Earnings,
  Proof,
  ClaimResult,
  Payer,
  Receipt,
  ReceiptsQuery,
} = s;

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
      "Finalizes a previous report whose challenge window has passed first. 409 NOTHING_TO_CLOSE when no receipt waits (nothing submitted) unless allowEmpty; 409 EPOCH_PENDING (the message says until when) while a report is in its challenge window.",
    tags,
    operator: true,
    body: z.object({ allowEmpty: z.boolean().optional() }).optional(),
    responses: { 201: { description: "The epoch.", schema: EpochView } },
    errors: { 409: ["NOTHING_TO_CLOSE", "EPOCH_PENDING"] },
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
    errors: { 409: ["CHALLENGE_WINDOW_OPEN", "EPOCH_NOT_SUBMITTED"] },
  },
  {
    method: "post",
    path: "/v1/epochs/:epoch/verify",
    summary: "Download the bundle, recompute everything, compare with the chain",
    tags,
    params: EpochParams,
    body: z.object({ nodeURL: z.string().optional() }).optional(),
    responses: { 200: { description: "The verification.", schema: Verification } },
  },
  {
    method: "post",
    path: "/v1/epochs/:epoch/cosign",
    summary: "Co-sign a peer attestor's report after verifying its bundle",
    tags,
    params: EpochParams,
    body: z
      .object({
        report: Report,
        nodeURL: z.string(),
        receiptCount: z.string(),
        issuedAt: z.string(),
        nonce: z.string(),
        signer: s.Address,
        signature: z.string(),
      })
      .meta({ id: "CosignRequest" }),
    responses: {
      200: {
        description: "This node's signature.",
        schema: z
          .object({ signer: s.Address, signature: z.string(), receiptCount: z.number().int() })
          .loose(),
      },
    },
    errors: {
      400: ["EPOCH_MISMATCH", "INVALID_NODE_URL"],
      401: ["COSIGN_UNSIGNED", "COSIGN_BAD_SIGNATURE", "COSIGN_STALE"],
      403: ["COSIGN_NOT_ATTESTOR", "NODE_URL_NOT_A_PEER"],
      409: ["COSIGN_REPLAYED", "NOT_NEXT_EPOCH"],
      422: ["BUNDLE_MISMATCH"],
      502: ["BUNDLE_UNAVAILABLE"],
    },
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
