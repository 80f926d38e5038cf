import { TokenAmountError, type TokenUnit } from "./formatTokenAmount.ts";

/**
 * Reads a decimal amount of the token back into base units, exactly (bigint, no float): what
 * {@link formatTokenAmount} writes (`"1,234.5 TRIB"`) or a plain decimal (`"12.5"`). Refuses exponents,
 * misplaced separators, another symbol and more fractional digits than the token has.
 *
 * @example
 * parseTokenAmount("0.00116 TRIB", { symbol: "TRIB", decimals: 18 }) // 1160000000000000n
 */
export function parseTokenAmount(text: string, token: TokenUnit): bigint {
  let s = text.trim();
  if (token.symbol && s.endsWith(` ${token.symbol}`)) s = s.slice(0, -token.symbol.length - 1);
  const m = /^(-?)(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d+))?$/.exec(s);
  if (!m || (m[2] === undefined && m[3] === undefined))
    throw new TokenAmountError(`"${text}" is not a decimal amount of ${token.symbol || "the token"}`);
  const frac = m[3] ?? "";
  if (frac.length > token.decimals)
    throw new TokenAmountError(
      `"${text}" has ${frac.length} decimals; ${token.symbol || "the token"} has ${token.decimals}`,
    );
  const whole = BigInt((m[2] ?? "0").replaceAll(",", ""));
  const units = whole * 10n ** BigInt(token.decimals) + BigInt(frac.padEnd(token.decimals, "0") || "0");
  return m[1] ? -units : units;
}
