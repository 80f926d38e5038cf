import { createHash } from "node:crypto";
import { type Address, getAddress } from "viem";
import type { ApiKeyRow } from "../../db/schema.ts";

/** Prefix of every plaintext API key. */
export const API_KEY_PREFIX = "trib_";

/** An API key as listed (never the key or its hash). */
export type ApiKeyView = {
  id: string;
  payer: Address;
  name: string | null;
  /** Requests per minute; null = the node's default. */
  rateLimitPerMinute: number | null;
  createdAt: string;
  revoked: boolean;
};

/** A key as `authenticate` resolves it. */
export type AuthenticatedKey = { id: string; payer: Address; rateLimitPerMinute: number | null };

/** Resolved keys by the sha-256 of their plaintext, with the time they were read (`authenticate`'s cache). */
export type KeyCache = Map<string, { key: AuthenticatedKey; at: number }>;

/** The sha-256 (hex) under which a plaintext key is stored. */
export const hashKey = (key: string): string => createHash("sha256").update(key, "utf8").digest("hex");

/** The listed view of a stored key. */
export function toKeyView(row: Omit<ApiKeyRow, "key_hash">): ApiKeyView {
  return {
    id: row.id,
    payer: getAddress(row.payer),
    name: row.name ?? null,
    rateLimitPerMinute: row.rate_limit_per_minute ?? null,
    createdAt: row.created_at,
    revoked: row.revoked === 1,
  };
}
