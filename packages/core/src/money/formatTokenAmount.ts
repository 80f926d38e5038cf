/** A token's display unit: its symbol and decimals, as its ERC-20 contract reports them. */
export type TokenUnit = { symbol: string; decimals: number };

/** Options of {@link formatTokenAmount}. */
export type FormatTokenAmountOptions = {
  /** Thousands separators (`,`) in the integer part (default true). */
  grouping?: boolean;
  /** Append ` <symbol>` (default true). */
  symbol?: boolean;
};

/** Thrown for an amount that is not a whole number of base units or decimals outside 0..255. */
export class TokenAmountError extends Error {
  override name = "TokenAmountError";
  readonly code = "TOKEN_AMOUNT_INVALID";
}

/** Inserts `,` every three digits of a run of decimal digits. */
export function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * Formats base units as an exact decimal amount of the token: bigint arithmetic only (no float), trailing
 * zeros of the fraction trimmed, thousands separators in the integer part, the symbol after.
 *
 * @example
 * formatTokenAmount(1_160_000_000_000_000n, { symbol: "TRIB", decimals: 18 }) // "0.00116 TRIB"
 * formatTokenAmount("1234500000000000000000", { symbol: "TRIB", decimals: 18 }) // "1,234.5 TRIB"
 * formatTokenAmount(5n, { symbol: "TRIB", decimals: 18 }, { symbol: false }) // "0.000000000000000005"
 */
export function formatTokenAmount(
  units: bigint | string,
  token: TokenUnit,
  options: FormatTokenAmountOptions = {},
): string {
  const { decimals } = token;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 255)
    throw new TokenAmountError(`token decimals must be an integer 0..255, got ${decimals}`);
  let v: bigint;
  if (typeof units === "bigint") v = units;
  else if (/^-?\d+$/.test(units)) v = BigInt(units);
  else throw new TokenAmountError(`an amount in base units must be a whole number, got "${units}"`);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const base = 10n ** BigInt(decimals);
  const whole = (abs / base).toString();
  const frac = decimals === 0 ? "" : (abs % base).toString().padStart(decimals, "0").replace(/0+$/, "");
  const number = `${neg ? "-" : ""}${options.grouping === false ? whole : groupThousands(whole)}${frac ? `.${frac}` : ""}`;
  return options.symbol === false || !token.symbol ? number : `${number} ${token.symbol}`;
}
