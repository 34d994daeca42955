/**
 * Plain statistics for the ecosystem metrics: numbers in, numbers out. Every function
 * returns a finite number for empty, all-zero or zero-variance input (never NaN).
 * Non-finite entries are treated as 0 (or, for the correlations, the pair is dropped).
 */

/** Non-finite or negative → 0. */
function nonNeg(x: number): number {
  return Number.isFinite(x) && x > 0 ? x : 0;
}

function sum(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s;
}

/**
 * nonNeg of each value, sorted ascending. A typed sort, faster than a comparator's: equal values
 * are interchangeable here (and nonNeg gives no −0), so the order is the comparator's.
 */
function sortedNonNeg(values: number[]): Float64Array {
  const vs = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) vs[i] = nonNeg(values[i]);
  return vs.sort();
}

/** Tolerance so that an exactly-equal split (e.g. [1, 1] at 50%) is not "more than" the threshold. */
const REL_EPS = 1e-12;

/**
 * Nakamoto coefficient: the smallest number of entities whose combined share is strictly
 * greater than `threshold` (default 50%). Negative values count as 0. Returns 0 for empty or
 * all-zero input; if the threshold can never be exceeded (threshold ≥ 1), returns the number
 * of entities with a positive value.
 */
export function nakamoto(values: number[], threshold = 0.5): number {
  // The positive values, largest first.
  const sorted = sortedNonNeg(values);
  let start = 0;
  while (start < sorted.length && !(sorted[start] > 0)) start++;
  const vs = sorted.subarray(start).reverse();
  const total = sum(vs);
  if (total <= 0) return 0;
  const target = threshold * total + REL_EPS * total;
  let cum = 0;
  for (let k = 0; k < vs.length; k++) {
    cum += vs[k];
    if (cum > target) return k + 1;
  }
  return vs.length;
}

/** Herfindahl–Hirschman index Σ share² on normalised values, in [1/n, 1]; 0 for empty / all-zero. */
export function hhi(values: number[]): number {
  const vs = values.map(nonNeg);
  const total = sum(vs);
  if (total <= 0) return 0;
  let h = 0;
  for (const x of vs) h += (x / total) ** 2;
  return h;
}

/**
 * Gini coefficient, population form G = Σ_i Σ_j |x_i − x_j| / (2·n²·mean), computed as
 * Σ_i (2i − n − 1)·x_(i) / (n·Σx) with x sorted ascending, i = 1..n. 0 for equality; the
 * maximum with one holder among n is (n−1)/n (e.g. [0,0,0,1] → 0.75). Negative values are
 * treated as 0. 0 for empty, single-element or all-zero input.
 */
export function gini(values: number[]): number {
  const vs = sortedNonNeg(values);
  const n = vs.length;
  const total = sum(vs);
  if (n < 2 || total <= 0) return 0;
  let acc = 0;
  for (let i = 0; i < n; i++) acc += (2 * (i + 1) - n - 1) * vs[i];
  return Math.min(1, Math.max(0, acc / (n * total)));
}

/** Pairs (x_i, y_i) for i < min length, dropping any pair with a non-finite side. */
function pairs(xs: number[], ys: number[]): [number[], number[]] {
  const n = Math.min(xs.length, ys.length);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(xs[i]) && Number.isFinite(ys[i])) {
      a.push(xs[i]);
      b.push(ys[i]);
    }
  }
  return [a, b];
}

function pearsonRaw(a: number[], b: number[]): number {
  const n = a.length;
  if (n < 2) return 0;
  const ma = sum(a) / n;
  const mb = sum(b) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (!(saa > 0) || !(sbb > 0)) return 0;
  const r = sab / Math.sqrt(saa * sbb);
  return Number.isFinite(r) ? Math.min(1, Math.max(-1, r)) : 0;
}

/**
 * Pearson correlation. Uses the first min(xs.length, ys.length) pairs (pairs with a
 * non-finite side dropped). 0 when fewer than 2 pairs or either side has zero variance.
 */
export function pearson(xs: number[], ys: number[]): number {
  const [a, b] = pairs(xs, ys);
  return pearsonRaw(a, b);
}

/** 1-based ranks, ties given the average of the ranks they span. */
export function averageRanks(xs: number[]): number[] {
  const idx = xs.map((_, i) => i).sort((i, j) => xs[i] - xs[j] || i - j);
  const ranks = new Array<number>(xs.length);
  let k = 0;
  while (k < idx.length) {
    let end = k;
    while (end + 1 < idx.length && xs[idx[end + 1]] === xs[idx[k]]) end++;
    const avg = (k + end) / 2 + 1;
    for (let t = k; t <= end; t++) ranks[idx[t]] = avg;
    k = end + 1;
  }
  return ranks;
}

/** Spearman rank correlation: Pearson on average ranks (ties averaged). Same edge cases as pearson. */
export function spearman(xs: number[], ys: number[]): number {
  const [a, b] = pairs(xs, ys);
  return pearsonRaw(averageRanks(a), averageRanks(b));
}

/**
 * Fraction of total market cap sitting above fundamentals:
 * Σ_i max(0, cap_i − f_i·Σcap) / Σcap, with f = fundamentalShare normalised to sum 1.
 * Negative / non-finite entries count as 0; a missing fundamental share counts as 0.
 * 0 when there is no cap; 1 when caps exist but every fundamental share is 0 (all of the
 * cap is above fundamentals). Result in [0, 1].
 */
export function speculativePremium(marketCap: number[], fundamentalShare: number[]): number {
  const caps = marketCap.map(nonNeg);
  const capTotal = sum(caps);
  if (capTotal <= 0) return 0;
  const f = caps.map((_, i) => nonNeg(fundamentalShare[i] ?? 0));
  // Normalise over all given fundamental shares, including entries without a cap.
  const fTotal = sum(fundamentalShare.map(nonNeg));
  let above = 0;
  for (let i = 0; i < caps.length; i++) {
    const fair = fTotal > 0 ? (f[i] / fTotal) * capTotal : 0;
    above += Math.max(0, caps[i] - fair);
  }
  return Math.min(1, Math.max(0, above / capTotal));
}
