/**
 * Yuma consensus for one subnet epoch (dtao-mechanics.md §6, simplified as the
 * "Simplifications a game may make" section allows).
 *
 * Works on plain JS numbers: stake weights and weight fractions, never money. The caller
 * turns the returned incentive / dividend fractions into alpha amounts. Deterministic: every
 * loop runs over sorted keys, and ties in the quantile sort are broken by validator id.
 *
 * Not modelled (documented simplifications): validator permits beyond "stake > 0"
 * (no top-K), activity cutoff beyond "set any weight this epoch", self-weight removal,
 * bonds_penalty (bonds always use the clipped weights, i.e. penalty 1), liquid alpha.
 */
import { YUMA_KAPPA } from "./constants.js";

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
}

/** Non-finite or negative → 0. */
function clean(x: number | undefined): number {
  return typeof x === "number" && Number.isFinite(x) && x > 0 ? x : 0;
}

function sortedUnique(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort();
}

function zeros(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = 0;
  return out;
}

/** Relative tolerance for "cumulative stake ≥ κ", so 0.1+0.2+0.2 still counts as 0.5. */
const KAPPA_EPS = 1e-12;

/**
 * Stake-weighted κ-quantile of one column: the largest c such that validators holding at
 * least κ of the stake gave weight ≥ c. `entries` are [weight, normalised stake, id].
 */
function weightedQuantile(entries: Array<[number, number, string]>, kappa: number): number {
  if (entries.length === 0) return 0;
  const sorted = [...entries].sort((a, b) => b[0] - a[0] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0));
  let cum = 0;
  for (const [w, s] of sorted) {
    cum += s;
    if (cum >= kappa - KAPPA_EPS) return w;
  }
  return sorted[sorted.length - 1][0];
}

export function runYuma(input: YumaInput): YumaResult {
  const kappaRaw = input.kappa ?? YUMA_KAPPA;
  const kappa = Number.isFinite(kappaRaw) ? Math.min(1, Math.max(0, kappaRaw)) : YUMA_KAPPA;
  const miners = sortedUnique(input.miners);
  const validators = sortedUnique(Object.keys(input.stake));

  // Normalised weight rows of validators with a permit (S > 0) that set any weight.
  const rows: Record<string, Record<string, number>> = {};
  const active: string[] = [];
  for (const v of validators) {
    if (clean(input.stake[v]) === 0) continue;
    const raw = input.weights[v];
    if (!raw) continue;
    let sum = 0;
    for (const m of miners) sum += clean(raw[m]);
    if (sum === 0) continue;
    const row: Record<string, number> = {};
    for (const m of miners) row[m] = clean(raw[m]) / sum;
    rows[v] = row;
    active.push(v);
  }

  // S' over the active validators.
  const activeStake = zeros(validators);
  let stakeSum = 0;
  for (const v of active) stakeSum += clean(input.stake[v]);
  for (const v of active) activeStake[v] = clean(input.stake[v]) / stakeSum;

  const consensus = zeros(miners);
  const incentive = zeros(miners);
  const dividends = zeros(validators);
  const validatorTrust = zeros(validators);
  const clippedWeights: Record<string, Record<string, number>> = {};
  const bonds: Record<string, Record<string, number>> = {};

  const bondMode = input.bondAlpha !== undefined;
  if (active.length === 0) {
    if (bondMode) decayOnlyBonds(input, validators, miners, bonds);
    return { consensus, incentive, dividends, validatorTrust, clippedWeights, bonds, activeStake };
  }

  // Consensus and clipping.
  for (const m of miners) {
    consensus[m] = weightedQuantile(
      active.map((v) => [rows[v][m], activeStake[v], v] as [number, number, string]),
      kappa,
    );
  }
  for (const v of active) {
    const row: Record<string, number> = {};
    let trust = 0;
    for (const m of miners) {
      row[m] = Math.min(rows[v][m], consensus[m]);
      trust += row[m];
    }
    clippedWeights[v] = row;
    validatorTrust[v] = trust;
  }

  // Rank and incentive.
  const rank = zeros(miners);
  let rankSum = 0;
  for (const m of miners) {
    let r = 0;
    for (const v of active) r += activeStake[v] * clippedWeights[v][m];
    rank[m] = r;
    rankSum += r;
  }
  if (rankSum > 0) for (const m of miners) incentive[m] = rank[m] / rankSum;

  // Dividends.
  const raw = zeros(validators);
  if (bondMode) {
    const alpha = clampAlpha(input.bondAlpha as number);
    const old = input.bonds ?? {};
    // Bond holders: active validators plus permitted validators still holding old bonds.
    const holders = validators.filter(
      (v) => activeStake[v] > 0 || (clean(input.stake[v]) > 0 && old[v] !== undefined),
    );
    for (const v of holders) bonds[v] = zeros(miners);
    for (const m of miners) {
      // ΔB_ij = S'_i·W̄_ij, column-normalised (the column sum is rank_j).
      let colSum = 0;
      for (const v of holders) {
        const delta = rank[m] > 0 && clippedWeights[v] ? (activeStake[v] * clippedWeights[v][m]) / rank[m] : 0;
        const b = alpha * delta + (1 - alpha) * clean(old[v]?.[m]);
        bonds[v][m] = b;
        colSum += b;
      }
      for (const v of holders) bonds[v][m] = colSum > 0 ? bonds[v][m] / colSum : 0;
    }
    for (const v of holders) {
      let d = 0;
      for (const m of miners) d += bonds[v][m] * incentive[m];
      raw[v] = d;
    }
  } else {
    // Yuma 3 with α = 1: B = W̄, B̂ = B column-normalised, D_i ∝ S'_i·Σ_j B̂_ij·I_j.
    const colSum = zeros(miners);
    for (const m of miners) for (const v of active) colSum[m] += clippedWeights[v][m];
    for (const v of active) {
      const row: Record<string, number> = {};
      let d = 0;
      for (const m of miners) {
        row[m] = colSum[m] > 0 ? clippedWeights[v][m] / colSum[m] : 0;
        d += row[m] * incentive[m];
      }
      bonds[v] = row;
      raw[v] = activeStake[v] * d;
    }
  }
  let dSum = 0;
  for (const v of validators) dSum += raw[v];
  if (dSum > 0) for (const v of validators) dividends[v] = raw[v] / dSum;

  return { consensus, incentive, dividends, validatorTrust, clippedWeights, bonds, activeStake };
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
  miners: string[],
  out: Record<string, Record<string, number>>,
): void {
  const alpha = clampAlpha(input.bondAlpha as number);
  const old = input.bonds ?? {};
  const holders = validators.filter((v) => clean(input.stake[v]) > 0 && old[v] !== undefined);
  for (const v of holders) out[v] = zeros(miners);
  if (alpha >= 1) return;
  for (const m of miners) {
    let colSum = 0;
    for (const v of holders) colSum += clean(old[v][m]);
    for (const v of holders) out[v][m] = colSum > 0 ? clean(old[v][m]) / colSum : 0;
  }
}
