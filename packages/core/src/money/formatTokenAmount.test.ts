import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatTokenAmount, TokenAmountError } from "./formatTokenAmount.ts";
import { parseTokenAmount } from "./parseTokenAmount.ts";

const TRIB = { symbol: "TRIB", decimals: 18 };
const USDC = { symbol: "USDC", decimals: 6 };

describe("formatTokenAmount", () => {
  it("writes a decimal amount with the symbol, trailing zeros trimmed", () => {
    expect(formatTokenAmount(1_160_000_000_000_000n, TRIB)).toBe("0.00116 TRIB");
    expect(formatTokenAmount("1160000000000000", TRIB)).toBe("0.00116 TRIB");
    expect(formatTokenAmount(10n ** 18n, TRIB)).toBe("1 TRIB");
    expect(formatTokenAmount(0n, TRIB)).toBe("0 TRIB");
    expect(formatTokenAmount(1n, TRIB)).toBe("0.000000000000000001 TRIB");
    expect(formatTokenAmount(1_500_000n, USDC)).toBe("1.5 USDC");
  });

  it("groups the integer part by thousands, never the fraction", () => {
    expect(formatTokenAmount(1_234_567_890_123_456_789_000n, TRIB)).toBe("1,234.567890123456789 TRIB");
    expect(formatTokenAmount(1_000_000n * 10n ** 18n + 1234n, TRIB)).toBe(
      "1,000,000.000000000000001234 TRIB",
    );
    expect(formatTokenAmount(-12_345n * 10n ** 18n, TRIB)).toBe("-12,345 TRIB");
    expect(formatTokenAmount(1_234_000_000n, USDC, { grouping: false, symbol: false })).toBe("1234");
  });

  it("is exact beyond what a float holds (2^53 and uint256 max)", () => {
    expect(formatTokenAmount(2n ** 53n + 1n, { symbol: "X", decimals: 0 })).toBe("9,007,199,254,740,993 X");
    const max = 2n ** 256n - 1n;
    const text = formatTokenAmount(max, TRIB, { grouping: false, symbol: false });
    expect(text.replace(".", "")).toBe(max.toString());
  });

  it("refuses what is not base units", () => {
    expect(() => formatTokenAmount("1.5", TRIB)).toThrow(TokenAmountError);
    expect(() => formatTokenAmount("1e18", TRIB)).toThrow(/whole number/);
    expect(() => formatTokenAmount(1n, { symbol: "X", decimals: -1 })).toThrow(/0\.\.255/);
  });

  it("round-trips every amount exactly through parseTokenAmount, for any decimals", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 256n), max: 2n ** 256n }),
        fc.integer({ min: 0, max: 36 }),
        fc.boolean(),
        fc.boolean(),
        (units, decimals, grouping, symbol) => {
          const token = { symbol: "TRIB", decimals };
          const text = formatTokenAmount(units, token, { grouping, symbol });
          expect(parseTokenAmount(text, token)).toBe(units);
          expect(text).not.toMatch(/e|\.$|\.\d*0( |$)/); // no exponent, no dangling point or trailing zero
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("round-trips fixed amounts (twin of the property)", () => {
    for (const units of [0n, 1n, 999n, 1000n, 10n ** 18n - 1n, 10n ** 18n, 1_160_000_000_000_000n]) {
      expect(parseTokenAmount(formatTokenAmount(units, TRIB), TRIB)).toBe(units);
    }
  });
});

describe("parseTokenAmount", () => {
  it("reads plain decimals and formatted amounts", () => {
    expect(parseTokenAmount("12.5", TRIB)).toBe(12_500_000_000_000_000_000n);
    expect(parseTokenAmount(".5", TRIB)).toBe(5n * 10n ** 17n);
    expect(parseTokenAmount("1,234.5 TRIB", TRIB)).toBe(1_234_500_000_000_000_000_000n);
  });

  it("refuses exponents, bad separators, another symbol and too many decimals", () => {
    expect(() => parseTokenAmount("1e5", TRIB)).toThrow(/not a decimal amount/);
    expect(() => parseTokenAmount("12,34", TRIB)).toThrow(/not a decimal amount/);
    expect(() => parseTokenAmount("1 OPEN", TRIB)).toThrow(/not a decimal amount/);
    expect(() => parseTokenAmount("0.1234567", USDC)).toThrow(/7 decimals; USDC has 6/);
    expect(() => parseTokenAmount("", TRIB)).toThrow(TokenAmountError);
  });
});
