/** Splitting an amount among holders in proportion to their weights, exactly to the rao. */
import { type Dec, floorRao, ZERO } from "./decimal.js";

/**
 * Each part is floored to the rao (never pay out more than the pot); the few leftover rao go to
 * the holder with the largest weight (ties: first in iteration order), so parts sum to `total`.
 * Returns an empty map when the weights sum to zero.
 */
export function proRata<K>(total: Dec, weights: ReadonlyMap<K, Dec>): Map<K, Dec> {
  const out = new Map<K, Dec>();
  let sum = ZERO;
  let top = undefined as K | undefined;
  let topW = ZERO;
  // forEach rather than for…of: no [key, value] array per entry (this runs for every nominator).
  weights.forEach((w, k) => {
    if (w.lte(0)) return;
    sum = sum.plus(w);
    if (top === undefined || w.gt(topW)) { top = k; topW = w; }
  });
  if (sum.isZero() || top === undefined) return out;
  const first = top;
  if (weights.size === 1) return out.set(first, total);
  // One division: the ratio is rounded down, so w × ratio never exceeds the exact share, and each
  // part is floored to the rao on top: the pot is never overdrawn.
  const ratio = total.div(sum);
  let paid = ZERO;
  weights.forEach((w, k) => {
    if (w.lte(0) || k === first) return;
    const part = floorRao(w.mul(ratio));
    out.set(k, part);
    paid = paid.plus(part);
  });
  out.set(first, (out.get(first) ?? ZERO).plus(total.minus(paid)));
  return out;
}

/**
 * proRata without the map: calls `pay(key, part)` for each part, in the order proRata's map lists
 * them (the largest holder last), and returns how many parts there were (0 when the weights sum
 * to zero).
 */
export function proRataEach<K>(total: Dec, weights: ReadonlyMap<K, Dec>, pay: (key: K, part: Dec) => void): number {
  let sum = ZERO;
  let top = undefined as K | undefined;
  let topW = ZERO;
  weights.forEach((w, k) => {
    if (w.lte(0)) return;
    sum = sum.plus(w);
    if (top === undefined || w.gt(topW)) { top = k; topW = w; }
  });
  if (sum.isZero() || top === undefined) return 0;
  const first = top;
  if (weights.size === 1) {
    pay(first, total);
    return 1;
  }
  const ratio = total.div(sum);
  let paid = ZERO;
  let n = 1;
  weights.forEach((w, k) => {
    if (w.lte(0) || k === first) return;
    const part = floorRao(w.mul(ratio));
    pay(k, part);
    paid = paid.plus(part);
    n++;
  });
  pay(first, total.minus(paid)); // what proRata adds to 0 for it
  return n;
}

/**
 * The same split with plain-number weights (fractions from Yuma, or stake as floats): each part is
 * floor(total × w/W) to the rao, the leftover rao go to the largest weight, so the parts still sum
 * to exactly `total`; only the proportions carry float precision (~1e-16).
 */
export function proRataNum<K>(total: Dec, weights: ReadonlyMap<K, number>): Map<K, Dec> {
  const out = new Map<K, Dec>();
  let sum = 0;
  let top: K | undefined;
  let topW = 0;
  for (const [k, w] of weights) {
    if (!(w > 0)) continue;
    sum += w;
    if (top === undefined || w > topW) { top = k; topW = w; }
  }
  if (!(sum > 0) || top === undefined || total.lte(0)) return out;
  let paid = ZERO;
  for (const [k, w] of weights) {
    if (!(w > 0)) continue;
    const part = k === top ? ZERO : floorRao(total.mul(w / sum)); // rounds down: the pot is never overdrawn
    out.set(k, part);
    paid = paid.plus(part);
  }
  out.set(top, total.minus(paid));
  return out;
}

/**
 * proRataNum over a list of weights (its first `n`): the same parts, as [index, part] pairs in the
 * order proRataNum's map would list them (weights > 0 only, in list order).
 */
export function proRataNumList(total: Dec, weights: ArrayLike<number>, n = weights.length): [number, Dec][] {
  const out: [number, Dec][] = [];
  let sum = 0;
  let top = -1;
  let topW = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    if (!(w > 0)) continue;
    sum += w;
    if (top < 0 || w > topW) { top = i; topW = w; }
  }
  if (!(sum > 0) || top < 0 || total.lte(0)) return out;
  let paid = ZERO;
  let topAt = -1;
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    if (!(w > 0)) continue;
    if (i === top) {
      topAt = out.length;
      out.push([i, ZERO]);
      continue;
    }
    const part = floorRao(total.mul(w / sum)); // rounds down: the pot is never overdrawn
    out.push([i, part]);
    paid = paid.plus(part);
  }
  out[topAt][1] = total.minus(paid);
  return out;
}
