import { z } from "zod";

/** The ERC-20 the Settlement pays in: amounts are base units, shown as `amount / 10^decimals symbol`. */
export const TokenInfo = z
  .object({
    address: z.string(),
    symbol: z.string(),
    decimals: z.number().int().min(0).max(255),
  })
  .meta({ id: "TokenInfo" });

/** `GET /health`: liveness, and the chain and payment token of the node. */
export const Health = z
  .object({
    ok: z.literal(true),
    version: z.string(),
    uptimeSeconds: z.number(),
    chainId: z.number().int().optional().meta({ description: "Chain of the node's contracts." }),
    settlement: z.string().optional().meta({ description: "Address of the Settlement contract." }),
    token: TokenInfo.optional().meta({
      description: "The payment token (absent without a chain, or while its contract does not answer).",
    }),
  })
  .loose()
  .meta({
    id: "Health",
    example: {
      ok: true,
      version: "0.1.0",
      uptimeSeconds: 12.5,
      chainId: 31337,
      settlement: "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707",
      token: { address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", symbol: "TRIB", decimals: 18 },
    },
  });

/** One readiness check. */
export const ReadinessCheck = z
  .object({ ok: z.boolean(), error: z.string().optional() })
  .loose()
  .meta({ id: "ReadinessCheck" });

/** `GET /health/ready`: readiness (503 when any check fails). */
export const Readiness = z
  .object({
    ok: z.boolean(),
    checks: z.object({
      database: ReadinessCheck.optional(),
      chain: ReadinessCheck.extend({
        chainId: z.number().int(),
        head: z.number().int().optional(),
      }).optional(),
      indexer: ReadinessCheck.extend({
        indexedBlock: z.number().int(),
        head: z.number().int().optional(),
        lagBlocks: z.number().int().optional(),
        maxLagBlocks: z.number().int(),
      }).optional(),
    }),
  })
  .meta({
    id: "Readiness",
    example: {
      ok: true,
      checks: {
        database: { ok: true },
        chain: { ok: true, chainId: 31337, head: 120 },
        indexer: { ok: true, indexedBlock: 120, head: 120, lagBlocks: 0, maxLagBlocks: 64 },
      },
    },
  });

/** `GET /metrics`: Prometheus text exposition (documentation only). */
export const MetricsText = z.string().meta({
  id: "MetricsText",
  example:
    '# HELP tributary_http_requests_total HTTP requests answered.\n# TYPE tributary_http_requests_total counter\ntributary_http_requests_total{method="GET",route="/v1/datanets",status="200"} 3\n',
});
