import { GO_RNG_COOKED } from './go-rng-cooked.ts';

const RNG_LEN = 607;
const RNG_TAP = 273;
const INT32_MAX = 2 ** 31 - 1;
const MASK_63 = (1n << 63n) - 1n;
const COOKED = GO_RNG_COOKED.map((word) => BigInt(word));

/** Go's seedrand: x[n+1] = 48271 · x[n] mod (2³¹ − 1), Schrage's method as Go writes it. */
function seedrand(x: number): number {
  const hi = Math.trunc(x / 44488);
  const lo = x % 44488;
  const next = 48271 * lo - 3399 * hi;
  return next < 0 ? next + INT32_MAX : next;
}

/** The calls of Go's math/rand `*Rand` that the FGD authors' simulator makes, value for value. */
export interface GoRand {
  /** `Int63()` (also what `Int()` consumes on a 64-bit build). */
  int63(): bigint;
  /** `Intn(n)` for 0 < n < 2³¹. */
  intn(n: number): number;
  /** `Shuffle(n, swap)` on an array, in place. */
  shuffle<T>(items: T[]): T[];
  /** `Perm(n)`. */
  perm(n: number): number[];
}

/**
 * Go's math/rand seeded source (`rand.Seed(seed)` / `rand.New(rand.NewSource(seed))`, rng.go and
 * rand.go): an Additive Lagged Fibonacci generator over 607 words, so a seed gives here the very
 * sequence it gives the authors' Go simulator. Pure; a few microseconds a call (BigInt).
 */
export function createGoRand(seed: number): GoRand {
  const vec = new Array<bigint>(RNG_LEN);
  let s = seed % INT32_MAX;
  if (s < 0) s += INT32_MAX;
  if (s === 0) s = 89482311;
  let x = s;
  for (let i = -20; i < RNG_LEN; i++) {
    x = seedrand(x);
    if (i >= 0) {
      let u = BigInt.asIntN(64, BigInt(x) << 40n);
      x = seedrand(x);
      u ^= BigInt(x) << 20n;
      x = seedrand(x);
      u ^= BigInt(x);
      vec[i] = BigInt.asIntN(64, u ^ COOKED[i]!);
    }
  }
  let tap = 0;
  let feed = RNG_LEN - RNG_TAP;
  const uint64 = (): bigint => {
    if (--tap < 0) tap += RNG_LEN;
    if (--feed < 0) feed += RNG_LEN;
    const sum = BigInt.asIntN(64, vec[feed]! + vec[tap]!);
    vec[feed] = sum;
    return BigInt.asUintN(64, sum);
  };
  const int63 = () => uint64() & MASK_63;
  const int31 = () => Number(int63() >> 32n);
  const uint32 = () => Number(int63() >> 31n);
  const int31n = (n: number): number => {
    if ((n & (n - 1)) === 0) return int31() & (n - 1);
    const max = INT32_MAX - (2 ** 31 % n);
    let v = int31();
    while (v > max) v = int31();
    return v % n;
  };
  // Lemire's multiply-shift, Go's unexported int31n (what Shuffle uses).
  const int31nFast = (n: number): number => {
    let prod = BigInt(uint32()) * BigInt(n);
    let low = Number(prod & 0xffffffffn);
    if (low < n) {
      const thresh = (2 ** 32 - n) % n;
      while (low < thresh) {
        prod = BigInt(uint32()) * BigInt(n);
        low = Number(prod & 0xffffffffn);
      }
    }
    return Number(prod >> 32n);
  };
  return {
    int63,
    intn: (n) => {
      if (!(n > 0 && n <= INT32_MAX)) throw new Error(`Intn: ${n} out of (0, 2^31)`);
      return int31n(n);
    },
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int31nFast(i + 1);
        [items[i], items[j]] = [items[j]!, items[i]!];
      }
      return items;
    },
    perm: (n) => {
      const m = new Array<number>(n);
      for (let i = 0; i < n; i++) {
        const j = int31n(i + 1);
        m[i] = m[j]!;
        m[j] = i;
      }
      return m;
    },
  };
}
