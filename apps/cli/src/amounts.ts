import { formatTokenAmount, type TokenUnit } from "@tributary/core";
import { UsageError } from "./output.ts";

/** Decimals of the payment token (TributaryToken and OPEN both use 18). */
export const TOKEN_DECIMALS = 18;

/**
 * Parses a decimal token amount ("12.5", "0.000001", "100") exactly into base units, never through a
 * float. Refuses signs, exponents, separators and more fractional digits than the token has.
 *
 * @example
 * parseAmount("12.5") // 12500000000000000000n
 */
export function parseAmount(text: string, decimals = TOKEN_DECIMALS, what = "amount"): bigint {
  const s = text.trim();
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || s === "" || s === "." || (m[1] === "" && (m[2] ?? "") === "")) {
    throw new UsageError(
      `${what} must be a decimal amount of the payment token, got "${text}"`,
      `Write it like 12.5 or 0.001 (no sign, exponent or thousands separator); use --base-units for base units.`,
    );
  }
  const whole = m[1] ?? "";
  const frac = m[2] ?? "";
  if (frac.length > decimals) {
    throw new UsageError(
      `${what} "${text}" has ${frac.length} decimals; the payment token has ${decimals}`,
      `Round it to at most ${decimals} digits after the point.`,
    );
  }
  return BigInt(whole || "0") * 10n ** BigInt(decimals) + BigInt((frac || "0").padEnd(decimals, "0"));
}

/** Parses a whole number of base units ("12500000000000000000"). */
export function parseBaseUnits(text: string, what = "amount"): bigint {
  if (!/^\d+$/.test(text.trim()))
    throw new UsageError(`${what} in base units must be a whole number, got "${text}"`);
  return BigInt(text.trim());
}

/**
 * Formats base units as an exact decimal amount of the token with its symbol ("12.5 TRIB", "1,234.000001
 * TRIB"): the one formatter of the web app and the CLI (`formatTokenAmount` of @tributary/core). `--json`
 * output keeps the base units.
 *
 * @example
 * formatAmount(12500000000000000000n, { symbol: "TRIB", decimals: 18 }) // "12.5 TRIB"
 */
export function formatAmount(units: bigint | string, token: TokenUnit): string {
  return formatTokenAmount(units, token);
}
