/**
 * Yuma consensus for one subnet epoch (dtao-mechanics.md §6, simplified as the
 * "Simplifications a game may make" section allows).
 *
 * Works on plain JS numbers: stake weights and weight fractions, never money. The caller
 * turns the returned incentive / dividend fractions into alpha amounts. Deterministic: every
 * loop runs over sorted keys, and ties in the quantile sort are broken by validator id.
 *
 * Validator permits (top K by stake) are applied by the caller (distribution.ts). Not modelled
 * (documented simplifications): activity cutoff beyond "set any weight this epoch", self-weight removal,
 * bonds_penalty (bonds always use the clipped weights, i.e. penalty 1), liquid alpha.
 */
import { YUMA_KAPPA } from "./constants.js";
import { propKey, sortedUniqueInPlace } from "./keys.js";

export interface YumaInput {
  /** validator id -> stake weight S_i (already alpha + 0.18·root); ≤ 0 means no permit. */
  stake: Record<string, number>;
  /** validator id -> miner uid -> raw weight ≥ 0 (missing = 0). Keys not in `miners` are ignored. */
  weights: Record<string, Record<string, number>>;
  /** miner uids. */
  miners: string[];
  /** Stake share that defines consensus; default YUMA_KAPPA (0.5). */
  kappa?: number;
  /** Previous bonds (validator -> miner -> bond), for the "advanced" mode. */
  bonds?: Record<string, Record<string, number>>;
  /**
   * Bond EMA rate α. When given, the "original Yuma" bond mode is used:
   * B ← α·ΔB + (1−α)·B_old (B_old = `bonds`, or empty on the first epoch).
   * When absent, dividends are "Yuma 3 with α = 1" and `bonds` is ignored.
   */
  bondAlpha?: number;
  /**
   * Skip the diagnostic outputs the engine does not read (clipped weights, validator trust, active
   * stake, and bonds when not in bond mode): they come back empty. Building them is half the cost.
   */
  lean?: boolean;
  /**
   * The keys of `stake`, sorted (string order) and without duplicates, when the caller already has
   * them in that order: saves listing and sorting them. Must be exactly that list.
   */
  validators?: readonly string[];
  /**
   * With `validators`: `stake[v]` and `weights[v]` for each of them, in that order. When given,
   * the `stake` and `weights` records are not read (the caller need not build them).
   */
  stakeList?: readonly number[];
  /** A row may also be a list indexed by miner uid, for miners named "0", "1", … (read as the record would be). */
  weightList?: readonly (Record<string, number> | readonly number[] | Float64Array | undefined)[];
  /** Return the dividends as `dividendList` (in sorted validator order) instead of the `dividends` record (then empty). */
  dividendList?: boolean;
}

export interface YumaResult {
  /** C_j per miner. */
  consensus: Record<string, number>;
  /** I_j per miner; sums to 1, or all 0. */
  incentive: Record<string, number>;
  /** D_i per validator (every key of `stake`); sums to 1, or all 0. */
  dividends: Record<string, number>;
  /** Σ_j W̄_ij per validator (every key of `stake`; 0 when inactive). */
  validatorTrust: Record<string, number>;
  /** W̄ = min(W, C), rows of the active validators only. */
  clippedWeights: Record<string, Record<string, number>>;
  /**
   * Bonds after this epoch, column-normalised. Bond mode: the EMA'd bonds (feed them back
   * as `bonds` next epoch). Default mode: W̄ column-normalised (the B̂ the dividends used).
   */
  bonds: Record<string, Record<string, number>>;
  /**
   * S' — stake normalised over the active validators (S > 0 and set some weight). All 0
   * when nobody is active. Useful for the chain's "emission follows active stake" fallback.
   */
  activeStake: Record<string, number>;
  /** With `dividendList`: D_i for the validators in sorted order. */
  dividendList?: number[];
}

/*
 * Implementation notes (performance: runYuma runs once per subnet per round).
 * - The Record inputs are read once into flat Float64Array rows (validators sorted by id,
 *   miners sorted, only the active validators' rows kept); all arithmetic runs on those
 *   arrays, which live in a Workspace reused across calls; the output Records are built once
 *   at the end. Integer-like miner uids are used as numeric property keys (same property,
 *   faster access).
 * - Every sum is taken in the same order as the straightforward definition (validators by
 *   id, miners sorted), so the results are those of that definition, bit for bit; the test
 *   suite keeps it as a reference and compares on random inputs.
 * - The column quantile is a branch-free weighted quickselect instead of a sort, with a
 *   fall-back to the exact sorted walk whenever rounding could decide it (columnQuantile).
 * - What is left is mostly building the output Records (~700 properties for 100 × 8).
 */

/** Non-finite or negative → 0. */
function clean(x: number | undefined): number {
  return typeof x === "number" && Number.isFinite(x) && x > 0 ? x : 0;
}



/** A record with the keys `keys` (in that order), all 0, to be cloned with `{ ...template }`. */
function rowTemplate(keys: Array<string | number>): Record<string, number> {
  const out: Record<string | number, number> = {};
  for (let j = 0; j < keys.length; j++) out[keys[j]] = 0;
  return out;
}

/** n rows cloned from `tmpl`, row r holding vals[r·nm + j] at key mk[j]. */
function buildRows(
  vals: Float64Array,
  n: number,
  mk: Array<string | number>,
  tmpl: Record<string, number>,
): Array<Record<string, number>> {
  const nm = mk.length;
  const rows = new Array<Record<string, number>>(n);
  for (let r = 0, k = 0; r < n; r++) {
    const row: Record<string | number, number> = { ...tmpl };
    for (let j = 0; j < nm; j++, k++) row[mk[j]] = vals[k];
    rows[r] = row;
  }
  return rows;
}

/** { keys[at[r]]: rows[r] } for r < n, in that order. */
function recordOfRows(
  keys: string[],
  at: Int32Array,
  rows: Array<Record<string, number>>,
  n: number,
): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (let r = 0; r < n; r++) out[keys[at[r]]] = rows[r];
  return out;
}

/** { keys[i]: vals[i] } for i < n, in that order. */
function recordOf(keys: string[], vals: Float64Array, n: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) out[keys[i]] = vals[i];
  return out;
}

function zeros(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = 0;
  return out;
}

/** Row `raw` (a list indexed by miner) cleaned into w[base…base+nm); returns the row's sum. */
function readListRow(raw: readonly number[], mk: readonly (string | number)[], nm: number, w: Float64Array, base: number): number {
  let sum = 0;
  for (let j = 0; j < nm; j++) {
    const x = clean((raw as unknown as Record<string | number, number>)[mk[j]]);
    w[base + j] = x;
    sum += x;
  }
  return sum;
}

/** readListRow for a row given as a Float64Array indexed by miner. */
function readTypedRow(raw: Float64Array, mk: readonly (string | number)[], nm: number, w: Float64Array, base: number): number {
  let sum = 0;
  for (let j = 0; j < nm; j++) {
    const x = clean((raw as unknown as Record<string | number, number>)[mk[j]]);
    w[base + j] = x;
    sum += x;
  }
  return sum;
}

/** readListRow for a row given as a record keyed by miner. */
function readRecordRow(raw: Record<string | number, number>, mk: readonly (string | number)[], nm: number, w: Float64Array, base: number): number {
  let sum = 0;
  for (let j = 0; j < nm; j++) {
    const x = clean(raw[mk[j]]);
    w[base + j] = x;
    sum += x;
  }
  return sum;
}

/** Relative tolerance for "cumulative stake ≥ κ", so 0.1+0.2+0.2 still counts as 0.5. */
const KAPPA_EPS = 1e-12;

/**
 * Stake-weighted κ-quantile of column j of the row-major `w` (na rows × nm columns) with row
 * stakes `s`: the largest c such that validators holding at least κ of the stake gave weight
 * ≥ c. Defined by the walk "sort the column by weight descending (ties by validator id, i.e.
 * row order), add up stake, return the weight at which the sum first reaches t = κ − ε; if it
 * never does, the smallest weight" (exactColumnQuantile). `qw`, `qs`, `rw`, `rs` are scratch
 * of length ≥ na.
 *
 * Fast path: a weighted quickselect around median-of-three pivots finds the answer in
 * expected O(na) without sorting. Its partitions are branch-free (each element is written to
 * both ends of the other buffer and one end advances), because with real data the
 * comparisons are unpredictable and mispredicted branches would dominate. Its stake sums are
 * added in a different order than the walk's, so the answer is accepted only when every
 * comparison that decides it clears t by more than the worst rounding difference between the
 * two orders; otherwise (practically only when κ sits on a stake prefix sum to within
 * ~1e-14) the exact sorted walk decides. Either way the result is the walk's, bit for bit.
 */
function columnQuantile(
  w: Float64Array,
  nm: number,
  j: number,
  s: Float64Array,
  na: number,
  t: number,
  qw: Float64Array,
  qs: Float64Array,
  rw: Float64Array,
  rs: Float64Array,
): number {
  if (t <= 0) {
    let max = 0;
    for (let a = 0, k = j; a < na; a++, k += nm) max = Math.max(max, w[k]);
    return max;
  }
  // The positive entries (zeros sort last, so they only matter if the walk gets there).
  let p = 0;
  for (let a = 0, k = j; a < na; a++, k += nm) {
    const x = w[k];
    qw[p] = x;
    qs[p] = s[a];
    p += +(x > 0);
  }
  // Stake sums are of ≤ na terms in [0, 1] adding to ≤ 1 (+ rounding): any two summation
  // orders differ by < 2·na·2⁻⁵³. Twice that, plus slack, is the margin.
  const margin = (na + 4) * 4.5e-16;
  let srcW = qw;
  let srcS = qs;
  let dstW = rw;
  let dstS = rs;
  let lo = 0;
  let hi = p;
  let acc = 0; // stake strictly above every weight in src[lo, hi); always < t
  while (lo < hi) {
    const x = median3(srcW[lo], srcW[(lo + hi) >>> 1], srcW[hi - 1]);
    // src[lo, hi) → dst: > x to [lo, f), ≤ x to [f, hi); sg, se: stake > x and = x.
    let f = lo;
    let b = hi;
    let sg = 0;
    let se = 0;
    for (let i = lo; i < hi; i++) {
      const y = srcW[i];
      const sy = srcS[i];
      const g = +(y > x);
      dstW[f] = y;
      dstS[f] = sy;
      dstW[b - 1] = y;
      dstS[b - 1] = sy;
      f += g;
      b += g - 1;
      sg += sy * g;
      se += sy * +(y === x);
    }
    const above = acc + sg;
    if (f > lo && above >= t) {
      const tw = srcW;
      const ts = srcS;
      srcW = dstW;
      srcS = dstS;
      dstW = tw;
      dstS = ts;
      hi = f;
      continue;
    }
    const at = above + se;
    if (at >= t) {
      if ((above === 0 || above < t - margin) && at >= t + margin) return x;
      return exactColumnQuantile(w, nm, j, s, na, t, qw, qs);
    }
    // Continue below x: compact the < x entries of dst[f, hi) into src[lo, e).
    acc = at;
    let e = lo;
    for (let i = f; i < hi; i++) {
      const y = dstW[i];
      srcW[e] = y;
      srcS[e] = dstS[i];
      e += +(y < x);
    }
    hi = e;
  }
  // No positive weight reaches t: 0 if some validator gave 0 (the walk ends among the zeros),
  // else the smallest weight (the walk falls through).
  if (acc < t - margin) {
    if (p < na) return 0;
    let min = Infinity;
    for (let a = 0, k = j; a < na; a++, k += nm) min = Math.min(min, w[k]);
    return min;
  }
  return exactColumnQuantile(w, nm, j, s, na, t, qw, qs);
}

function median3(a: number, b: number, c: number): number {
  if (a < b) return b < c ? b : a < c ? c : a;
  return a < c ? a : b < c ? c : b;
}

/** The walk of columnQuantile itself: stable sort of the positive entries (row order breaks ties). */
function exactColumnQuantile(
  w: Float64Array,
  nm: number,
  j: number,
  s: Float64Array,
  na: number,
  t: number,
  qw: Float64Array,
  qs: Float64Array,
): number {
  let p = 0;
  for (let a = 0, k = j; a < na; a++, k += nm) {
    const x = w[k];
    if (!(x > 0)) continue;
    // Insertion sort, descending; equal weights keep row order.
    let i = p++;
    while (i > 0 && qw[i - 1] < x) {
      qw[i] = qw[i - 1];
      qs[i] = qs[i - 1];
      i--;
    }
    qw[i] = x;
    qs[i] = s[a];
  }
  let cum = 0;
  for (let i = 0; i < p; i++) {
    cum += qs[i];
    if (cum >= t) return qw[i];
  }
  return p < na ? 0 : qw[p - 1];
}

/** Largest validators × miners workspace kept between calls (2 × 2 MB of weights and bonds). */
const WORKSPACE_KEEP_CELLS = 1 << 18;

/**
 * Scratch arrays for one runYuma call, reused across calls (allocating typed arrays is a
 * large part of a call's cost) and grown on demand. Every array is written before it is read
 * in a call, or cleared explicitly.
 */
class Workspace {
  private capV = -1;
  private capM = -1;
  /** Per active row (≤ nv): validator index, clean stake, S', validator trust. */
  act = new Int32Array(0);
  st = new Float64Array(0);
  s = new Float64Array(0);
  trust = new Float64Array(0);
  /** Quantile scratch (≤ nv). */
  qw = new Float64Array(0);
  qs = new Float64Array(0);
  rw = new Float64Array(0);
  rs = new Float64Array(0);
  /** Two slots for a branch-free select. */
  sel = new Float64Array(2);
  /** Per validator: raw dividend, S', trust, active row (or −1). */
  rawDiv = new Float64Array(0);
  sOf = new Float64Array(0);
  trustOf = new Float64Array(0);
  activeOf = new Int32Array(0);
  /** Per bond holder (≤ nv): validator index, active row or −1. */
  holderV = new Int32Array(0);
  holderA = new Int32Array(0);
  /** Row-major nv × nm: weights (then W̄), bonds. */
  w = new Float64Array(0);
  b = new Float64Array(0);
  /** Per miner. */
  cons = new Float64Array(0);
  rank = new Float64Array(0);
  inc = new Float64Array(0);
  colSum = new Float64Array(0);

  /** Small enough to keep for the next call (a one-off huge call should not pin its memory). */
  get reusable(): boolean {
    return this.capV * this.capM <= WORKSPACE_KEEP_CELLS;
  }

  ensure(nv: number, nm: number): void {
    if (nv > this.capV) {
      const n = Math.max(nv, 2 * this.capV, 16);
      this.capV = n;
      this.act = new Int32Array(n);
      this.st = new Float64Array(n);
      this.s = new Float64Array(n);
      this.trust = new Float64Array(n);
      this.qw = new Float64Array(n);
      this.qs = new Float64Array(n);
      this.rw = new Float64Array(n);
      this.rs = new Float64Array(n);
      this.rawDiv = new Float64Array(n);
      this.sOf = new Float64Array(n);
      this.trustOf = new Float64Array(n);
      this.activeOf = new Int32Array(n);
      this.holderV = new Int32Array(n);
      this.holderA = new Int32Array(n);
      this.capM = -1; // re-size the nv × nm arrays too
    }
    if (nm > this.capM) {
      const m = Math.max(nm, 2 * this.capM, 8);
      this.capM = m;
      this.cons = new Float64Array(m);
      this.rank = new Float64Array(m);
      this.inc = new Float64Array(m);
      this.colSum = new Float64Array(m);
      this.w = new Float64Array(this.capV * m);
      this.b = new Float64Array(this.capV * m);
    }
  }
}

interface MinerKeys {
  /** The miner uids sorted, without duplicates; their property keys; a record of them all 0. */
  readonly miners: string[];
  readonly mk: Array<string | number>;
  readonly rowTmpl: Record<string, number>;
}

/** The last frozen miners list seen and what it gave (a frozen list cannot have changed since). */
let lastMiners: { list: readonly string[]; keys: MinerKeys } | null = null;

/** What a call needs from its miners list (read-only to the caller: the results may be shared). */
function minerKeys(list: readonly string[]): MinerKeys {
  if (lastMiners && lastMiners.list === list) return lastMiners.keys;
  const miners = sortedUniqueInPlace(list.slice());
  const mk = miners.map(propKey);
  const keys = { miners, mk, rowTmpl: rowTemplate(mk) };
  if (Object.isFrozen(list)) lastMiners = { list, keys };
  return keys;
}

/** The idle workspace; null while a call is using it (a re-entrant call gets its own). */
let idleWorkspace: Workspace | null = new Workspace();

export function runYuma(input: YumaInput): YumaResult {
  const ws = idleWorkspace ?? new Workspace();
  idleWorkspace = null;
  try {
    return yuma(input, ws);
  } finally {
    idleWorkspace = ws.reusable ? ws : new Workspace();
  }
}

function yuma(input: YumaInput, ws: Workspace): YumaResult {
  const kappaRaw = input.kappa ?? YUMA_KAPPA;
  const kappa = Number.isFinite(kappaRaw) ? Math.min(1, Math.max(0, kappaRaw)) : YUMA_KAPPA;
  const m = minerKeys(input.miners);
  const miners = m.miners;
  const validators = input.validators ? (input.validators as string[]) : sortedUniqueInPlace(Object.keys(input.stake));
  const nm = miners.length;
  const nv = validators.length;
  const mk = m.mk;
  const lists = input.validators !== undefined && input.stakeList !== undefined && input.weightList !== undefined;
  const stakeIn = lists ? (input.stakeList as readonly number[]) : validators.map((v) => input.stake[v]);
  const weightsIn = (lists ? input.weightList : validators.map((v) => input.weights[v])) as readonly (Record<string | number, number> | undefined)[];
  ws.ensure(nv, nm);

  // Active validators (a permit, S > 0, and some weight on a listed miner): their validator
  // index, stake and normalised weight row (row-major, na × nm).
  const { act, st, w } = ws;
  let na = 0;
  for (let i = 0; i < nv; i++) {
    const sv = clean(stakeIn[i]);
    if (sv === 0) continue;
    const raw = weightsIn[i];
    if (!raw) continue;
    const base = na * nm;
    // Rows come as lists (NPC validators) or records (people): one loop for each, so that each
    // reads one kind of object (a load site that sees both is slow). Same values, same order.
    const sum = Array.isArray(raw) ? readListRow(raw, mk, nm, w, base)
      : raw instanceof Float64Array ? readTypedRow(raw, mk, nm, w, base)
      : readRecordRow(raw, mk, nm, w, base);
    if (sum === 0) continue;
    for (let j = 0; j < nm; j++) w[base + j] /= sum;
    act[na] = i;
    st[na] = sv;
    na++;
  }

  // S' over the active validators.
  let stakeSum = 0;
  for (let a = 0; a < na; a++) stakeSum += st[a];
  const s = ws.s;
  for (let a = 0; a < na; a++) s[a] = st[a] / stakeSum;

  const bondMode = input.bondAlpha !== undefined;
  if (na === 0) {
    const bonds: Record<string, Record<string, number>> = {};
    if (bondMode) decayOnlyBonds(input, validators, stakeIn, miners, bonds);
    return {
      consensus: zeros(miners),
      incentive: zeros(miners),
      ...(input.dividendList ? { dividends: {}, dividendList: validators.map(() => 0) } : { dividends: zeros(validators) }),
      validatorTrust: zeros(validators),
      clippedWeights: {},
      bonds,
      activeStake: zeros(validators),
    };
  }

  // Consensus, then clip W in place (w becomes W̄) and validator trust.
  const t = kappa - KAPPA_EPS;
  const { cons, trust } = ws;
  for (let j = 0; j < nm; j++) cons[j] = columnQuantile(w, nm, j, s, na, t, ws.qw, ws.qs, ws.rw, ws.rs);
  // min(W_ij, C_j), as a branch-free select (the comparison is unpredictable).
  const sel = ws.sel;
  for (let a = 0, k = 0; a < na; a++) {
    let tr = 0;
    for (let j = 0; j < nm; j++, k++) {
      const x = w[k];
      const c = cons[j];
      sel[0] = x;
      sel[1] = c;
      const y = sel[+(c < x)];
      w[k] = y;
      tr += y;
    }
    trust[a] = tr;
  }

  // Rank (each column summed over validators in id order) and incentive.
  const { rank, inc } = ws;
  rank.fill(0, 0, nm);
  for (let a = 0, k = 0; a < na; a++) {
    const sa = s[a];
    for (let j = 0; j < nm; j++, k++) rank[j] += sa * w[k];
  }
  let rankSum = 0;
  for (let j = 0; j < nm; j++) rankSum += rank[j];
  for (let j = 0; j < nm; j++) inc[j] = rankSum > 0 ? rank[j] / rankSum : 0;

  // Dividends. `rawDiv` is per validator (0 for non-holders).
  const rawDiv = ws.rawDiv;
  rawDiv.fill(0, 0, nv);
  const rowTmpl = m.rowTmpl;
  let bonds: Record<string, Record<string, number>>;
  if (bondMode) {
    const alpha = clampAlpha(input.bondAlpha as number);
    const old = input.bonds ?? {};
    // Bond holders: active validators (S' > 0) plus permitted validators still holding old bonds.
    const { activeOf, holderV, holderA, b } = ws;
    activeOf.fill(-1, 0, nv);
    for (let a = 0; a < na; a++) activeOf[act[a]] = a;
    let nh = 0;
    for (let i = 0; i < nv; i++) {
      const v = validators[i];
      const a = activeOf[i];
      const ob = old[v];
      if (!((a >= 0 && s[a] > 0) || (clean(stakeIn[i]) > 0 && ob !== undefined))) continue;
      const base = nh * nm;
      for (let j = 0; j < nm; j++) b[base + j] = clean(ob?.[mk[j]]);
      holderV[nh] = i;
      holderA[nh] = a;
      nh++;
    }
    const keep = 1 - alpha;
    for (let j = 0; j < nm; j++) {
      // ΔB_ij = S'_i·W̄_ij, column-normalised (the column sum is rank_j).
      const r = rank[j];
      let colSum = 0;
      for (let h = 0, k = j; h < nh; h++, k += nm) {
        const a = holderA[h];
        const delta = r > 0 && a >= 0 ? (s[a] * w[a * nm + j]) / r : 0;
        const x = alpha * delta + keep * b[k];
        b[k] = x;
        colSum += x;
      }
      for (let h = 0, k = j; h < nh; h++, k += nm) b[k] = colSum > 0 ? b[k] / colSum : 0;
    }
    for (let h = 0, k = 0; h < nh; h++) {
      let d = 0;
      for (let j = 0; j < nm; j++, k++) d += b[k] * inc[j];
      rawDiv[holderV[h]] = d;
    }
    bonds = recordOfRows(validators, holderV, buildRows(b, nh, mk, rowTmpl), nh);
  } else {
    // Yuma 3 with α = 1: B = W̄, B̂ = B column-normalised, D_i ∝ S'_i·Σ_j B̂_ij·I_j.
    const colSum = ws.colSum;
    colSum.fill(0, 0, nm);
    for (let a = 0, k = 0; a < na; a++) for (let j = 0; j < nm; j++, k++) colSum[j] += w[k];
    const b = ws.b;
    for (let a = 0, k = 0; a < na; a++) {
      let d = 0;
      for (let j = 0; j < nm; j++, k++) {
        const x = colSum[j] > 0 ? w[k] / colSum[j] : 0;
        b[k] = x;
        d += x * inc[j];
      }
      rawDiv[act[a]] = s[a] * d;
    }
    bonds = input.lean ? {} : recordOfRows(validators, act, buildRows(b, na, mk, rowTmpl), na);
  }
  let dSum = 0;
  for (let i = 0; i < nv; i++) dSum += rawDiv[i];

  // Output records, keys in sorted order.
  const consensus: Record<string | number, number> = { ...rowTmpl };
  const incentive: Record<string | number, number> = { ...rowTmpl };
  for (let j = 0; j < nm; j++) {
    consensus[mk[j]] = cons[j];
    incentive[mk[j]] = inc[j];
  }
  for (let i = 0; i < nv; i++) rawDiv[i] = dSum > 0 ? rawDiv[i] / dSum : 0;
  const dividends = input.dividendList ? {} : recordOf(validators, rawDiv, nv);
  let dividendList: number[] | undefined;
  if (input.dividendList) {
    dividendList = new Array<number>(nv);
    for (let i = 0; i < nv; i++) dividendList[i] = rawDiv[i];
  }
  if (input.lean) {
    return { consensus, incentive, dividends, validatorTrust: {}, clippedWeights: {}, bonds, activeStake: {}, ...(dividendList ? { dividendList } : {}) };
  }
  const clippedWeights = recordOfRows(validators, act, buildRows(w, na, mk, rowTmpl), na);
  const { sOf, trustOf } = ws;
  sOf.fill(0, 0, nv);
  trustOf.fill(0, 0, nv);
  for (let a = 0; a < na; a++) {
    sOf[act[a]] = s[a];
    trustOf[act[a]] = trust[a];
  }
  const validatorTrust = recordOf(validators, trustOf, nv);
  const activeStake = recordOf(validators, sOf, nv);

  return { consensus, incentive, dividends, validatorTrust, clippedWeights, bonds, activeStake, ...(dividendList ? { dividendList } : {}) };
}

function clampAlpha(a: number): number {
  return Number.isFinite(a) ? Math.min(1, Math.max(0, a)) : 1;
}

/**
 * Bond mode with nobody active: ΔB = 0, so B = (1−α)·B_old; after column normalisation that
 * is B_old renormalised (or all 0 when α = 1).
 */
function decayOnlyBonds(
  input: YumaInput,
  validators: string[],
  stakeOf: readonly number[],
  miners: string[],
  out: Record<string, Record<string, number>>,
): void {
  const alpha = clampAlpha(input.bondAlpha as number);
  const old = input.bonds ?? {};
  const holders = validators.filter((v, i) => clean(stakeOf[i]) > 0 && old[v] !== undefined);
  for (const v of holders) out[v] = zeros(miners);
  if (alpha >= 1) return;
  for (const m of miners) {
    let colSum = 0;
    for (const v of holders) colSum += clean(old[v][m]);
    for (const v of holders) out[v][m] = colSum > 0 ? clean(old[v][m]) / colSum : 0;
  }
}
