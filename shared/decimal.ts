/**
 * Amounts. Every TAO or alpha amount in the engine is a decimal.js value quantised to
 * the chain's smallest unit (1 rao = 1e-9). State stores them as canonical decimal strings
 * (no exponent, no trailing zeros) so it stays plain JSON and replays byte-for-byte.
 *
 * Precision 40 holds the exact product of two amounts up to 21M with 9 decimals (34 digits);
 * intermediate divisions are then quantised explicitly with a stated direction.
 */
import DecimalJs from "decimal.js";

export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_DOWN,
  toExpNeg: -40,
  toExpPos: 40,
});
export type Dec = InstanceType<typeof Decimal>;
export type DecLike = Dec | string | number;

/** Decimal places of one rao. */
export const RAO_DECIMALS = 9;
export const RAO = new Decimal("1e-9");
export const ZERO = new Decimal(0);
export const ONE = new Decimal(1);

/**
 * Parsed amount strings. The state keeps amounts as strings, and a resolution or a batch of trades
 * reads the same ones many times (reserves, positions); Decimals are immutable, so one parsed
 * value can be shared. Bounded: cleared when full. Only a cost, never a different result.
 */
const parsed = new Map<string, Dec>();
const PARSED_LIMIT = 1 << 15;

/** The same for numbers (rates, weights), zero aside (0 and −0 are distinct Decimals). */
const fromNumber = new Map<number, Dec>();

export function dec(x: DecLike): Dec {
  // A DecLike object is a Decimal: `typeof` says so without decimal.js's Symbol.hasInstance call.
  if (typeof x === "object") return x;
  if (typeof x !== "string") {
    if (x === 0) return new Decimal(x);
    let n = fromNumber.get(x);
    if (n === undefined) {
      if (fromNumber.size >= 1024) fromNumber.clear();
      fromNumber.set(x, (n = new Decimal(x)));
    }
    return n;
  }
  let d = parsed.get(x);
  if (d === undefined) {
    d = new Decimal(x);
    remember(x, d);
  }
  return d;
}

/** Record that `s` parses to `d` (they must have the same value): for strings written to the state that will soon be read back. */
function remember(s: string, d: Dec): string {
  if (parsed.size >= PARSED_LIMIT) parsed.clear();
  parsed.set(s, d);
  return s;
}

/** Quantise to whole rao, rounding toward zero (the chain's integer division). */
export function floorRao(x: DecLike): Dec {
  const d = dec(x);
  return d.decimalPlaces() <= RAO_DECIMALS ? d : d.toDecimalPlaces(RAO_DECIMALS, Decimal.ROUND_DOWN); // already on the grid: itself
}

const E9 = new Decimal("1e9");

/**
 * floorRao(x / y): the quotient rounded toward zero to whole rao, computed as an integer division
 * of x·10⁹ by y. Exactly what dividing at precision 40 and flooring gives whenever the quotient is
 * below 10³¹ (its digits down to the rao then fit the 40), and cheaper.
 */
export function floorRaoDiv(x: Dec, y: Dec): Dec {
  return x.times(E9).divToInt(y).times(RAO);
}

/** Quantise to whole rao, rounding away from zero (what a trader must pay). */
export function ceilRao(x: DecLike): Dec {
  const d = dec(x);
  return d.decimalPlaces() <= RAO_DECIMALS ? d : d.toDecimalPlaces(RAO_DECIMALS, Decimal.ROUND_UP);
}

/** Canonical state string of a quantised amount: "1.5", "0.000000001", "0". */
export function amt(x: DecLike): string {
  const q = floorRao(x);
  return q.isZero() ? "0" : q.toString();
}

export function sum(xs: Iterable<DecLike>): Dec {
  let s = ZERO;
  for (const x of xs) s = s.plus(x);
  return s;
}

export function min(a: Dec, b: Dec): Dec {
  return a.lt(b) ? a : b;
}

export function max(a: Dec, b: Dec): Dec {
  return a.gt(b) ? a : b;
}

/**
 * State string of a value already on the rao grid (sums and differences of quantised amounts):
 * skips the quantisation step of `amt`, which dominates the cost of book-keeping.
 */
export function raoString(x: Dec): string {
  return x.isZero() ? "0" : x.toString();
}

/** `amt(x)` for a pool reserve or another amount the next steps will read back: the string's value is remembered. */
export function amtKept(x: DecLike): string {
  const q = floorRao(x);
  return q.isZero() ? "0" : remember(q.toString(), q);
}

/** Whether x already sits exactly on the rao grid. */
export function isRaoExact(x: Dec): boolean {
  return x.decimalPlaces() <= RAO_DECIMALS;
}
