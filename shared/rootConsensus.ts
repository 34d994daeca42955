/**
 * The pre-dTAO root network (rule set RS0, dtao-mechanics.md §2c; chain
 * `v1.2.5 coinbase/root.rs::root_epoch`): root validators' stake-weighted votes over
 * subnets become each subnet's share of the block emission.
 *
 * Plain JS numbers (fractions, not money); deterministic (sorted keys, no randomness).
 *
 * Game choice: weight on netuid "0" (root itself) counts when a row is normalised, as on
 * chain, but "0" never receives a share. On chain that emission was simply not minted; here
 * the returned `shares` over `subnets` are renormalised to sum to 1 and the fraction that
 * netuid 0 would have taken is reported as `recycledFraction`.
 */
import { ROOT_KAPPA, ROOT_RHO } from "./constants.js";

export const ROOT_NETUID = "0";

export interface RootEmissionResult {
  /** share_j ∝ cons_j·rank_j over `subnets`; sums to 1, or all 0 when no subnet scores. */
  shares: Record<string, number>;
  /** rank_j = Σ_i s_i·W_ij (per subnet in `subnets`). */
  rank: Record<string, number>;
  /** trust_j = Σ_i s_i·[W_ij > 0]. */
  trust: Record<string, number>;
  /** cons_j = 1/(1 + exp(−ρ(trust_j − κ))). */
  consensus: Record<string, number>;
  /** control_i = Σ_j share_j·s_i·W_ij/rank_j; sums to 1 (or all 0), every key of `stake`. */
  control: Record<string, number>;
  /**
   * Fraction of the (unrenormalised) allocation that weight on netuid 0 would have taken:
   * score_0 / Σ_{j ∈ subnets ∪ {0}} score_j, score = cons·rank. 0..1.
   */
  recycledFraction: number;
}

function clean(x: number | undefined): number {
  return typeof x === "number" && Number.isFinite(x) && x > 0 ? x : 0;
}

export function rootEmissionShares(
  stake: Record<string, number>,
  weights: Record<string, Record<string, number>>,
  subnets: string[],
  rho: number = ROOT_RHO,
  kappa: number = ROOT_KAPPA,
): RootEmissionResult {
  const nets = [...new Set(subnets)].filter((n) => n !== ROOT_NETUID).sort();
  const columns = [...nets, ROOT_NETUID];
  const validators = [...new Set(Object.keys(stake))].sort();

  // s: normalised over every validator with positive stake (voting or not, as on chain).
  const s: Record<string, number> = {};
  let stakeSum = 0;
  for (const v of validators) stakeSum += clean(stake[v]);
  for (const v of validators) s[v] = stakeSum > 0 ? clean(stake[v]) / stakeSum : 0;

  // Rows normalised over subnets ∪ {0}; weight on unknown netuids is ignored.
  const rows: Record<string, Record<string, number>> = {};
  for (const v of validators) {
    const raw = weights[v] ?? {};
    let sum = 0;
    for (const j of columns) sum += clean(raw[j]);
    const row: Record<string, number> = {};
    for (const j of columns) row[j] = sum > 0 ? clean(raw[j]) / sum : 0;
    rows[v] = row;
  }

  const rankAll: Record<string, number> = {};
  const trustAll: Record<string, number> = {};
  const consAll: Record<string, number> = {};
  const score: Record<string, number> = {};
  for (const j of columns) {
    let r = 0;
    let t = 0;
    for (const v of validators) {
      r += s[v] * rows[v][j];
      if (rows[v][j] > 0) t += s[v];
    }
    rankAll[j] = r;
    trustAll[j] = t;
    consAll[j] = 1 / (1 + Math.exp(-rho * (t - kappa)));
    score[j] = consAll[j] * r;
  }

  let netScore = 0;
  for (const j of nets) netScore += score[j];
  const totalScore = netScore + score[ROOT_NETUID];
  const recycledFraction = totalScore > 0 ? score[ROOT_NETUID] / totalScore : 0;

  const shares: Record<string, number> = {};
  const rank: Record<string, number> = {};
  const trust: Record<string, number> = {};
  const consensus: Record<string, number> = {};
  for (const j of nets) {
    shares[j] = netScore > 0 ? score[j] / netScore : 0;
    rank[j] = rankAll[j];
    trust[j] = trustAll[j];
    consensus[j] = consAll[j];
  }

  const control: Record<string, number> = {};
  for (const v of validators) {
    let c = 0;
    for (const j of nets) if (rankAll[j] > 0) c += (shares[j] * s[v] * rows[v][j]) / rankAll[j];
    control[v] = c;
  }

  return { shares, rank, trust, consensus, control, recycledFraction };
}
