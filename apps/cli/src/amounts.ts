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
      `${what} must be a decimal number of tokens, got "${text}"`,
      `Write it like 12.5 or 0.001 (no sign, exponent or thousands separator); use --base-units for base units.`,
    );
  }
  const whole = m[1] ?? "";
  const frac = m[2] ?? "";
  if (frac.length > decimals) {
    throw new UsageError(
      `${what} "${text}" has ${frac.length} decimals; the token has ${decimals}`,
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
 * Formats base units as a decimal token amount without losing digits ("12.5", "0.000000000000001").
 *
 * @example
 * formatAmount(12500000000000000000n) // "12.5"
 */
export function formatAmount(units: bigint | string, decimals = TOKEN_DECIMALS): string {
  const v = BigInt(units);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const base = 10n ** BigInt(decimals);
  const whole = abs / base;
  const frac = (abs % base).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}
