/** A deterministic pseudo-random generator (xoshiro128**, seeded through splitmix32). */
export type Random = {
  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** Next uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number;
};

/**
 * Creates a seeded PRNG: the same seed yields the same sequence on every platform (32-bit integer
 * arithmetic only), which is what makes a generation reproducible from its seed. Seeds are taken modulo 2^64.
 *
 * @example
 * const rng = createRandom(42n);
 * rng.nextFloat(); // same value on every run
 */
export function createRandom(seed: bigint | number): Random {
  const s64 = BigInt.asUintN(64, BigInt(seed));
  // splitmix32 over both halves of the seed fills the 128-bit state; never all zero.
  let sm = Number(s64 & 0xffffffffn) ^ Math.imul(Number(s64 >> 32n) | 0, 0x9e3779b9);
  const splitmix = (): number => {
    sm = (sm + 0x9e3779b9) | 0;
    let z = sm;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  if ((a | b | c | d) === 0) a = 1;
  const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));
  function nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  }
  return {
    nextUint32,
    nextFloat() {
      const hi = nextUint32() >>> 5; // 27 bits
      const lo = nextUint32() >>> 6; // 26 bits
      return (hi * 67108864 + lo) / 9007199254740992;
    },
  };
}
