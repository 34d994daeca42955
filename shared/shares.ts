/**
 * Emission shares across subnets (§2 of ../shared/dtao-mechanics.md) and splitting an amount by
 * them. Shares are Decimals on a 1e-18 grid, each ≥ 0, that sum to exactly 1 (or are all 0).
 * Records are keyed by netuid as a string; every loop runs in a fixed key order (numeric for
 * integer keys, then lexicographic) so results never depend on object insertion order.
 */
import { Decimal, ONE, RAO, ZERO, dec, isRaoExact, max, min, sum, type Dec, type DecLike } from "./decimal.js";

/** Decimal places of a share. */
export const SHARE_DECIMALS = 18;

const INTEGER_KEY = /^(0|[1-9]\d*)$/;

/** Deterministic key order: integer keys numerically, before any other key; others lexicographically. */
function compareKeys(a: string, b: string): number {
  const ai = INTEGER_KEY.test(a);
  const bi = INTEGER_KEY.test(b);
  if (ai && bi) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  if (ai !== bi) return ai ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedKeys(r: Record<string, unknown>): string[] {
  return Object.keys(r).sort(compareKeys);
}

function nonNegative(name: string, key: string, x: DecLike): Dec {
  const d = dec(x);
  if (!d.isFinite() || d.lt(0)) throw new RangeError(`${name}[${key}] must be a finite value ≥ 0, got ${d}`);
  return d.isZero() ? ZERO : d; // no "-0"
}

/**
 * Weights → shares that sum to exactly 1: each w_i/W rounded down to 1e-18, then the leftover
 * (< n·1e-18) added to the largest weight (ties: first key). All weights 0 → all shares 0.
 */
export function normalise(weights: Record<string, Dec>): Record<string, Dec> {
  const keys = sortedKeys(weights);
  const w = keys.map((k) => nonNegative("weight", k, weights[k]));
  const total = sum(w);
  const out: Record<string, Dec> = {};
  if (total.isZero()) {
    for (const k of keys) out[k] = ZERO;
    return out;
  }
  let acc = ZERO;
  let best = 0;
  keys.forEach((k, i) => {
    // Division rounded down: ROUND_DOWN at 40 digits, then to 1e-18 (a share ≤ 1 has ≤ 19 digits there).
    const s = w[i].div(total).toDecimalPlaces(SHARE_DECIMALS, Decimal.ROUND_DOWN);
    out[k] = s;
    acc = acc.plus(s);
    if (w[i].gt(w[best])) best = i;
  });
  out[keys[best]] = out[keys[best]].plus(ONE.minus(acc));
  return out;
}

/** Price-EMA shares (§2a, RS1/RS2): m_i / Σ m_j. Pass only eligible subnets. */
export function sharesFromPriceEma(ema: Record<string, Dec>): Record<string, Dec> {
  return normalise(ema);
}

/**
 * Taoflow shares (§2b, RS3): L = max(cutoff, min(0, min_j S_j)), z_i = max(S_i − L, 0),
 * share_i ∝ z_i^p. With the default cutoff 0, L = 0, so a subnet with EMA flow ≤ 0 gets 0; a
 * negative cutoff lets the lowest flows back in. Every z = 0 → every share 0.
 */
export function sharesFromFlow(
  flowEma: Record<string, Dec>,
  cutoff: DecLike = 0,
  exponent = 1,
): Record<string, Dec> {
  if (!Number.isFinite(exponent) || exponent < 0) throw new RangeError(`exponent must be ≥ 0, got ${exponent}`);
  const keys = sortedKeys(flowEma);
  const s = keys.map((k) => dec(flowEma[k]));
  for (const [i, x] of s.entries()) {
    if (!x.isFinite()) throw new RangeError(`flowEma[${keys[i]}] must be finite, got ${x}`);
  }
  const lowest = s.reduce((acc, x) => min(acc, x), ZERO); // min(0, min_j S_j)
  const L = max(dec(cutoff), lowest);
  const weights: Record<string, Dec> = {};
  keys.forEach((k, i) => {
    const z = max(s[i].minus(L), ZERO);
    // z^p: ROUND_DOWN at precision 40 for a non-integer p; 0^p is 0 (a subnet at the floor gets nothing).
    weights[k] = z.isZero() ? ZERO : exponent === 1 ? z : z.pow(exponent);
  });
  return normalise(weights);
}

/**
 * Split a rao-exact amount by shares that sum to 1 (or are all 0 → all parts 0). Each part is
 * floored to the rao; the leftover rao go one each to the largest fractional remainders (ties:
 * first key). The parts then sum to exactly `total`.
 */
export function splitByShares(total: Dec, shares: Record<string, Dec>): Record<string, Dec> {
  const t = dec(total);
  if (!t.isFinite() || t.lt(0) || !isRaoExact(t)) {
    throw new RangeError(`total must be a rao-exact amount ≥ 0, got ${t}`);
  }
  const keys = sortedKeys(shares);
  const s = keys.map((k) => nonNegative("share", k, shares[k]));
  const out: Record<string, Dec> = {};
  const shareSum = sum(s);
  if (shareSum.isZero() || t.isZero()) {
    if (!shareSum.isZero() && !shareSum.eq(ONE)) throw new RangeError(`shares must sum to 1 or be all 0, got ${shareSum}`);
    for (const k of keys) out[k] = ZERO;
    return out;
  }
  if (!shareSum.eq(ONE)) throw new RangeError(`shares must sum to 1 or be all 0, got ${shareSum}`);

  const totalRao = t.div(RAO); // exact: t is on the rao grid
  const parts: Dec[] = [];
  const fracs: Dec[] = [];
  let given = ZERO;
  for (const share of s) {
    // Exact for 18-digit shares (≤ 17 + 19 digits < 40); otherwise ROUND_DOWN, which only lowers the part.
    const exact = totalRao.times(share);
    const part = exact.floor(); // rounded down to the rao
    parts.push(part);
    fracs.push(exact.minus(part));
    given = given.plus(part);
  }
  const leftover = totalRao.minus(given).toNumber(); // Σ of the fractional parts: an integer < n
  if (!Number.isInteger(leftover) || leftover < 0 || leftover > keys.length) {
    throw new Error(`splitByShares: leftover ${leftover} rao for ${keys.length} parts`);
  }
  const order = keys.map((_, i) => i).sort((a, b) => fracs[b].comparedTo(fracs[a]) || a - b);
  for (let j = 0; j < leftover; j++) parts[order[j]] = parts[order[j]].plus(1);
  keys.forEach((k, i) => {
    out[k] = parts[i].times(RAO); // exact: back from whole rao to TAO/alpha
  });
  return out;
}
