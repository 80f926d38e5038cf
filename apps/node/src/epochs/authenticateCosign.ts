import { buildCosignRequestTypedData, type CosignRequest, isAttestor } from "@tributary/sdk";
import { type Address, getAddress, type Hex, recoverTypedDataAddress } from "viem";
import { ApiError } from "../api/ApiError.ts";
import type { ChainContext } from "../context/NodeContext.ts";

/** How old a co-sign request may be, in seconds. */
export const COSIGN_MAX_AGE_SECONDS = 300;
/** How far ahead of this node's clock a request's `issuedAt` may be (clock skew), in seconds. */
export const COSIGN_MAX_SKEW_SECONDS = 30;
/** Signatures remembered at most (requests are attestor-only and live 5 minutes, so this is never reached). */
const MAX_REMEMBERED = 10_000;

/** A co-sign request as received: the signed fields, the claimed signer and the signature. */
export type ReceivedCosignRequest = {
  request: CosignRequest;
  signer: Address | undefined;
  signature: Hex | undefined;
};

/**
 * Authenticates `POST /v1/epochs/:epoch/cosign` requests: an EIP-712 `CosignRequest` in Settlement's domain,
 * signed by a key in Settlement's attestor set, issued within the last 5 minutes (30 s of clock skew allowed),
 * and not seen before. A replayed signature gets 409 `COSIGN_REPLAYED`: the first request is already being (or
 * was) answered, and a replay only makes the node verify the same bundle again. Signatures are remembered in
 * memory until they expire; after a restart a replay within the 5 minutes costs one verification of a report
 * an attestor did ask for, and can never make the node sign anything else.
 *
 * @example
 * const auth = createCosignAuth();
 * const signer = await auth.authenticate(chain, received); // throws ApiError 401/403/409
 */
export function createCosignAuth(options: { now?: () => number } = {}) {
  const now = options.now ?? (() => Date.now());
  const seen = new Map<string, number>(); // signature → when it expires (ms)

  function remember(signature: Hex, issuedAt: bigint): void {
    const t = now();
    for (const [s, expires] of seen) if (expires <= t) seen.delete(s);
    if (seen.size >= MAX_REMEMBERED) {
      throw new ApiError(
        503,
        "COSIGN_BUSY",
        "too many co-sign requests in the last minutes",
        "Retry in a few minutes.",
      );
    }
    seen.set(signature.toLowerCase(), (Number(issuedAt) + COSIGN_MAX_AGE_SECONDS + 1) * 1000);
  }

  return {
    /**
     * @returns The attestor that signed the request.
     * @throws {ApiError} 401 `COSIGN_UNSIGNED` / `COSIGN_STALE` / `COSIGN_BAD_SIGNATURE`, 403
     * `COSIGN_NOT_ATTESTOR`, 409 `COSIGN_REPLAYED`.
     */
    async authenticate(chain: ChainContext, received: ReceivedCosignRequest): Promise<Address> {
      const { request, signer, signature } = received;
      if (!signer || !signature) {
        throw new ApiError(
          401,
          "COSIGN_UNSIGNED",
          "a co-sign request must be signed by an attestor",
          "Send signer and signature: an EIP-712 CosignRequest signed with an attestor key (signCosignRequest and cosignRequestBody in @tributary/sdk).",
        );
      }
      const t = Math.floor(now() / 1000);
      const issuedAt = Number(request.issuedAt);
      if (issuedAt < t - COSIGN_MAX_AGE_SECONDS || issuedAt > t + COSIGN_MAX_SKEW_SECONDS) {
        throw new ApiError(
          401,
          "COSIGN_STALE",
          `the request was issued at ${issuedAt}, this node's time is ${t} (at most ${COSIGN_MAX_AGE_SECONDS} s old, never ahead)`,
          "Sign a new request with issuedAt = now; check both nodes' clocks.",
        );
      }
      const typedData = buildCosignRequestTypedData({
        chainId: chain.chainId,
        settlement: chain.deployment.contracts.settlement,
        request,
      });
      let recovered: Address;
      try {
        recovered = await recoverTypedDataAddress({ ...typedData, signature });
      } catch {
        recovered = "0x0000000000000000000000000000000000000000";
      }
      if (recovered.toLowerCase() !== signer.toLowerCase()) {
        throw new ApiError(
          401,
          "COSIGN_BAD_SIGNATURE",
          `the signature is not ${getAddress(signer)}'s over this request`,
          "Sign the CosignRequest of exactly these fields (report digest, bundle URI, receipt count, nodeURL, issuedAt, nonce) in Settlement's domain on this chain.",
        );
      }
      if (!(await isAttestor(chain.sdk, { account: recovered }))) {
        throw new ApiError(
          403,
          "COSIGN_NOT_ATTESTOR",
          `${getAddress(recovered)} is not an attestor of Settlement`,
          "Only attestors may ask for a co-signature; the Settlement owner adds attestors.",
        );
      }
      if (seen.has(signature.toLowerCase())) {
        throw new ApiError(
          409,
          "COSIGN_REPLAYED",
          "this signed request was already received",
          "Sign a new request (a new nonce) to ask again.",
        );
      }
      remember(signature, request.issuedAt);
      return getAddress(recovered);
    },
  };
}
